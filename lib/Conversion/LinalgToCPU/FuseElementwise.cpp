//===- FuseElementwise.cpp - elementwise fusion that spares contractions --===//
//
// Upstream linalg-fuse-elementwise-ops with a cost rule: data movement (a
// generic whose body only yields an input, or a reshape) is not fused into
// a generic with a reduction, nor a reduction into a reshape. Fused into a
// matmul, an im2col copy or a transpose turns the matmul's contiguous rows into
// strided gathers (the CNN train step: conv 2.5x slower than with the copy kept
// apart). Nor is any producer fused into a reduction that reads it along fewer
// loops than the reduction has (a matmul's operands). A producer with other
// uses is fused only where those are the function's return (an optimizer's
// state), keeping its result as an extra one of the fused generic. dl-fuse's
// groups bound all of it (groupsAllow).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"
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

/// Whether dl-fuse's groups let `producer` fuse into `consumer`: both of
/// one group (or neither placed by it), or one of a group and the other an
/// op it did not place that only moves data (a transpose, a reshape).
bool groupsAllow(Operation *producer, Operation *consumer) {
  Attribute p = dlc::dl::fusionGroup(producer->getLoc());
  Attribute c = dlc::dl::fusionGroup(consumer->getLoc());
  if (p == c)
    return true;
  return !(p && c) && movesData(p ? consumer : producer);
}

/// Whether `op` is an f32 transpose: a generic that yields its one input,
/// read through a permutation, into an identity-indexed output.
bool isF32Transpose(linalg::GenericOp op) {
  return movesData(op) && op.getNumDpsInputs() == 1 &&
         op.getNumDpsInits() == 1 && op.getNumReductionLoops() == 0 &&
         op.getIndexingMapsArray()[0].isPermutation() &&
         op.getIndexingMapsArray()[1].isIdentity() &&
         isF32(op.getDpsInputs()[0]);
}

/// Whether `op` is an f32 contraction: out + a * b over one reduction loop,
/// what dl-contractions-to-microkernels hands to the GEMM with any strides.
bool isF32Contraction(linalg::GenericOp op) {
  if (op.getNumDpsInputs() != 2 || op.getNumDpsInits() != 1 ||
      op.getNumReductionLoops() != 1 || !llvm::all_of(op->getOperands(), isF32))
    return false;
  // As dl-contractions-to-microkernels checks it: no op (a cast, a negf)
  // besides the multiply and the add.
  return op.getBody()->getOperations().size() == 3 &&
         linalg::detail::isContractionBody(
             *op.getBody(), [](Operation *first, Operation *second) {
               return isa<arith::MulFOp>(first) && isa<arith::AddFOp>(second);
             });
}

/// Whether `fused` is an f32 transpose read as an input of an f32
/// contraction: fused, it becomes that operand's indexing map.
bool isTransposeIntoContraction(OpOperand *fused) {
  auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
  return producer && consumer && isF32Transpose(producer) &&
         consumer.isDpsInput(fused) && isF32Contraction(consumer);
}

/// The zero fill `init` is made by: a linalg.fill of 0, or the generic
/// linalg-generalize-named-ops makes of one. Null otherwise.
Operation *zeroFill(Value init) {
  Operation *op = init.getDefiningOp();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(op))
    return matchPattern(fill.value(), m_AnyZeroFloat()) ? op : nullptr;
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 0 ||
      generic.getNumDpsInits() != 1 || generic.getNumReductionLoops() != 0 ||
      generic.getBody()->getOperations().size() != 1)
    return nullptr;
  Value yielded = generic.getBody()->getTerminator()->getOperand(0);
  return matchPattern(yielded, m_AnyZeroFloat()) ? op : nullptr;
}

