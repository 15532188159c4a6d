//===- GradientBuilder.cpp - building blocks of gradient code -------------===//

#include "dlc/Dialect/DL/IR/GradientBuilder.h"

using namespace mlir;
using namespace dlc::dl;

static RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

Value dlc::dl::scalarTensor(OpBuilder &b, Location loc, Type et, double v) {
  auto t = RankedTensorType::get({}, et);
  return ConstantOp::create(b, loc,
                            DenseElementsAttr::get(t, b.getFloatAttr(et, v)));
}

Value dlc::dl::dynamicShape(OpBuilder &b, Location loc, Value like) {
  if (typeOf(like).hasStaticShape())
    return {};
  return ShapeOfOp::create(b, loc, like);
}

Value dlc::dl::reshapeLike(OpBuilder &b, Location loc, Value v, Value like) {
  auto t = typeOf(like);
  if (typeOf(v) == t)
    return v;
  Value shape = dynamicShape(b, loc, like);
  // shape_of gives the dims themselves, so a 0 means an empty dim.
  return ReshapeOp::create(b, loc, t, v, shape, b.getBoolAttr(bool(shape)));
}

Value dlc::dl::expandLike(OpBuilder &b, Location loc, Value v, Value like) {
  auto t = typeOf(like);
  if (typeOf(v) == t)
    return v;
  return ExpandOp::create(b, loc, t, v, dynamicShape(b, loc, like));
}

Value dlc::dl::zerosLike(OpBuilder &b, Location loc, Value like) {
  return expandLike(
      b, loc, scalarTensor(b, loc, typeOf(like).getElementType(), 0), like);
}

Value dlc::dl::unbroadcast(OpBuilder &b, Location loc, Value grad,
                           Value target) {
  auto gt = typeOf(grad), tt = typeOf(target);
  if (gt == tt)
    return grad;
  int64_t offset = gt.getRank() - tt.getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < gt.getRank(); ++i)
    if (i < offset || (tt.getDimSize(i - offset) == 1 && gt.getDimSize(i) != 1))
      axes.push_back(i);
  Value g = grad;
  if (!axes.empty())
    g = ReduceSumOp::create(b, loc, g, b.getDenseI64ArrayAttr(axes),
                            b.getBoolAttr(true));
  return reshapeLike(b, loc, g, target);
}
