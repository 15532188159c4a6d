//===- Normalization.cpp - ONNX norms, Softmax, LogSoftmax, Dropout -------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

static LogicalResult importBatchNorm(NodeImporter &n) {
  double eps = n.floatAttr("epsilon", 1e-5);
  bool training = n.intAttr("training_mode", 0) != 0;
  if (training && n.state.keepWeights) {
    // --train: the train step normalizes with the batch's statistics and
    // keeps the running ones as state it updates; the inference entry point
    // uses the running ones. The node's running-statistics outputs read the
    // state before the step's update.
    mlir::emitWarning(n.loc)
        << "BatchNormalization exported in training mode (training_mode=1): "
           "--train keeps its running mean and variance as state and "
           "updates them in the step; inference uses them";
    if (failed(n.output(n.create<dl::BatchNormOp>(n.input(0), n.input(1),
                                                  n.input(2), n.input(3),
                                                  n.input(4), APFloat(eps)))))
      return failure();
    for (unsigned k = 1; k < 3 && k < n.numOutputs(); ++k)
      n.setOutput(k, n.input(2 + k));
    return success();
  }
  if (training)
    mlir::emitWarning(n.loc)
        << "BatchNormalization exported in training mode (training_mode=1): "
           "the compiled model normalizes with each batch's own statistics, "
           "not the running mean and variance; export the model in eval mode "
           "(model.eval()) for inference";
  if (!training) {
    return n.output(n.create<dl::BatchNormOp>(n.input(0), n.input(1),
                                              n.input(2), n.input(3),
                                              n.input(4), APFloat(eps)));
  }
  auto r = n.createAll<dl::BatchNormTrainOp>(3, n.input(0), n.input(1),
                                             n.input(2), APFloat(eps));
  if (failed(r))
    return failure();
  n.setOutput(0, (*r)[0]);
  // running = running * momentum + batch * (1 - momentum), with the biased
  // batch variance, as the ONNX spec defines it.
  double momentum = n.floatAttr("momentum", 0.9);
  Type et = n.inputType(0).getElementType();
  for (unsigned k = 0; k < 2; ++k) {
    auto scaledRunning =
        n.create<dl::MulOp>(n.input(3 + k), n.scalar(momentum, et));
    auto scaledBatch =
        n.create<dl::MulOp>((*r)[1 + k], n.scalar(1.0 - momentum, et));
    if (failed(scaledRunning) || failed(scaledBatch))
      return failure();
    auto sum = n.create<dl::AddOp>(*scaledRunning, *scaledBatch);
    if (failed(sum))
      return failure();
    n.setOutput(1 + k, *sum);
  }
  return success();
}

/// Softmax, LogSoftmax (and Hardmax) from opset 13: along one axis.
template <typename OpTy> static LogicalResult importSoftmax(NodeImporter &n) {
  return n.output(n.create<OpTy>(n.input(0), n.intAttr("axis", -1)));
}

/// Softmax, LogSoftmax and Hardmax before opset 13 coerce the input to 2-D
/// at `axis` (default 1): flatten, `apply` along axis 1, reshape back.
static LogicalResult
importCoerced2D(NodeImporter &n,
                function_ref<FailureOr<Value>(Value, int64_t)> apply) {
  auto type = n.inputType(0);
  int64_t rank = type.getRank();
  int64_t axis = n.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis == rank - 1)
    return n.output(apply(n.input(0), axis));
  auto flat = n.create<dl::FlattenOp>(n.input(0), axis);
  if (failed(flat))
    return failure();
  auto sm = apply(*flat, 1);
  if (failed(sm))
    return failure();
  // Back to the input's shape, read at run time when dims are dynamic.
  if (type.hasStaticShape())
    return n.output(n.createTyped<dl::ReshapeOp>(type, *sm, Value()));
  auto shape = n.create<dl::ShapeOfOp>(n.input(0));
  if (failed(shape))
    return failure();
  return n.output(n.createTyped<dl::ReshapeOp>(type, *sm, *shape));
}

template <typename OpTy>
static LogicalResult importLegacySoftmax(NodeImporter &n) {
  return importCoerced2D(n, [&](Value input, int64_t axis) {
    return n.create<OpTy>(input, axis);
  });
}

