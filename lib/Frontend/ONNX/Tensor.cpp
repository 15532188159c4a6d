//===- Tensor.cpp - ONNX shape and data-movement ops ----------------------===//
//
// Shape-computing subgraphs (Shape -> Gather -> Concat -> Reshape, as PyTorch
// exports them) fold to constants here whenever the dims they read are
// static, so Reshape and Expand see constant shapes.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// Axes from an attribute (before `inputOpset`) or a constant input.
static FailureOr<std::optional<SmallVector<int64_t>>>
axesOperand(NodeImporter &n, StringRef name, unsigned inputIndex,
            int64_t inputOpset) {
  if (n.opset() < inputOpset)
    return n.intsAttr(name);
  if (!n.hasInput(inputIndex))
    return std::optional<SmallVector<int64_t>>();
  auto c = n.constantInts(inputIndex);
  if (!c)
    return (void)n.fail(name + " must be a constant"), failure();
  return std::optional<SmallVector<int64_t>>(*c);
}

/// A constant i64 result for folded shape arithmetic: 1-D, or `shape`.
static void setInts(NodeImporter &n, ArrayRef<int64_t> values,
                    std::optional<ArrayRef<int64_t>> shape = std::nullopt) {
  SmallVector<int64_t> dims =
      shape ? SmallVector<int64_t>(*shape)
            : SmallVector<int64_t>{(int64_t)values.size()};
  auto type = RankedTensorType::get(dims, n.b.getI64Type());
  n.setOutput(0, n.constant(DenseElementsAttr::get(type, values)));
}

/// What is known of a 1-D i64 shape value computed at run time: one entry
/// per element, the value where it is known at compile time, else
/// ShapedType::kDynamic. Follows the shape arithmetic exporters emit
/// (Shape -> Gather/Slice -> Unsqueeze -> Concat) through the dl ops the
/// importer made of it, so a Reshape or Expand keeps the static dims of a
/// shape whose other entries are known only at run time.
static std::optional<SmallVector<int64_t>> partialShapeValues(Value v,
                                                              int depth = 0) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t || t.getRank() > 1 || !t.hasStaticShape() || depth > 16 ||
      !t.getElementType().isInteger(64))
    return std::nullopt;
  int64_t len = t.getRank() == 0 ? 1 : t.getDimSize(0);
  DenseElementsAttr dense;
  if (matchPattern(v, m_Constant(&dense))) {
    SmallVector<int64_t> out;
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(x.getSExtValue());
    return out;
  }
  Operation *def = v.getDefiningOp();
  if (!def)
    return SmallVector<int64_t>(len, ShapedType::kDynamic);
  if (auto shapeOf = dyn_cast<dl::ShapeOfOp>(def))
    return SmallVector<int64_t>(shapeOf.getInput().getType().getShape());
  if (isa<dl::UnsqueezeOp, dl::SqueezeOp, dl::ReshapeOp>(def) &&
      def->getNumOperands() >= 1)
    if (auto in = partialShapeValues(def->getOperand(0), depth + 1);
        in && (int64_t)in->size() == len)
      return in;
  if (auto concat = dyn_cast<dl::ConcatOp>(def)) {
    SmallVector<int64_t> out;
    for (Value piece : concat.getInputs()) {
      auto p = partialShapeValues(piece, depth + 1);
      if (!p)
        return SmallVector<int64_t>(len, ShapedType::kDynamic);
      out.append(*p);
    }
    if ((int64_t)out.size() == len)
      return out;
  }
  if (auto gather = dyn_cast<dl::GatherOp>(def)) {
    DenseElementsAttr idx;
    auto data = partialShapeValues(gather.getInput(), depth + 1);
    if (data && matchPattern(gather.getIndices(), m_Constant(&idx))) {
      SmallVector<int64_t> out;
      for (const APInt &x : idx.getValues<APInt>()) {
        int64_t i = x.getSExtValue();
        if (i < 0)
          i += data->size();
        if (i < 0 || i >= (int64_t)data->size())
          return std::nullopt;
        out.push_back((*data)[i]);
      }
      if ((int64_t)out.size() == len)
        return out;
    }
  }
  return SmallVector<int64_t>(len, ShapedType::kDynamic);
}

