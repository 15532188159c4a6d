//===- DLToLinalg.cpp - the dl-to-linalg and backend-contract passes ------===//

#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_DLTOLINALG
#define GEN_PASS_DEF_DLVERIFYBACKENDCONTRACT
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

void dlc::populateDLToLinalgPatterns(RewritePatternSet &patterns) {
  populateElementwiseToLinalgPatterns(patterns);
  populateMatMulToLinalgPatterns(patterns);
  populateShapeToLinalgPatterns(patterns);
  populateReductionToLinalgPatterns(patterns);
  populateConvToLinalgPatterns(patterns);
  populatePoolToLinalgPatterns(patterns);
  populateNormToLinalgPatterns(patterns);
  populateIndexingToLinalgPatterns(patterns);
  populateMiscToLinalgPatterns(patterns);
}

/// The dl ops dl-to-linalg lowers. Kept next to the pattern list so the
/// contract and the lowering cannot drift apart unnoticed: the lowering
/// reports any op it left behind too.
static bool isLowerable(Operation *op) {
  if (isa<ElementwiseOpInterface>(op))
    return true;
  if (isa<SelectOp, CastOp, MatMulOp, GemmOp, ConstantOp, ReshapeOp,
             FlattenOp, SqueezeOp, UnsqueezeOp, TransposeOp, ExpandOp,
             ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp,
             ReduceL1Op, ReduceL2Op, ReduceSumSquareOp, ReduceLogSumExpOp,
             ArgMaxOp, ArgMinOp, SoftmaxOp, LogSoftmaxOp, GlobalMaxPoolOp,
             GlobalAvgPoolOp, ConvOp, ConvTransposeOp, MaxPoolOp, AvgPoolOp, BatchNormOp,
             BatchNormTrainOp,
             LayerNormOp, InstanceNormOp, SliceOp, ConcatOp, SplitOp, GatherOp,
          ShapeOfOp, RangeOp, OneHotOp, GatherElementsOp, PadOp, QuantizeOp,
          DequantizeOp, DropoutOp, FusionOp>(
          op))
    return true;
  if (auto tile = dyn_cast<TileOp>(op))
    return tile.getInput().getType().hasStaticShape();
  if (isa<ResizeOp, GroupNormOp>(op))
    return cast<RankedTensorType>(op->getResult(0).getType()).hasStaticShape() &&
           cast<RankedTensorType>(op->getOperand(0).getType()).hasStaticShape();
  return false;
}

namespace {

struct VerifyBackendContractPass
    : public dlc::impl::DLVerifyBackendContractBase<VerifyBackendContractPass> {
  void runOnOperation() override {
    WalkResult r = getOperation()->walk([&](Operation *op) {
      if (!isa<DLDialect>(op->getDialect()) || isLowerable(op))
        return WalkResult::advance();
      op->emitError() << "'" << op->getName()
                      << "' cannot be compiled yet: the CPU backend has no "
                         "lowering for it";
      return WalkResult::interrupt();
    });
    if (r.wasInterrupted())
      signalPassFailure();
  }
};

struct DLToLinalgPass : public dlc::impl::DLToLinalgBase<DLToLinalgPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDLToLinalgPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns)))) {
      getOperation()->emitError("dl-to-linalg did not converge");
      return signalPassFailure();
    }
    WalkResult r = getOperation()->walk([&](Operation *op) {
      if (!isa<DLDialect>(op->getDialect()))
        return WalkResult::advance();
      op->emitError() << "failed to lower '" << op->getName() << "'";
      return WalkResult::interrupt();
    });
    if (r.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
