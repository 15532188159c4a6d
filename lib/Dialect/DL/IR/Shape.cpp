//===- Shape.cpp - reshape, transpose, concat, slice and friends ----------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace dlc::dl;

static bool isStatic(int64_t d) { return !ShapedType::isDynamic(d); }

/// Reshapes a constant to `type` when the constant is small or a splat.
static OpFoldResult reshapeConstant(Attribute attr, ShapedType type) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !type.hasStaticShape())
    return {};
  if (!dense.isSplat() && type.getNumElements() > kMaxFoldElements)
    return {};
  return dense.reshape(type);
}

//===----------------------------------------------------------------------===//
// ReshapeOp
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType();
  auto out = getType();
  if (Value shape = getShape()) {
    auto st = tensorTypeOf(shape);
    if (st.getRank() != 1 ||
        (isStatic(st.getDimSize(0)) && st.getDimSize(0) != out.getRank()))
      return emitOpError("shape operand must be 1-D with ")
             << out.getRank() << " elements (the result rank), got " << st;
  } else if (out.getNumDynamicDims() > 1) {
    return emitOpError("result ")
           << out << " has " << out.getNumDynamicDims()
           << " dynamic dims; without a shape operand at most one dim can be "
              "found from the element count";
  }
  int64_t inCount = shapeProduct(in.getShape());
  if (!isStatic(inCount))
    return success();
  int64_t known = 1;
  for (int64_t d : out.getShape())
    if (isStatic(d))
      known *= d;
  if (out.hasStaticShape() ? known != inCount
                           : (known == 0 ? inCount != 0 : inCount % known))
    return emitOpError("cannot reshape ")
           << in << " (" << inCount << " elements) to " << out;
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  // reshape(reshape(x)) -> reshape(x): only the outer shape matters, unless
  // a run-time shape's 0s copy dims from the inner result.
  results.add(+[](ReshapeOp op, PatternRewriter &rewriter) -> LogicalResult {
    auto inner = op.getInput().getDefiningOp<ReshapeOp>();
    if (!inner || (op.getShape() && !op.getAllowZero()))
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(inner.getInput()); });
    return success();
  });
  // A constant shape operand is redundant once the result type says as much
  // as the verifier allows without it.
  results.add(+[](ReshapeOp op, PatternRewriter &rewriter) -> LogicalResult {
    if (!op.getShape() || op.getType().getNumDynamicDims() > 1 ||
        !matchPattern(op.getShape(), m_Constant()))
      return failure();
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(), op.getInput(),
                                           Value(), false);
    return success();
  });
}

//===----------------------------------------------------------------------===//
// TransposeOp
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> perm = adaptor.getPerm();
  int64_t rank = in.getRank();
  SmallVector<bool> seen(rank, false);
  bool valid = static_cast<int64_t>(perm.size()) == rank;
  for (int64_t p : perm) {
    if (!valid || p < 0 || p >= rank || seen[p]) {
      valid = false;
      break;
    }
    seen[p] = true;
  }
  if (!valid)
    return emitOptionalError(location, "perm must be a permutation of 0..",
                             rank - 1, " (one entry per input dim)");
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(in.getDimSize(p));
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

static bool isIdentityPerm(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (static_cast<int64_t>(i) != p)
      return false;
  return true;
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPerm();
  if (isIdentityPerm(perm) && getInput().getType() == getType())
    return getInput();
  // transpose(transpose(x, p), q) = transpose(x, p o q).
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    SmallVector<int64_t> composed;
    for (int64_t q : perm)
      composed.push_back(inner.getPerm()[q]);
    if (isIdentityPerm(composed) && inner.getInput().getType() == getType())
      return inner.getInput();
    setPerm(composed);
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto type = getType();
  if (!dense || !type.hasStaticShape())
    return {};
  if (dense.isSplat())
    return dense.resizeSplat(type);
  if (type.getNumElements() > kMaxFoldElements)
    return {};
  // Walk the result in order; map each index back through perm.
  auto inShape = getInput().getType().getShape();
  int64_t rank = inShape.size();
  SmallVector<int64_t> inStrides(rank, 1);
  for (int64_t i = rank - 2; i >= 0; --i)
    inStrides[i] = inStrides[i + 1] * inShape[i + 1];
  SmallVector<Attribute> values(dense.getValues<Attribute>());
  SmallVector<Attribute> out;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t n = 0, e = type.getNumElements(); n < e; ++n) {
    int64_t off = 0;
    for (int64_t d = 0; d < rank; ++d)
      off += index[d] * inStrides[perm[d]];
    out.push_back(values[off]);
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < type.getDimSize(d))
        break;
      index[d] = 0;
    }
  }
  return DenseElementsAttr::get(type, out);
}