static LogicalResult importReshape(NodeImporter &n) {
  auto in = n.inputType(0);
  auto target = n.constantInts(1);
  bool allowZero = n.intAttr("allowzero", 0) != 0;
  if (target)
    target = SmallVector<int64_t>(*target); // the loop below edits a copy
  const SmallVector<int64_t> requested =
      target ? *target : SmallVector<int64_t>();
  if (!target) {
    // A shape known only at run time: dl.reshape applies ONNX's 0 / -1
    // rules to it then. Only its length (the result rank) must be static.
    int64_t rank = n.inputType(1).getRank() == 1 ? n.inputType(1).getDimSize(0)
                                                 : ShapedType::kDynamic;
    if (ShapedType::isDynamic(rank))
      return n.fail("the target shape must have a static length");
    SmallVector<int64_t> dims(rank, ShapedType::kDynamic);
    // The entries known at compile time give static dims: Reshape(x,
    // Shape(y)) takes y's static dims, Concat(Unsqueeze(Gather(Shape(x))),
    // [1], [-1]) its constant ones; a 0 copies the input dim.
    if (auto known = partialShapeValues(n.input(1));
        known && (int64_t)known->size() == rank)
      for (auto [i, d] : llvm::enumerate(*known)) {
        if (d > 0 || (d == 0 && allowZero))
          dims[i] = d;
        else if (d == 0 && (int64_t)i < in.getRank())
          dims[i] = in.getDimSize(i);
      }
    auto type = RankedTensorType::get(dims, in.getElementType());
    return n.output(
        n.createTyped<dl::ReshapeOp>(type, n.input(0), n.input(1), allowZero));
  }
  SmallVector<int64_t> shape;
  int64_t inferIndex = -1, known = 1;
  for (auto [i, d] : llvm::enumerate(*target)) {
    if (d == 0 && !allowZero) {
      if (i >= static_cast<size_t>(in.getRank()))
        return n.fail("shape value 0 copies dim " + Twine(i) +
                      ", which the input does not have");
      d = in.getDimSize(i);
      if (ShapedType::isDynamic(d)) {
        // A copied dynamic dim: known at run time only.
        known = ShapedType::kDynamic;
        shape.push_back(d);
        continue;
      }
    }
    if (d == -1) {
      if (inferIndex >= 0)
        return n.fail("the shape has more than one -1");
      inferIndex = i;
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    if (d < -1)
      return n.fail("shape value " + Twine(d) + " is invalid");
    if (ShapedType::isDynamic(d))
      known = ShapedType::kDynamic;
    else if (!ShapedType::isDynamic(known))
      known *= d;
    shape.push_back(d);
  }
  int64_t total = dl::shapeProduct(in.getShape());
  // Dynamic input dims copied in place by 0 cancel out of the -1: what is
  // left is static (reshape 0 on Nx4x2 to {0, -1} gives Nx8).
  bool dynamicsCopied = true;
  int64_t staticTotal = 1, staticKnown = 1;
  for (int64_t i = 0; i < in.getRank(); ++i) {
    bool copied = !allowZero && i < static_cast<int64_t>(requested.size()) &&
                  requested[i] == 0;
    if (ShapedType::isDynamic(in.getDimSize(i)))
      dynamicsCopied &= copied;
    else if (!copied)
      staticTotal *= in.getDimSize(i);
  }
  for (auto [i, d] : llvm::enumerate(requested)) {
    bool copied = !allowZero && d == 0 && i < (size_t)in.getRank();
    if (!copied && d != -1)
      staticKnown *= d;
  }
  if (inferIndex >= 0 && !ShapedType::isDynamic(total) &&
      !ShapedType::isDynamic(known)) {
    if (known == 0 || total % known != 0)
      return n.fail("cannot reshape " + dl::shapeToString(in.getShape()) +
                    " to " + dl::shapeToString(shape));
    shape[inferIndex] = total / known;
  } else if (inferIndex >= 0 && dynamicsCopied && staticKnown != 0 &&
             staticTotal % staticKnown == 0) {
    shape[inferIndex] = staticTotal / staticKnown;
  }
  auto type = RankedTensorType::get(shape, in.getElementType());
  if (type.getNumDynamicDims() > 1)
    return n.fail("reshape to " + dl::shapeToString(shape) +
                  " leaves more than one dim unknown; pin dynamic inputs "
                  "with --input-shape");
  return n.output(n.createTyped<dl::ReshapeOp>(type, n.input(0), Value()));
}

static LogicalResult importSlice(NodeImporter &n) {
  SmallVector<int64_t> starts, ends;
  std::optional<SmallVector<int64_t>> axes, steps;
  if (n.opset() < 10) {
    starts = n.intsAttr("starts").value_or(SmallVector<int64_t>());
    ends = n.intsAttr("ends").value_or(SmallVector<int64_t>());
    axes = n.intsAttr("axes");
  } else {
    auto s = n.constantInts(1), e = n.constantInts(2);
    if (!s || !e)
      return n.fail("starts and ends must be constants");
    starts = *s;
    ends = *e;
    if (n.hasInput(3)) {
      if (!(axes = n.constantInts(3)))
        return n.fail("axes must be a constant");
    }
    if (n.hasInput(4)) {
      if (!(steps = n.constantInts(4)))
        return n.fail("steps must be a constant");
    }
  }
  // A constant 1-D input (a shape) slices right here.
  auto data = n.constantInts(0);
  if (data && n.inputType(0).getRank() == 1 && starts.size() == 1) {
    int64_t dim = data->size(), step = steps ? (*steps)[0] : 1;
    int64_t s = starts[0], e = ends[0];
    if (s < 0)
      s += dim;
    if (e < 0)
      e += dim;
    SmallVector<int64_t> out;
    if (step > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      for (int64_t i = s; i < e; i += step)
        out.push_back((*data)[i]);
    } else if (step < 0) {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      for (int64_t i = s; i > e; i += step)
        out.push_back((*data)[i]);
    }
    if (step != 0 && n.inputType(0).getElementType().isInteger(64)) {
      setInts(n, out);
      return success();
    }
  }
  return n.output(n.create<dl::SliceOp>(
      n.input(0), starts, ends, axes ? n.i64s(*axes) : DenseI64ArrayAttr(),
      steps ? n.i64s(*steps) : DenseI64ArrayAttr()));
}

static LogicalResult importSplit(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t axis = n.intAttr("axis", 0);
  int64_t rank = in.getRank();
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    return n.fail("axis " + Twine(axis) + " is out of range");
  SmallVector<int64_t> sizes;
  if (n.opset() < 13) {
    sizes = n.intsAttr("split").value_or(SmallVector<int64_t>());
  } else if (n.hasInput(1)) {
    auto c = n.constantInts(1);
    if (!c)
      return n.fail("split sizes must be a constant");
    sizes = *c;
  }
  if (sizes.empty()) {
    int64_t parts =
        n.hasAttr("num_outputs") ? n.intAttr("num_outputs", 1) : n.numOutputs();
    int64_t dim = in.getDimSize(a);
    if (ShapedType::isDynamic(dim))
      return n.fail("splitting a dynamic dim needs explicit sizes");
    int64_t chunk = (dim + parts - 1) / parts;
    for (int64_t i = 0; i < parts; ++i)
      sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
  }
  auto r = n.createAll<dl::SplitOp>(sizes.size(), n.input(0), axis, sizes);
  if (failed(r))
    return failure();
  for (auto [i, v] : llvm::enumerate(*r))
    n.setOutput(i, v);
  return success();
}

static LogicalResult importGather(NodeImporter &n) {
  int64_t axis = n.intAttr("axis", 0);
  auto indices = n.constantInts(1);
  // Gathering from a shape: fold when the dims read are static.
  if (indices && axis == 0 && n.inputType(0).getRank() == 1 &&
      n.inputType(0).getElementType().isInteger(64)) {
    std::optional<SmallVector<int64_t>> data = n.constantInts(0);
    if (!data)
      if (auto shapeOf = n.input(0).getDefiningOp<dl::ShapeOfOp>()) {
        auto dims = shapeOf.getInput().getType().getShape();
        data = SmallVector<int64_t>(dims);
      }
    if (data) {
      SmallVector<int64_t> out;
      bool allStatic = true;
      for (int64_t i : *indices) {
        int64_t idx = i < 0 ? i + data->size() : i;
        if (idx < 0 || idx >= (int64_t)data->size())
          return n.fail("index " + Twine(i) + " is out of range");
        allStatic &= !ShapedType::isDynamic((*data)[idx]);
        out.push_back((*data)[idx]);
      }
      if (allStatic && n.inputType(1).hasStaticShape()) {
        setInts(n, out, n.inputType(1).getShape());
        return success();
      }
    }
  }
  return n.output(n.create<dl::GatherOp>(n.input(0), n.input(1), axis));
}

static LogicalResult importConcat(NodeImporter &n) {
  // Concatenating constant shapes folds.
  SmallVector<int64_t> folded;
  bool allConstant = true;
  for (unsigned i = 0; i < n.numInputs() && allConstant; ++i) {
    auto c = n.constantInts(i);
    allConstant = c && n.inputType(i).getRank() == 1 &&
                  n.inputType(i).getElementType().isInteger(64);
    if (allConstant)
      folded.append(c->begin(), c->end());
  }
  if (allConstant && n.numInputs() > 0) {
    setInts(n, folded);
    return success();
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < n.numInputs(); ++i)
    inputs.push_back(n.input(i));
  return n.output(
      n.create<dl::ConcatOp>(ValueRange(inputs), n.intAttr("axis", 0)));
}

static LogicalResult importExpand(NodeImporter &n) {
  auto in = n.inputType(0);
  auto shape = n.constantInts(1);
  if (!shape) {
    // A shape known only at run time: a static input dim other than 1
    // stays (the shape's value there must be 1 or equal); the others take
    // their size from the shape.
    auto st = n.inputType(1);
    if (st.getRank() != 1 || st.isDynamicDim(0))
      return n.fail("a target shape known only at run time must be 1-D "
                    "with a static length");
    int64_t rank = std::max<int64_t>(st.getDimSize(0), in.getRank());
    int64_t offset = rank - in.getRank();
    SmallVector<int64_t> dims(rank, ShapedType::kDynamic);
    auto known = partialShapeValues(n.input(1));
    for (int64_t d = 0; d < rank; ++d) {
      int64_t i = d >= offset ? in.getDimSize(d - offset) : 1;
      int64_t k = known && (int64_t)known->size() == rank
                      ? (*known)[d]
                      : ShapedType::kDynamic;
      if (!ShapedType::isDynamic(i) && i != 1)
        dims[d] = i;
      else if (!ShapedType::isDynamic(k) && k > 1)
        dims[d] = k;
      else if (i == 1 && k == 1)
        dims[d] = 1;
    }
    if (rank != st.getDimSize(0))
      return n.fail("a target shape known only at run time must have at "
                    "least the input's rank");
    return n.output(n.createTyped<dl::ExpandOp>(
        RankedTensorType::get(dims, in.getElementType()), n.input(0),
        n.input(1)));
  }
  // ONNX Expand broadcasts both ways: a 1 in the shape keeps the input dim.
  auto b = dl::broadcastShapes(in.getShape(), *shape);
  if (failed(b))
    return n.fail("cannot broadcast " + dl::shapeToString(in.getShape()) +
                  " to " + dl::shapeToString(*shape));
  return n.output(n.createTyped<dl::ExpandOp>(
      RankedTensorType::get(*b, in.getElementType()), n.input(0), Value()));
}

static LogicalResult importPad(NodeImporter &n) {
  std::string mode = n.stringAttr("mode", "constant");
  dl::PadMode padMode;
  if (mode == "constant")
    padMode = dl::PadMode::constant;
  else if (mode == "reflect")
    padMode = dl::PadMode::reflect;
  else if (mode == "edge")
    padMode = dl::PadMode::edge;
  else
    return n.fail("mode '" + mode + "' is not supported");
  int64_t rank = n.inputType(0).getRank();
  SmallVector<int64_t> pads;
  double value = 0;
  if (n.opset() < 11) {
    pads = n.intsAttr("pads").value_or(SmallVector<int64_t>());
    value = n.floatAttr("value", 0);
  } else {
    auto p = n.constantInts(1);
    if (!p)
      return n.fail("pads must be a constant");
    pads = *p;
    if (n.hasInput(2)) {
      auto v = n.constantFloats(2);
      if (!v || v->size() != 1)
        return n.fail("constant_value must be a constant scalar");
      value = (*v)[0];
    }
    if (n.hasInput(3)) {
      auto axes = n.constantInts(3);
      if (!axes)
        return n.fail("axes must be a constant");
      SmallVector<int64_t> full(2 * rank, 0);
      size_t k = axes->size();
      if (pads.size() != 2 * k)
        return n.fail("pads must have two values per axis");
      for (size_t i = 0; i < k; ++i) {
        int64_t a = (*axes)[i] < 0 ? (*axes)[i] + rank : (*axes)[i];
        full[a] = pads[i];
        full[a + rank] = pads[i + k];
      }
      pads = full;
    }
  }
  return n.output(
      n.create<dl::PadOp>(n.input(0), pads, padMode, APFloat(value)));
}

static LogicalResult importResize(NodeImporter &n) {
  std::string mode = n.stringAttr("mode", "nearest");
  if (mode != "nearest" && mode != "linear")
    return n.fail("mode '" + mode + "' is not supported (nearest, linear)");
  if (n.intAttr("antialias", 0) != 0)
    return n.fail("antialias=1 is not supported");
  if (n.hasAttr("axes"))
    return n.fail("the axes attribute is not supported");
  // Opset < 11 Resize (even after conversion) is asymmetric and floors.
  bool legacy =
      n.opset() < 11 || n.state.legacyResizeOutputs.count(n.node.output(0));
  std::string ctm = n.stringAttr("coordinate_transformation_mode",
                                 legacy ? "asymmetric" : "half_pixel");
  std::string nearest =
      n.stringAttr("nearest_mode", legacy ? "floor" : "round_prefer_floor");
  auto ct = dl::symbolizeCoordinateTransform(ctm);
  auto nm = dl::symbolizeNearestMode(nearest);
  if (!ct)
    return n.fail("coordinate_transformation_mode '" + ctm +
                  "' is not supported");
  if (!nm)
    return n.fail("nearest_mode '" + nearest + "' is not supported");
  unsigned scalesIdx = n.opset() < 11 ? 1 : 2, sizesIdx = 3;
  auto scales = n.hasInput(scalesIdx) ? n.constantFloats(scalesIdx)
                                      : std::optional<SmallVector<double>>();
  auto sizes = n.hasInput(sizesIdx) ? n.constantInts(sizesIdx)
                                    : std::optional<SmallVector<int64_t>>();
  DenseF64ArrayAttr scalesAttr;
  DenseI64ArrayAttr sizesAttr;
  if (scales && !scales->empty())
    scalesAttr = n.b.getDenseF64ArrayAttr(*scales);
  else if (sizes && !sizes->empty())
    sizesAttr = n.i64s(*sizes);
  else
    return n.fail("scales or sizes must be a non-empty constant");
  return n.output(n.create<dl::ResizeOp>(
      n.input(0), scalesAttr, sizesAttr,
      mode == "nearest" ? dl::ResizeMode::nearest : dl::ResizeMode::linear, *ct,
      *nm));
}

/// DepthToSpace and SpaceToDepth: a reshape, a transpose and a reshape on
/// static N x C x H x W.
static LogicalResult importDepthSpace(NodeImporter &n, bool toSpace) {
  auto in = n.inputType(0);
  int64_t bs = n.intAttr("blocksize", 0);
  if (in.getRank() != 4 || !in.hasStaticShape() || bs < 1)
    return n.fail("needs a static 4-D input and blocksize >= 1");
  int64_t N = in.getDimSize(0), C = in.getDimSize(1), H = in.getDimSize(2),
          W = in.getDimSize(3);
  Type et = in.getElementType();
  SmallVector<int64_t> s1, perm, s3;
  if (toSpace) {
    if (C % (bs * bs))
      return n.fail("channels are not divisible by blocksize^2");
    bool crd = n.stringAttr("mode", "DCR") == "CRD";
    if (crd) {
      s1 = {N, C / (bs * bs), bs, bs, H, W};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      s1 = {N, bs, bs, C / (bs * bs), H, W};
      perm = {0, 3, 4, 1, 5, 2};
    }
    s3 = {N, C / (bs * bs), H * bs, W * bs};
  } else {
    if (H % bs || W % bs)
      return n.fail("height and width are not divisible by blocksize");
    s1 = {N, C, H / bs, bs, W / bs, bs};
    perm = {0, 3, 5, 1, 2, 4};
    s3 = {N, C * bs * bs, H / bs, W / bs};
  }
  auto a = n.createTyped<dl::ReshapeOp>(RankedTensorType::get(s1, et),
                                        n.input(0), Value());
  if (failed(a))
    return failure();
  auto b = n.create<dl::TransposeOp>(*a, perm);
  if (failed(b))
    return failure();
  return n.output(
      n.createTyped<dl::ReshapeOp>(RankedTensorType::get(s3, et), *b, Value()));
}

/// Trilu keeps the elements with col - row >= k (upper) or <= k (lower) of
/// the last two dims and zeroes the rest: a mask from two ranges, applied
/// with select. k may be a run-time value.
static LogicalResult importTrilu(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  if (rank < 2 || in.isDynamicDim(rank - 1) || in.isDynamicDim(rank - 2))
    return n.fail("the last two dims must be static");
  int64_t rows = in.getDimSize(rank - 2), cols = in.getDimSize(rank - 1);
  auto i64 = n.b.getI64Type();
  auto iota = [&](int64_t count, ArrayRef<int64_t> shape) {
    SmallVector<int64_t> values(count);
    for (int64_t i = 0; i < count; ++i)
      values[i] = i;
    return n.constant(DenseElementsAttr::get(RankedTensorType::get(shape, i64),
                                             ArrayRef<int64_t>(values)));
  };
  Value r = iota(rows, {rows, 1}), c = iota(cols, {1, cols});
  auto diff = n.create<dl::SubOp>(c, r);
  if (failed(diff))
    return failure();
  Value k = n.hasInput(1) ? n.input(1) : n.constantI64({0});
  if (n.hasInput(1) && n.inputType(1).getElementType() != i64)
    return n.fail("k must be int64");
  bool upper = n.intAttr("upper", 1) != 0;
  auto mask = upper ? n.create<dl::GreaterEqualOp>(*diff, k)
                    : n.create<dl::LessEqualOp>(*diff, k);
  if (failed(mask))
    return failure();
  auto zero = n.scalar(0, in.getElementType());
  return n.output(n.create<dl::SelectOp>(*mask, n.input(0), zero));
}

/// EyeLike: a constant of the input's (static) 2-D shape, ones on diagonal k.
static LogicalResult importEyeLike(NodeImporter &n) {
  auto in = n.inputType(0);
  if (in.getRank() != 2 || !in.hasStaticShape())
    return n.fail("the input must be a static 2-D tensor");
  Type et = in.getElementType();
  if (n.hasAttr("dtype")) {
    int64_t dtype = n.intAttr("dtype", 0);
    et = convertElementType(n.b.getContext(), static_cast<int32_t>(dtype));
    if (!et)
      return n.fail("dtype " + Twine(dtype) + " is not supported");
  }
  int64_t k = n.intAttr("k", 0), rows = in.getDimSize(0),
          cols = in.getDimSize(1);
  auto type = RankedTensorType::get({rows, cols}, et);
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) {
      int64_t v = j - i == k ? 1 : 0;
      if (auto ft = dyn_cast<FloatType>(et))
        values.push_back(FloatAttr::get(ft, double(v)));
      else
        values.push_back(
            IntegerAttr::get(et, APInt(et.getIntOrFloatBitWidth(), v)));
    }
  n.setOutput(0, n.constant(DenseElementsAttr::get(type, values)));
  return success();
}

