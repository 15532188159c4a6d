//===- FoldIntoContractions.cpp - affine epilogues into weights -----------===//
//
// An inference batch norm after a conv is an affine map per output channel,
// y = k * conv + s, and so are a per-channel scale or bias added to a conv
// or gemm result. With constant weights the map folds into them at compile
// time: one contraction instead of a contraction and a pass over memory,
// and the bias then rides in the GEMM's epilogue (dl-contractions-to-
// microkernels).
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/Transforms/ConstantData.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace dlc::dl {
#define GEN_PASS_DEF_DLFOLDINTOCONTRACTIONS
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

/// y = scale[c] * x + shift[c] per output channel c.
struct ChannelAffine {
  SmallVector<double> scale, shift;
};

/// The contraction `v` comes from, when its weights can absorb an affine
/// map: a conv or gemm, f32, used once, with constant weight (and bias).
Operation *foldableContraction(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op || !isa<ConvOp, GemmOp>(op) || !v.hasOneUse())
    return nullptr;
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.getElementType().isF32() || type.getRank() < 2 ||
      ShapedType::isDynamic(type.getDimSize(1)) ||
      !constantFloats(op->getOperand(1)))
    return nullptr;
  if (op->getNumOperands() > 2 && !constantFloats(op->getOperand(2)))
    return nullptr;
  return op;
}

/// The values of a constant that varies along dim 1 of a rank-`rank`
/// result with `channels` channels only (numpy broadcasting, right
/// aligned), one per channel; nullopt for anything else.
std::optional<SmallVector<double>> perChannel(Value v, int64_t rank,
                                              int64_t channels) {
  std::optional<SmallVector<float>> values = constantFloats(v);
  if (!values)
    return std::nullopt;
  ArrayRef<int64_t> shape = cast<RankedTensorType>(v.getType()).getShape();
  if (int64_t(shape.size()) > rank)
    return std::nullopt;
  for (auto [i, d] : llvm::enumerate(shape)) {
    int64_t axis = int64_t(i) + rank - int64_t(shape.size());
    if (d != 1 && !(axis == 1 && d == channels))
      return std::nullopt;
  }
  if (values->size() == 1)
    return SmallVector<double>(channels, double(values->front()));
  if (int64_t(values->size()) != channels)
    return std::nullopt;
  return SmallVector<double>(values->begin(), values->end());
}

/// The name of the constant `v`'s blob (or "weight"), for the new blob.
std::string constantName(Value v) {
  Attribute attr;
  if (matchPattern(v, m_Constant(&attr)))
    if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr))
      return resource.getRawHandle().getKey().str();
  return "weight";
}

