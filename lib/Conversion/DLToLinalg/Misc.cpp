//===- Misc.cpp - resize, group_norm, dropout, random, stop_gradient --===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// resize: each output position maps back to an input coordinate (by the
/// coordinate transform); nearest rounds it, linear blends the two
/// neighbours along every resized dim.
struct ResizeLowering : public OpRewritePattern<ResizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ResizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    auto type = op.getType();
    if (!inType.hasStaticShape() || !type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shapes");
    int64_t rank = type.getRank();
    Type et = type.getElementType();
    Value input = op.getInput();
    bool linear = op.getMode() == ResizeMode::linear;
    // Per dim: the scale (output / input unless given) and sizes.
    SmallVector<double> scales;
    for (int64_t d = 0; d < rank; ++d)
      scales.push_back(op.getScales() ? (*op.getScales())[d]
                                      : double(type.getDimSize(d)) /
                                            double(inType.getDimSize(d)));
    auto f64 = rewriter.getF64Type();
    rewriter.replaceOp(
        op,
        generate(
            rewriter, loc, type, {},
            [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
              auto c = [&](double v) { return scalarConstant(b, l, f64, v); };
              // Source coordinates (double) per dim.
              SmallVector<Value> src;
              for (int64_t d = 0; d < rank; ++d) {
                int64_t in = inType.getDimSize(d), out = type.getDimSize(d);
                Value x = arith::SIToFPOp::create(
                    b, l, f64,
                    arith::IndexCastOp::create(b, l, b.getI64Type(), iv[d]));
                Value s;
                switch (op.getCoordinateTransform()) {
                case CoordinateTransform::asymmetric:
                  s = arith::DivFOp::create(b, l, x, c(scales[d]));
                  break;
                case CoordinateTransform::align_corners: {
                  // ONNX's length_resized is in * scale when scales are
                  // given, not the output's (floored) length: downsampling
                  // 4 -> 2 with scale 0.6 reads at x * 3 / 1.4.
                  double length =
                      op.getScales() ? double(in) * scales[d] : double(out);
                  s = out == 1 || length == 1.0
                          ? c(0)
                          : Value(arith::MulFOp::create(
                                b, l, x, c(double(in - 1) / (length - 1))));
                  break;
                }
                case CoordinateTransform::pytorch_half_pixel:
                  if (out == 1) {
                    s = c(0);
                    break;
                  }
                  [[fallthrough]];
                case CoordinateTransform::half_pixel:
                  s = arith::SubFOp::create(
                      b, l,
                      arith::DivFOp::create(
                          b, l, arith::AddFOp::create(b, l, x, c(0.5)),
                          c(scales[d])),
                      c(0.5));
                  break;
                }
                src.push_back(s);
              }
              auto clampIndex = [&](Value v, int64_t d) -> Value {
                Value i = arith::IndexCastOp::create(
                    b, l, b.getIndexType(),
                    arith::FPToSIOp::create(b, l, b.getI64Type(), v));
                i = arith::MaxSIOp::create(b, l, i, cidx(b, l, 0));
                return arith::MinSIOp::create(
                    b, l, i, cidx(b, l, inType.getDimSize(d) - 1));
              };
              if (!linear) {
                SmallVector<Value> at;
                for (int64_t d = 0; d < rank; ++d) {
                  Value s = src[d], r;
                  switch (op.getNearestMode()) {
                  case NearestMode::floor:
                    r = math::FloorOp::create(b, l, s);
                    break;
                  case NearestMode::ceil:
                    r = math::CeilOp::create(b, l, s);
                    break;
                  case NearestMode::round_prefer_ceil:
                    r = math::FloorOp::create(
                        b, l, arith::AddFOp::create(b, l, s, c(0.5)));
                    break;
                  case NearestMode::round_prefer_floor:
                    r = math::CeilOp::create(
                        b, l, arith::SubFOp::create(b, l, s, c(0.5)));
                    break;
                  }
                  at.push_back(clampIndex(r, d));
                }
                return tensor::ExtractOp::create(b, l, input, at);
              }
              // Linear: blend over the 2^k corners of the resized dims.
              SmallVector<int64_t> resized;
              for (int64_t d = 0; d < rank; ++d)
                if (inType.getDimSize(d) != type.getDimSize(d))
                  resized.push_back(d);
              SmallVector<Value> lo(rank), hi(rank), frac(rank);
              for (int64_t d = 0; d < rank; ++d) {
                Value s = arith::MaximumFOp::create(b, l, src[d], c(0));
                Value f = math::FloorOp::create(b, l, s);
                lo[d] = clampIndex(f, d);
                hi[d] = clampIndex(arith::AddFOp::create(b, l, f, c(1)), d);
                frac[d] = arith::SubFOp::create(b, l, s, f);
              }
              Value sum = c(0);
              for (int64_t mask = 0; mask < (int64_t(1) << resized.size());
                   ++mask) {
                SmallVector<Value> at(iv.begin(), iv.end());
                Value w = c(1);
                for (auto [k, d] : llvm::enumerate(resized)) {
                  bool upper = mask >> k & 1;
                  at[d] = upper ? hi[d] : lo[d];
                  w = arith::MulFOp::create(b, l, w,
                                            upper ? frac[d]
                                                  : Value(arith::SubFOp::create(
                                                        b, l, c(1), frac[d])));
                }
                for (int64_t d = 0; d < rank; ++d)
                  if (!llvm::is_contained(resized, d))
                    at[d] = iv[d];
                Value v = tensor::ExtractOp::create(b, l, input, at);
                if (!et.isF64())
                  v = arith::ExtFOp::create(b, l, Type(f64), v);
                sum = arith::AddFOp::create(b, l, sum,
                                            arith::MulFOp::create(b, l, w, v));
              }
              return et.isF64() ? sum
                                : Value(arith::TruncFOp::create(b, l, et, sum));
            }));
    return success();
  }
};