//===----------------------------------------------------------------------===//
// ConcatOp
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  ValueRange inputs = adaptor.getInputs();
  if (inputs.empty())
    return emitOptionalError(location, "concat needs at least one input");
  auto first = tensorTypeOf(inputs[0]);
  int64_t rank = first.getRank();
  if (rank == 0)
    return emitOptionalError(location, "concat inputs must have rank >= 1");
  auto axis = normalizeAxis(location, adaptor.getAxis(), rank);
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  shape[*axis] = 0;
  for (auto [idx, v] : llvm::enumerate(inputs)) {
    auto t = tensorTypeOf(v);
    if (t.getRank() != rank)
      return emitOptionalError(location, "concat input #", idx, " has rank ",
                               t.getRank(), ", expected ", rank);
    for (int64_t d = 0; d < rank; ++d) {
      int64_t s = t.getDimSize(d);
      if (d == *axis) {
        shape[d] = isStatic(shape[d]) && isStatic(s) ? shape[d] + s
                                                     : ShapedType::kDynamic;
        continue;
      }
      if (isStatic(shape[d]) && isStatic(s) && shape[d] != s)
        return emitOptionalError(location, "concat input #", idx, " has size ",
                                 s, " in dim ", d, ", expected ", shape[d],
                                 " (only the axis dim ", *axis, " may differ)");
      if (!isStatic(shape[d]))
        shape[d] = s;
    }
  }
  inferred.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1 && getInputs()[0].getType() == getType())
    return getInputs()[0];
  return {};
}

//===----------------------------------------------------------------------===//
// SliceOp
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<SliceOp::SlicedAxis>>
SliceOp::decodeSlice(std::optional<Location> loc, int64_t rank,
                     ArrayRef<int64_t> starts, ArrayRef<int64_t> ends,
                     std::optional<ArrayRef<int64_t>> axes,
                     std::optional<ArrayRef<int64_t>> steps) {
  size_t n = starts.size();
  SmallVector<int64_t> axisList, stepList(n, 1);
  for (size_t i = 0; i < n; ++i)
    axisList.push_back(i);
  if (axes)
    axisList.assign(axes->begin(), axes->end());
  if (steps)
    stepList.assign(steps->begin(), steps->end());
  if (ends.size() != n || axisList.size() != n || stepList.size() != n)
    return emitOptionalError(loc,
                             "starts, ends, axes and steps must "
                             "have the same length (got ",
                             n, ", ", ends.size(), ", ", axisList.size(), ", ",
                             stepList.size(), ")");
  auto normalized = normalizeAxes(loc, axisList, rank);
  if (failed(normalized))
    return failure();
  SmallVector<SlicedAxis> sliced;
  for (size_t i = 0; i < n; ++i) {
    if (stepList[i] == 0)
      return emitOptionalError(loc, "slice step for axis ", axisList[i],
                               " must not be 0");
    sliced.push_back({(*normalized)[i], starts[i], ends[i], stepList[i]});
  }
  return sliced;
}

