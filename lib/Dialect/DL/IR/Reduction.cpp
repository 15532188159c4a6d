//===- Reduction.cpp - reductions and arg reductions ----------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc::dl;

LogicalResult dlc::dl::inferReduceResult(std::optional<Location> loc,
                                         Value input, ArrayRef<int64_t> axes,
                                         bool keepdims,
                                         SmallVectorImpl<Type> &inferred) {
  auto type = tensorTypeOf(input);
  int64_t rank = type.getRank();
  auto normalized = normalizeAxes(loc, axes, rank);
  if (failed(normalized))
    return failure();
  SmallVector<bool> reduced(rank, axes.empty());
  for (int64_t a : *normalized)
    reduced[a] = true;
  SmallVector<int64_t> shape;
  for (int64_t i = 0; i < rank; ++i) {
    if (!reduced[i])
      shape.push_back(type.getDimSize(i));
    else if (keepdims)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, type.getElementType()));
  return success();
}

LogicalResult dlc::dl::inferArgReduceResult(std::optional<Location> loc,
                                            Value input, int64_t axis,
                                            bool keepdims,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = tensorTypeOf(input);
  if (type.getRank() == 0)
    return emitOptionalError(loc, "argmax/argmin need an input of rank >= 1");
  auto a = normalizeAxis(loc, axis, type.getRank());
  if (failed(a))
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  if (keepdims)
    shape[*a] = 1;
  else
    shape.erase(shape.begin() + *a);
  inferred.push_back(
      RankedTensorType::get(shape, IntegerType::get(input.getContext(), 64)));
  return success();
}

OpFoldResult dlc::dl::foldReduce(Operation *op, ArrayRef<int64_t> axes) {
  // On one element, these reductions return it unchanged (l1, l2 and
  // sum_square do not: they take |x| or x^2).
  if (!isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp, ReduceProdOp,
           ReduceLogSumExpOp>(op))
    return {};
  Value input = op->getOperand(0);
  auto type = tensorTypeOf(input);
  if (op->getResult(0).getType() != type)
    return {};
  int64_t rank = type.getRank();
  if (axes.empty()) {
    for (int64_t d : type.getShape())
      if (d != 1)
        return {};
    return input;
  }
  for (int64_t a : axes)
    if (type.getDimSize(a < 0 ? a + rank : a) != 1)
      return {};
  return input;
}