/// group_norm: normalize over (channels of the group) x spatial, then the
/// per-channel scale and bias.
struct GroupNormLowering : public OpRewritePattern<GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupNormOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    int64_t n = type.getDimSize(0), c = type.getDimSize(1);
    int64_t g = op.getNumGroups();
    int64_t spatial = type.getNumElements() / (n * c);
    Type et = type.getElementType();
    // [N, C, ...] -> [N, G, C/G * spatial]
    auto grouped = RankedTensorType::get({n, g, c / g * spatial}, et);
    Value x = reshapeTo(rewriter, loc, op.getInput(), grouped, {});
    SmallVector<bool> reduced = {false, false, true};
    Value zero = scalarConstant(rewriter, loc, et, 0);
    Value count = scalarConstant(rewriter, loc, et, double(c / g * spatial));
    auto add = [](OpBuilder &b, Location l, ValueRange in, Value acc) -> Value {
      return arith::AddFOp::create(b, l, acc, in[0]);
    };
    auto divide = [&](Value s) {
      return mapWithReduced(
          rewriter, loc, s, {false, false}, {},
          [&](OpBuilder &b, Location l, ValueRange a) -> Value {
            return arith::DivFOp::create(b, l, a[0], count);
          });
    };
    Value mean = divide(reduceDims(rewriter, loc, x, reduced, zero, add));
    Value var = divide(reduceDims(
        rewriter, loc, x, reduced, zero,
        [](OpBuilder &b, Location l, ValueRange in, Value acc) -> Value {
          Value d = arith::SubFOp::create(b, l, in[0], in[1]);
          return arith::AddFOp::create(b, l, acc,
                                       arith::MulFOp::create(b, l, d, d));
        },
        mean));
    double eps = op.getEpsilon().convertToDouble();
    Value normalized = mapWithReduced(
        rewriter, loc, x, reduced, {mean, var},
        [&](OpBuilder &b, Location l, ValueRange a) -> Value {
          Value inv = math::RsqrtOp::create(
              b, l,
              arith::AddFOp::create(b, l, a[2], scalarConstant(b, l, et, eps)));
          return arith::MulFOp::create(
              b, l, arith::SubFOp::create(b, l, a[0], a[1]), inv);
        });
    Value back = reshapeTo(rewriter, loc, normalized, type, {});
    MLIRContext *ctx = op.getContext();
    int64_t rank = type.getRank();
    auto id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    auto channel = AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx);
    Value y =
        linalg::GenericOp::create(
            rewriter, loc, type, ValueRange{back, op.getScale(), op.getBias()},
            emptyTensor(rewriter, loc, type, {}),
            ArrayRef<AffineMap>{id, channel, channel, id},
            SmallVector<utils::IteratorType>(rank,
                                             utils::IteratorType::parallel),
            [](OpBuilder &b, Location l, ValueRange a) {
              linalg::YieldOp::create(
                  b, l,
                  Value(arith::AddFOp::create(
                      b, l, arith::MulFOp::create(b, l, a[0], a[1]), a[2])));
            })
            .getResult(0);
    rewriter.replaceOp(op, y);
    return success();
  }
};

