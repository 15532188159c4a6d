//===- Dynamic.cpp - ops with run-time shape operands ---------------------===//
//
// Verifiers and shape inference of DLDynamicOps.td. Their values are known
// only at run time, so what is checked here is what the types say: the
// operand lengths, the result rank, and the dims the op cannot change.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dlc::dl;

static bool isStatic(int64_t d) { return !ShapedType::isDynamic(d); }

/// Checks that `v` is 1-D with `length` entries when both are static.
/// Returns the static length (or kDynamic).
static FailureOr<int64_t> vectorLength(Operation *op, Value v, StringRef name,
                                       int64_t length = ShapedType::kDynamic) {
  auto t = tensorTypeOf(v);
  if (t.getRank() != 1)
    return op->emitOpError() << name << " must be 1-D, got " << t;
  int64_t n = t.getDimSize(0);
  if (isStatic(n) && isStatic(length) && n != length)
    return op->emitOpError()
           << name << " must have " << length << " entries, got " << t;
  return n;
}

/// A static dim `in` the result keeps must agree with the result's `out`.
static LogicalResult keptDim(Operation *op, int64_t i, int64_t in,
                             int64_t out) {
  if (isStatic(in) && isStatic(out) && in != out)
    return op->emitOpError() << "result dim " << i << " is " << out
                             << " but the input's is " << in;
  return success();
}

LogicalResult DynamicSliceOp::verify() {
  auto in = getInput().getType();
  if (getType().getRank() != in.getRank())
    return emitOpError("result rank ")
           << getType().getRank() << " differs from the input's "
           << in.getRank();
  auto k = vectorLength(*this, getStarts(), "starts");
  if (failed(k) || failed(vectorLength(*this, getEnds(), "ends", *k)) ||
      failed(vectorLength(*this, getAxes(), "axes", *k)) ||
      failed(vectorLength(*this, getSteps(), "steps", *k)))
    return failure();
  // With constant axes, the dims not listed keep their size.
  DenseElementsAttr axes;
  if (!matchPattern(getAxes(), m_Constant(&axes)))
    return success();
  SmallVector<bool> sliced(in.getRank(), false);
  for (const APInt &a : axes.getValues<APInt>()) {
    int64_t v = a.getSExtValue();
    if (v < -in.getRank() || v >= in.getRank())
      return emitOpError("axis ")
             << v << " is out of range for rank " << in.getRank();
    sliced[v < 0 ? v + in.getRank() : v] = true;
  }
  for (int64_t i = 0; i < in.getRank(); ++i)
    if (!sliced[i] &&
        failed(keptDim(*this, i, in.getDimSize(i), getType().getDimSize(i))))
      return failure();
  return success();
}

LogicalResult DynamicSplitOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto axis = normalizeAxis(location, adaptor.getAxis(), in.getRank());
  if (failed(axis))
    return failure();
  auto st = tensorTypeOf(adaptor.getSizes());
  if (st.getRank() != 1 || st.isDynamicDim(0) || st.getDimSize(0) < 1)
    return emitOptionalError(location,
                             "sizes must be 1-D with a static length >= 1 "
                             "(the result count), got ",
                             st);
  SmallVector<int64_t> shape(in.getShape());
  shape[*axis] = ShapedType::kDynamic;
  inferred.assign(st.getDimSize(0),
                  RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult DynamicSqueezeOp::verify() {
  auto in = getInput().getType();
  auto k = vectorLength(*this, getAxes(), "axes");
  if (failed(k))
    return failure();
  if (isStatic(*k) && getType().getRank() != in.getRank() - *k)
    return emitOpError("result rank ")
           << getType().getRank() << " is not the input's " << in.getRank()
           << " less the " << *k << " axes";
  return success();
}

LogicalResult DynamicUnsqueezeOp::verify() {
  auto in = getInput().getType();
  auto k = vectorLength(*this, getAxes(), "axes");
  if (failed(k))
    return failure();
  if (isStatic(*k) && getType().getRank() != in.getRank() + *k)
    return emitOpError("result rank ")
           << getType().getRank() << " is not the input's " << in.getRank()
           << " plus the " << *k << " axes";
  return success();
}

LogicalResult DynamicReduceOp::verify() {
  StringRef kind = getKind();
  if (kind != "sum" && kind != "mean" && kind != "max" && kind != "min" &&
      kind != "prod")
    return emitOpError("kind '")
           << kind << "' is not one of sum, mean, max, min, prod";
  auto in = getInput().getType();
  auto k = vectorLength(*this, getAxes(), "axes");
  if (failed(k))
    return failure();
  if (ShapedType::isDynamic(*k) || *k < 1)
    return emitOpError("axes must have a static length >= 1 (an empty list "
                       "is decided when the op is built)");
  int64_t rank = getKeepdims() ? in.getRank() : in.getRank() - *k;
  if (getType().getRank() != rank)
    return emitOpError("result rank ")
           << getType().getRank() << " should be " << rank;
  if (getKeepdims())
    for (int64_t i = 0; i < rank; ++i) {
      int64_t out = getType().getDimSize(i);
      if (isStatic(out) && out != 1 &&
          failed(keptDim(*this, i, in.getDimSize(i), out)))
        return failure();
    }
  return success();
}

LogicalResult DynamicTileOp::verify() {
  auto in = getInput().getType();
  if (failed(vectorLength(*this, getRepeats(), "repeats", in.getRank())))
    return failure();
  if (getType().getRank() != in.getRank())
    return emitOpError("result rank ")
           << getType().getRank() << " differs from the input's "
           << in.getRank();
  return success();
}

LogicalResult DynamicPadOp::verify() {
  auto in = getInput().getType();
  if (failed(vectorLength(*this, getPads(), "pads", 2 * in.getRank())))
    return failure();
  if (getType().getRank() != in.getRank())
    return emitOpError("result rank ")
           << getType().getRank() << " differs from the input's "
           << in.getRank();
  int64_t n = shapeProduct(getValue().getType().getShape());
  if (isStatic(n) && n != 1)
    return emitOpError("value must have one element, got ")
           << getValue().getType();
  return success();
}

LogicalResult TopKOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto in = tensorTypeOf(adaptor.getInput());
  auto axis = normalizeAxis(location, adaptor.getAxis(), in.getRank());
  if (failed(axis))
    return failure();
  auto kt = tensorTypeOf(adaptor.getK());
  if (shapeProduct(kt.getShape()) != 1)
    return emitOptionalError(location, "k must have one element, got ", kt);
  SmallVector<int64_t> shape(in.getShape());
  shape[*axis] = ShapedType::kDynamic;
  DenseElementsAttr k;
  if (matchPattern(adaptor.getK(), m_Constant(&k))) {
    int64_t v = (*k.getValues<APInt>().begin()).getSExtValue();
    int64_t dim = in.getDimSize(*axis);
    if (v < 0 || (isStatic(dim) && v > dim))
      return emitOptionalError(location, "k = ", v,
                               " is outside [0, the axis' size ", dim, "]");
    shape[*axis] = v;
  }
  inferred.push_back(RankedTensorType::get(shape, in.getElementType()));
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(context, 64)));
  return success();
}
