//===- Normalization.cpp - ONNX norms, Softmax, LogSoftmax, Dropout -------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

static LogicalResult importBatchNorm(NodeImporter &n) {
  double eps = n.floatAttr("epsilon", 1e-5);
  bool training = n.intAttr("training_mode", 0) != 0;
  if (!training) {
    return n.output(n.create1("dl.batch_norm",
                       {n.input(0), n.input(1), n.input(2), n.input(3),
                        n.input(4)},
                       {n.f64("epsilon", eps)}));
  }
  auto r = n.create("dl.batch_norm_train", {n.input(0), n.input(1), n.input(2)},
                    {n.f64("epsilon", eps)}, 3);
  if (failed(r))
    return failure();
  n.setOutput(0, (*r)[0]);
  // running = running * momentum + batch * (1 - momentum), with the biased
  // batch variance, as the ONNX spec defines it.
  double momentum = n.floatAttr("momentum", 0.9);
  Type et = n.inputType(0).getElementType();
  for (unsigned k = 0; k < 2; ++k) {
    auto scaledRunning =
        n.create1("dl.mul", {n.input(3 + k), n.scalar(momentum, et)});
    auto scaledBatch =
        n.create1("dl.mul", {(*r)[1 + k], n.scalar(1.0 - momentum, et)});
    if (failed(scaledRunning) || failed(scaledBatch))
      return failure();
    auto sum = n.create1("dl.add", {*scaledRunning, *scaledBatch});
    if (failed(sum))
      return failure();
    n.setOutput(1 + k, *sum);
  }
  return success();
}

/// Opset < 13 softmax: flatten to 2-D at `axis`, normalize rows, restore.
static LogicalResult importSoftmax(NodeImporter &n, StringRef dlName) {
  auto type = n.inputType(0);
  int64_t rank = type.getRank();
  if (n.opset() >= 13) {
    return n.output(n.create1(dlName, n.input(0), {n.i64("axis", n.intAttr("axis", -1))}));
  }
  int64_t axis = n.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis == rank - 1) {
    return n.output(n.create1(dlName, n.input(0), {n.i64("axis", axis)}));
  }
  auto flat = n.create1("dl.flatten", n.input(0), {n.i64("axis", axis)});
  if (failed(flat))
    return failure();
  auto sm = n.create1(dlName, *flat, {n.i64("axis", 1)});
  if (failed(sm))
    return failure();
  // Back to the input's shape, read at run time when dims are dynamic.
  auto v = type.hasStaticShape()
               ? n.create1("dl.reshape", *sm, {}, type)
               : [&]() -> FailureOr<Value> {
                   auto shape = n.create1("dl.shape_of", n.input(0));
                   if (failed(shape))
                     return failure();
                   return n.create1("dl.reshape", {*sm, *shape}, {}, type);
                 }();
  if (failed(v))
    return failure();
  n.setOutput(0, *v);
  return success();
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
    auto c = n.create1("dl.cast", ratio, {},
                       cast<RankedTensorType>(ratio.getType()).clone(et));
    if (failed(c))
      return failure();
    ratio = *c;
  }
  Value training = n.hasInput(2)
                       ? n.input(2)
                       : n.constant(DenseElementsAttr::get(i1, false));
  auto sample = n.create1("dl.random_uniform", x, {n.i64("seed", seed)}, type);
  if (failed(sample))
    return failure();
  auto drawn = n.create1("dl.greater_equal", {*sample, ratio});
  auto notTraining = n.create1("dl.not", training);
  if (failed(drawn) || failed(notTraining))
    return failure();
  auto keep = n.create1("dl.or", {*notTraining, *drawn});
  auto kept = n.create1("dl.sub", {n.scalar(1.0, et), ratio});
  if (failed(keep) || failed(kept))
    return failure();
  auto inverse = n.create1("dl.div", {n.scalar(1.0, et), *kept});
  if (failed(inverse))
    return failure();
  auto scale = n.create1("dl.select", {training, *inverse, n.scalar(1.0, et)});
  if (failed(scale))
    return failure();
  auto scaled = n.create1("dl.mul", {x, *scale});
  if (failed(scaled))
    return failure();
  auto out = n.create1("dl.select", {*keep, *scaled, n.scalar(0.0, et)});
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
  auto res = n.create("dl.dropout", n.input(0),
                      {n.f64("ratio", ratio), n.i64("seed", seed),
                       n.boolean("training", training)},
                      2);
  if (failed(res))
    return failure();
  n.setOutput(0, (*res)[0]);
  n.setOutput(1, (*res)[1]);
  return success();
}