/// The counter-based generator of dl.dropout and dl.random_uniform: a
/// double in [0, 1) from splitmix64 of `seed` and the linear index of the
/// element at `iv` in `shaped`. Elements are independent, so any tiling or
/// thread split draws the same numbers.
static Value counterUniform(OpBuilder &b, Location l, Value shaped,
                            ValueRange iv, int64_t seed,
                            Value counter = Value()) {
  auto i64 = b.getI64Type();
  int64_t rank = cast<RankedTensorType>(shaped.getType()).getRank();
  Value linear = arith::ConstantIntOp::create(b, l, 0, 64);
  for (int64_t d = 0; d < rank; ++d) {
    Value dim =
        arith::IndexCastOp::create(b, l, i64, dimValue(b, l, shaped, d));
    linear =
        arith::AddIOp::create(b, l, arith::MulIOp::create(b, l, linear, dim),
                              arith::IndexCastOp::create(b, l, i64, iv[d]));
  }
  auto k = [&](uint64_t v) {
    return arith::ConstantIntOp::create(b, l, (int64_t)v, 64);
  };
  Value z = arith::AddIOp::create(
      b, l, arith::MulIOp::create(b, l, linear, k(0x9E3779B97F4A7C15ull)),
      k((uint64_t)seed * 0xBF58476D1CE4E5B9ull + 0x94D049BB133111EBull));
  // A run-time counter (a training step) joins the seed in the key.
  if (counter)
    z = arith::AddIOp::create(
        b, l, z,
        arith::MulIOp::create(b, l, counter, k(0xD1B54A32D192ED03ull)));
  z = arith::MulIOp::create(
      b, l,
      arith::XOrIOp::create(b, l, z, arith::ShRUIOp::create(b, l, z, k(30))),
      k(0xBF58476D1CE4E5B9ull));
  z = arith::MulIOp::create(
      b, l,
      arith::XOrIOp::create(b, l, z, arith::ShRUIOp::create(b, l, z, k(27))),
      k(0x94D049BB133111EBull));
  z = arith::XOrIOp::create(b, l, z, arith::ShRUIOp::create(b, l, z, k(31)));
  // The top 53 bits as a double in [0, 1).
  return arith::MulFOp::create(
      b, l,
      arith::UIToFPOp::create(b, l, b.getF64Type(),
                              arith::ShRUIOp::create(b, l, z, k(11))),
      scalarConstant(b, l, b.getF64Type(), 1.0 / 9007199254740992.0));
}

