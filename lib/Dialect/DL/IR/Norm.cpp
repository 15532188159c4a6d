//===- Norm.cpp - normalizations and softmax ------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc::dl;

/// Checks that each of `params` is 1-D with `channels` elements.
static LogicalResult
checkPerChannel(std::optional<Location> loc,
                ArrayRef<std::pair<StringRef, Value>> params,
                int64_t channels) {
  // With a dynamic channel count the parameters must still agree with each
  // other: the first static size stands for the channels.
  for (auto [name, value] : params) {
    auto t = tensorTypeOf(value);
    if (ShapedType::isDynamic(channels) && t.getRank() == 1)
      channels = t.getDimSize(0);
  }
  for (auto [name, value] : params) {
    auto t = tensorTypeOf(value);
    int64_t n = t.getRank() == 1 ? t.getDimSize(0) : -1;
    if (t.getRank() != 1 || (!ShapedType::isDynamic(n) &&
                             !ShapedType::isDynamic(channels) && n != channels))
      return emitOptionalError(
          loc, name, " must be 1-D with one value per channel (",
          ShapedType::isDynamic(channels) ? "?" : std::to_string(channels),
          "), got ", shapeToString(t.getShape()));
  }
  return success();
}

LogicalResult BatchNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = tensorTypeOf(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(location,
                             "batch_norm input must be N x C x ..., "
                             "got rank ",
                             input.getRank());
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return emitOptionalError(location, "epsilon must be >= 0, got ",
                             adaptor.getEpsilon().convertToDouble());
  if (failed(checkPerChannel(location,
                             {{"scale", adaptor.getScale()},
                              {"bias", adaptor.getBias()},
                              {"mean", adaptor.getMean()},
                              {"variance", adaptor.getVariance()}},
                             input.getDimSize(1))))
    return failure();
  inferred.push_back(input);
  return success();
}

LogicalResult BatchNormTrainOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto input = tensorTypeOf(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(location,
                             "batch_norm_train input must be N x C "
                             "x ..., got rank ",
                             input.getRank());
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return emitOptionalError(location, "epsilon must be >= 0, got ",
                             adaptor.getEpsilon().convertToDouble());
  if (failed(checkPerChannel(
          location,
          {{"scale", adaptor.getScale()}, {"bias", adaptor.getBias()}},
          input.getDimSize(1))))
    return failure();
  auto stats =
      RankedTensorType::get({input.getDimSize(1)}, input.getElementType());
  inferred.append({input, stats, stats});
  return success();
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = tensorTypeOf(adaptor.getInput());
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return emitOptionalError(location, "epsilon must be >= 0, got ",
                             adaptor.getEpsilon().convertToDouble());
  auto axis = normalizeAxis(location, adaptor.getAxis(), input.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> normalized = input.getShape().drop_front(*axis);
  for (auto [name, value] :
       {std::pair<StringRef, Value>{"scale", adaptor.getScale()},
        {"bias", adaptor.getBias()}}) {
    if (!value)
      continue;
    auto t = tensorTypeOf(value);
    if (t.getElementType() != input.getElementType())
      return emitOptionalError(location, name, " element type ",
                               t.getElementType(), " differs from the input's ",
                               input.getElementType());
    auto b = broadcastShapes(normalized, t.getShape());
    if (t.getRank() > static_cast<int64_t>(normalized.size()) || failed(b) ||
        !areRefinableTypes(
            RankedTensorType::get(*b, t.getElementType()),
            RankedTensorType::get(normalized, t.getElementType())))
      return emitOptionalError(location, name, " of shape ",
                               shapeToString(t.getShape()),
                               " does not broadcast to the normalized shape ",
                               shapeToString(normalized));
  }
  inferred.push_back(input);
  return success();
}

LogicalResult InstanceNormOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto input = tensorTypeOf(adaptor.getInput());
  if (input.getRank() < 3)
    return emitOptionalError(location,
                             "instance_norm input must be N x C x "
                             "D1..Dk, got rank ",
                             input.getRank());
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return emitOptionalError(location, "epsilon must be >= 0, got ",
                             adaptor.getEpsilon().convertToDouble());
  if (failed(checkPerChannel(
          location,
          {{"scale", adaptor.getScale()}, {"bias", adaptor.getBias()}},
          input.getDimSize(1))))
    return failure();
  inferred.push_back(input);
  return success();
}

