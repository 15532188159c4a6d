//===- Tensor.cpp - ONNX shape and data-movement ops ----------------------===//
//
// Shape-computing subgraphs (Shape -> Gather -> Concat -> Reshape, as PyTorch
// exports them) fold to constants here whenever the dims they read are
// static, so Reshape and Expand see constant shapes.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/CheckedArithmetic.h"

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

/// Input `i`, a 1-D list of axes, bounds or sizes known only at run time,
/// as i64 with a static length (the dynamic ops' lowerings read each
/// entry); fails naming `what` otherwise.
static FailureOr<Value> runtimeList(NodeImporter &n, unsigned i,
                                    StringRef what) {
  auto t = n.inputType(i);
  if (t.getRank() != 1 || t.isDynamicDim(0))
    return (void)n.fail(what + " known only at run time must be 1-D with a "
                               "static length"),
           failure();
  Type i64 = n.b.getI64Type();
  if (t.getElementType() == i64)
    return n.input(i);
  if (!t.getElementType().isInteger(32))
    return (void)n.fail(what + " must be int32 or int64"), failure();
  return n.createTyped<dl::CastOp>(RankedTensorType::get(t.getShape(), i64),
                                   n.input(i));
}

/// A 1-D i64 constant.
static Value i64List(NodeImporter &n, ArrayRef<int64_t> values) {
  return n.constantI64(values);
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

/// Slice whose starts, ends, axes or steps are known only at run time:
/// dl.dynamic_slice, every list given (axes 0..k-1 and steps 1 by default).
/// With constant axes the dims not sliced keep their size.
static LogicalResult importDynamicSlice(NodeImporter &n) {
  auto starts = runtimeList(n, 1, "starts");
  auto ends = runtimeList(n, 2, "ends");
  if (failed(starts) || failed(ends))
    return failure();
  int64_t k = n.inputType(1).getDimSize(0);
  if (n.inputType(2).getDimSize(0) != k)
    return n.fail("starts and ends differ in length");
  auto in = n.inputType(0);
  SmallVector<int64_t> dims(in.getRank(), ShapedType::kDynamic);
  FailureOr<Value> axes, steps;
  if (n.hasInput(3)) {
    axes = runtimeList(n, 3, "axes");
    if (auto c = n.constantInts(3)) {
      dims.assign(in.getShape().begin(), in.getShape().end());
      for (int64_t a : *c) {
        if (a < -in.getRank() || a >= in.getRank())
          return n.fail("axis " + Twine(a) + " is out of range");
        dims[a < 0 ? a + in.getRank() : a] = ShapedType::kDynamic;
      }
    }
  } else {
    SmallVector<int64_t> iota(k);
    for (int64_t i = 0; i < k; ++i)
      iota[i] = i;
    axes = i64List(n, iota);
    dims.assign(in.getShape().begin(), in.getShape().end());
    for (int64_t i = 0; i < k && i < in.getRank(); ++i)
      dims[i] = ShapedType::kDynamic;
  }
  steps = n.hasInput(4)
              ? runtimeList(n, 4, "steps")
              : FailureOr<Value>(i64List(n, SmallVector<int64_t>(k, 1)));
  if (failed(axes) || failed(steps))
    return failure();
  return n.output(n.createTyped<dl::DynamicSliceOp>(
      RankedTensorType::get(dims, in.getElementType()), n.input(0), *starts,
      *ends, *axes, *steps));
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
    if (n.hasInput(3))
      axes = n.constantInts(3);
    if (n.hasInput(4))
      steps = n.constantInts(4);
    if (!s || !e || (n.hasInput(3) && !axes) || (n.hasInput(4) && !steps))
      return importDynamicSlice(n);
    starts = *s;
    ends = *e;
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
    if (!c) {
      // Sizes known only at run time: dl.dynamic_split checks them then.
      auto list = runtimeList(n, 1, "split sizes");
      if (failed(list))
        return failure();
      if (n.inputType(1).getDimSize(0) != (int64_t)n.numOutputs())
        return n.fail("split sizes must have one entry per output");
      auto r = n.createAll<dl::DynamicSplitOp>(n.numOutputs(), n.input(0),
                                               *list, axis);
      if (failed(r))
        return failure();
      for (auto [i, v] : llvm::enumerate(*r))
        n.setOutput(i, v);
      return success();
    }
    sizes = *c;
  }
  if (sizes.empty()) {
    int64_t parts =
        n.hasAttr("num_outputs") ? n.intAttr("num_outputs", 1) : n.numOutputs();
    if (parts < 1 || parts != static_cast<int64_t>(n.numOutputs()))
      return n.fail("num_outputs is " + std::to_string(parts) +
                    " but the node has " + std::to_string(n.numOutputs()) +
                    " outputs");
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

/// Pad whose pads or constant_value are known only at run time:
/// dl.dynamic_pad. Constant axes (opset 18) place the pads given into the
/// full [begin..., end...] list with a gather.
static LogicalResult importDynamicPad(NodeImporter &n, dl::PadMode mode) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  auto pads = runtimeList(n, 1, "pads");
  if (failed(pads))
    return failure();
  int64_t count = n.inputType(1).getDimSize(0);
  if (n.hasInput(3)) {
    auto axes = n.constantInts(3);
    if (!axes)
      return n.fail("axes known only at run time are not supported");
    int64_t k = axes->size();
    if (count != 2 * k)
      return n.fail("pads must have two values per axis");
    // Entry 2k of the extended list is 0: the axes not listed.
    SmallVector<int64_t> pick(2 * rank, 2 * k);
    for (int64_t i = 0; i < k; ++i) {
      int64_t a = (*axes)[i];
      if (a < -rank || a >= rank)
        return n.fail("axis " + Twine(a) + " is out of range");
      a = a < 0 ? a + rank : a;
      pick[a] = i;
      pick[a + rank] = i + k;
    }
    auto ext = n.create<dl::ConcatOp>(ValueRange{*pads, i64List(n, {0})}, 0);
    if (failed(ext))
      return failure();
    pads = n.create<dl::GatherOp>(*ext, i64List(n, pick), 0);
    if (failed(pads))
      return failure();
  } else if (count != 2 * rank) {
    return n.fail("pads must have " + Twine(2 * rank) + " values");
  }
  Value value = n.scalar(0, in.getElementType());
  if (n.hasInput(2)) {
    if (n.inputType(2).getElementType() != in.getElementType())
      return n.fail("constant_value must have the input's element type");
    value = n.input(2);
  }
  SmallVector<int64_t> dims(rank, ShapedType::kDynamic);
  if (auto p = n.constantInts(1); p && !n.hasInput(3))
    for (int64_t d = 0; d < rank; ++d)
      if (!in.isDynamicDim(d))
        dims[d] = in.getDimSize(d) + (*p)[d] + (*p)[d + rank];
  return n.output(n.createTyped<dl::DynamicPadOp>(
      RankedTensorType::get(dims, in.getElementType()), n.input(0), *pads,
      value, dl::PadModeAttr::get(n.b.getContext(), mode)));
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
    bool constValue = !n.hasInput(2) || n.constantFloats(2);
    if (!p || !constValue)
      return importDynamicPad(n, padMode);
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

/// Resize composed of dl ops: for scales or sizes known only at run time,
/// and for what dl.resize does not do (cubic, the tf_* coordinate
/// transforms). Nearest, linear and cubic resizing are separable: one pass
/// per dim, each a dl.range over the output positions mapped back to input
/// coordinates by the transform (in f64, as the dl.resize lowering computes
/// them), rounded (nearest) or split into neighbours and weights (linear:
/// 2, cubic: 4, edge-clamped, or dropped and renormalized with
/// exclude_outside), and read with dl.gather. tf_crop_and_resize puts
/// extrapolation_value where a coordinate falls outside the input. The
/// output dims are dynamic.
static LogicalResult importComposedResize(NodeImporter &n, StringRef mode,
                                          StringRef ctm, dl::NearestMode nm,
                                          unsigned scalesIdx,
                                          unsigned sizesIdx) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank();
  bool useScales =
      n.hasInput(scalesIdx) && !(n.inputType(scalesIdx).getRank() == 1 &&
                                 n.inputType(scalesIdx).getDimSize(0) == 0);
  unsigned listIdx = useScales ? scalesIdx : sizesIdx;
  if (!n.hasInput(listIdx))
    return n.fail("scales or sizes must be given");
  auto lt = n.inputType(listIdx);
  if (lt.getRank() != 1 || lt.getDimSize(0) != rank)
    return n.fail(Twine(useScales ? "scales" : "sizes") +
                  " must have one value per dim (" + Twine(rank) + ")");
  bool crop = ctm == "tf_crop_and_resize";
  if (crop && (!n.hasInput(1) || n.inputType(1).getRank() != 1 ||
               n.inputType(1).getDimSize(0) != 2 * rank))
    return n.fail("tf_crop_and_resize needs an roi of " + Twine(2 * rank) +
                  " values");
  Type et = in.getElementType(), f64 = n.b.getF64Type(), i64 = n.b.getI64Type();
  auto vec = [&](Type t, int64_t len = 1) {
    return RankedTensorType::get({len}, t);
  };
  constexpr int64_t dyn = ShapedType::kDynamic;
  OpChain o{n};
  Value list = o.makeTyped<dl::CastOp>(vec(useScales ? f64 : i64, rank),
                                       n.input(listIdx));
  Value roi =
      crop ? o.makeTyped<dl::CastOp>(vec(f64, 2 * rank), n.input(1)) : Value();
  Value shape =
      in.hasStaticShape() ? Value() : o.make<dl::ShapeOfOp>(n.input(0));
  Value zero = o.c(0, f64), one = o.c(1, f64), half = o.c(0.5, f64);
  auto select = [&](Value c, Value a, Value b) {
    return o.make<dl::SelectOp>(c, a, b);
  };
  auto entry = [&](Value v, int64_t d) {
    return o.make<dl::SliceOp>(v, n.i64s({d}), n.i64s({d + 1}),
                               DenseI64ArrayAttr(), DenseI64ArrayAttr());
  };
  double a = n.floatAttr("cubic_coeff_a", -0.75);
  bool excludeOutside = n.intAttr("exclude_outside", 0) != 0;
  Value extrapolation = o.c(n.floatAttr("extrapolation_value", 0), et);
  Value cur = n.input(0);
  for (int64_t d = 0; d < rank && !o.failed; ++d) {
    Value inI = in.isDynamicDim(d) ? entry(shape, d)
                                   : n.constantI64({in.getDimSize(d)});
    Value inF = o.makeTyped<dl::CastOp>(vec(f64), inI);
    Value scale, length, outI;
    if (useScales) {
      scale = entry(list, d);
      length = o.mul(inF, scale);
      // An absurd or NaN scale: below 2^40 elements (the allocation then
      // fails cleanly), NaN as 0; never a float-to-int conversion overflow.
      Value v = o.floor(length);
      Value ok = o.make<dl::GreaterEqualOp>(v, zero);
      v = select(ok, o.min(v, o.c(double(int64_t(1) << 40), f64)), zero);
      outI = o.makeTyped<dl::CastOp>(vec(i64), v);
    } else {
      outI = entry(list, d);
      length = o.makeTyped<dl::CastOp>(vec(f64), outI);
      scale = o.div(length, inF);
    }
    Value outF = o.makeTyped<dl::CastOp>(vec(f64), outI);
    Value count = o.makeTyped<dl::ReshapeOp>(RankedTensorType::get({}, i64),
                                             outI, Value());
    Value pos = o.makeTyped<dl::RangeOp>(vec(i64, dyn), o.c(0, i64), count,
                                         o.c(1, i64));
    Value x = o.makeTyped<dl::CastOp>(vec(f64, dyn), pos);
    Value last = o.sub(inF, one);
    Value src, outside;
    Value halfPixel = o.sub(o.div(o.add(x, half), scale), half);
    if (ctm == "asymmetric") {
      src = o.div(x, scale);
    } else if (ctm == "half_pixel") {
      src = halfPixel;
    } else if (ctm == "pytorch_half_pixel") {
      src = select(o.make<dl::EqualOp>(outF, one), zero, halfPixel);
    } else if (ctm == "tf_half_pixel_for_nn") {
      src = o.div(o.add(x, half), scale);
    } else if (ctm == "align_corners") {
      // ONNX's length_resized: in * scale with scales, else the size.
      Value ratio = o.div(last, o.sub(length, one));
      Value degenerate = o.make<dl::OrOp>(o.make<dl::EqualOp>(outF, one),
                                          o.make<dl::EqualOp>(length, one));
      src = select(degenerate, zero, o.mul(x, ratio));
    } else {
      Value start = entry(roi, d), end = entry(roi, d + rank);
      Value span = o.mul(o.sub(end, start), last);
      Value stepped =
          o.add(o.mul(start, last), o.div(o.mul(x, span), o.sub(outF, one)));
      Value centre = o.mul(o.mul(o.add(start, end), half), last);
      src = select(o.make<dl::GreaterOp>(outF, one), stepped, centre);
      outside = o.make<dl::OrOp>(o.make<dl::LessOp>(src, zero),
                                 o.make<dl::GreaterOp>(src, last));
    }
    // A coordinate clamped to [0, in - 1] (NaN to 0) as an i64 index.
    auto toIndex = [&](Value f) {
      Value c = select(o.make<dl::GreaterOp>(f, last), last, f);
      c = select(o.make<dl::GreaterEqualOp>(c, zero), c, zero);
      return o.makeTyped<dl::CastOp>(vec(i64, dyn), c);
    };
    SmallVector<int64_t> along(rank, 1);
    along[d] = dyn;
    // A per-position f64 weight or i1 mask laid along dim d.
    auto alongD = [&](Value v, Type t) {
      if (t != f64 && !t.isInteger(1))
        v = o.makeTyped<dl::CastOp>(vec(t, dyn), v);
      return o.makeTyped<dl::ReshapeOp>(RankedTensorType::get(along, t), v,
                                        Value());
    };
    Value next;
    if (mode == "nearest") {
      Value r;
      switch (nm) {
      case dl::NearestMode::floor:
        r = o.floor(src);
        break;
      case dl::NearestMode::ceil:
        r = o.make<dl::CeilOp>(src);
        break;
      case dl::NearestMode::round_prefer_ceil:
        r = o.floor(o.add(src, half));
        break;
      case dl::NearestMode::round_prefer_floor:
        r = o.make<dl::CeilOp>(o.sub(src, half));
        break;
      }
      next = o.make<dl::GatherOp>(cur, toIndex(r), d);
    } else if (mode == "linear") {
      Value s = select(o.make<dl::GreaterOp>(src, zero), src, zero);
      Value f = o.floor(s);
      Value lo = o.make<dl::GatherOp>(cur, toIndex(f), d);
      Value hi = o.make<dl::GatherOp>(cur, toIndex(o.add(f, one)), d);
      Value w = alongD(o.sub(s, f), et);
      next = o.add(o.mul(lo, o.sub(o.c(1, et), w)), o.mul(hi, w));
    } else {
      // Cubic (Keys, coefficient a) over the taps floor - 1 .. floor + 2.
      Value f = o.floor(src);
      Value t = o.sub(src, f);
      Value ca = o.c(a, f64), c5a = o.c(5 * a, f64), c8a = o.c(8 * a, f64),
            c4a = o.c(4 * a, f64), ca2 = o.c(a + 2, f64), ca3 = o.c(a + 3, f64);
      auto outer = [&](Value u) { // |u| in [1, 2]
        return o.sub(o.mul(o.add(o.mul(o.sub(o.mul(ca, u), c5a), u), c8a), u),
                     c4a);
      };
      auto inner = [&](Value u) { // |u| in [0, 1]
        return o.add(o.mul(o.mul(o.sub(o.mul(ca2, u), ca3), u), u), one);
      };
      Value u = o.sub(one, t);
      Value w[4] = {outer(o.add(t, one)), inner(t), inner(u),
                    outer(o.add(u, one))};
      Value taps[4];
      for (int k = 0; k < 4; ++k) {
        Value at = o.add(f, o.c(k - 1, f64));
        taps[k] = toIndex(at);
        if (excludeOutside) {
          Value inside = o.make<dl::AndOp>(o.make<dl::GreaterEqualOp>(at, zero),
                                           o.make<dl::LessEqualOp>(at, last));
          w[k] = select(inside, w[k], zero);
        }
      }
      if (excludeOutside) {
        Value sum = o.add(o.add(w[0], w[1]), o.add(w[2], w[3]));
        for (Value &wk : w)
          wk = o.div(wk, sum);
      }
      for (int k = 0; k < 4; ++k) {
        Value term =
            o.mul(o.make<dl::GatherOp>(cur, taps[k], d), alongD(w[k], et));
        next = k == 0 ? term : o.add(next, term);
      }
    }
    if (outside)
      next = select(alongD(outside, n.b.getI1Type()), extrapolation, next);
    cur = next;
  }
  if (o.failed)
    return failure();
  n.setOutput(0, cur);
  return success();
}

static LogicalResult importResize(NodeImporter &n) {
  std::string mode = n.stringAttr("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "cubic")
    return n.fail("mode '" + mode +
                  "' is not supported (nearest, linear, "
                  "cubic)");
  if (n.intAttr("antialias", 0) != 0)
    return n.fail("antialias=1 is not supported");
  if (n.hasAttr("axes"))
    return n.fail("the axes attribute is not supported");
  if (n.stringAttr("keep_aspect_ratio_policy", "stretch") != "stretch")
    return n.fail("keep_aspect_ratio_policy other than stretch is not "
                  "supported");
  // Opset < 11 Resize (even after conversion) is asymmetric and floors.
  bool legacy =
      n.opset() < 11 || n.state.legacyResizeOutputs.count(n.node.output(0));
  std::string ctm = n.stringAttr("coordinate_transformation_mode",
                                 legacy ? "asymmetric" : "half_pixel");
  std::string nearest =
      n.stringAttr("nearest_mode", legacy ? "floor" : "round_prefer_floor");
  auto ct = dl::symbolizeCoordinateTransform(ctm);
  auto nm = dl::symbolizeNearestMode(nearest);
  bool tfMode = ctm == "tf_half_pixel_for_nn" || ctm == "tf_crop_and_resize";
  if (!ct && !tfMode)
    return n.fail("coordinate_transformation_mode '" + ctm +
                  "' is not supported");
  if (!nm)
    return n.fail("nearest_mode '" + nearest + "' is not supported");
  unsigned scalesIdx = n.opset() < 11 ? 1 : 2, sizesIdx = 3;
  auto scales = n.hasInput(scalesIdx) ? n.constantFloats(scalesIdx)
                                      : std::optional<SmallVector<double>>();
  auto sizes = n.hasInput(sizesIdx) ? n.constantInts(sizesIdx)
                                    : std::optional<SmallVector<int64_t>>();
  bool runtime =
      (n.hasInput(scalesIdx) && !scales) || (n.hasInput(sizesIdx) && !sizes);
  if (runtime || mode == "cubic" || tfMode)
    return importComposedResize(n, mode, ctm, *nm, scalesIdx, sizesIdx);
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
  // bs^2 times the channels (DepthToSpace's input, SpaceToDepth's output)
  // and bs times the spatial dims must fit in int64.
  std::optional<int64_t> bs2 = llvm::checkedMul(bs, bs);
  if (!bs2 || !llvm::checkedMul(*bs2, C) || !llvm::checkedMul(bs, H) ||
      !llvm::checkedMul(bs, W))
    return n.fail("blocksize " + std::to_string(bs) +
                  " overflows the tensor's dims");
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

/// Squeeze / Unsqueeze with axes known only at run time: the result rank
/// follows from the axes' count; which dims it has, from their values.
static LogicalResult importDynamicSqueeze(NodeImporter &n, bool unsqueeze) {
  auto axes = runtimeList(n, 1, "axes");
  if (failed(axes))
    return failure();
  auto in = n.inputType(0);
  int64_t k = n.inputType(1).getDimSize(0);
  int64_t rank = unsqueeze ? in.getRank() + k : in.getRank() - k;
  if (rank < 0)
    return n.fail("squeezes " + Twine(k) + " axes of a rank-" +
                  Twine(in.getRank()) + " input");
  auto type = RankedTensorType::get(
      SmallVector<int64_t>(rank, ShapedType::kDynamic), in.getElementType());
  if (unsqueeze)
    return n.output(
        n.createTyped<dl::DynamicUnsqueezeOp>(type, n.input(0), *axes));
  return n.output(n.createTyped<dl::DynamicSqueezeOp>(type, n.input(0), *axes));
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

/// OneHot. Indices of any numeric type are cast to int64 (ONNX casts
/// them). A constant depth and values make a dl.one_hot; a depth known only
/// at run time compares the indices (negative ones plus depth) with a
/// dl.range of that length along the new axis and selects values[1] or
/// values[0]: the new dim is dynamic.
static LogicalResult importOneHot(NodeImporter &n) {
  auto it = n.inputType(0);
  Type i64 = n.b.getI64Type();
  int64_t rank = it.getRank() + 1;
  int64_t axis = n.intAttr("axis", -1);
  if (axis < -rank || axis >= rank)
    return n.fail("axis " + Twine(axis) + " is out of range");
  axis = axis < 0 ? axis + rank : axis;
  FailureOr<Value> indices = n.input(0);
  if (it.getElementType() != i64)
    indices = n.createTyped<dl::CastOp>(
        RankedTensorType::get(it.getShape(), i64), n.input(0));
  if (failed(indices))
    return failure();
  auto depth = n.constantFloats(1);
  auto values = n.constantFloats(2);
  if (depth && depth->size() == 1 && values && values->size() == 2)
    return n.output(n.create<dl::OneHotOp>(
        *indices, static_cast<int64_t>((*depth)[0]), n.intAttr("axis", -1),
        APFloat((*values)[0]), APFloat((*values)[1]),
        n.inputType(2).getElementType()));
  auto dt = n.inputType(1), vt = n.inputType(2);
  if (dl::shapeProduct(dt.getShape()) != 1)
    return n.fail("depth must have one element");
  if (vt.getRank() != 1 || vt.getDimSize(0) != 2)
    return n.fail("values must have two elements [off, on]");
  auto scalarI64 = RankedTensorType::get({}, i64);
  FailureOr<Value> d = n.input(1);
  if (dt.getElementType() != i64)
    d = n.createTyped<dl::CastOp>(RankedTensorType::get(dt.getShape(), i64),
                                  *d);
  if (failed(d))
    return failure();
  d = n.createTyped<dl::ReshapeOp>(scalarI64, *d, Value());
  if (failed(d))
    return failure();
  auto range = n.createTyped<dl::RangeOp>(
      RankedTensorType::get({ShapedType::kDynamic}, i64), n.scalar(0, i64), *d,
      n.scalar(1, i64));
  if (failed(range))
    return failure();
  SmallVector<int64_t> along(rank, 1);
  along[axis] = ShapedType::kDynamic;
  auto positions = n.createTyped<dl::ReshapeOp>(
      RankedTensorType::get(along, i64), *range, Value());
  auto idx = n.create<dl::UnsqueezeOp>(*indices, n.i64s({axis}));
  if (failed(positions) || failed(idx))
    return failure();
  auto negative = n.create<dl::LessOp>(*idx, n.scalar(0, i64));
  auto wrapped = n.create<dl::AddOp>(*idx, *d);
  if (failed(negative) || failed(wrapped))
    return failure();
  auto normalized = n.create<dl::SelectOp>(*negative, *wrapped, *idx);
  if (failed(normalized))
    return failure();
  auto hot = n.create<dl::EqualOp>(*normalized, *positions);
  auto off = n.create<dl::SliceOp>(n.input(2), ArrayRef<int64_t>{0},
                                   ArrayRef<int64_t>{1}, DenseI64ArrayAttr(),
                                   DenseI64ArrayAttr());
  auto on = n.create<dl::SliceOp>(n.input(2), ArrayRef<int64_t>{1},
                                  ArrayRef<int64_t>{2}, DenseI64ArrayAttr(),
                                  DenseI64ArrayAttr());
  if (failed(hot) || failed(off) || failed(on))
    return failure();
  return n.output(n.create<dl::SelectOp>(*hot, *on, *off));
}

/// The most elements Compress and NonZero select from: the positions are
/// found with an L x L comparison at run time.
constexpr int64_t kMaxSelectFrom = 16384;

/// For a 1-D i1 `cond` of static length L: the positions j of its true
/// entries in order, a 1-D i64 of dynamic length (their count). The p-th
/// one is the number of j whose inclusive count of trues is <= p: a count
/// (a sum of an L x L comparison), a dl.range of that length, and a sum of
/// an L x count comparison, so the size is known before it is filled.
static FailureOr<Value> truePositions(NodeImporter &n, Value cond) {
  int64_t len = cast<RankedTensorType>(cond.getType()).getDimSize(0);
  Type i64 = n.b.getI64Type();
  OpChain o{n};
  SmallVector<int64_t> iota(len);
  for (int64_t i = 0; i < len; ++i)
    iota[i] = i;
  auto col = [&](int64_t rows) {
    return RankedTensorType::get({rows, 1}, i64);
  };
  Value jCol = n.constant(DenseElementsAttr::get(col(len), ArrayRef(iota)));
  Value iRow = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({1, len}, i64), ArrayRef(iota)));
  Value c = o.makeTyped<dl::CastOp>(RankedTensorType::get({len}, i64), cond);
  Value cCol = o.makeTyped<dl::ReshapeOp>(col(len), c, Value());
  // incl[i] = sum over j <= i of c[j].
  Value upTo = o.make<dl::LessEqualOp>(jCol, iRow);
  Value incl = o.make<dl::ReduceSumOp>(
      o.make<dl::SelectOp>(upTo, cCol, o.c(0, i64)), n.i64s({0}), false);
  Value total = o.make<dl::ReduceSumOp>(c, n.i64s({}), false);
  Value p = o.makeTyped<dl::RangeOp>(
      RankedTensorType::get({ShapedType::kDynamic}, i64), o.c(0, i64), total,
      o.c(1, i64));
  Value pRow = o.makeTyped<dl::ReshapeOp>(
      RankedTensorType::get({1, ShapedType::kDynamic}, i64), p, Value());
  Value inclCol = o.makeTyped<dl::ReshapeOp>(col(len), incl, Value());
  Value before = o.makeTyped<dl::CastOp>(
      RankedTensorType::get({len, ShapedType::kDynamic}, i64),
      o.make<dl::LessEqualOp>(inclCol, pRow));
  Value positions = o.make<dl::ReduceSumOp>(before, n.i64s({0}), false);
  if (o.failed)
    return failure();
  return positions;
}

/// Compress: the slices along `axis` (of the flattened input without one)
/// where the condition is true; the selected count is a run-time dim.
static LogicalResult importCompress(NodeImporter &n) {
  auto in = n.inputType(0), ct = n.inputType(1);
  if (ct.getRank() != 1 || ct.isDynamicDim(0))
    return n.fail("the condition must be 1-D with a static length");
  int64_t len = ct.getDimSize(0);
  if (len > kMaxSelectFrom)
    return n.fail("a condition of more than " + Twine(kMaxSelectFrom) +
                  " entries is not supported");
  Value x = n.input(0);
  int64_t axis = 0;
  if (n.hasAttr("axis")) {
    axis = n.intAttr("axis", 0);
    if (axis < -in.getRank() || axis >= in.getRank())
      return n.fail("axis " + Twine(axis) + " is out of range");
    axis = axis < 0 ? axis + in.getRank() : axis;
  } else {
    int64_t count = dl::shapeProduct(in.getShape());
    auto flat = n.createTyped<dl::ReshapeOp>(
        RankedTensorType::get({count}, in.getElementType()), x, Value());
    if (failed(flat))
      return failure();
    x = *flat;
  }
  FailureOr<Value> cond = n.input(1);
  if (!ct.getElementType().isInteger(1))
    return n.fail("the condition must be bool");
  auto positions = truePositions(n, *cond);
  if (failed(positions))
    return failure();
  return n.output(n.create<dl::GatherOp>(x, *positions, axis));
}

/// NonZero: the [rank, count] coordinates of the non-zero elements in
/// row-major order, from their flat positions.
static LogicalResult importNonZero(NodeImporter &n) {
  auto in = n.inputType(0);
  int64_t rank = in.getRank(), count = dl::shapeProduct(in.getShape());
  if (rank < 1 || !in.hasStaticShape())
    return n.fail("the input must have rank >= 1 and a static shape");
  if (count > kMaxSelectFrom)
    return n.fail("an input of more than " + Twine(kMaxSelectFrom) +
                  " elements is not supported");
  Type et = in.getElementType(), i64 = n.b.getI64Type();
  if (count == 0) {
    n.setOutput(
        0, n.constant(DenseElementsAttr::get(
               RankedTensorType::get({rank, 0}, i64), ArrayRef<int64_t>())));
    return success();
  }
  OpChain o{n};
  Value flat = o.makeTyped<dl::ReshapeOp>(RankedTensorType::get({count}, et),
                                          n.input(0), Value());
  Value cond = et.isInteger(1)
                   ? flat
                   : o.make<dl::NotOp>(o.make<dl::EqualOp>(flat, o.c(0, et)));
  if (o.failed)
    return failure();
  auto positions = truePositions(n, cond);
  if (failed(positions))
    return failure();
  SmallVector<Value> rows;
  int64_t stride = count;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t dim = in.getDimSize(d);
    stride /= dim;
    Value coord = o.make<dl::ModOp>(
        o.make<dl::DivOp>(*positions, o.c(stride, i64)), o.c(dim, i64));
    rows.push_back(o.make<dl::UnsqueezeOp>(coord, n.i64s({0})));
  }
  if (o.failed)
    return failure();
  return n.output(n.create<dl::ConcatOp>(ValueRange(rows), int64_t(0)));
}

/// Unique: with `axis`, of the slices along it, else of the elements. The
/// input is viewed as L slices of M elements; L x L comparisons give, per
/// slice, whether it is the first of its value, the slot of its value in
/// the output (by value when sorted, by first occurrence otherwise) and so
/// the inverse indices; the unique count sizes a dl.range of slots, whose
/// first occurrences and counts are sums over the slices.
static LogicalResult importUnique(NodeImporter &n) {
  auto in = n.inputType(0);
  if (!in.hasStaticShape() || in.getRank() < 1)
    return n.fail("the input must have rank >= 1 and a static shape");
  int64_t rank = in.getRank();
  Type et = in.getElementType(), i64 = n.b.getI64Type();
  bool sorted = n.intAttr("sorted", 1) != 0;
  OpChain o{n};
  Value x = n.input(0);
  int64_t axis = -1, len, width;
  if (n.hasAttr("axis")) {
    axis = n.intAttr("axis", 0);
    if (axis < -rank || axis >= rank)
      return n.fail("axis " + Twine(axis) + " is out of range");
    axis = axis < 0 ? axis + rank : axis;
    len = in.getDimSize(axis);
    width = dl::shapeProduct(in.getShape()) / std::max<int64_t>(len, 1);
    SmallVector<int64_t> perm{axis};
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        perm.push_back(d);
    x = o.make<dl::TransposeOp>(x, n.i64s(perm));
  } else {
    len = dl::shapeProduct(in.getShape());
    width = 1;
  }
  if (len < 1 || width < 1)
    return n.fail("the input must not be empty");
  if (len * len * width * width > kMaxSelectFrom * kMaxSelectFrom)
    return n.fail("an input this large is not supported (the slices are "
                  "compared pairwise)");
  auto t = [&](ArrayRef<int64_t> dims, Type e) {
    return RankedTensorType::get(dims, e);
  };
  Value rows = o.makeTyped<dl::ReshapeOp>(t({len, width}, et), x, Value());
  Value xi = o.makeTyped<dl::ReshapeOp>(t({len, 1, width}, et), rows, Value());
  Value xj = o.makeTyped<dl::ReshapeOp>(t({1, len, width}, et), rows, Value());
  Value zero = o.c(0, i64), one = o.c(1, i64);
  auto asInt = [&](Value b) {
    return o.makeTyped<dl::CastOp>(
        t(cast<RankedTensorType>(b.getType()).getShape(), i64), b);
  };
  // eq[i][j]: slices i and j are equal; lt[i][j]: i sorts before j (at the
  // first element where they differ, i's is smaller).
  Value ne3 = asInt(o.make<dl::NotOp>(o.make<dl::EqualOp>(xi, xj)));
  Value eq = o.make<dl::EqualOp>(
      o.make<dl::ReduceMaxOp>(ne3, n.i64s({2}), false), zero);
  SmallVector<int64_t> iotaW(width), iotaL(len);
  for (int64_t i = 0; i < width; ++i)
    iotaW[i] = i;
  for (int64_t i = 0; i < len; ++i)
    iotaL[i] = i;
  Value mBefore = o.make<dl::LessOp>(
      n.constant(DenseElementsAttr::get(t({width, 1}, i64), ArrayRef(iotaW))),
      n.constant(DenseElementsAttr::get(t({1, width}, i64), ArrayRef(iotaW))));
  Value ne4 =
      o.makeTyped<dl::ReshapeOp>(t({len, len, width, 1}, i64), ne3, Value());
  Value diffsBefore = o.make<dl::ReduceSumOp>(
      o.make<dl::SelectOp>(mBefore, ne4, zero), n.i64s({2}), false);
  Value firstDiff = o.make<dl::AndOp>(o.make<dl::EqualOp>(diffsBefore, zero),
                                      o.make<dl::EqualOp>(ne3, one));
  Value smaller = o.make<dl::AndOp>(firstDiff, o.make<dl::LessOp>(xi, xj));
  Value lt = o.make<dl::EqualOp>(
      o.make<dl::ReduceMaxOp>(asInt(smaller), n.i64s({2}), false), one);
  Value iCol =
      n.constant(DenseElementsAttr::get(t({len, 1}, i64), ArrayRef(iotaL)));
  Value jRow =
      n.constant(DenseElementsAttr::get(t({1, len}, i64), ArrayRef(iotaL)));
  Value earlier = o.make<dl::LessOp>(iCol, jRow);
  // isFirst[j]: no earlier equal slice; firstIdx[j]: its value's first.
  Value dup = o.make<dl::ReduceMaxOp>(asInt(o.make<dl::AndOp>(eq, earlier)),
                                      n.i64s({0}), false);
  Value isFirst = o.make<dl::EqualOp>(dup, zero);
  Value isFirstCol = o.makeTyped<dl::ReshapeOp>(t({len, 1}, n.b.getI1Type()),
                                                isFirst, Value());
  Value slot;
  if (sorted) {
    slot = o.make<dl::ReduceSumOp>(asInt(o.make<dl::AndOp>(isFirstCol, lt)),
                                   n.i64s({0}), false);
  } else {
    Value firstIdx = o.make<dl::ReduceMinOp>(
        o.make<dl::SelectOp>(eq, iCol, o.c(len, i64)), n.i64s({0}), false);
    Value firstRow =
        o.makeTyped<dl::ReshapeOp>(t({1, len}, i64), firstIdx, Value());
    slot = o.make<dl::ReduceSumOp>(
        asInt(
            o.make<dl::AndOp>(isFirstCol, o.make<dl::LessOp>(iCol, firstRow))),
        n.i64s({0}), false);
  }
  Value count = o.make<dl::ReduceSumOp>(asInt(isFirst), n.i64s({}), false);
  Value p = o.makeTyped<dl::RangeOp>(t({ShapedType::kDynamic}, i64), zero,
                                     count, one);
  Value pRow =
      o.makeTyped<dl::ReshapeOp>(t({1, ShapedType::kDynamic}, i64), p, Value());
  Value slotCol = o.makeTyped<dl::ReshapeOp>(t({len, 1}, i64), slot, Value());
  Value inSlot = o.make<dl::EqualOp>(slotCol, pRow);
  Value firsts = o.make<dl::ReduceSumOp>(
      o.make<dl::SelectOp>(o.make<dl::AndOp>(inSlot, isFirstCol), iCol, zero),
      n.i64s({0}), false);
  Value counts = o.make<dl::ReduceSumOp>(asInt(inSlot), n.i64s({0}), false);
  Value y;
  if (axis >= 0) {
    y = o.make<dl::GatherOp>(n.input(0), firsts, axis);
  } else {
    Value flat = o.makeTyped<dl::ReshapeOp>(t({len}, et), n.input(0), Value());
    y = o.make<dl::GatherOp>(flat, firsts, int64_t(0));
  }
  if (o.failed)
    return failure();
  Value results[] = {y, firsts, slot, counts};
  for (unsigned i = 0; i < n.numOutputs() && i < 4; ++i)
    n.setOutput(i, results[i]);
  return success();
}

void dlc::onnx_frontend::registerTensorOps(OpRegistry &r) {
  r["Unique"] = importUnique;
  r["Compress"] = importCompress;
  r["NonZero"] = importNonZero;
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
    if (n.opset() >= 13 && n.hasInput(1) && !n.constantInts(1))
      return importDynamicSqueeze(n, /*unsqueeze=*/false);
    auto axes = axesOperand(n, "axes", 1, 13);
    if (failed(axes))
      return failure();
    return n.output(n.create<dl::SqueezeOp>(
        n.input(0), axes->value_or(SmallVector<int64_t>())));
  };
  r["Unsqueeze"] = [](NodeImporter &n) -> LogicalResult {
    if (n.opset() >= 13 && n.hasInput(1) && !n.constantInts(1))
      return importDynamicSqueeze(n, /*unsqueeze=*/true);
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
    if (!repeats) {
      auto list = runtimeList(n, 1, "repeats");
      if (failed(list))
        return failure();
      auto in = n.inputType(0);
      if (n.inputType(1).getDimSize(0) != in.getRank())
        return n.fail("repeats must have one entry per dim");
      SmallVector<int64_t> dims(in.getRank(), ShapedType::kDynamic);
      return n.output(n.createTyped<dl::DynamicTileOp>(
          RankedTensorType::get(dims, in.getElementType()), n.input(0), *list));
    }
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
  r["OneHot"] = importOneHot;
}