FailureOr<SmallVector<SliceOp::SlicedAxis>> SliceOp::getSlicedAxes() {
  return decodeSlice(std::nullopt, getInput().getType().getRank(), getStarts(),
                     getEnds(), getAxes(), getSteps());
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto sliced =
      decodeSlice(location, in.getRank(), adaptor.getStarts(),
                  adaptor.getEnds(), adaptor.getAxes(), adaptor.getSteps());
  if (failed(sliced))
    return failure();
  SmallVector<int64_t> shape(in.getShape());
  for (const SlicedAxis &s : *sliced)
    if (isStatic(shape[s.axis]))
      shape[s.axis] = clampSlice(shape[s.axis], s.start, s.end, s.step).size;
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  auto in = getInput().getType();
  auto sliced = getSlicedAxes();
  if (in != getType() || failed(sliced))
    return {};
  for (const SlicedAxis &s : *sliced) {
    int64_t dim = in.getDimSize(s.axis);
    if (!isStatic(dim) || s.step != 1)
      return {};
    SliceDim c = clampSlice(dim, s.start, s.end, s.step);
    if (c.start != 0 || c.size != dim)
      return {};
  }
  return getInput();
}

//===----------------------------------------------------------------------===//
// SplitOp
//===----------------------------------------------------------------------===//