/// A transpose of an f32 contraction's result (its only user; the product
/// accumulated into a zero fill) becomes the contraction's output map: the
/// GEMM writes the product through the transposed strides (an attention's
/// heads merged back, [H, S, D] -> [S, H, D]).
struct ContractionIntoTranspose : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp transpose,
                                PatternRewriter &rewriter) const override {
    if (!isF32Transpose(transpose))
      return failure();
    auto contraction =
        transpose.getDpsInputs()[0].getDefiningOp<linalg::GenericOp>();
    if (!contraction || !contraction->hasOneUse() ||
        !groupsAllow(contraction, transpose) || !isF32Contraction(contraction))
      return failure();
    Operation *fill = zeroFill(contraction.getDpsInits()[0]);
    if (!fill || !fill->hasOneUse())
      return failure();
    // transpose: its dims -> the product's; the product's output map:
    // loops -> the product's dims; so loops -> the transpose's dims is
    // perm^-1 o out.
    SmallVector<AffineMap> maps = contraction.getIndexingMapsArray();
    maps[2] = inversePermutation(transpose.getIndexingMapsArray()[0])
                  .compose(maps[2]);
    Location loc =
        rewriter.getFusedLoc({contraction.getLoc(), transpose.getLoc()});
    Value zero = arith::ConstantOp::create(rewriter, fill->getLoc(),
                                           rewriter.getF32FloatAttr(0.0f));
    Value init =
        linalg::FillOp::create(rewriter, fill->getLoc(), ValueRange{zero},
                               ValueRange{transpose.getDpsInits()[0]})
            .getResult(0);
    auto product = linalg::GenericOp::create(
        rewriter, loc, TypeRange{transpose.getResult(0).getType()},
        contraction.getDpsInputs(), ValueRange{init}, maps,
        contraction.getIteratorTypesArray());
    rewriter.inlineRegionBefore(contraction.getRegion(), product.getRegion(),
                                product.getRegion().begin());
    rewriter.replaceOp(transpose, product.getResults());
    rewriter.eraseOp(contraction);
    rewriter.eraseOp(fill);
    return success();
  }
};

/// Whether `fused`'s producer, which has other uses, still fuses into its
/// consumer: an elementwise generic whose results are otherwise only
/// returned (an optimizer's updated moment, returned as state and read by
/// the parameter update), read by an elementwise consumer over the same
/// iteration space. The fused generic computes each element once and
/// yields the producer's result too, so the returned value stays and one
/// kernel does the work of both.
bool isReturnedToo(OpOperand *fused) {
  auto producer = fused->get().getDefiningOp<linalg::GenericOp>();
  auto consumer = dyn_cast<linalg::GenericOp>(fused->getOwner());
  if (!producer || !consumer ||
      producer.getNumParallelLoops() != producer.getNumLoops() ||
      consumer.getNumParallelLoops() != consumer.getNumLoops() ||
      !consumer.getMatchingIndexingMap(fused).isPermutation())
    return false;
  for (Value result : producer->getResults())
    for (OpOperand &use : result.getUses())
      if (use.getOwner() != consumer.getOperation() &&
          !isa<func::ReturnOp>(use.getOwner()))
        return false;
  return true;
}

/// Fuses a producer whose results are also returned into its elementwise
/// consumer (isReturnedToo): the fused generic yields the returned results
/// too, and every use of the producer and of the consumer takes the fused
/// op's. (Upstream's pattern keeps such a producer for its other uses and
/// computes it a second time inside the consumer.)
struct FuseProducerAlsoReturned : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand *operand : consumer.getDpsInputOperands()) {
      Operation *producer = operand->get().getDefiningOp();
      if (!producer || producer->hasOneUse() ||
          !groupsAllow(producer, consumer) || !isReturnedToo(operand) ||
          !linalg::areElementwiseOpsFusable(operand))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, operand);
      if (failed(fused))
        return failure();
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceAllUsesWith(original, replacement);
      rewriter.eraseOp(consumer);
      if (producer->use_empty())
        rewriter.eraseOp(producer);
      return success();
    }
    return failure();
  }
};

struct FuseElementwisePass
    : public dlc::impl::DLFuseElementwiseBase<FuseElementwisePass> {
  using DLFuseElementwiseBase::DLFuseElementwiseBase;
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    bool intoContractions = transposesIntoContractions;
    linalg::ControlFusionFn control = [intoContractions](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      if (!producer || !producer->hasOneUse() ||
          !groupsAllow(producer, fused->getOwner()))
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
    // A dim of a producer's result (a broadcast's run-time check reads
    // one) as the dim of what it was computed from: it is no second use
    // that keeps the producer from fusing.
    memref::populateResolveRankedShapedTypeResultDimsPatterns(patterns);
    patterns.add<FuseProducerAlsoReturned>(context);
    if (intoContractions)
      patterns.add<ContractionIntoTranspose>(context);
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
