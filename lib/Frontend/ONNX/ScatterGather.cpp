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

/// TfIdfVectorizer on integer tokens: counts each n-gram of the pool in
/// each row (every start and, for n > 1, every skip up to max_skip_count),
/// then applies TF, IDF or TFIDF weighting. The pool is constant, so each
/// n-gram is a conjunction of token comparisons on shifted slices of the
/// input, summed along the row.
static LogicalResult importTfIdfVectorizer(NodeImporter &n) {
  auto x = n.inputType(0);
  Type xt = x.getElementType();
  if (!isa<IntegerType>(xt) || xt.isInteger(1))
    return n.fail("only integer tokens are supported (pool_int64s)");
  if (x.getRank() < 1 || x.getRank() > 2 || !x.hasStaticShape())
    return n.fail("the input must be a static 1-D or 2-D tensor");
  auto pool = n.intsAttr("pool_int64s");
  auto counts = n.intsAttr("ngram_counts");
  auto indexes = n.intsAttr("ngram_indexes");
  if (!pool || !counts || !indexes)
    return n.fail("needs pool_int64s, ngram_counts and ngram_indexes");
  int64_t minLen = n.intAttr("min_gram_length", 0);
  int64_t maxLen = n.intAttr("max_gram_length", 0);
  int64_t maxSkip = n.intAttr("max_skip_count", 0);
  std::string mode = n.stringAttr("mode", "");
  if (mode != "TF" && mode != "IDF" && mode != "TFIDF")
    return n.fail("mode '" + mode + "' is not TF, IDF or TFIDF");
  if (minLen < 1 || maxLen < minLen ||
      maxLen > static_cast<int64_t>(counts->size()) || maxSkip < 0)
    return n.fail("min_gram_length, max_gram_length and max_skip_count are "
                  "inconsistent with ngram_counts");
  auto weights = n.floatsAttr("weights");
  // The pool's n-grams in order: (length, first token's position in pool).
  SmallVector<std::pair<int64_t, int64_t>> grams;
  int64_t poolSize = pool->size();
  for (size_t len = 1; len <= counts->size(); ++len) {
    int64_t begin = (*counts)[len - 1];
    int64_t end = len < counts->size() ? (*counts)[len] : poolSize;
    if (begin < 0 || end < begin || end > poolSize ||
        (end - begin) % static_cast<int64_t>(len))
      return n.fail("ngram_counts does not split pool_int64s into n-grams");
    for (int64_t i = begin; i < end; i += len)
      grams.push_back({static_cast<int64_t>(len), i});
  }
  if (grams.size() != indexes->size() ||
      (weights && weights->size() != grams.size()))
    return n.fail("ngram_indexes (and weights) need one value per n-gram of "
                  "the pool (" +
                  Twine(grams.size()) + ")");
  int64_t outSize = 0;
  for (int64_t i : *indexes) {
    if (i < 0)
      return n.fail("ngram_indexes must not be negative");
    outSize = std::max(outSize, i + 1);
  }
  OpChain o{n};
  Type f32 = n.b.getF32Type();
  int64_t rank = x.getRank(), T = x.getDimSize(rank - 1);
  SmallVector<int64_t> rowShape(x.getShape().drop_back());
  rowShape.push_back(1);
  auto rowType = RankedTensorType::get(rowShape, f32);
  // Per output column: the weighted count, or null while no n-gram maps
  // there.
  SmallVector<Value> columns(outSize);
  for (auto [k, gram] : llvm::enumerate(grams)) {
    auto [len, first] = gram;
    Value count;
    if (len >= minLen && len <= maxLen) {
      for (int64_t skip = 0; skip <= (len == 1 ? 0 : maxSkip); ++skip) {
        int64_t span = (len - 1) * (skip + 1);
        if (span >= T)
          break;
        Value match;
        for (int64_t j = 0; j < len; ++j) {
          int64_t off = j * (skip + 1);
          Value s = o.make<dl::SliceOp>(n.input(0), n.i64s({off}),
                                        n.i64s({off + T - span}),
                                        n.i64s({rank - 1}), nullptr);
          Value eq = o.make<dl::EqualOp>(s, o.c((*pool)[first + j], xt));
          match = match ? o.make<dl::AndOp>(match, eq) : eq;
        }
        if (o.failed)
          return failure();
        auto mt = cast<RankedTensorType>(match.getType());
        Value f = o.makeTyped<dl::CastOp>(
            RankedTensorType::get(mt.getShape(), f32), match);
        Value sum = o.make<dl::ReduceSumOp>(f, n.i64s({rank - 1}), true);
        count = count ? o.add(count, sum) : sum;
      }
    }
    if (!count)
      continue;
    double w = weights ? (*weights)[k] : 1.0;
    if (mode == "IDF")
      count = o.mul(o.min(count, o.c(1, f32)), o.c(w, f32));
    else if (mode == "TFIDF")
      count = o.mul(count, o.c(w, f32));
    int64_t col = (*indexes)[k];
    columns[col] = columns[col] ? o.add(columns[col], count) : count;
  }
  if (o.failed)
    return failure();
  SmallVector<Value> parts;
  for (Value &c : columns)
    parts.push_back(
        c ? c : n.constant(DenseElementsAttr::get(rowType, APFloat(0.0f))));
  if (parts.empty())
    return n.fail("the pool is empty");
  auto result = parts.size() == 1
                    ? FailureOr<Value>(parts[0])
                    : n.create<dl::ConcatOp>(ValueRange(parts), rank - 1);
  if (failed(result))
    return failure();
  rowShape.back() = outSize;
  return n.output(n.createTyped<dl::ReshapeOp>(
      RankedTensorType::get(rowShape, f32), *result, Value()));
}