LogicalResult GroupNormOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto input = tensorTypeOf(adaptor.getInput());
  if (input.getRank() < 2)
    return emitOptionalError(location,
                             "group_norm input must be N x C x ..., "
                             "got rank ",
                             input.getRank());
  if (adaptor.getEpsilon().convertToDouble() < 0)
    return emitOptionalError(location, "epsilon must be >= 0, got ",
                             adaptor.getEpsilon().convertToDouble());
  int64_t groups = adaptor.getNumGroups();
  int64_t c = input.getDimSize(1);
  if (groups < 1)
    return emitOptionalError(location, "num_groups must be >= 1, got ", groups);
  if (!ShapedType::isDynamic(c) && c % groups != 0)
    return emitOptionalError(location, "channels (", c,
                             ") are not divisible by num_groups (", groups,
                             ")");
  if (failed(checkPerChannel(
          location,
          {{"scale", adaptor.getScale()}, {"bias", adaptor.getBias()}}, c)))
    return failure();
  inferred.push_back(input);
  return success();
}

/// Softmax's axis must name a dim of its input.
static LogicalResult verifySoftmaxAxis(Operation *op, int64_t axis) {
  int64_t rank = tensorTypeOf(op->getOperand(0)).getRank();
  return failure(failed(normalizeAxis(op->getLoc(), axis, rank)));
}

LogicalResult SoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, getAxis());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifySoftmaxAxis(*this, getAxis());
}

/// Softmax cross-entropy's operands: `[N, C]` logits with at least one
/// class, `[N]` labels and, for the gradient, an `[N]` per-sample gradient
/// of the logits' element type. The label smoothing is in [0, 1].
static LogicalResult checkCrossEntropyOperands(std::optional<Location> loc,
                                               Value logits, Value labels,
                                               Value grad, double smoothing) {
  auto x = tensorTypeOf(logits);
  if (x.getRank() != 2)
    return emitOptionalError(loc,
                             "softmax cross-entropy expects [batch, "
                             "classes] logits, got ",
                             shapeToString(x.getShape()));
  if (x.isDynamicDim(1) || x.getDimSize(1) < 1)
    return emitOptionalError(loc,
                             "softmax cross-entropy needs a static "
                             "number of classes, at least one; got ",
                             shapeToString(x.getShape()));
  if (!(smoothing >= 0 && smoothing <= 1))
    return emitOptionalError(loc, "label_smoothing must be in [0, 1], got ",
                             smoothing);
  auto perSample = [&](Value v, StringRef name) -> LogicalResult {
    auto t = tensorTypeOf(v);
    int64_t n = t.getRank() == 1 ? t.getDimSize(0) : -1;
    if (t.getRank() == 1 &&
        (ShapedType::isDynamic(n) || x.isDynamicDim(0) || n == x.getDimSize(0)))
      return success();
    return emitOptionalError(loc, name, " must be [batch] with the logits' ",
                             "batch (", shapeToString(x.getShape()), "), got ",
                             shapeToString(t.getShape()));
  };
  if (failed(perSample(labels, "labels")))
    return failure();
  if (!grad)
    return success();
  if (tensorTypeOf(grad).getElementType() != x.getElementType())
    return emitOptionalError(loc, "grad must have the logits' element type");
  return perSample(grad, "grad");
}

LogicalResult SoftmaxCrossEntropyOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  if (failed(checkCrossEntropyOperands(
          location, adaptor.getLogits(), adaptor.getLabels(), Value(),
          adaptor.getLabelSmoothing().convertToDouble())))
    return failure();
  auto x = tensorTypeOf(adaptor.getLogits());
  inferred.push_back(
      RankedTensorType::get({x.getDimSize(0)}, x.getElementType()));
  return success();
}

LogicalResult SoftmaxCrossEntropyGradOp::verify() {
  return checkCrossEntropyOperands(getLoc(), getLogits(), getLabels(),
                                   getGrad(),
                                   getLabelSmoothing().convertToDouble());
}