/// Training dropout keeps an element with probability 1 - ratio (the
/// counter-based sample is >= ratio) and scales kept ones by 1 / (1 - ratio).
/// Same seed, same mask.
struct DropoutLowering : public OpRewritePattern<DropoutOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DropoutOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getOutput().getType());
    Type et = type.getElementType();
    Value input = op.getInput();
    double ratio = op.getRatio().convertToDouble();
    bool training = op.getTraining() && ratio > 0;
    SmallVector<Value> sizes = dynamicSizes(rewriter, loc, input);
    auto maskType = cast<RankedTensorType>(op.getMask().getType());
    // A run-time counter (the training step) joins the seed in the key.
    Value counter;
    if (training && op.getCounter())
      counter = tensor::ExtractOp::create(rewriter, loc, op.getCounter(),
                                          ValueRange{});
    auto keep = [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
      if (!training)
        return arith::ConstantIntOp::create(b, l, 1, 1);
      Value u = counterUniform(b, l, input, iv, op.getSeed(), counter);
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGE, u,
                                   scalarConstant(b, l, b.getF64Type(), ratio));
    };
    Value mask = generate(rewriter, loc, maskType, sizes, keep);
    double scale = training ? 1.0 / (1.0 - ratio) : 1.0;
    Value out = generate(rewriter, loc, type, sizes,
                         [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                           Value x = tensor::ExtractOp::create(b, l, input, iv);
                           Value m = tensor::ExtractOp::create(b, l, mask, iv);
                           Value scaled = arith::MulFOp::create(
                               b, l, x, scalarConstant(b, l, et, scale));
                           return arith::SelectOp::create(
                               b, l, m, scaled, scalarConstant(b, l, et, 0));
                         });
    rewriter.replaceOp(op, {out, mask});
    return success();
  }
};

/// random_uniform: low + (high - low) * sample, rounded to the element type.
struct RandomUniformLowering : public OpRewritePattern<RandomUniformOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RandomUniformOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Type et = type.getElementType();
    Value input = op.getInput();
    double low = op.getLow().convertToDouble();
    double high = op.getHigh().convertToDouble();
    Value out =
        generate(rewriter, loc, type, dynamicSizes(rewriter, loc, input),
                 [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                   auto f64 = b.getF64Type();
                   Value u = counterUniform(b, l, input, iv, op.getSeed());
                   if (low != 0.0 || high != 1.0)
                     u = arith::AddFOp::create(
                         b, l, scalarConstant(b, l, f64, low),
                         arith::MulFOp::create(
                             b, l, u, scalarConstant(b, l, f64, high - low)));
                   return et == f64 ? u : arith::TruncFOp::create(b, l, et, u);
                 });
    rewriter.replaceOp(op, out);
    return success();
  }
};

/// stop_gradient only matters to dl-autodiff: the value passes through.
struct StopGradientLowering : public OpRewritePattern<StopGradientOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(StopGradientOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, op.getInput());
    return success();
  }
};

/// dl.fusion's body is inlined and its ops lower one by one, each marked
/// with the group (FusionGroup.h): the linalg ops they become inherit the
/// mark, by which dl-fuse-elementwise and the contraction kernels' epilogues
/// fuse them with each other and with no op of another group.
struct FusionLowering : public OpRewritePattern<FusionOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FusionOp op,
                                PatternRewriter &rewriter) const override {
    IRMapping map;
    Block &body = op.getBody().front();
    map.map(body.getArguments(), op.getInputs());
    Attribute group = newFusionGroup(op.getContext());
    for (Operation &inner : body.without_terminator()) {
      Operation *clone = rewriter.clone(inner, map);
      clone->setLoc(withFusionGroup(inner.getLoc(), group));
    }
    SmallVector<Value> results;
    for (Value v : cast<YieldOp>(body.getTerminator()).getValues())
      results.push_back(map.lookupOrDefault(v));
    rewriter.replaceOp(op, results);
    return success();
  }
};

} // namespace

void dlc::populateMiscToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ResizeLowering, GroupNormLowering, DropoutLowering,
               RandomUniformLowering, StopGradientLowering, FusionLowering>(
      patterns.getContext());
}
