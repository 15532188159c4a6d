//===- ScatterGather.cpp - ONNX ScatterElements, ScatterND, GatherND ------===//
//
// Composed of dl.gather, dl.scatter_add and dl.scatter_elements_add: the
// N-d forms index a view of the data whose leading indexed dims are
// flattened into one, and a plain (unreduced) scatter writes the scattered
// updates where a scatter of ones marks a hit and keeps the data elsewhere.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// `value` broadcast to the shape of `like` with `like`'s element type: a
/// constant for a static shape, else an expand to its run-time shape.
static FailureOr<Value> splatLike(NodeImporter &n, Value like, double value) {
  auto type = cast<RankedTensorType>(like.getType());
  Type et = type.getElementType();
  Attribute v;
  if (auto ft = dyn_cast<FloatType>(et))
    v = FloatAttr::get(ft, value);
  else
    v = IntegerAttr::get(et, APInt(et.getIntOrFloatBitWidth(),
                                   static_cast<int64_t>(value),
                                   /*isSigned=*/true));
  if (type.hasStaticShape())
    return n.constant(DenseElementsAttr::get(type, v));
  auto shape = n.create<dl::ShapeOfOp>(like);
  if (failed(shape))
    return failure();
  return n.createTyped<dl::ExpandOp>(
      type,
      n.constant(DenseElementsAttr::get(RankedTensorType::get({}, et), v)),
      *shape);
}

/// The scatter reduction attribute: "none" or "add" (mul, max and min have
/// no dl op yet).
static FailureOr<bool> scatterAdds(NodeImporter &n) {
  std::string reduction = n.stringAttr("reduction", "none");
  if (reduction == "none")
    return false;
  if (reduction == "add")
    return true;
  return (void)n.fail("reduction '" + reduction +
                      "' is not supported (none, add)"),
         failure();
}

/// Plain scatter from an additive one: `scatter(base, updates)` adds updates
/// into base; the result is scatter(zeros, updates) where scatter(zeros,
/// ones) hits, else data.
template <typename ScatterFn>
static FailureOr<Value> overwrite(NodeImporter &n, Value data, Value updates,
                                  ScatterFn scatter) {
  auto zeros = splatLike(n, data, 0);
  auto ones = splatLike(n, updates, 1);
  if (failed(zeros) || failed(ones))
    return failure();
  auto hits = scatter(*zeros, *ones);
  if (failed(hits))
    return failure();
  auto mask = n.create<dl::GreaterOp>(
      *hits,
      n.scalar(0, cast<RankedTensorType>(data.getType()).getElementType()));
  if (failed(mask))
    return failure();
  auto scattered = scatter(*zeros, Value());
  if (failed(scattered))
    return failure();
  return n.create<dl::SelectOp>(*mask, *scattered, data);
}

/// Row-major strides of `dims`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> dims) {
  SmallVector<int64_t> strides(dims.size(), 1);
  for (int64_t i = (int64_t)dims.size() - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * dims[i + 1];
  return strides;
}

/// For ND indices [..., k] into the `k` dims `dims`: the row-major linear
/// index [...] (i64), negative indices counting from the end of their dim.
static FailureOr<Value> linearIndex(NodeImporter &n, Value indices,
                                    ArrayRef<int64_t> dims) {
  auto it = cast<RankedTensorType>(indices.getType());
  auto i64 = n.b.getI64Type();
  int64_t k = dims.size();
  if (it.getElementType() != i64) {
    auto c = n.createTyped<dl::CastOp>(
        RankedTensorType::get(it.getShape(), i64), indices);
    if (failed(c))
      return failure();
    indices = *c;
  }
  auto kType = RankedTensorType::get({k}, i64);
  auto neg = n.create<dl::LessOp>(indices, n.scalar(0, i64));
  if (failed(neg))
    return failure();
  auto wrapped = n.create<dl::AddOp>(
      indices, n.constant(DenseElementsAttr::get(kType, dims)));
  if (failed(wrapped))
    return failure();
  auto idx = n.create<dl::SelectOp>(*neg, *wrapped, indices);
  if (failed(idx))
    return failure();
  auto scaled = n.create<dl::MulOp>(
      *idx, n.constant(DenseElementsAttr::get(
                kType, ArrayRef<int64_t>(stridesOf(dims)))));
  if (failed(scaled))
    return failure();
  return n.create<dl::ReduceSumOp>(*scaled, n.i64s({-1}), false);
}

/// `v` reshaped to `dims`.
static FailureOr<Value> reshape(NodeImporter &n, Value v,
                                ArrayRef<int64_t> dims) {
  auto t = cast<RankedTensorType>(v.getType());
  return n.createTyped<dl::ReshapeOp>(
      RankedTensorType::get(dims, t.getElementType()), v, Value());
}

