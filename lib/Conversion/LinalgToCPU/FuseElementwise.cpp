//===- FuseElementwise.cpp - elementwise fusion that spares contractions --===//
//
// Upstream linalg-fuse-elementwise-ops with a cost rule: data movement (a
// generic whose body only yields an input, or a reshape) is not fused into
// a generic with a reduction, nor a reduction into a reshape. Fused into a
// matmul, an im2col copy or a transpose turns the matmul's contiguous rows into
// strided gathers (the CNN train step: conv 2.5x slower than with the copy kept
// apart). Nor is any producer fused into a reduction that reads it along fewer
// loops than the reduction has (a matmul's operands).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_DLFUSEELEMENTWISE
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Whether `op` only moves data: a reshape, or a generic whose yield is one
/// of its block arguments.
bool movesData(Operation *op) {
  if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(op))
    return true;
  auto generic = dyn_cast<linalg::GenericOp>(op);
  if (!generic)
    return false;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  return llvm::all_of(yield.getOperands(), [&](Value v) {
    return isa<BlockArgument>(v) &&
           cast<BlockArgument>(v).getOwner() == generic.getBody();
  });
}

bool hasReduction(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0;
}

bool isF32(Value v) {
  return cast<ShapedType>(v.getType()).getElementType().isF32();
}

/// Whether `fused` is an f32 transpose (a generic that yields its one input,
/// read through a permutation, into an identity-indexed output) read as an
/// input of an f32 contraction (out + a * b, one reduction loop): what
/// dl-contractions-to-microkernels hands to the GEMM with any strides.
bool isTransposeIntoContraction(OpOperand *fused) {
  auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
  if (!producer || !consumer || !movesData(producer) ||
      producer.getNumDpsInputs() != 1 || producer.getNumDpsInits() != 1 ||
      producer.getNumReductionLoops() != 0 ||
      !producer.getIndexingMapsArray()[0].isPermutation() ||
      !producer.getIndexingMapsArray()[1].isIdentity() ||
      !isF32(producer.getDpsInputs()[0]))
    return false;
  if (!consumer.isDpsInput(fused) || consumer.getNumDpsInputs() != 2 ||
      consumer.getNumDpsInits() != 1 || consumer.getNumReductionLoops() != 1 ||
      !llvm::all_of(consumer->getOperands(), isF32))
    return false;
  // The body: yield(out + a * b).
  Block *body = consumer.getBody();
  auto yield = cast<linalg::YieldOp>(body->getTerminator());
  auto add = yield.getOperand(0).getDefiningOp<arith::AddFOp>();
  if (!add || body->getOperations().size() != 3)
    return false;
  auto mul = add.getLhs().getDefiningOp<arith::MulFOp>();
  Value acc = add.getRhs();
  if (!mul) {
    mul = add.getRhs().getDefiningOp<arith::MulFOp>();
    acc = add.getLhs();
  }
  return mul && acc == body->getArgument(2) &&
         llvm::is_contained(
             ValueRange{body->getArgument(0), body->getArgument(1)},
             mul.getLhs()) &&
         llvm::is_contained(
             ValueRange{body->getArgument(0), body->getArgument(1)},
             mul.getRhs());
}

struct FuseElementwisePass
    : public dlc::impl::DLFuseElementwiseBase<FuseElementwisePass> {
  using DLFuseElementwiseBase::DLFuseElementwiseBase;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    bool intoContractions = transposesIntoContractions;
    linalg::ControlFusionFn control = [intoContractions](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse())
        return false;
      if (intoContractions && isTransposeIntoContraction(fused))
        return true;
      Operation *consumer = fused->getOwner();
      // Reshapes stay outside contractions too: expanding a matmul's dims
      // to the operands' shapes leaves a short innermost loop (a 3-wide
      // kernel row) where the vectorizer wanted the whole row.
      if (isa<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(consumer) &&
          hasReduction(producer))
        return false;
      if (movesData(producer) && hasReduction(consumer))
        return false;
      // Nor is a producer fused into a reduction that reads it along fewer
      // loops than it has (a matmul's operand): the fused body would
      // recompute each of its elements once per missing loop (N times for
      // a matmul's A), and the contraction would no longer be one the
      // runtime's GEMM takes (dl-contractions-to-microkernels), so the same
      // product would be summed in different orders depending on what
      // happens to sit before it.
      if (auto linalgConsumer = dyn_cast<linalg::LinalgOp>(consumer);
          linalgConsumer && hasReduction(consumer) &&
          !linalgConsumer.getMatchingIndexingMap(fused).isPermutation())
        return false;
      return true;
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, control);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, control);
    linalg::populateConstantFoldLinalgOperations(patterns, control);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