/// Hardmax: 1 at the first maximum along the axis, else 0, i.e. the one-hot
/// encoding of argmax.
static FailureOr<Value> hardmax(NodeImporter &n, Value input, int64_t axis) {
  auto in = cast<RankedTensorType>(input.getType());
  int64_t rank = in.getRank();
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank || in.isDynamicDim(axis))
    return n.fail("the axis must name a static dim");
  auto arg = n.create<dl::ArgMaxOp>(input, axis, /*keepdims=*/false,
                                    /*select_last_index=*/false);
  if (failed(arg))
    return failure();
  return n.create<dl::OneHotOp>(
      *arg, n.b.getI64IntegerAttr(in.getDimSize(axis)),
      n.b.getI64IntegerAttr(axis), FloatAttr(), FloatAttr(),
      TypeAttr::get(in.getElementType()));
}

/// Dropout with a ratio or training flag known only at run time (graph
/// inputs): keep = !training || sample >= ratio, output = keep ? x * scale
/// : 0 with scale = training ? 1 / (1 - ratio) : 1, where the samples are
/// dl.random_uniform's, the generator of dl.dropout.
static LogicalResult importRuntimeDropout(NodeImporter &n, int64_t seed) {
  Value x = n.input(0);
  auto type = n.inputType(0);
  Type et = type.getElementType();
  auto i1 = RankedTensorType::get({}, n.b.getI1Type());
  Value ratio = n.hasInput(1) ? n.input(1) : n.scalar(0.5, et);
  if (cast<RankedTensorType>(ratio.getType()).getElementType() != et) {
    auto c = n.createTyped<dl::CastOp>(
        cast<RankedTensorType>(ratio.getType()).clone(et), ratio);
    if (failed(c))
      return failure();
    ratio = *c;
  }
  Value training = n.hasInput(2)
                       ? n.input(2)
                       : n.constant(DenseElementsAttr::get(i1, false));
  auto sample = n.createTyped<dl::RandomUniformOp>(
      type, x, FloatAttr(), FloatAttr(), n.b.getI64IntegerAttr(seed));
  if (failed(sample))
    return failure();
  auto drawn = n.create<dl::GreaterEqualOp>(*sample, ratio);
  auto notTraining = n.create<dl::NotOp>(training);
  if (failed(drawn) || failed(notTraining))
    return failure();
  auto keep = n.create<dl::OrOp>(*notTraining, *drawn);
  auto kept = n.create<dl::SubOp>(n.scalar(1.0, et), ratio);
  if (failed(keep) || failed(kept))
    return failure();
  auto inverse = n.create<dl::DivOp>(n.scalar(1.0, et), *kept);
  if (failed(inverse))
    return failure();
  auto scale = n.create<dl::SelectOp>(training, *inverse, n.scalar(1.0, et));
  if (failed(scale))
    return failure();
  auto scaled = n.create<dl::MulOp>(x, *scale);
  if (failed(scaled))
    return failure();
  auto out = n.create<dl::SelectOp>(*keep, *scaled, n.scalar(0.0, et));
  if (failed(out))
    return failure();
  n.setOutput(0, *out);
  n.setOutput(1, *keep);
  return success();
}

static LogicalResult importDropout(NodeImporter &n) {
  double ratio = n.floatAttr("ratio", 0.5);
  bool training = false;
  int64_t seed = n.intAttr("seed", 0);
  if (n.opset() >= 12) {
    ratio = 0.5;
    std::optional<bool> constantTraining = false;
    if (n.hasInput(2)) {
      auto c = n.constantInts(2);
      constantTraining = c && c->size() == 1 ? std::optional<bool>((*c)[0] != 0)
                                             : std::nullopt;
    }
    std::optional<double> constantRatio = 0.5;
    if (n.hasInput(1)) {
      auto c = n.constantFloats(1);
      constantRatio =
          c && c->size() == 1 ? std::optional<double>((*c)[0]) : std::nullopt;
    }
    // Outside training a ratio known only at run time does not matter.
    if (constantTraining && !*constantTraining && !constantRatio)
      constantRatio = 0.5;
    if (!constantTraining || !constantRatio)
      return importRuntimeDropout(n, seed);
    training = *constantTraining;
    ratio = *constantRatio;
  }
  if (training && ratio != 0.0) {
    // --train applies dropout in the step by itself; the inference entry
    // point must not.
    if (n.state.keepWeights) {
      training = false;
    } else {
      mlir::emitWarning(n.loc)
          << "Dropout exported in training mode (training_mode=true): the "
             "compiled model drops activations at random on every call; "
             "export the model in eval mode (model.eval()) for inference";
    }
  }
  auto res = n.createAll<dl::DropoutOp>(2, n.input(0), /*counter=*/Value(),
                                        APFloat(ratio), seed, training);
  if (failed(res))
    return failure();
  n.setOutput(0, (*res)[0]);
  n.setOutput(1, (*res)[1]);
  return success();
}

