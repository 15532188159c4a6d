//===- Utils.cpp - helpers shared by the dl lowerings ---------------------===//

#include "Utils.h"

using namespace mlir;

namespace dlc {

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynamicSizes) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 type.getElementType(), dynamicSizes);
}

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                ValueRange sources) {
  SmallVector<Value> sizes;
  int64_t rank = type.getRank();
  for (int64_t i = 0; i < rank; ++i) {
    if (!ShapedType::isDynamic(type.getDimSize(i)))
      continue;
    Value size;
    for (Value s : sources) {
      auto st = cast<RankedTensorType>(s.getType());
      int64_t j = i - (rank - st.getRank());
      if (j < 0 || st.getDimSize(j) == 1)
        continue;
      size = tensor::DimOp::create(b, loc, s, j);
      break;
    }
    // Every source has 1 here: the result dim is 1 as well.
    if (!size)
      size = arith::ConstantIndexOp::create(b, loc, 1);
    sizes.push_back(size);
  }
  return emptyTensor(b, loc, type, sizes);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand,
                       RankedTensorType result) {
  int64_t rank = result.getRank(), offset = rank - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    if (operand.getDimSize(i) == 1 && result.getDimSize(i + offset) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(i + offset, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value init, ValueRange sources) {
  Value empty = emptyLike(b, loc, type, sources);
  return linalg::FillOp::create(b, loc, init, empty).getResult(0);
}

Value dimValue(OpBuilder &b, Location loc, Value v, int64_t i) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(i))
    return arith::ConstantIndexOp::create(b, loc, t.getDimSize(i));
  return tensor::DimOp::create(b, loc, v, i);
}

Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type,
                ArrayRef<Value> dims) {
  if (input.getType() == type)
    return input;
  SmallVector<Value> all;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!type.isDynamicDim(i))
      all.push_back(arith::ConstantIndexOp::create(b, loc, type.getDimSize(i)));
    else
      all.push_back(dims[i]);
  }
  auto shapeType =
      RankedTensorType::get({type.getRank()}, b.getIndexType());
  Value shape = tensor::FromElementsOp::create(b, loc, shapeType, all);
  return tensor::ReshapeOp::create(b, loc, type, input, shape);
}

} // namespace dlc