/// Replaces `consumer` (whose result is `map` applied to `c`'s result) by a
/// copy of `c` with the map folded into its weight and bias.
LogicalResult foldAffine(Operation *c, Operation *consumer,
                         const ChannelAffine &map, PatternRewriter &rewriter) {
  if (consumer->getResult(0).getType() != c->getResult(0).getType())
    return rewriter.notifyMatchFailure(consumer, "changes the result type");
  for (double v : llvm::concat<const double>(map.scale, map.shift))
    if (!std::isfinite(v))
      return rewriter.notifyMatchFailure(consumer, "non-finite constant");
  Value weight = c->getOperand(1);
  auto wt = cast<RankedTensorType>(weight.getType());
  int64_t channels = int64_t(map.scale.size());
  if (channels == 0 || wt.getNumElements() == 0)
    return rewriter.notifyMatchFailure(c, "empty weight");
  SmallVector<float> w = *constantFloats(weight);

  // The bias the op adds now.
  SmallVector<double> bias(channels, 0.0);
  auto conv = dyn_cast<ConvOp>(c);
  auto gemm = dyn_cast<GemmOp>(c);
  if (gemm && wt.getRank() != 2)
    return failure();
  Channels ch = channelsOf(c);
  if (ch.count != channels)
    return rewriter.notifyMatchFailure(c, "weight channels differ");
  if (conv) {
    if (Value b = conv.getBias()) {
      SmallVector<float> values = *constantFloats(b);
      if (int64_t(values.size()) != channels)
        return failure();
      bias.assign(values.begin(), values.end());
    }
  } else if (Value cv = gemm.getC()) {
    std::optional<SmallVector<double>> values = perChannel(cv, 2, channels);
    if (!values)
      return rewriter.notifyMatchFailure(c, "C is not a per-channel bias");
    double beta = gemm.getBeta().convertToDouble();
    for (int64_t i = 0; i < channels; ++i)
      bias[i] = beta * (*values)[i];
  }

  for (int64_t i = 0, e = int64_t(w.size()); i < e; ++i)
    w[i] = float(double(w[i]) * map.scale[ch.of(i)]);
  SmallVector<float> newBias(channels);
  for (int64_t i = 0; i < channels; ++i)
    newBias[i] = float(bias[i] * map.scale[i] + map.shift[i]);

  Location loc = rewriter.getFusedLoc({c->getLoc(), consumer->getLoc()});
  rewriter.setInsertionPoint(c);
  Value newWeight = createF32Constant(rewriter, weight.getLoc(), wt, w,
                                      constantName(weight) + ".folded");
  Operation *folded = rewriter.clone(*c);
  folded->setLoc(loc);
  folded->setOperand(1, newWeight);
  // A scale alone keeps an op without a bias without one.
  bool hadBias = c->getNumOperands() > 2;
  if (hadBias || llvm::any_of(newBias, [](float v) { return v != 0; })) {
    auto biasType = RankedTensorType::get({channels}, rewriter.getF32Type());
    Value newBiasValue =
        createF32Constant(rewriter, loc, biasType, newBias,
                          constantName(weight) + ".folded_bias");
    if (conv)
      cast<ConvOp>(folded).getBiasMutable().assign(newBiasValue);
    else
      cast<GemmOp>(folded).getCMutable().assign(newBiasValue);
  }
  if (gemm)
    cast<GemmOp>(folded).setBeta(APFloat(1.0));
  rewriter.replaceOp(consumer, folded->getResults());
  rewriter.eraseOp(c);
  return success();
}

/// Counts folds into the pass's statistic.
struct CountingPattern {
  llvm::Statistic *count;
  void counted() const { ++*count; }
};

struct FoldBatchNorm : OpRewritePattern<BatchNormOp>, CountingPattern {
  FoldBatchNorm(MLIRContext *ctx, llvm::Statistic *count)
      : OpRewritePattern(ctx), CountingPattern{count} {}
  LogicalResult matchAndRewrite(BatchNormOp bn,
                                PatternRewriter &rewriter) const override {
    Operation *c = foldableContraction(bn.getInput());
    if (!c)
      return failure();
    auto type = cast<RankedTensorType>(bn.getType());
    int64_t channels = type.getDimSize(1);
    SmallVector<std::optional<SmallVector<double>>> params;
    for (Value p :
         {bn.getScale(), bn.getBias(), bn.getMean(), bn.getVariance()}) {
      // Batch norm's parameters are 1-D, one per channel: aligned with a
      // rank-2 result, their dim is the channel dim.
      if (cast<RankedTensorType>(p.getType()).getRank() != 1)
        return failure();
      params.push_back(perChannel(p, 2, channels));
      if (!params.back())
        return rewriter.notifyMatchFailure(bn, "non-constant statistics");
    }
    double eps = bn.getEpsilon().convertToDouble();
    ChannelAffine map;
    for (int64_t i = 0; i < channels; ++i) {
      double k = (*params[0])[i] / std::sqrt((*params[3])[i] + eps);
      map.scale.push_back(k);
      map.shift.push_back((*params[1])[i] - (*params[2])[i] * k);
    }
    if (failed(foldAffine(c, bn, map, rewriter)))
      return failure();
    counted();
    return success();
  }
};