/// MeanVarianceNormalization as its ONNX function body:
/// (X - E[X]) / (sqrt(E[X^2] - E[X]^2) + 1e-9) over `axes`.
static LogicalResult importMVN(NodeImporter &n) {
  SmallVector<int64_t> axes =
      n.intsAttr("axes").value_or(SmallVector<int64_t>{0, 2, 3});
  Value x = n.input(0);
  Type et = n.inputType(0).getElementType();
  auto mean = n.create<dl::ReduceMeanOp>(x, n.i64s(axes), true);
  auto sq = n.create<dl::MulOp>(x, x);
  if (failed(mean) || failed(sq))
    return failure();
  auto sqMean = n.create<dl::ReduceMeanOp>(*sq, n.i64s(axes), true);
  auto meanSq = n.create<dl::MulOp>(*mean, *mean);
  if (failed(sqMean) || failed(meanSq))
    return failure();
  auto var = n.create<dl::SubOp>(*sqMean, *meanSq);
  if (failed(var))
    return failure();
  auto sd = n.create<dl::SqrtOp>(*var);
  if (failed(sd))
    return failure();
  auto denom = n.create<dl::AddOp>(*sd, n.scalar(1e-9, et));
  auto centered = n.create<dl::SubOp>(x, *mean);
  if (failed(denom) || failed(centered))
    return failure();
  return n.output(n.create<dl::DivOp>(*centered, *denom));
}

/// LRN across channels (dim 1): x / (bias + alpha / size * S)^beta, S the
/// sum of squares over the window [c - floor((size-1)/2), c +
/// ceil((size-1)/2)], as a sum of shifted slices of the zero-padded squares.
static LogicalResult importLRN(NodeImporter &n) {
  auto type = n.inputType(0);
  int64_t rank = type.getRank(), size = n.intAttr("size", 0);
  if (rank < 3)
    return n.fail("the input must have rank >= 3 ([N, C, d...])");
  if (size < 1)
    return n.fail("size must be positive");
  if (type.isDynamicDim(1))
    return n.fail("the channel dim must be static");
  Type et = type.getElementType();
  double alpha = n.floatAttr("alpha", 1e-4), beta = n.floatAttr("beta", 0.75),
         bias = n.floatAttr("bias", 1.0);
  int64_t channels = type.getDimSize(1);
  int64_t before = (size - 1) / 2, after = size - 1 - before;
  auto sq = n.create<dl::MulOp>(n.input(0), n.input(0));
  if (failed(sq))
    return failure();
  SmallVector<int64_t> pads(2 * rank, 0);
  pads[1] = before;
  pads[rank + 1] = after;
  auto padded =
      n.create<dl::PadOp>(*sq, pads, dl::PadMode::constant, APFloat(0.0));
  if (failed(padded))
    return failure();
  Value sum;
  for (int64_t j = 0; j < size; ++j) {
    auto s = n.create<dl::SliceOp>(*padded, n.i64s({j}), n.i64s({j + channels}),
                                   n.i64s({1}), DenseI64ArrayAttr());
    if (failed(s))
      return failure();
    if (!sum) {
      sum = *s;
      continue;
    }
    auto a = n.create<dl::AddOp>(sum, *s);
    if (failed(a))
      return failure();
    sum = *a;
  }
  auto scaled = n.create<dl::MulOp>(sum, n.scalar(alpha / size, et));
  if (failed(scaled))
    return failure();
  auto base = n.create<dl::AddOp>(*scaled, n.scalar(bias, et));
  if (failed(base))
    return failure();
  auto denom = n.create<dl::PowOp>(*base, n.scalar(beta, et));
  if (failed(denom))
    return failure();
  return n.output(n.create<dl::DivOp>(n.input(0), *denom));
}

