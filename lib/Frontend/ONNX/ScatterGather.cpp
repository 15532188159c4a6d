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

namespace {
/// Builds a chain of dl ops for one node, remembering the first failure so
/// a long formula reads as arithmetic; every value is null after one.
struct OpChain {
  NodeImporter &n;
  bool failed = false;

  template <typename OpTy, typename... Args> Value make(Args &&...args) {
    if (failed)
      return Value();
    auto v = n.create<OpTy>(std::forward<Args>(args)...);
    if (mlir::failed(v)) {
      failed = true;
      return Value();
    }
    return *v;
  }
  template <typename OpTy, typename... Args>
  Value makeTyped(Type type, Args &&...args) {
    if (failed)
      return Value();
    auto v = n.createTyped<OpTy>(type, std::forward<Args>(args)...);
    if (mlir::failed(v)) {
      failed = true;
      return Value();
    }
    return *v;
  }
  Value add(Value a, Value b) { return make<dl::AddOp>(a, b); }
  Value sub(Value a, Value b) { return make<dl::SubOp>(a, b); }
  Value mul(Value a, Value b) { return make<dl::MulOp>(a, b); }
  Value div(Value a, Value b) { return make<dl::DivOp>(a, b); }
  Value min(Value a, Value b) { return make<dl::MinOp>(a, b); }
  Value max(Value a, Value b) { return make<dl::MaxOp>(a, b); }
  Value floor(Value a) { return make<dl::FloorOp>(a); }
  Value c(double v, Type et) { return n.scalar(v, et); }
  Value clamp(Value a, double lo, double hi) {
    Type et =
        failed ? Type() : cast<RankedTensorType>(a.getType()).getElementType();
    if (failed)
      return Value();
    return min(max(a, c(lo, et)), c(hi, et));
  }
};
} // namespace