/// ReverseSequence: along time_axis, the first sequence_lens[b] elements of
/// batch b in reverse order, the rest as they are. A GatherElements whose
/// time index is t < len ? len - 1 - t : t.
static LogicalResult importReverseSequence(NodeImporter &n) {
  auto x = n.inputType(0);
  int64_t rank = x.getRank();
  int64_t batchAxis = n.intAttr("batch_axis", 1);
  int64_t timeAxis = n.intAttr("time_axis", 0);
  if (rank < 2 || !x.hasStaticShape())
    return n.fail("the input must have rank 2 or more and a static shape");
  if ((batchAxis != 0 && batchAxis != 1) || (timeAxis != 0 && timeAxis != 1) ||
      batchAxis == timeAxis)
    return n.fail("batch_axis and time_axis must be 0 and 1 in some order");
  Type i64 = n.b.getI64Type();
  auto along = [&](int64_t axis, int64_t size) {
    SmallVector<int64_t> shape(rank, 1);
    shape[axis] = size;
    return RankedTensorType::get(shape, i64);
  };
  int64_t steps = x.getDimSize(timeAxis), batch = x.getDimSize(batchAxis);
  SmallVector<int64_t> iota(steps);
  for (int64_t i = 0; i < steps; ++i)
    iota[i] = i;
  Value t = n.constant(
      DenseElementsAttr::get(along(timeAxis, steps), ArrayRef<int64_t>(iota)));
  auto lt = n.inputType(1);
  if (lt.getRank() != 1 || lt.getDimSize(0) != batch)
    return n.fail("sequence_lens must have one value per batch entry (" +
                  Twine(batch) + ")");
  FailureOr<Value> lens = n.input(1);
  if (lt.getElementType() != i64)
    lens = n.createTyped<dl::CastOp>(RankedTensorType::get({batch}, i64),
                                     n.input(1));
  if (failed(lens))
    return failure();
  lens = n.createTyped<dl::ReshapeOp>(along(batchAxis, batch), *lens, Value());
  if (failed(lens))
    return failure();
  auto last = n.create<dl::SubOp>(*lens, n.scalar(1, i64));
  if (failed(last))
    return failure();
  auto reversed = n.create<dl::SubOp>(*last, t);
  auto inside = n.create<dl::LessOp>(t, *lens);
  if (failed(reversed) || failed(inside))
    return failure();
  auto index = n.create<dl::SelectOp>(*inside, *reversed, t);
  if (failed(index))
    return failure();
  auto full = n.createTyped<dl::ExpandOp>(
      RankedTensorType::get(x.getShape(), i64), *index, Value());
  if (failed(full))
    return failure();
  return n.output(n.create<dl::GatherElementsOp>(n.input(0), *full, timeAxis));
}