static LogicalResult importScatterElements(NodeImporter &n) {
  auto adds = scatterAdds(n);
  if (failed(adds))
    return failure();
  Value data = n.input(0), indices = n.input(1), updates = n.input(2);
  int64_t axis = n.intAttr("axis", 0);
  if (*adds)
    return n.output(
        n.create<dl::ScatterElementsAddOp>(data, indices, updates, axis));
  return n.output(overwrite(n, data, updates, [&](Value base, Value ones) {
    return n.create<dl::ScatterElementsAddOp>(base, indices,
                                              ones ? ones : updates, axis);
  }));
}

static LogicalResult importScatterND(NodeImporter &n) {
  auto adds = scatterAdds(n);
  if (failed(adds))
    return failure();
  auto dataType = n.inputType(0), idxType = n.inputType(1);
  int64_t r = dataType.getRank(), q = idxType.getRank();
  if (q < 1 || idxType.isDynamicDim(q - 1))
    return n.fail("the last dim of indices must be static");
  int64_t k = idxType.getDimSize(q - 1);
  if (k > r)
    return n.fail("indices index " + Twine(k) + " dims of a rank-" + Twine(r) +
                  " tensor");
  if (!dataType.hasStaticShape())
    return n.fail("ScatterND needs a static data shape");
  ArrayRef<int64_t> dims = dataType.getShape();
  SmallVector<int64_t> flat{dl::shapeProduct(dims.take_front(k))};
  flat.append(dims.begin() + k, dims.end());
  auto lin = linearIndex(n, n.input(1), dims.take_front(k));
  auto data = reshape(n, n.input(0), flat);
  if (failed(lin) || failed(data))
    return failure();
  FailureOr<Value> result;
  if (*adds)
    result = n.create<dl::ScatterAddOp>(*data, *lin, n.input(2), int64_t(0));
  else
    result = overwrite(n, *data, n.input(2), [&](Value base, Value ones) {
      return n.create<dl::ScatterAddOp>(base, *lin, ones ? ones : n.input(2),
                                        int64_t(0));
    });
  if (failed(result))
    return failure();
  return n.output(reshape(n, *result, dims));
}

static LogicalResult importGatherND(NodeImporter &n) {
  auto dataType = n.inputType(0), idxType = n.inputType(1);
  int64_t r = dataType.getRank(), q = idxType.getRank();
  int64_t b = n.intAttr("batch_dims", 0);
  if (q < 1 || idxType.isDynamicDim(q - 1))
    return n.fail("the last dim of indices must be static");
  int64_t k = idxType.getDimSize(q - 1);
  if (b < 0 || b >= std::min(q, r) || b + k > r)
    return n.fail("batch_dims " + Twine(b) + " with " + Twine(k) +
                  "-element indices does not fit a rank-" + Twine(r) +
                  " data tensor");
  if (!dataType.hasStaticShape() || !idxType.hasStaticShape())
    return n.fail("GatherND needs static shapes");
  ArrayRef<int64_t> dims = dataType.getShape();
  int64_t batch = dl::shapeProduct(dims.take_front(b));
  int64_t block = dl::shapeProduct(dims.slice(b, k));
  SmallVector<int64_t> flat{batch * block};
  flat.append(dims.begin() + b + k, dims.end());
  auto lin = linearIndex(n, n.input(1), dims.slice(b, k));
  auto data = reshape(n, n.input(0), flat);
  if (failed(lin) || failed(data))
    return failure();
  Value index = *lin;
  if (b > 0) {
    // Each batch position reads its own block: add batch * block, a
    // constant of the batch dims followed by 1s for the index dims.
    SmallVector<int64_t> offsetShape(idxType.getShape().take_front(b));
    offsetShape.append(q - 1 - b, 1);
    SmallVector<int64_t> offsets;
    for (int64_t i = 0; i < batch; ++i)
      offsets.push_back(i * block);
    auto add = n.create<dl::AddOp>(
        index, n.constant(DenseElementsAttr::get(
                   RankedTensorType::get(offsetShape, n.b.getI64Type()),
                   ArrayRef<int64_t>(offsets))));
    if (failed(add))
      return failure();
    index = *add;
  }
  return n.output(n.create<dl::GatherOp>(*data, index, int64_t(0)));
}

void dlc::onnx_frontend::registerScatterGatherOps(OpRegistry &r) {
  r["ScatterElements"] = importScatterElements;
  // Scatter (opset 9-10) is ScatterElements without reduction.
  r["Scatter"] = importScatterElements;
  r["ScatterND"] = importScatterND;
  r["GatherND"] = importGatherND;
}
