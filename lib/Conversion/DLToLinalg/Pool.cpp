//===- Pool.cpp - max_pool and avg_pool to linalg -------------------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// A windowed reduction over (n, c, out..., k...) of a padded input.
Value windowReduce(OpBuilder &b, Location loc, Value padded,
                   RankedTensorType resultType, const WindowAttrs &w,
                   ArrayRef<int64_t> kernel, Value init, ValueRange sizes,
                   function_ref<Value(OpBuilder &, Location, Value, Value)> fn) {
  MLIRContext *ctx = b.getContext();
  int64_t spatial = kernel.size();
  int64_t nDims = 2 + 2 * spatial;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs = {d(0), d(1)}, outExprs = {d(0), d(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(d(2 + i) * w.strides[i] + d(2 + spatial + i) * w.dilations[i]);
    outExprs.push_back(d(2 + i));
  }
  // The kernel is an input whose elements are unused: it gives the window
  // loops their bounds.
  SmallVector<AffineExpr> kExprs;
  for (int64_t i = 0; i < spatial; ++i)
    kExprs.push_back(d(2 + spatial + i));
  Value window = tensor::EmptyOp::create(b, loc, kernel, resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(2 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  Value acc = linalg::FillOp::create(b, loc, init,
                                     emptyTensor(b, loc, resultType, sizes))
                  .getResult(0);
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{padded, window}, acc,
             ArrayRef<AffineMap>{AffineMap::get(nDims, 0, inExprs, ctx),
                                 AffineMap::get(nDims, 0, kExprs, ctx),
                                 AffineMap::get(nDims, 0, outExprs, ctx)},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, fn(nb, l, args[2], args[0]));
             })
      .getResult(0);
}

template <typename OpTy>
struct PoolLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = op.getType();
    Type et = resultType.getElementType();
    int64_t spatial = inType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    auto w = readWindowAttrs(loc, op.getStrides(), op.getPads(),
                             op.getDilations(), spatial);
    if (failed(w))
      return failure();
    // Pads, plus room for the last ceil-mode window past the end.
    SmallVector<int64_t> low(2, 0), high(2, 0), extra(2, 0);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = inType.getDimSize(2 + i), out = resultType.getDimSize(2 + i);
      if (ShapedType::isDynamic(in) || ShapedType::isDynamic(out))
        return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
      int64_t needed = (out - 1) * w->strides[i] +
                       (kernel[i] - 1) * w->dilations[i] + 1;
      int64_t ext = std::max<int64_t>(
          0, needed - (in + w->pads[i] + w->pads[i + spatial]));
      low.push_back(w->pads[i]);
      high.push_back(w->pads[i + spatial] + ext);
      extra.push_back(ext);
    }
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < 2; ++i)
      if (resultType.isDynamicDim(i))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getInput(), i));
    if constexpr (isMax) {
      Value lowest = arith::ConstantOp::create(
          rewriter, loc,
          rewriter.getFloatAttr(
              et, APFloat::getInf(cast<FloatType>(et).getFloatSemantics(),
                                  /*Negative=*/true)));
      Value padded = padTensor(rewriter, loc, op.getInput(), low, high, lowest);
      rewriter.replaceOp(
          op, windowReduce(rewriter, loc, padded, resultType, *w, kernel,
                           lowest, sizes,
                           [](OpBuilder &b, Location l, Value acc, Value x) {
                             return arith::MaximumFOp::create(b, l, acc, x);
                           }));
    } else {
      Value zero = scalarConstant(rewriter, loc, et, 0);
      Value padded = padTensor(rewriter, loc, op.getInput(), low, high, zero);
      auto add = [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
        return arith::AddFOp::create(b, l, acc, x);
      };
      Value sum = windowReduce(rewriter, loc, padded, resultType, *w, kernel,
                               zero, sizes, add);
      // The divisor per output: a window sum over ones, where the real pads
      // count only with count_include_pad and the ceil extension never.
      SmallVector<int64_t> onesShape = {1, 1};
      for (int64_t i = 0; i < spatial; ++i)
        onesShape.push_back(inType.getDimSize(2 + i));
      Value ones = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get(onesShape, et),
                                 rewriter.getFloatAttr(et, 1.0)));
      Value counted = ones;
      if (op.getCountIncludePad()) {
        counted = padTensor(rewriter, loc, ones, low,
                            SmallVector<int64_t>(llvm::map_range(
                                llvm::seq<int64_t>(0, 2 + spatial),
                                [&](int64_t i) { return high[i] - extra[i]; })),
                            scalarConstant(rewriter, loc, et, 1));
        SmallVector<int64_t> zeros(2 + spatial, 0);
        counted = padTensor(rewriter, loc, counted, zeros, extra, zero);
      } else {
        counted = padTensor(rewriter, loc, ones, low, high, zero);
      }
      SmallVector<int64_t> countShape = {1, 1};
      for (int64_t i = 0; i < spatial; ++i)
        countShape.push_back(resultType.getDimSize(2 + i));
      Value count = windowReduce(rewriter, loc, counted,
                                 RankedTensorType::get(countShape, et), *w,
                                 kernel, zero, {}, add);
      MLIRContext *ctx = op.getContext();
      int64_t rank = resultType.getRank();
      SmallVector<AffineExpr> countExprs = {getAffineConstantExpr(0, ctx),
                                            getAffineConstantExpr(0, ctx)};
      for (int64_t i = 0; i < spatial; ++i)
        countExprs.push_back(getAffineDimExpr(2 + i, ctx));
      auto id = AffineMap::getMultiDimIdentityMap(rank, ctx);
      Value avg =
          linalg::GenericOp::create(
              rewriter, loc, resultType, ValueRange{sum, count},
              emptyLike(rewriter, loc, resultType, sum),
              ArrayRef<AffineMap>{id, AffineMap::get(rank, 0, countExprs, ctx),
                                  id},
              SmallVector<utils::IteratorType>(rank,
                                               utils::IteratorType::parallel),
              [](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    b, l, Value(arith::DivFOp::create(b, l, args[0], args[1])));
              })
              .getResult(0);
      rewriter.replaceOp(op, avg);
    }
    return success();
  }
};

} // namespace

void dlc::populatePoolToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<PoolLowering<MaxPoolOp>, PoolLowering<AvgPoolOp>>(
      patterns.getContext());
}