void dlc::onnx_frontend::registerNormalizationOps(OpRegistry &r) {
  r["BatchNormalization"] = importBatchNorm;
  r["InstanceNormalization"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(n.create1("dl.instance_norm", {n.input(0), n.input(1), n.input(2)},
                       {n.f64("epsilon", n.floatAttr("epsilon", 1e-5))}));
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
      auto mean = n.create1("dl.reduce_mean", n.input(0), {n.i64s("axes", axes)});
      if (failed(mean))
        return failure();
      auto centered = n.create1("dl.sub", {n.input(0), *mean});
      if (failed(centered))
        return failure();
      auto sq = n.create1("dl.mul", {*centered, *centered});
      if (failed(sq))
        return failure();
      auto var = n.create1("dl.reduce_mean", *sq, {n.i64s("axes", axes)});
      if (failed(var))
        return failure();
      auto shifted = n.create1(
          "dl.add", {*var, n.scalar(n.floatAttr("epsilon", 1e-5), et)});
      if (failed(shifted))
        return failure();
      auto inv = n.create1("dl.rsqrt", *shifted);
      if (failed(inv))
        return failure();
      n.setOutput(1, *mean);
      n.setOutput(2, *inv);
    }
    SmallVector<Value> operands = {n.input(0)};
    SmallVector<int32_t> segments = {1, 0, 0};
    if (n.hasInput(1)) {
      operands.push_back(n.input(1));
      segments[1] = 1;
    }
    if (n.hasInput(2)) {
      operands.push_back(n.input(2));
      segments[2] = 1;
    }
    return n.output(n.create1("dl.layer_norm", operands,
                       {n.i64("axis", n.intAttr("axis", -1)),
                        n.f64("epsilon", n.floatAttr("epsilon", 1e-5)),
                        n.named("operandSegmentSizes",
                                n.b.getDenseI32ArrayAttr(segments))}));
  };
  r["GroupNormalization"] = [](NodeImporter &n) -> LogicalResult {
    int64_t groups = n.intAttr("num_groups", 0);
    auto scale = n.inputType(1);
    int64_t c = n.inputType(0).getDimSize(1);
    if (n.opset() < 21 && scale.getRank() == 1 && scale.getDimSize(0) != c &&
        groups != c)
      return n.fail("per-group scale and bias (opset 18) are not supported; "
                    "convert the model to opset 21");
    return n.output(n.create1("dl.group_norm", {n.input(0), n.input(1), n.input(2)},
                       {n.i64("num_groups", groups),
                        n.f64("epsilon", n.floatAttr("epsilon", 1e-5))}));
  };
  r["Softmax"] = [](NodeImporter &n) { return importSoftmax(n, "dl.softmax"); };
  r["LogSoftmax"] = [](NodeImporter &n) {
    return importSoftmax(n, "dl.log_softmax");
  };
  // Hardmax: 1 at the first maximum along the axis, else 0, i.e. the
  // one-hot encoding of argmax. (Before opset 13 the coerced-2-D form was
  // spelled out on import, so the axis here is a plain axis.)
  r["Hardmax"] = [](NodeImporter &n) -> LogicalResult {
    auto in = n.inputType(0);
    int64_t rank = in.getRank();
    int64_t axis = n.intAttr("axis", n.opset() >= 13 ? -1 : 1);
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= rank || in.isDynamicDim(axis))
      return n.fail("the axis must name a static dim");
    auto arg = n.create1("dl.argmax", n.input(0),
                         {n.i64("axis", axis), n.boolean("keepdims", false)});
    if (failed(arg))
      return failure();
    return n.output(n.create1(
        "dl.one_hot", *arg,
        {n.i64("depth", in.getDimSize(axis)), n.i64("axis", axis),
         n.named("element_type", TypeAttr::get(in.getElementType()))}));
  };
  r["Dropout"] = importDropout;
}