/// dl.mul / dl.add / dl.sub of a contraction and a per-channel constant.
template <typename OpTy>
struct FoldBinary : OpRewritePattern<OpTy>, CountingPattern {
  FoldBinary(MLIRContext *ctx, llvm::Statistic *count)
      : OpRewritePattern<OpTy>(ctx), CountingPattern{count} {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Value lhs = op.getLhs(), rhs = op.getRhs();
    // Sub folds only as contraction - constant.
    if (!isa<SubOp>(op) && !foldableContraction(lhs))
      std::swap(lhs, rhs);
    Operation *c = foldableContraction(lhs);
    if (!c)
      return failure();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t channels = type.getDimSize(1);
    std::optional<SmallVector<double>> k =
        perChannel(rhs, type.getRank(), channels);
    if (!k)
      return failure();
    ChannelAffine map{SmallVector<double>(channels, 1.0),
                      SmallVector<double>(channels, 0.0)};
    if (isa<MulOp>(op))
      map.scale = *k;
    else if (isa<AddOp>(op))
      map.shift = *k;
    else
      for (int64_t i = 0; i < channels; ++i)
        map.shift[i] = -(*k)[i];
    if (failed(foldAffine(c, op, map, rewriter)))
      return failure();
    counted();
    return success();
  }
};

/// dl.add of two convs that both add a constant bias (a residual block's
/// conv and its downsample): one bias, their sum, is enough. The other conv
/// drops its own, so the add's consumer sees one bias and one residual,
/// which the conv's epilogue takes (dl-convs-to-microkernels) instead of a
/// loop nest of its own; the conv without a bias moves before the other
/// (they are pure) so the residual exists when that epilogue runs.
struct MergeBiases : OpRewritePattern<AddOp>, CountingPattern {
  MergeBiases(MLIRContext *ctx, llvm::Statistic *count)
      : OpRewritePattern(ctx), CountingPattern{count} {}
  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    auto a = dyn_cast_or_null<ConvOp>(foldableContraction(op.getLhs()));
    auto b = dyn_cast_or_null<ConvOp>(foldableContraction(op.getRhs()));
    if (!a || !b || a == b || !a.getBias() || !b.getBias() ||
        op.getLhs().getType() != op.getType() ||
        op.getRhs().getType() != op.getType())
      return failure();
    SmallVector<float> biasA = *constantFloats(a.getBias());
    SmallVector<float> biasB = *constantFloats(b.getBias());
    if (biasA.size() != biasB.size() || biasA.empty())
      return failure();
    SmallVector<float> sum(biasA.size());
    for (size_t i = 0; i < sum.size(); ++i) {
      sum[i] = biasA[i] + biasB[i];
      if (!std::isfinite(sum[i]))
        return rewriter.notifyMatchFailure(op, "non-finite bias sum");
    }
    rewriter.setInsertionPoint(a);
    Value merged =
        createF32Constant(rewriter, a.getBias().getLoc(),
                          cast<RankedTensorType>(a.getBias().getType()), sum,
                          constantName(a.getWeight()) + ".merged_bias");
    rewriter.modifyOpInPlace(a, [&] { a.getBiasMutable().assign(merged); });
    rewriter.modifyOpInPlace(b, [&] { b.getBiasMutable().clear(); });
    // The conv without a bias runs first where it can, so its result
    // exists when the other's epilogue adds it.
    if (b->getBlock() == a->getBlock() && a->isBeforeInBlock(b) &&
        llvm::all_of(b->getOperands(), [&](Value v) {
          Operation *def = v.getDefiningOp();
          return !def || def->getBlock() != a->getBlock() ||
                 def->isBeforeInBlock(a);
        }))
      rewriter.moveOpBefore(b, a);
    counted();
    return success();
  }
};

struct DLFoldIntoContractionsPass
    : dlc::dl::impl::DLFoldIntoContractionsBase<DLFoldIntoContractionsPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    RewritePatternSet patterns(ctx);
    patterns.add<FoldBatchNorm, FoldBinary<MulOp>, FoldBinary<AddOp>,
                 FoldBinary<SubOp>, MergeBiases>(ctx, &numFolded);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