void dlc::onnx_frontend::registerNormalizationOps(OpRegistry &r) {
  r["MeanVarianceNormalization"] = importMVN;
  r["LRN"] = importLRN;
  r["BatchNormalization"] = importBatchNorm;
  r["InstanceNormalization"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(
        n.create<dl::InstanceNormOp>(n.input(0), n.input(1), n.input(2),
                                     APFloat(n.floatAttr("epsilon", 1e-5))));
  };
  r["LayerNormalization"] = [](NodeImporter &n) -> LogicalResult {
    if (n.intAttr("stash_type", 1) != 1)
      return n.fail("stash_type other than float is not supported");
    // The optional Mean and InvStdDev outputs are computed next to the
    // normalization (keepdims over the normalized dims).
    bool wantStats = false;
    for (unsigned i = 1; i < n.numOutputs(); ++i)
      wantStats |= !n.node.output(i).empty();
    if (wantStats) {
      int64_t rank = n.inputType(0).getRank();
      int64_t axis = n.intAttr("axis", -1);
      if (axis < 0)
        axis += rank;
      SmallVector<int64_t> axes;
      for (int64_t i = axis; i < rank; ++i)
        axes.push_back(i);
      Type et = n.inputType(0).getElementType();
      auto mean =
          n.create<dl::ReduceMeanOp>(n.input(0), n.i64s(axes), BoolAttr());
      if (failed(mean))
        return failure();
      auto centered = n.create<dl::SubOp>(n.input(0), *mean);
      if (failed(centered))
        return failure();
      auto sq = n.create<dl::MulOp>(*centered, *centered);
      if (failed(sq))
        return failure();
      auto var = n.create<dl::ReduceMeanOp>(*sq, n.i64s(axes), BoolAttr());
      if (failed(var))
        return failure();
      auto shifted =
          n.create<dl::AddOp>(*var, n.scalar(n.floatAttr("epsilon", 1e-5), et));
      if (failed(shifted))
        return failure();
      auto inv = n.create<dl::RsqrtOp>(*shifted);
      if (failed(inv))
        return failure();
      n.setOutput(1, *mean);
      n.setOutput(2, *inv);
    }
    // Omitted scale and bias are null, which the builder leaves out.
    return n.output(n.create<dl::LayerNormOp>(
        n.input(0), n.input(1), n.input(2), n.intAttr("axis", -1),
        APFloat(n.floatAttr("epsilon", 1e-5))));
  };
  r["GroupNormalization"] = [](NodeImporter &n) -> LogicalResult {
    int64_t groups = n.intAttr("num_groups", 0);
    auto scale = n.inputType(1);
    int64_t c = n.inputType(0).getDimSize(1);
    if (n.opset() < 21 && scale.getRank() == 1 && scale.getDimSize(0) != c &&
        groups != c)
      return n.fail("per-group scale and bias (opset 18) are not supported; "
                    "convert the model to opset 21");
    return n.output(
        n.create<dl::GroupNormOp>(n.input(0), n.input(1), n.input(2), groups,
                                  APFloat(n.floatAttr("epsilon", 1e-5))));
  };
  r("Softmax", 1) = importLegacySoftmax<dl::SoftmaxOp>;
  r("Softmax", 13) = importSoftmax<dl::SoftmaxOp>;
  r("LogSoftmax", 1) = importLegacySoftmax<dl::LogSoftmaxOp>;
  r("LogSoftmax", 13) = importSoftmax<dl::LogSoftmaxOp>;
  r("Hardmax", 1) = [](NodeImporter &n) {
    return importCoerced2D(
        n, [&](Value input, int64_t axis) { return hardmax(n, input, axis); });
  };
  r("Hardmax", 13) = [](NodeImporter &n) {
    return n.output(hardmax(n, n.input(0), n.intAttr("axis", -1)));
  };
  r["Dropout"] = importDropout;
}
