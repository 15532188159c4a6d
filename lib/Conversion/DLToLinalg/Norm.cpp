//===- Norm.cpp - batch, layer and instance norm to linalg ----------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// y = (x - mean) * rsqrt(var + eps) * scale + bias in one generic; `maps`
/// index mean, var, scale and bias relative to x.
Value normalize(OpBuilder &b, Location loc, Value x, ValueRange stats,
                ArrayRef<AffineMap> statMaps, double eps) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  Type et = type.getElementType();
  auto id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<Value> ins = {x};
  ins.append(stats.begin(), stats.end());
  SmallVector<AffineMap> maps = {id};
  maps.append(statMaps.begin(), statMaps.end());
  maps.push_back(id);
  bool hasScale = stats.size() > 2, hasBias = stats.size() > 3;
  return linalg::GenericOp::create(
             b, loc, type, ins, emptyLike(b, loc, type, x), maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange a) {
               Value centered = arith::SubFOp::create(nb, l, a[0], a[1]);
               Value inv = math::RsqrtOp::create(
                   nb, l,
                   arith::AddFOp::create(nb, l, a[2],
                                         scalarConstant(nb, l, et, eps)));
               Value y = arith::MulFOp::create(nb, l, centered, inv);
               if (hasScale)
                 y = arith::MulFOp::create(nb, l, y, a[3]);
               if (hasBias)
                 y = arith::AddFOp::create(nb, l, y, a[4]);
               linalg::YieldOp::create(nb, l, y);
             })
      .getResult(0);
}

/// Mean and biased variance of `x` over the `reduced` dims (two passes).
std::pair<Value, Value> moments(OpBuilder &b, Location loc, Value x,
                                ArrayRef<bool> reduced) {
  auto type = cast<RankedTensorType>(x.getType());
  Type et = type.getElementType();
  Value n = elementCount(b, loc, x, reduced, et);
  Value zero = scalarConstant(b, loc, et, 0);
  auto divideBy = [&](Value sum) {
    int64_t rank = cast<RankedTensorType>(sum.getType()).getRank();
    return mapWithReduced(
        b, loc, sum, SmallVector<bool>(rank, false), {},
        [&](OpBuilder &nb, Location l, ValueRange a) -> Value {
          return arith::DivFOp::create(nb, l, a[0], n);
        });
  };
  Value mean = divideBy(reduceDims(
      b, loc, x, reduced, zero,
      [](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
        return arith::AddFOp::create(nb, l, acc, in[0]);
      }));
  Value var = divideBy(reduceDims(
      b, loc, x, reduced, zero,
      [](OpBuilder &nb, Location l, ValueRange in, Value acc) -> Value {
        Value c = arith::SubFOp::create(nb, l, in[0], in[1]);
        return arith::AddFOp::create(nb, l, acc,
                                     arith::MulFOp::create(nb, l, c, c));
      },
      mean));
  return {mean, var};
}

/// The map that reads a tensor indexed by the dims of x not in `reduced`.
AffineMap keptMap(MLIRContext *ctx, ArrayRef<bool> reduced) {
  SmallVector<AffineExpr> e;
  for (int64_t i = 0; i < static_cast<int64_t>(reduced.size()); ++i)
    if (!reduced[i])
      e.push_back(getAffineDimExpr(i, ctx));
  return AffineMap::get(reduced.size(), 0, e, ctx);
}

struct BatchNormLowering : public OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    int64_t rank = op.getType().getRank();
    AffineMap channel =
        AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    rewriter.replaceOp(op, normalize(rewriter, op.getLoc(), op.getInput(),
                                     {op.getMean(), op.getVariance(),
                                      op.getScale(), op.getBias()},
                                     {channel, channel, channel, channel},
                                     op.getEpsilon().convertToDouble()));
    return success();
  }
};

struct LayerNormLowering : public OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false);
    for (int64_t i = axis; i < rank; ++i)
      reduced[i] = true;
    auto [mean, var] = moments(rewriter, loc, op.getInput(), reduced);
    SmallVector<Value> stats = {mean, var};
    SmallVector<AffineMap> maps = {keptMap(ctx, reduced),
                                   keptMap(ctx, reduced)};
    // Scale and bias broadcast over the normalized (trailing) dims; a
    // missing one is 1 or 0.
    Type et = type.getElementType();
    for (auto [p, dflt] :
         {std::pair<Value, double>{op.getScale(), 1.0}, {op.getBias(), 0.0}}) {
      if (!p)
        p = arith::ConstantOp::create(
            rewriter, loc,
            DenseElementsAttr::get(RankedTensorType::get({}, et),
                                   rewriter.getFloatAttr(et, dflt)));
      stats.push_back(p);
      maps.push_back(
          broadcastMap(ctx, cast<RankedTensorType>(p.getType()), type));
    }
    rewriter.replaceOp(op, normalize(rewriter, loc, op.getInput(), stats, maps,
                                     op.getEpsilon().convertToDouble()));
    return success();
  }
};

struct InstanceNormLowering : public OpRewritePattern<InstanceNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(InstanceNormOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    int64_t rank = op.getType().getRank();
    SmallVector<bool> reduced(rank, true);
    reduced[0] = reduced[1] = false;
    auto [mean, var] = moments(rewriter, op.getLoc(), op.getInput(), reduced);
    AffineMap channel =
        AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    rewriter.replaceOp(op, normalize(rewriter, op.getLoc(), op.getInput(),
                                     {mean, var, op.getScale(), op.getBias()},
                                     {keptMap(ctx, reduced),
                                      keptMap(ctx, reduced), channel, channel},
                                     op.getEpsilon().convertToDouble()));
    return success();
  }
};

