//===- DLToLinalg.cpp - the dl-to-linalg and backend-contract passes ------===//

#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_DLTOLINALG
#define GEN_PASS_DEF_DLVERIFYBACKENDCONTRACT
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

void dlc::populateDLToLinalgPatterns(RewritePatternSet &patterns,
                                     int64_t im2colBytes, bool rowKernels,
                                     bool reshapeViews, bool directConvs,
                                     bool runtimeCalls, bool int8ConvCalls) {
  if (runtimeCalls)
    populateRuntimeCallPatterns(patterns);
  if (int8ConvCalls)
    populateInt8ConvCallPatterns(patterns);
  if (reshapeViews)
    populateReshapeViewPatterns(patterns);
  if (rowKernels) {
    populateRowKernelSoftmaxPatterns(patterns);
    populateRowKernelNormPatterns(patterns);
  }
  populateElementwiseToLinalgPatterns(patterns);
  populateMatMulToLinalgPatterns(patterns);
  populateShapeToLinalgPatterns(patterns);
  populateReductionToLinalgPatterns(patterns);
  populateConvToLinalgPatterns(patterns, im2colBytes, directConvs);
  populatePoolToLinalgPatterns(patterns);
  populateNormToLinalgPatterns(patterns);
  populateIndexingToLinalgPatterns(patterns);
  populateMiscToLinalgPatterns(patterns);
  populateRecurrentToLinalgPatterns(patterns);
  populateQuantToLinalgPatterns(patterns);
  populateDynamicToLinalgPatterns(patterns);
}

/// The dl ops dl-to-linalg lowers. Kept next to the pattern list so the
/// contract and the lowering cannot drift apart unnoticed: the lowering
/// reports any op it left behind too.
static bool isLowerable(Operation *op) {
  if (isa<ElementwiseOpInterface>(op))
    return true;
  if (isa<SelectOp, CastOp, MatMulOp, GemmOp, ConstantOp, ReshapeOp, FlattenOp,
          SqueezeOp, UnsqueezeOp, TransposeOp, ExpandOp, ReduceSumOp,
          ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp, ReduceL1Op,
          ReduceL2Op, ReduceSumSquareOp, ReduceLogSumExpOp, ArgMaxOp, ArgMinOp,
          SoftmaxOp, LogSoftmaxOp, SoftmaxCrossEntropyOp,
          SoftmaxCrossEntropyGradOp, GlobalMaxPoolOp, GlobalAvgPoolOp, ConvOp,
          ConvTransposeOp, ConvWeightGradOp, MaxPoolOp, AvgPoolOp,
          MaxPoolGradOp, AvgPoolGradOp, BatchNormOp, BatchNormTrainOp,
          LayerNormOp, InstanceNormOp, SliceOp, ConcatOp, SplitOp, GatherOp,
          ShapeOfOp, RangeOp, OneHotOp, GatherElementsOp, PadOp, QuantizeOp,
          DequantizeOp, DropoutOp, RandomUniformOp, FusionOp, ResizeOp,
          GroupNormOp, TileOp, ScatterAddOp, ScatterElementsAddOp,
          StopGradientOp, RecomputeBarrierOp, RNNOp, GRUOp, LSTMOp,
          MatMulIntegerOp, ConvIntegerOp, RequantizeOp, DynamicSliceOp,
          DynamicSplitOp, DynamicSqueezeOp, DynamicUnsqueezeOp, DynamicReduceOp,
          DynamicTileOp, DynamicPadOp, TopKOp>(op))
    return true;
  return false;
}

/// Why the lowering cannot take `op` ("" if it can): ops it does not lower,
/// and the shape limits of the ones it does.
static std::string contractViolation(Operation *op) {
  auto typeOf = [](Value v) { return cast<RankedTensorType>(v.getType()); };
  auto spatialStatic = [&](Value v) {
    auto t = typeOf(v);
    for (int64_t d = 2; d < t.getRank(); ++d)
      if (t.isDynamicDim(d))
        return false;
    return true;
  };
  if (isa<ResizeOp, GroupNormOp>(op) &&
      (!typeOf(op->getResult(0)).hasStaticShape() ||
       !typeOf(op->getOperand(0)).hasStaticShape()))
    return "the CPU backend needs static shapes for it (pin dynamic dims "
           "with --input-shape)";
  if (isa<ConvOp, ConvIntegerOp, ConvTransposeOp, ConvWeightGradOp, MaxPoolOp,
          AvgPoolOp, MaxPoolGradOp, AvgPoolGradOp>(op) &&
      (!spatialStatic(op->getOperand(0)) || !spatialStatic(op->getResult(0))))
    return "the CPU backend needs static spatial dims for it (pin them with "
           "--input-shape)";
  if (auto tile = dyn_cast<TileOp>(op);
      tile && !tile.getInput().getType().hasStaticShape())
    return "the CPU backend needs a static input shape for it";
  if (isa<DynamicSliceOp, DynamicSplitOp, DynamicSqueezeOp, DynamicUnsqueezeOp,
          DynamicReduceOp, DynamicTileOp, DynamicPadOp, TopKOp>(op))
    for (Value v : op->getOperands().drop_front())
      if (!typeOf(v).hasStaticShape())
        return "the CPU backend needs its axes, bounds, sizes, repeats, pads "
               "or k to have a static length";
  return isLowerable(op) ? "" : "the CPU backend has no lowering for it";
}

namespace {

struct VerifyBackendContractPass
    : public dlc::impl::DLVerifyBackendContractBase<VerifyBackendContractPass> {
  void runOnOperation() override {
    WalkResult r = getOperation()->walk([&](Operation *op) {
      if (!isa<DLDialect>(op->getDialect()))
        return WalkResult::advance();
      std::string why = contractViolation(op);
      if (why.empty())
        return WalkResult::advance();
      op->emitError() << "'" << op->getName()
                      << "' cannot be compiled yet: " << why;
      return WalkResult::interrupt();
    });
    if (r.wasInterrupted())
      signalPassFailure();
  }
};

struct DLToLinalgPass : public dlc::impl::DLToLinalgBase<DLToLinalgPass> {
  using DLToLinalgBase::DLToLinalgBase;
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateDLToLinalgPatterns(patterns, im2colBytes, rowKernels, reshapeViews,
                               directConvs, runtimeCalls, int8ConvCalls);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns)))) {
      getOperation()->emitError("dl-to-linalg did not converge");
      return signalPassFailure();
    }
    WalkResult r = getOperation()->walk([&](Operation *op) {
      // The barrier stays until bufferization (Bufferization.cpp).
      if (!isa<DLDialect>(op->getDialect()) || isa<RecomputeBarrierOp>(op))
        return WalkResult::advance();
      op->emitError() << "failed to lower '" << op->getName() << "'";
      return WalkResult::interrupt();
    });
    if (r.wasInterrupted())
      signalPassFailure();
  }
};

} // namespace