LogicalResult SplitOp::inferReturnTypes(MLIRContext *context,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto axis = normalizeAxis(location, adaptor.getAxis(), in.getRank());
  if (failed(axis))
    return failure();
  ArrayRef<int64_t> sizes = adaptor.getSizes();
  if (sizes.empty())
    return emitOptionalError(location, "split needs at least one size");
  int64_t total = 0;
  for (int64_t s : sizes) {
    if (s < 0)
      return emitOptionalError(location, "split sizes must be >= 0, got ", s);
    total += s;
  }
  int64_t dim = in.getDimSize(*axis);
  if (isStatic(dim) && total != dim)
    return emitOptionalError(location, "split sizes add up to ", total,
                             " but dim ", *axis, " has size ", dim);
  for (int64_t s : sizes) {
    SmallVector<int64_t> shape(in.getShape());
    shape[*axis] = s;
    inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// SqueezeOp, UnsqueezeOp, FlattenOp
//===----------------------------------------------------------------------===//

LogicalResult SqueezeOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto axes = normalizeAxes(location, adaptor.getAxes(), in.getRank());
  if (failed(axes))
    return failure();
  SmallVector<bool> drop(in.getRank(), false);
  if (axes->empty()) {
    for (int64_t d = 0; d < in.getRank(); ++d)
      drop[d] = in.getDimSize(d) == 1;
  }
  for (int64_t a : *axes) {
    int64_t d = in.getDimSize(a);
    if (isStatic(d) && d != 1)
      return emitOptionalError(location, "cannot squeeze dim ", a, " of size ",
                               d, " (only size-1 dims)");
    drop[a] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (!drop[d])
      shape.push_back(in.getDimSize(d));
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

OpFoldResult SqueezeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

LogicalResult UnsqueezeOp::inferReturnTypes(MLIRContext *context,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  int64_t outRank = in.getRank() + adaptor.getAxes().size();
  auto axes = normalizeAxes(location, adaptor.getAxes(), outRank);
  if (failed(axes))
    return failure();
  SmallVector<bool> inserted(outRank, false);
  for (int64_t a : *axes)
    inserted[a] = true;
  SmallVector<int64_t> shape;
  auto it = in.getShape().begin();
  for (int64_t d = 0; d < outRank; ++d)
    shape.push_back(inserted[d] ? 1 : *it++);
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

OpFoldResult UnsqueezeOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty() && getInput().getType() == getType())
    return getInput();
  return reshapeConstant(adaptor.getInput(), getType());
}

LogicalResult FlattenOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  int64_t rank = in.getRank(), axis = adaptor.getAxis();
  // Unlike other ops, axis == rank is valid here (everything goes left).
  if (axis < -rank || axis > rank)
    return emitOptionalError(location, "flatten axis ", axis,
                             " is out of range for rank ", rank, " (expected -",
                             rank, " <= axis <= ", rank, ")");
  if (axis < 0)
    axis += rank;
  int64_t outer = shapeProduct(in.getShape().take_front(axis));
  int64_t inner = shapeProduct(in.getShape().drop_front(axis));
  inferred.push_back(
      RankedTensorType::get({outer, inner}, in.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ExpandOp
//===----------------------------------------------------------------------===//

LogicalResult ExpandOp::verify() {
  auto in = getInput().getType();
  auto out = getType();
  if (in.getRank() > out.getRank())
    return emitOpError("cannot broadcast ") << in << " to lower-rank " << out;
  if (Value shape = getShape()) {
    auto st = tensorTypeOf(shape);
    if (st.getRank() != 1 ||
        (isStatic(st.getDimSize(0)) && st.getDimSize(0) != out.getRank()))
      return emitOpError("shape operand must be 1-D with ")
             << out.getRank() << " elements (the result rank), got " << st;
  }
  int64_t offset = out.getRank() - in.getRank();
  for (int64_t d = 0; d < out.getRank(); ++d) {
    int64_t o = out.getDimSize(d);
    int64_t i = d >= offset ? in.getDimSize(d - offset) : 1;
    if (isStatic(i) && isStatic(o) && i != 1 && i != o)
      return emitOpError("cannot broadcast ")
             << in << " to " << out << ": dim " << d << " has size " << i
             << ", expected 1 or " << o;
    if (!isStatic(o) && isStatic(i) && !getShape())
      return emitOpError("result dim ")
             << d
             << " is dynamic but the input dim is static; pass a shape "
                "operand to give its size";
  }
  return success();
}

OpFoldResult ExpandOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && getType().hasStaticShape())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat() && getType().hasStaticShape())
    return dense.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// PadOp, TileOp
//===----------------------------------------------------------------------===//

LogicalResult PadOp::inferReturnTypes(MLIRContext *context,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  int64_t rank = in.getRank();
  ArrayRef<int64_t> pads = adaptor.getPads();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return emitOptionalError(
        location, "pads has ", pads.size(), " values, expected ", 2 * rank,
        " ([begin..., end...] for each of ", rank, " dims)");
  bool reflect = adaptor.getMode() == PadMode::reflect;
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t s = in.getDimSize(d);
    if (!isStatic(s)) {
      shape.push_back(s);
      continue;
    }
    if (s == 0 && adaptor.getMode() != PadMode::constant &&
        (pads[d] > 0 || pads[d + rank] > 0))
      return emitOptionalError(location, "cannot pad empty dim ", d,
                               " in reflect or edge mode (no values to copy)");
    if (reflect && (pads[d] >= s || pads[d + rank] >= s))
      return emitOptionalError(location, "reflect pads (", pads[d], ", ",
                               pads[d + rank], ") must be smaller than dim ", d,
                               " (", s, ")");
    int64_t out = s + pads[d] + pads[d + rank];
    if (out < 0)
      return emitOptionalError(location, "negative pads crop more than dim ", d,
                               " holds (", s, ")");
    shape.push_back(out);
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  if (llvm::all_of(getPads(), [](int64_t p) { return p == 0; }) &&
      getInput().getType() == getType())
    return getInput();
  return {};
}

LogicalResult TileOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  ArrayRef<int64_t> repeats = adaptor.getRepeats();
  if (static_cast<int64_t>(repeats.size()) != in.getRank())
    return emitOptionalError(location, "repeats has ", repeats.size(),
                             " values, expected one per dim (", in.getRank(),
                             ")");
  SmallVector<int64_t> shape;
  for (auto [s, r] : llvm::zip(in.getShape(), repeats)) {
    if (r < 0)
      return emitOptionalError(location, "repeats must be >= 0, got ", r);
    int64_t product;
    if (isStatic(s) && llvm::MulOverflow(s, r, product))
      return emitOptionalError(location, "tiling dim of size ", s, " by ", r,
                               " overflows");
    shape.push_back(isStatic(s) ? s * r : (r == 0 ? 0 : ShapedType::kDynamic));
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  if (llvm::all_of(getRepeats(), [](int64_t r) { return r == 1; }) &&
      getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (dense && dense.isSplat() && getType().hasStaticShape())
    return dense.resizeSplat(getType());
  return {};
}

//===----------------------------------------------------------------------===//
// ShapeOfOp
//===----------------------------------------------------------------------===//

LogicalResult ShapeOfOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  inferred.push_back(
      RankedTensorType::get({in.getRank()}, IntegerType::get(context, 64)));
  return success();
}

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  auto in = getInput().getType();
  if (!in.hasStaticShape())
    return {};
  return DenseElementsAttr::get(getType(), in.getShape());
}