void dlc::onnx_frontend::registerTensorOps(OpRegistry &r) {
  r["EyeLike"] = importEyeLike;
  r["Trilu"] = importTrilu;
  r["DepthToSpace"] = [](NodeImporter &n) { return importDepthSpace(n, true); };
  r["SpaceToDepth"] = [](NodeImporter &n) {
    return importDepthSpace(n, false);
  };
  r["Reshape"] = importReshape;
  r["Slice"] = importSlice;
  r["Split"] = importSplit;
  r["Gather"] = importGather;
  r["Concat"] = importConcat;
  r["Expand"] = importExpand;
  r["Pad"] = importPad;
  r["Resize"] = importResize;
  r["Flatten"] = [](NodeImporter &n) {
    return n.output(n.create<dl::FlattenOp>(n.input(0), n.intAttr("axis", 1)));
  };
  r["Transpose"] = [](NodeImporter &n) {
    int64_t rank = n.inputType(0).getRank();
    SmallVector<int64_t> perm;
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
    perm = n.intsAttr("perm").value_or(perm);
    return n.output(n.create<dl::TransposeOp>(n.input(0), perm));
  };
  r["Squeeze"] = [](NodeImporter &n) -> LogicalResult {
    auto axes = axesOperand(n, "axes", 1, 13);
    if (failed(axes))
      return failure();
    return n.output(n.create<dl::SqueezeOp>(
        n.input(0), axes->value_or(SmallVector<int64_t>())));
  };
  r["Unsqueeze"] = [](NodeImporter &n) -> LogicalResult {
    auto axes = axesOperand(n, "axes", 1, 13);
    if (failed(axes))
      return failure();
    if (!*axes)
      return n.fail("axes are required");
    return n.output(n.create<dl::UnsqueezeOp>(n.input(0), **axes));
  };
  r["ReverseSequence"] = importReverseSequence;
  r["GatherElements"] = [](NodeImporter &n) {
    return n.output(n.create<dl::GatherElementsOp>(n.input(0), n.input(1),
                                                   n.intAttr("axis", 0)));
  };
  r["Tile"] = [](NodeImporter &n) -> LogicalResult {
    auto repeats = n.constantInts(1);
    if (!repeats)
      return n.fail("repeats must be a constant");
    return n.output(n.create<dl::TileOp>(n.input(0), *repeats));
  };
  r["Shape"] = [](NodeImporter &n) -> LogicalResult {
    int64_t rank = n.inputType(0).getRank();
    int64_t start = n.intAttr("start", 0), end = n.intAttr("end", rank);
    // The dims read, clamped as ONNX does; static ones fold right here.
    int64_t s = std::clamp<int64_t>(start < 0 ? start + rank : start, 0, rank);
    int64_t e = std::clamp<int64_t>(end < 0 ? end + rank : end, 0, rank);
    ArrayRef<int64_t> dims = n.inputType(0).getShape();
    ArrayRef<int64_t> read = s < e ? dims.slice(s, e - s) : ArrayRef<int64_t>();
    if (llvm::none_of(read, ShapedType::isDynamic)) {
      setInts(n, read);
      return success();
    }
    auto shapeOf = n.create<dl::ShapeOfOp>(n.input(0));
    if (failed(shapeOf))
      return failure();
    if (start == 0 && end >= rank) {
      n.setOutput(0, *shapeOf);
      return success();
    }
    return n.output(n.create<dl::SliceOp>(
        *shapeOf, ArrayRef<int64_t>{start}, ArrayRef<int64_t>{end},
        DenseI64ArrayAttr(), DenseI64ArrayAttr()));
  };
  r["Size"] = [](NodeImporter &n) -> LogicalResult {
    int64_t count = dl::shapeProduct(n.inputType(0).getShape());
    if (ShapedType::isDynamic(count))
      return n.fail("Size of a tensor with dynamic dims is not supported");
    setInts(n, {count}, ArrayRef<int64_t>{});
    return success();
  };
  r["ConstantOfShape"] = [](NodeImporter &n) -> LogicalResult {
    auto shape = n.constantInts(0);
    auto st = n.inputType(0);
    if (!shape && (st.getRank() != 1 || st.isDynamicDim(0)))
      return n.fail("a shape known only at run time must be 1-D with a "
                    "static length");
    Type et = n.b.getF32Type();
    double value = 0;
    if (const auto *v = n.attr("value")) {
      et = convertElementType(n.b.getContext(), v->t().data_type());
      if (!et)
        return n.fail("unsupported value type");
      const auto &t = v->t();
      if (t.has_raw_data()) {
        const std::string &raw = t.raw_data();
        if (et.isF32() && raw.size() == 4)
          value = *reinterpret_cast<const float *>(raw.data());
        else if (et.isF64() && raw.size() == 8)
          value = *reinterpret_cast<const double *>(raw.data());
        else if (et.isInteger(64) && raw.size() == 8)
          value = *reinterpret_cast<const int64_t *>(raw.data());
        else if (et.isInteger(32) && raw.size() == 4)
          value = *reinterpret_cast<const int32_t *>(raw.data());
        else if ((et.isInteger(1) || et.isInteger(8)) && raw.size() == 1)
          value = static_cast<int8_t>(raw[0]);
        else
          return n.fail("unsupported value encoding");
      } else if (t.float_data_size()) {
        value = t.float_data(0);
      } else if (t.int64_data_size()) {
        value = t.int64_data(0);
      } else if (t.int32_data_size()) {
        value = t.int32_data(0);
      } else if (t.double_data_size()) {
        value = t.double_data(0);
      }
    }
    Attribute splat;
    if (auto ft = dyn_cast<FloatType>(et))
      splat = n.b.getFloatAttr(ft, value);
    else
      splat = n.b.getIntegerAttr(et, static_cast<int64_t>(value));
    if (!shape) {
      // A run-time shape: the scalar broadcast to it (dims all dynamic).
      auto scalarType = RankedTensorType::get({}, et);
      SmallVector<int64_t> dims(st.getDimSize(0), ShapedType::kDynamic);
      if (auto known = partialShapeValues(n.input(0));
          known && known->size() == dims.size())
        for (auto [i, d] : llvm::enumerate(*known))
          if (d >= 0)
            dims[i] = d;
      return n.output(n.createTyped<dl::ExpandOp>(
          RankedTensorType::get(dims, et),
          n.constant(DenseElementsAttr::get(scalarType, splat)), n.input(0)));
    }
    auto type = RankedTensorType::get(*shape, et);
    n.setOutput(0, n.constant(DenseElementsAttr::get(type, splat)));
    return success();
  };
  r["Range"] = [](NodeImporter &n) -> LogicalResult {
    auto s = n.constantFloats(0), l = n.constantFloats(1),
         d = n.constantFloats(2);
    int64_t len = ShapedType::kDynamic;
    if (s && l && d && (*d)[0] != 0)
      len = std::max<int64_t>(
          0, static_cast<int64_t>(std::ceil(((*l)[0] - (*s)[0]) / (*d)[0])));
    return n.output(n.createTyped<dl::RangeOp>(
        RankedTensorType::get({len}, n.inputType(0).getElementType()),
        n.input(0), n.input(1), n.input(2)));
  };
  r["OneHot"] = [](NodeImporter &n) -> LogicalResult {
    auto depth = n.constantFloats(1);
    auto values = n.constantFloats(2);
    if (!depth || depth->size() != 1 || !values || values->size() != 2)
      return n.fail("depth and values must be constants");
    return n.output(n.create<dl::OneHotOp>(
        n.input(0), static_cast<int64_t>((*depth)[0]), n.intAttr("axis", -1),
        APFloat((*values)[0]), APFloat((*values)[1]),
        n.inputType(2).getElementType()));
  };
}