/// RoiAlign with a fixed sampling_ratio (the adaptive one makes the sample
/// count depend on the rois' values): each output bin averages (or takes
/// the max of) bilinear samples of its roi's image on a regular grid, as
/// onnxruntime computes them. The samples are gathers from the image of each
/// roi's batch index.
static LogicalResult importRoiAlign(NodeImporter &n) {
  auto x = n.inputType(0), rois = n.inputType(1), bi = n.inputType(2);
  if (x.getRank() != 4 || !x.hasStaticShape() || rois.getRank() != 2 ||
      !rois.hasStaticShape() || rois.getDimSize(1) != 4 || bi.getRank() != 1)
    return n.fail("needs a static N x C x H x W input and static R x 4 rois");
  Type et = x.getElementType();
  if (!isa<FloatType>(et) || rois.getElementType() != et)
    return n.fail("the input and the rois must have the same float type");
  std::string mode = n.stringAttr("mode", "avg");
  std::string ctm =
      n.stringAttr("coordinate_transformation_mode",
                   n.opset() < 16 ? "output_half_pixel" : "half_pixel");
  int64_t oh = n.intAttr("output_height", 1), ow = n.intAttr("output_width", 1);
  int64_t ratio = n.intAttr("sampling_ratio", 0);
  double scale = n.floatAttr("spatial_scale", 1.0);
  if (mode != "avg" && mode != "max")
    return n.fail("mode '" + mode + "' is not avg or max");
  if (ctm != "half_pixel" && ctm != "output_half_pixel")
    return n.fail("coordinate_transformation_mode '" + ctm +
                  "' is not half_pixel or output_half_pixel");
  if (ratio <= 0)
    return n.fail("sampling_ratio 0 (adaptive: the sample count depends on "
                  "the rois' values) is not supported");
  if (oh < 1 || ow < 1)
    return n.fail("output_height and output_width must be positive");
  int64_t N = x.getDimSize(0), C = x.getDimSize(1), H = x.getDimSize(2),
          W = x.getDimSize(3), R = rois.getDimSize(0);
  int64_t grid = ratio * ratio, S = oh * ow * grid;
  OpChain o{n};
  Type i64 = n.b.getI64Type();
  // Sample s = (ph, pw, iy, ix) sits at bin + (i + 0.5) / ratio bins.
  SmallVector<double> alongH, alongW;
  for (int64_t ph = 0; ph < oh; ++ph)
    for (int64_t pw = 0; pw < ow; ++pw)
      for (int64_t iy = 0; iy < ratio; ++iy)
        for (int64_t ix = 0; ix < ratio; ++ix) {
          alongH.push_back(ph + (iy + 0.5) / ratio);
          alongW.push_back(pw + (ix + 0.5) / ratio);
        }
  auto sampleType = RankedTensorType::get({1, S}, et);
  auto constant = [&](ArrayRef<double> v) {
    SmallVector<APFloat> values;
    for (double d : v) {
      APFloat f(d);
      bool lost;
      f.convert(cast<FloatType>(et).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    return n.constant(DenseElementsAttr::get(sampleType, values));
  };
  double offset = ctm == "half_pixel" ? 0.5 : 0.0;
  auto coord = [&](int64_t k) {
    Value c = o.make<dl::SliceOp>(n.input(1), n.i64s({k}), n.i64s({k + 1}),
                                  n.i64s({1}), nullptr);
    return o.sub(o.mul(c, o.c(scale, et)), o.c(offset, et));
  };
  Value x1 = coord(0), y1 = coord(1), x2 = coord(2), y2 = coord(3);
  Value roiW = o.sub(x2, x1), roiH = o.sub(y2, y1);
  if (ctm == "output_half_pixel") {
    roiW = o.max(roiW, o.c(1, et));
    roiH = o.max(roiH, o.c(1, et));
  }
  Value y = o.add(y1, o.mul(constant(alongH), o.div(roiH, o.c(oh, et))));
  Value xs = o.add(x1, o.mul(constant(alongW), o.div(roiW, o.c(ow, et))));
  // onnxruntime's bilinear: 0 outside [-1, size]; clamp below at 0 and at
  // the last row / column.
  Value outside =
      o.make<dl::OrOp>(o.make<dl::OrOp>(o.make<dl::LessOp>(y, o.c(-1, et)),
                                        o.make<dl::GreaterOp>(y, o.c(H, et))),
                       o.make<dl::OrOp>(o.make<dl::LessOp>(xs, o.c(-1, et)),
                                        o.make<dl::GreaterOp>(xs, o.c(W, et))));
  auto axis = [&](Value v, int64_t size, Value &lo, Value &hi, Value &l) {
    v = o.max(v, o.c(0, et));
    lo = o.floor(v);
    Value atEnd = o.make<dl::GreaterEqualOp>(lo, o.c(size - 1, et));
    lo = o.make<dl::SelectOp>(atEnd, o.c(size - 1, et), lo);
    hi = o.make<dl::SelectOp>(atEnd, lo, o.add(lo, o.c(1, et)));
    v = o.make<dl::SelectOp>(atEnd, lo, v);
    l = o.sub(v, lo);
  };
  Value yLo, yHi, ly, xLo, xHi, lx;
  axis(y, H, yLo, yHi, ly);
  axis(xs, W, xLo, xHi, lx);
  Value one = o.c(1, et);
  Value hy = o.sub(one, ly), hx = o.sub(one, lx);
  // The image of each roi, flattened: R x C x (H * W).
  Value indices = n.input(2);
  if (bi.getElementType() != i64)
    indices = o.makeTyped<dl::CastOp>(RankedTensorType::get({R}, i64), indices);
  Value images = o.make<dl::GatherOp>(n.input(0), indices, int64_t(0));
  Value flat = o.makeTyped<dl::ReshapeOp>(
      RankedTensorType::get({R, C, H * W}, et), images, Value());
  (void)N;
  auto read = [&](Value cy, Value cx) {
    auto it = RankedTensorType::get({R, S}, i64);
    Value index = o.add(o.mul(o.makeTyped<dl::CastOp>(it, cy), o.c(W, i64)),
                        o.makeTyped<dl::CastOp>(it, cx));
    index = o.makeTyped<dl::ReshapeOp>(RankedTensorType::get({R, 1, S}, i64),
                                       index, Value());
    Value full = o.makeTyped<dl::ExpandOp>(
        RankedTensorType::get({R, C, S}, i64), index, Value());
    return o.make<dl::GatherElementsOp>(flat, full, int64_t(2));
  };
  auto weight = [&](Value a, Value b) {
    Value w = o.mul(a, b);
    w = o.make<dl::SelectOp>(outside, o.c(0, et), w);
    return o.makeTyped<dl::ReshapeOp>(RankedTensorType::get({R, 1, S}, et), w,
                                      Value());
  };
  Value t1 = o.mul(read(yLo, xLo), weight(hy, hx));
  Value t2 = o.mul(read(yLo, xHi), weight(hy, lx));
  Value t3 = o.mul(read(yHi, xLo), weight(ly, hx));
  Value t4 = o.mul(read(yHi, xHi), weight(ly, lx));
  auto binned = RankedTensorType::get({R, C, oh, ow, grid}, et);
  Value result;
  if (mode == "avg") {
    Value sum = o.add(o.add(t1, t2), o.add(t3, t4));
    sum = o.makeTyped<dl::ReshapeOp>(binned, sum, Value());
    result =
        o.div(o.make<dl::ReduceSumOp>(sum, n.i64s({4}), false), o.c(grid, et));
  } else {
    Value m = o.max(o.max(t1, t2), o.max(t3, t4));
    m = o.makeTyped<dl::ReshapeOp>(binned, m, Value());
    result = o.make<dl::ReduceMaxOp>(m, n.i64s({4}), false);
  }
  if (o.failed)
    return failure();
  n.setOutput(0, result);
  return success();
}

/// MaxUnpool: the values scattered to the flat positions MaxPool's Indices
/// gave them (over the whole N x C x H x W tensor), zeros elsewhere. A
/// position two windows both picked holds the same value twice, so the sum
/// is divided by the count.
static LogicalResult importMaxUnpool(NodeImporter &n) {
  auto x = n.inputType(0), idx = n.inputType(1);
  int64_t rank = x.getRank();
  if (rank < 3 || !x.hasStaticShape() || idx.getShape() != x.getShape())
    return n.fail("needs a static input and indices of the same shape");
  if (n.hasInput(2))
    return n.fail("a run-time output_shape is not supported");
  auto kernel = n.intsAttr("kernel_shape");
  size_t spatial = rank - 2;
  if (!kernel || kernel->size() != spatial)
    return n.fail("kernel_shape needs one value per spatial dim");
  auto strides =
      n.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = n.intsAttr("pads").value_or(SmallVector<int64_t>(2 * spatial, 0));
  if (strides.size() != spatial || pads.size() != 2 * spatial)
    return n.fail("strides and pads need one (two) values per spatial dim");
  SmallVector<int64_t> outShape(x.getShape().take_front(2));
  for (size_t i = 0; i < spatial; ++i)
    outShape.push_back((x.getDimSize(i + 2) - 1) * strides[i] + (*kernel)[i] -
                       pads[i] - pads[i + spatial]);
  int64_t total = 1, count = x.getNumElements();
  for (int64_t d : outShape)
    total *= d;
  Type et = x.getElementType(), i64 = n.b.getI64Type();
  if (!isa<FloatType>(et))
    return n.fail("the input must be a float tensor");
  OpChain o{n};
  Value index = n.input(1);
  if (idx.getElementType() != i64)
    index = o.makeTyped<dl::CastOp>(RankedTensorType::get(idx.getShape(), i64),
                                    index);
  index = o.makeTyped<dl::ReshapeOp>(RankedTensorType::get({1, count}, i64),
                                     index, Value());
  Value values = o.makeTyped<dl::ReshapeOp>(
      RankedTensorType::get({1, count}, et), n.input(0), Value());
  auto flatType = RankedTensorType::get({1, total}, et);
  Value zeros =
      n.constant(DenseElementsAttr::get(flatType, n.b.getZeroAttr(et)));
  Value ones = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({1, count}, et), n.b.getFloatAttr(et, 1.0)));
  Value sum =
      o.make<dl::ScatterElementsAddOp>(zeros, index, values, int64_t(1));
  Value hits = o.make<dl::ScatterElementsAddOp>(zeros, index, ones, int64_t(1));
  Value result = o.div(sum, o.max(hits, o.c(1, et)));
  if (o.failed)
    return failure();
  return n.output(n.createTyped<dl::ReshapeOp>(
      RankedTensorType::get(outShape, et), result, Value()));
}

void dlc::onnx_frontend::registerScatterGatherOps(OpRegistry &r) {
  r["GridSample"] = importGridSample;
  r["MaxUnpool"] = importMaxUnpool;
  r["RoiAlign"] = importRoiAlign;
  r["TfIdfVectorizer"] = importTfIdfVectorizer;
  r["ScatterElements"] = importScatterElements;
  // Scatter (opset 9-10) is ScatterElements without reduction.
  r["Scatter"] = importScatterElements;
  r["ScatterND"] = importScatterND;
  r["GatherND"] = importGatherND;
}
