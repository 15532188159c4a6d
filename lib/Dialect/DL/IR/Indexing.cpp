//===- Indexing.cpp - gather, range, one_hot, resize ----------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dlc::dl;

LogicalResult GatherOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto indices = tensorTypeOf(adaptor.getIndices());
  if (in.getRank() == 0)
    return emitOptionalError(location, "gather input must have rank >= 1");
  auto axis = normalizeAxis(location, adaptor.getAxis(), in.getRank());
  if (failed(axis))
    return failure();
  SmallVector<int64_t> shape(in.getShape().take_front(*axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, in.getShape().drop_front(*axis + 1));
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult GatherElementsOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto indices = tensorTypeOf(adaptor.getIndices());
  if (in.getRank() == 0 || indices.getRank() != in.getRank())
    return emitOptionalError(location,
                             "gather_elements indices must have the "
                             "input's rank (",
                             in.getRank(), "), got ", indices.getRank());
  auto axis = normalizeAxis(location, adaptor.getAxis(), in.getRank());
  if (failed(axis))
    return failure();
  for (int64_t d = 0; d < in.getRank(); ++d) {
    int64_t i = indices.getDimSize(d), s = in.getDimSize(d);
    if (d != *axis && !ShapedType::isDynamic(i) && !ShapedType::isDynamic(s) &&
        i > s)
      return emitOptionalError(location, "gather_elements indices dim ", d,
                               " (", i, ") exceeds the input's (", s,
                               "); only the axis dim ", *axis,
                               " may be larger");
  }
  inferred.push_back(
      RankedTensorType::get(indices.getShape(), in.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// ScatterAddOp, ScatterElementsAddOp
//===----------------------------------------------------------------------===//

/// Two dims agree when equal or either is dynamic.
static bool dimsAgree(int64_t a, int64_t b) {
  return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
}

LogicalResult ScatterAddOp::verify() {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  if (data.getRank() == 0)
    return emitOpError("data must have rank >= 1");
  auto axis = normalizeAxis(getLoc(), getAxis(), data.getRank());
  if (failed(axis))
    return failure();
  // updates is what dl.gather(data, indices, axis) gives.
  SmallVector<int64_t> expected(data.getShape().take_front(*axis));
  llvm::append_range(expected, indices.getShape());
  llvm::append_range(expected, data.getShape().drop_front(*axis + 1));
  bool agree = updates.getRank() == static_cast<int64_t>(expected.size());
  for (int64_t d = 0; agree && d < updates.getRank(); ++d)
    agree = dimsAgree(updates.getDimSize(d), expected[d]);
  if (!agree)
    return emitOpError("updates of shape ")
           << shapeToString(updates.getShape()) << " must have the shape "
           << shapeToString(expected)
           << " (data dims before axis, indices dims, data dims after it)";
  return success();
}

LogicalResult ScatterElementsAddOp::verify() {
  auto data = getData().getType();
  auto indices = getIndices().getType();
  auto updates = getUpdates().getType();
  if (data.getRank() == 0 || indices.getRank() != data.getRank())
    return emitOpError("indices must have the data's rank (")
           << data.getRank() << "), got " << indices.getRank();
  auto axis = normalizeAxis(getLoc(), getAxis(), data.getRank());
  if (failed(axis))
    return failure();
  bool agree = updates.getRank() == indices.getRank();
  for (int64_t d = 0; agree && d < updates.getRank(); ++d)
    agree = dimsAgree(updates.getDimSize(d), indices.getDimSize(d));
  if (!agree)
    return emitOpError("updates of shape ")
           << shapeToString(updates.getShape())
           << " must have the indices' shape "
           << shapeToString(indices.getShape());
  for (int64_t d = 0; d < data.getRank(); ++d) {
    int64_t i = indices.getDimSize(d), s = data.getDimSize(d);
    if (d != *axis && !ShapedType::isDynamic(i) && !ShapedType::isDynamic(s) &&
        i > s)
      return emitOpError("indices dim ")
             << d << " (" << i << ") exceeds the data's (" << s
             << "); only the axis dim " << *axis << " may be larger";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// RangeOp
//===----------------------------------------------------------------------===//

/// Reads a one-element constant operand as double.
static std::optional<double> scalarConstant(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(dense.getElementType()))
    return (*dense.getValues<APFloat>().begin()).convertToDouble();
  return static_cast<double>(
      (*dense.getValues<APInt>().begin()).getSExtValue());
}

static int64_t rangeLength(double start, double limit, double delta) {
  return std::max<int64_t>(
      0, static_cast<int64_t>(std::ceil((limit - start) / delta)));
}

LogicalResult RangeOp::verify() {
  for (Value v : getOperands())
    if (tensorTypeOf(v).getRank() != 0)
      return emitOpError("start, limit and delta must be scalars (rank 0), "
                         "got ")
             << v.getType();
  if (getType().getRank() != 1)
    return emitOpError("result must be 1-D, got ") << getType();
  Attribute s, l, d;
  matchPattern(getStart(), m_Constant(&s));
  matchPattern(getLimit(), m_Constant(&l));
  matchPattern(getDelta(), m_Constant(&d));
  auto delta = scalarConstant(d);
  if (delta && *delta == 0)
    return emitOpError("delta must not be 0");
  auto start = scalarConstant(s), limit = scalarConstant(l);
  int64_t size = getType().getDimSize(0);
  if (start && limit && delta && !ShapedType::isDynamic(size) &&
      size != rangeLength(*start, *limit, *delta))
    return emitOpError("result has ")
           << size << " elements but the constant bounds give "
           << rangeLength(*start, *limit, *delta);
  return success();
}

OpFoldResult RangeOp::fold(FoldAdaptor adaptor) {
  auto start = scalarConstant(adaptor.getStart());
  auto limit = scalarConstant(adaptor.getLimit());
  auto delta = scalarConstant(adaptor.getDelta());
  auto type = getType();
  if (!start || !limit || !delta || *delta == 0 || !type.hasStaticShape())
    return {};
  int64_t n = type.getDimSize(0);
  if (n != rangeLength(*start, *limit, *delta) || n > kMaxFoldElements)
    return {};
  Type et = type.getElementType();
  if (auto ft = dyn_cast<FloatType>(et)) {
    SmallVector<APFloat> values;
    for (int64_t i = 0; i < n; ++i) {
      APFloat f(*start + i * *delta);
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    return DenseElementsAttr::get(type, values);
  }
  SmallVector<APInt> values;
  for (int64_t i = 0; i < n; ++i)
    values.push_back(APInt(et.getIntOrFloatBitWidth(),
                           static_cast<int64_t>(*start + i * *delta), true));
  return DenseElementsAttr::get(type, values);
}

//===----------------------------------------------------------------------===//
// OneHotOp, ResizeOp
//===----------------------------------------------------------------------===//

LogicalResult OneHotOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto indices = tensorTypeOf(adaptor.getIndices());
  int64_t depth = adaptor.getDepth();
  if (depth < 1)
    return emitOptionalError(location, "one_hot depth must be >= 1, got ",
                             depth);
  auto axis = normalizeAxis(location, adaptor.getAxis(), indices.getRank() + 1);
  if (failed(axis))
    return failure();
  Type et = adaptor.getElementType();
  if (et.isInteger(1))
    return emitOptionalError(location, "one_hot element_type must be numeric, "
                                       "got i1");
  SmallVector<int64_t> shape(indices.getShape());
  shape.insert(shape.begin() + *axis, depth);
  inferred.push_back(RankedTensorType::get(shape, et));
  return success();
}

LogicalResult ResizeOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto scales = adaptor.getScales();
  auto sizes = adaptor.getSizes();
  if (scales.has_value() == sizes.has_value())
    return emitOptionalError(location, "resize needs exactly one of scales "
                                       "and sizes");
  size_t count = scales ? scales->size() : sizes->size();
  if (static_cast<int64_t>(count) != in.getRank())
    return emitOptionalError(location, scales ? "scales" : "sizes", " has ",
                             count, " values, expected one per dim (",
                             in.getRank(), ")");
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < in.getRank(); ++d) {
    if (sizes) {
      if ((*sizes)[d] < 1)
        return emitOptionalError(location, "sizes must be >= 1, got ",
                                 (*sizes)[d]);
      shape.push_back((*sizes)[d]);
      continue;
    }
    double s = (*scales)[d];
    if (!(s > 0))
      return emitOptionalError(location, "scales must be > 0, got ", s);
    int64_t dim = in.getDimSize(d);
    shape.push_back(ShapedType::isDynamic(dim)
                        ? dim
                        : static_cast<int64_t>(std::floor(dim * s)));
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}