/// GridSample (2-D, PyTorch's grid_sample): for each output point, the grid
/// gives x, y in [-1, 1]; the input is read there by nearest, bilinear or
/// bicubic interpolation with zeros, border or reflection padding. Built
/// from elementwise ops and GatherElements over the flattened H * W plane,
/// one gather per interpolation tap.
static LogicalResult importGridSample(NodeImporter &n) {
  auto x = n.inputType(0), grid = n.inputType(1);
  if (x.getRank() != 4 || grid.getRank() != 4 || !x.hasStaticShape() ||
      !grid.hasStaticShape() || grid.getDimSize(3) != 2 ||
      grid.getDimSize(0) != x.getDimSize(0))
    return n.fail("needs a static N x C x H x W input and an N x Ho x Wo x 2 "
                  "grid (only 2-D sampling is supported)");
  Type et = x.getElementType();
  if (!isa<FloatType>(et) || grid.getElementType() != et)
    return n.fail("the input and the grid must have the same float type");
  std::string mode = n.stringAttr("mode", "bilinear");
  std::string padding = n.stringAttr("padding_mode", "zeros");
  bool alignCorners = n.intAttr("align_corners", 0) != 0;
  if (mode != "bilinear" && mode != "nearest" && mode != "bicubic")
    return n.fail("mode '" + mode + "' is not bilinear, nearest or bicubic");
  if (padding != "zeros" && padding != "border" && padding != "reflection")
    return n.fail("padding_mode '" + padding +
                  "' is not zeros, border or reflection");
  int64_t N = x.getDimSize(0), C = x.getDimSize(1), H = x.getDimSize(2),
          W = x.getDimSize(3), Ho = grid.getDimSize(1), Wo = grid.getDimSize(2),
          P = Ho * Wo;
  OpChain o{n};
  Type i64 = n.b.getI64Type();
  auto gridCoord = [&](int64_t k) {
    Value s = o.make<dl::SliceOp>(n.input(1), n.i64s({k}), n.i64s({k + 1}),
                                  n.i64s({3}), nullptr);
    return o.makeTyped<dl::ReshapeOp>(RankedTensorType::get({N, 1, P}, et), s,
                                      Value());
  };
  // Grid coordinates to pixel coordinates (PyTorch's unnormalize).
  auto unnormalize = [&](Value g, int64_t size) {
    Value one = o.c(1, et);
    if (alignCorners)
      return o.mul(o.add(g, one), o.c((size - 1) / 2.0, et));
    return o.div(o.sub(o.mul(o.add(g, one), o.c(size, et)), one), o.c(2, et));
  };
  // reflect_coordinates of PyTorch: fold `v` into [lo2 / 2, hi2 / 2].
  auto reflect = [&](Value v, double lo2, double hi2) -> Value {
    if (lo2 == hi2)
      return o.mul(v, o.c(0, et));
    double lo = lo2 / 2, span = (hi2 - lo2) / 2;
    Value a = o.make<dl::AbsOp>(o.sub(v, o.c(lo, et)));
    Value extra = o.make<dl::ModOp>(a, o.c(span, et), true, false);
    Value flips = o.floor(o.div(a, o.c(span, et)));
    Value half = o.floor(o.div(flips, o.c(2, et)));
    Value odd = o.sub(flips, o.mul(half, o.c(2, et)));
    Value even = o.make<dl::EqualOp>(odd, o.c(0, et));
    return o.make<dl::SelectOp>(
        even, o.add(extra, o.c(lo, et)),
        o.add(o.sub(o.c(span, et), extra), o.c(lo, et)));
  };
  // compute_coordinates of PyTorch: border and reflection padding move a
  // coordinate inside; zeros leaves it (the read is masked instead).
  auto pad = [&](Value v, int64_t size) -> Value {
    if (padding == "border")
      return o.clamp(v, 0, size - 1);
    if (padding == "reflection") {
      Value r = alignCorners ? reflect(v, 0, 2.0 * (size - 1))
                             : reflect(v, -1, 2.0 * size - 1);
      return o.clamp(r, 0, size - 1);
    }
    return v;
  };
  Value flat = o.makeTyped<dl::ReshapeOp>(
      RankedTensorType::get({N, C, H * W}, et), n.input(0), Value());
  auto flatIndex = RankedTensorType::get({N, C, P}, i64);
  // The input at integer-valued coordinates (cx, cy), 0 outside.
  auto read = [&](Value cx, Value cy) -> Value {
    Value inside = o.make<dl::AndOp>(
        o.make<dl::AndOp>(o.make<dl::GreaterEqualOp>(cx, o.c(0, et)),
                          o.make<dl::LessEqualOp>(cx, o.c(W - 1, et))),
        o.make<dl::AndOp>(o.make<dl::GreaterEqualOp>(cy, o.c(0, et)),
                          o.make<dl::LessEqualOp>(cy, o.c(H - 1, et))));
    Value xi = o.makeTyped<dl::CastOp>(RankedTensorType::get({N, 1, P}, i64),
                                       o.clamp(cx, 0, W - 1));
    Value yi = o.makeTyped<dl::CastOp>(RankedTensorType::get({N, 1, P}, i64),
                                       o.clamp(cy, 0, H - 1));
    Value index = o.add(o.mul(yi, o.c(W, i64)), xi);
    Value full = o.makeTyped<dl::ExpandOp>(flatIndex, index, Value());
    Value v = o.make<dl::GatherElementsOp>(flat, full, int64_t(2));
    return o.make<dl::SelectOp>(inside, v, o.c(0, et));
  };
  Value ix = unnormalize(gridCoord(0), W), iy = unnormalize(gridCoord(1), H);
  Value result;
  if (mode == "nearest") {
    ix = o.make<dl::RoundOp>(pad(ix, W));
    iy = o.make<dl::RoundOp>(pad(iy, H));
    result = read(ix, iy);
  } else if (mode == "bilinear") {
    ix = pad(ix, W);
    iy = pad(iy, H);
    Value x0 = o.floor(ix), y0 = o.floor(iy);
    Value one = o.c(1, et);
    Value x1 = o.add(x0, one), y1 = o.add(y0, one);
    Value wx1 = o.sub(ix, x0), wx0 = o.sub(x1, ix);
    Value wy1 = o.sub(iy, y0), wy0 = o.sub(y1, iy);
    result = o.add(o.add(o.mul(read(x0, y0), o.mul(wx0, wy0)),
                         o.mul(read(x1, y0), o.mul(wx1, wy0))),
                   o.add(o.mul(read(x0, y1), o.mul(wx0, wy1)),
                         o.mul(read(x1, y1), o.mul(wx1, wy1))));
  } else {
    // Bicubic (A = -0.75): 4 x 4 taps around floor(x), padding applied to
    // each tap's coordinate.
    const double A = -0.75;
    auto coeffs = [&](Value t) {
      auto near = [&](Value d) { // |d| <= 1
        return o.add(
            o.mul(o.mul(o.sub(o.mul(o.c(A + 2, et), d), o.c(A + 3, et)), d), d),
            o.c(1, et));
      };
      auto far = [&](Value d) { // 1 < |d| < 2
        Value r = o.sub(o.mul(o.c(A, et), d), o.c(5 * A, et));
        r = o.add(o.mul(r, d), o.c(8 * A, et));
        return o.sub(o.mul(r, d), o.c(4 * A, et));
      };
      Value one = o.c(1, et);
      return SmallVector<Value>{far(o.add(t, one)), near(t),
                                near(o.sub(one, t)), far(o.sub(o.c(2, et), t))};
    };
    Value x0 = o.floor(ix), y0 = o.floor(iy);
    SmallVector<Value> cx = coeffs(o.sub(ix, x0)), cy = coeffs(o.sub(iy, y0));
    for (int64_t j = 0; j < 4; ++j) {
      Value row;
      Value ty = pad(o.add(y0, o.c(j - 1, et)), H);
      for (int64_t i = 0; i < 4; ++i) {
        Value tx = pad(o.add(x0, o.c(i - 1, et)), W);
        Value term = o.mul(read(tx, ty), cx[i]);
        row = row ? o.add(row, term) : term;
      }
      Value term = o.mul(row, cy[j]);
      result = result ? o.add(result, term) : term;
    }
  }
  if (o.failed)
    return failure();
  return n.output(n.createTyped<dl::ReshapeOp>(
      RankedTensorType::get({N, C, Ho, Wo}, et), result, Value()));
}

void dlc::onnx_frontend::registerScatterGatherOps(OpRegistry &r) {
  r["GridSample"] = importGridSample;
  r["ScatterElements"] = importScatterElements;
  // Scatter (opset 9-10) is ScatterElements without reduction.
  r["Scatter"] = importScatterElements;
  r["ScatterND"] = importScatterND;
  r["GatherND"] = importGatherND;
}
