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

} // namespace

void dlc::populateNormToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<BatchNormLowering, BatchNormTrainLowering, LayerNormLowering,
               InstanceNormLowering>(patterns.getContext());
}
