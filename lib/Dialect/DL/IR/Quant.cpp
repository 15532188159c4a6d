//===- Quant.cpp - matmul_integer, conv_integer, requantize ---------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc::dl;

/// Whether `t` holds one value (a scalar, or any shape of one element).
static bool isSingle(RankedTensorType t) {
  return t.hasStaticShape() && t.getNumElements() == 1;
}

/// Checks that the parameter `what` of `op` is one value or 1-D with `size`
/// values (`size` may be dynamic, then any 1-D static size goes).
static LogicalResult checkPerAxis(Operation *op, StringRef what,
                                  RankedTensorType t, int64_t size,
                                  StringRef along) {
  if (isSingle(t))
    return success();
  if (t.getRank() != 1 || t.isDynamicDim(0))
    return op->emitOpError() << what << " must be a scalar or 1-D of static "
                             << "size, got " << shapeToString(t.getShape());
  if (!ShapedType::isDynamic(size) && t.getDimSize(0) != size)
    return op->emitOpError()
           << what << " has " << t.getDimSize(0) << " values, expected 1 or "
           << size << " (one per " << along << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulIntegerOp
//===----------------------------------------------------------------------===//

LogicalResult MatMulIntegerOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  SmallVector<Type> types;
  if (failed(MatMulOp::inferReturnTypes(
          context, location,
          MatMulOp::Adaptor(ValueRange{adaptor.getLhs(), adaptor.getRhs()}),
          types)))
    return failure();
  auto t = cast<RankedTensorType>(types[0]);
  inferred.push_back(
      RankedTensorType::get(t.getShape(), IntegerType::get(context, 32)));
  return success();
}

LogicalResult MatMulIntegerOp::verify() {
  auto lt = getLhs().getType(), rt = getRhs().getType();
  int64_t m = lt.getRank() >= 2 ? lt.getDimSize(lt.getRank() - 2) : 1;
  int64_t n = rt.getRank() >= 2 ? rt.getDimSize(rt.getRank() - 1) : 1;
  if (failed(checkPerAxis(*this, "lhs_zero_point", getLhsZeroPoint().getType(),
                          m, "row of lhs")) ||
      failed(checkPerAxis(*this, "rhs_zero_point", getRhsZeroPoint().getType(),
                          n, "column of rhs")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// ConvIntegerOp
//===----------------------------------------------------------------------===//

LogicalResult ConvIntegerOp::inferReturnTypes(MLIRContext *context,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  ConvOp::Properties props;
  props.strides = adaptor.getStridesAttr();
  props.pads = adaptor.getPadsAttr();
  props.dilations = adaptor.getDilationsAttr();
  props.groups =
      IntegerAttr::get(IntegerType::get(context, 64), adaptor.getGroups());
  SmallVector<Type> types;
  if (failed(ConvOp::inferReturnTypes(
          context, location,
          ConvOp::Adaptor(ValueRange{adaptor.getInput(), adaptor.getWeight()},
                          nullptr, props),
          types)))
    return failure();
  auto t = cast<RankedTensorType>(types[0]);
  inferred.push_back(
      RankedTensorType::get(t.getShape(), IntegerType::get(context, 32)));
  return success();
}

LogicalResult ConvIntegerOp::verify() {
  if (!isSingle(getInputZeroPoint().getType()))
    return emitOpError("input_zero_point must be a scalar, got ")
           << shapeToString(getInputZeroPoint().getType().getShape());
  return checkPerAxis(*this, "weight_zero_point",
                      getWeightZeroPoint().getType(),
                      getWeight().getType().getDimSize(0), "output channel");
}

//===----------------------------------------------------------------------===//
// RequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult RequantizeOp::verify() {
  auto in = getInput().getType();
  auto out = getType();
  if (out.getShape() != in.getShape())
    return emitOpError("result shape ")
           << shapeToString(out.getShape()) << " differs from input shape "
           << shapeToString(in.getShape());
  int64_t size = 1;
  if (auto axis = getAxis()) {
    int64_t rank = in.getRank();
    if (int64_t(*axis) < 0 || int64_t(*axis) >= rank)
      return emitOpError("axis ")
             << int64_t(*axis) << " is out of range for rank " << rank;
    size = in.getDimSize(*axis);
  }
  auto checkParam = [&](StringRef what, RankedTensorType t) -> LogicalResult {
    if (!getAxis() && !isSingle(t))
      return emitOpError() << what << " must be a scalar without an axis, got "
                           << shapeToString(t.getShape());
    return checkPerAxis(*this, what, t, size, "slice of the axis");
  };
  if (failed(checkParam("scale", getScale().getType())) ||
      failed(checkParam("zero_point", getZeroPoint().getType())))
    return failure();
  if (getBias() && failed(checkParam("bias", getBias().getType())))
    return failure();
  int64_t lo = getIsUnsigned() ? 0 : -128, hi = getIsUnsigned() ? 255 : 127;
  auto inRange = [&](StringRef what,
                     std::optional<int64_t> v) -> LogicalResult {
    if (v && (*v < lo || *v > hi))
      return emitOpError() << what << " " << *v << " is outside [" << lo << ", "
                           << hi << "]";
    return success();
  };
  std::optional<int64_t> clampMin, clampMax;
  if (auto v = getClampMin())
    clampMin = int64_t(*v);
  if (auto v = getClampMax())
    clampMax = int64_t(*v);
  if (failed(inRange("clamp_min", clampMin)) ||
      failed(inRange("clamp_max", clampMax)))
    return failure();
  if (clampMin && clampMax && *clampMin > *clampMax)
    return emitOpError("clamp_min ")
           << *clampMin << " is above clamp_max " << *clampMax;
  return success();
}