/// Training batch norm: normalize with the batch's own per-channel mean and
/// biased variance, and return them.
struct BatchNormTrainLowering : public OpRewritePattern<BatchNormTrainOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormTrainOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *ctx = op.getContext();
    int64_t rank = op.getResult().getType().getRank();
    SmallVector<bool> reduced(rank, true);
    reduced[1] = false;
    auto [mean, var] = moments(rewriter, op.getLoc(), op.getInput(), reduced);
    AffineMap channel =
        AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    Value y = normalize(rewriter, op.getLoc(), op.getInput(),
                        {mean, var, op.getScale(), op.getBias()},
                        {channel, channel, channel, channel},
                        op.getEpsilon().convertToDouble());
    rewriter.replaceOp(op, {y, mean, var});
    return success();
  }
};

/// Layer norm over trailing dims, and instance norm (over the spatial
/// dims), as one kernel per row (see rowKernel): the row's mean, its
/// variance (two passes), then the row normalized, in cache throughout.
/// The statistics are scalars. Layer norm's scale and bias broadcast over
/// the row; instance norm's are the row's channel's.
template <typename OpTy> struct NormRowKernel : public OpRewritePattern<OpTy> {
  NormRowKernel(MLIRContext *ctx)
      : OpRewritePattern<OpTy>(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isInstance = std::is_same_v<OpTy, InstanceNormOp>;
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    Type et = type.getElementType();
    int64_t axis = 2;
    if constexpr (!isInstance)
      axis = normalizedAxis(op.getAxis(), rank);
    if (!isa<FloatType>(et) || axis < 1 || axis >= rank)
      return rewriter.notifyMatchFailure(op, "no leading dim to run rows on");
    auto rowType = RankedTensorType::get(type.getShape().drop_front(axis), et);
    Value scale = op.getScale(), bias = op.getBias();
    if (!isInstance)
      for (Value p : {scale, bias})
        if (p && cast<RankedTensorType>(p.getType()).getRank() > rank - axis)
          return rewriter.notifyMatchFailure(op, "scale or bias of a higher "
                                                 "rank than a row");
    double eps = op.getEpsilon().convertToDouble();
    MLIRContext *ctx = op.getContext();
    Value r = rowKernel(
        rewriter, loc, op.getInput(), axis,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value row,
            Value outRow) -> Value {
          Value n =
              elementCount(b, l, row, SmallVector<bool>(rank - axis, true), et);
          Value mean = arith::DivFOp::create(
              b, l,
              sumRow(b, l, row,
                     [](OpBuilder &, Location, Value x) { return x; }),
              n);
          Value var = arith::DivFOp::create(
              b, l,
              sumRow(b, l, row,
                     [&](OpBuilder &nb, Location nl, Value x) -> Value {
                       Value c = arith::SubFOp::create(nb, nl, x, mean);
                       return arith::MulFOp::create(nb, nl, c, c);
                     }),
              n);
          Value inv = math::RsqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, var, scalarConstant(b, l, et, eps)));
          auto id = AffineMap::getMultiDimIdentityMap(rank - axis, ctx);
          SmallVector<Value> ins = {row};
          SmallVector<AffineMap> maps = {id};
          Value rowScale, rowBias;
          if (isInstance) {
            // Per channel: the row's channel is its index in dim 1.
            rowScale = tensor::ExtractOp::create(b, l, scale, ivs[1]);
            rowBias = tensor::ExtractOp::create(b, l, bias, ivs[1]);
          } else {
            for (Value p : {scale, bias}) {
              if (!p)
                continue;
              ins.push_back(p);
              maps.push_back(broadcastMap(
                  ctx, cast<RankedTensorType>(p.getType()), rowType));
            }
          }
          maps.push_back(id);
          return linalg::GenericOp::create(
                     b, l, outRow.getType(), ins, outRow, maps,
                     SmallVector<utils::IteratorType>(
                         rank - axis, utils::IteratorType::parallel),
                     [&](OpBuilder &nb, Location nl, ValueRange a) {
                       Value y = arith::MulFOp::create(
                           nb, nl, arith::SubFOp::create(nb, nl, a[0], mean),
                           inv);
                       unsigned next = 1;
                       Value s = isInstance ? rowScale
                                 : scale    ? a[next++]
                                            : Value();
                       Value c = isInstance ? rowBias
                                 : bias     ? a[next++]
                                            : Value();
                       if (s)
                         y = arith::MulFOp::create(nb, nl, y, s);
                       if (c)
                         y = arith::AddFOp::create(nb, nl, y, c);
                       linalg::YieldOp::create(nb, nl, y);
                     })
              .getResult(0);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

} // namespace

void dlc::populateRowKernelNormPatterns(RewritePatternSet &patterns) {
  patterns.add<NormRowKernel<LayerNormOp>, NormRowKernel<InstanceNormOp>>(
      patterns.getContext());
}

void dlc::populateNormToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, BatchNormTrainLowering, LayerNormLowering,
               InstanceNormLowering>(patterns.getContext());
}
