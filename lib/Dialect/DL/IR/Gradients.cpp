//===- Gradients.cpp - reverse-mode rules of the dl ops -------------------===//
//
// Each differentiable op's vector-Jacobian product, attached to the op as a
// GradientOpInterface external model. Broadcasting binaries un-broadcast
// their gradients by summing over the broadcast dims.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc::dl;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

/// A scalar-shaped (rank 0) constant of `et`.
Value scalar(OpBuilder &b, Location loc, Type et, double v) {
  auto t = RankedTensorType::get({}, et);
  return ConstantOp::create(b, loc, DenseElementsAttr::get(
                                        t, b.getFloatAttr(et, v)));
}

/// Sums `grad` (shaped like a broadcast result) down to `target`'s shape:
/// over the leading dims `target` lacks and the dims where it has 1.
Value unbroadcast(OpBuilder &b, Location loc, Value grad, RankedTensorType target) {
  auto gt = typeOf(grad);
  if (gt == target)
    return grad;
  int64_t offset = gt.getRank() - target.getRank();
  SmallVector<int64_t> axes;
  for (int64_t i = 0; i < gt.getRank(); ++i)
    if (i < offset || (target.getDimSize(i - offset) == 1 && gt.getDimSize(i) != 1))
      axes.push_back(i);
  Value g = grad;
  if (!axes.empty())
    g = ReduceSumOp::create(b, loc, g, b.getDenseI64ArrayAttr(axes),
                            b.getBoolAttr(true));
  if (typeOf(g) != target)
    g = ReshapeOp::create(b, loc, target, g, Value(), b.getBoolAttr(false));
  return g;
}

template <typename OpTy>
struct Rule : public GradientOpInterface::ExternalModel<Rule<OpTy>, OpTy> {
  LogicalResult vjp(Operation *op, OpBuilder &b, ValueRange resultGrads,
                    SmallVectorImpl<Value> &operandGrads) const;
};

#define DL_RULE(OpTy)                                                          \
  template <>                                                                  \
  LogicalResult Rule<OpTy>::vjp(Operation *raw, OpBuilder &b,                  \
                                ValueRange resultGrads,                        \
                                SmallVectorImpl<Value> &grads) const

// Binary ops: d/dx and d/dy, then un-broadcast to each operand.
template <typename F>
LogicalResult binaryRule(Operation *op, OpBuilder &b, Value g,
                         SmallVectorImpl<Value> &grads, F partials) {
  Location loc = op->getLoc();
  Value x = op->getOperand(0), y = op->getOperand(1);
  auto [gx, gy] = partials(b, loc, x, y, g);
  grads.assign(2, Value());
  if (gx)
    grads[0] = unbroadcast(b, loc, gx, typeOf(x));
  if (gy)
    grads[1] = unbroadcast(b, loc, gy, typeOf(y));
  return success();
}

using Pair = std::pair<Value, Value>;

DL_RULE(AddOp) {
  return binaryRule(raw, b, resultGrads[0], grads,
                    [](OpBuilder &, Location, Value, Value, Value g) {
                      return Pair{g, g};
                    });
}
DL_RULE(SubOp) {
  return binaryRule(raw, b, resultGrads[0], grads,
                    [](OpBuilder &b, Location l, Value, Value, Value g) {
                      return Pair{g, NegOp::create(b, l, g)};
                    });
}
DL_RULE(MulOp) {
  return binaryRule(raw, b, resultGrads[0], grads,
                    [](OpBuilder &b, Location l, Value x, Value y, Value g) {
                      return Pair{MulOp::create(b, l, g, y),
                                  MulOp::create(b, l, g, x)};
                    });
}
DL_RULE(DivOp) {
  // d(x/y) = g / y, -g * x / y^2
  return binaryRule(raw, b, resultGrads[0], grads,
                    [](OpBuilder &b, Location l, Value x, Value y, Value g) {
                      Value gx = DivOp::create(b, l, g, y);
                      Value q = DivOp::create(b, l, gx, y);
                      return Pair{gx, NegOp::create(b, l, MulOp::create(b, l, q, x))};
                    });
}

/// Unary ops: the gradient is g * f'(x), with f' built from x and y = f(x).
template <typename F>
LogicalResult unaryRule(Operation *op, OpBuilder &b, Value g,
                        SmallVectorImpl<Value> &grads, F derivative) {
  Location loc = op->getLoc();
  Value x = op->getOperand(0), y = op->getResult(0);
  grads.assign(1, MulOp::create(b, loc, g, derivative(b, loc, x, y)));
  return success();
}

DL_RULE(NegOp) {
  grads.assign(1, NegOp::create(b, raw->getLoc(), resultGrads[0]));
  return success();
}
DL_RULE(ExpOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](OpBuilder &, Location, Value, Value y) { return y; });
}
DL_RULE(LogOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](OpBuilder &b, Location l, Value x, Value) -> Value {
                     return ReciprocalOp::create(b, l, x);
                   });
}
DL_RULE(TanhOp) {
  // 1 - y^2
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](OpBuilder &b, Location l, Value, Value y) -> Value {
                     Type et = typeOf(y).getElementType();
                     return SubOp::create(b, l, scalar(b, l, et, 1),
                                          MulOp::create(b, l, y, y));
                   });
}
DL_RULE(SigmoidOp) {
  // y (1 - y)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](OpBuilder &b, Location l, Value, Value y) -> Value {
                     Type et = typeOf(y).getElementType();
                     return MulOp::create(
                         b, l, y, SubOp::create(b, l, scalar(b, l, et, 1), y));
                   });
}
DL_RULE(ReluOp) {
  // g where x > 0, else 0.
  Location l = raw->getLoc();
  Value x = raw->getOperand(0), g = resultGrads[0];
  Type et = typeOf(x).getElementType();
  Value positive = GreaterOp::create(b, l, x, scalar(b, l, et, 0));
  grads.assign(1, SelectOp::create(b, l, positive, g, scalar(b, l, et, 0)));
  return success();
}
DL_RULE(MatMulOp) {
  auto op = cast<MatMulOp>(raw);
  Location l = op.getLoc();
  if (op.getLhs().getType().getRank() != 2 || op.getRhs().getType().getRank() != 2)
    return op.emitOpError("gradient implemented for 2-D operands only");
  Value g = resultGrads[0];
  auto perm = b.getDenseI64ArrayAttr({1, 0});
  Value bt = TransposeOp::create(b, l, op.getRhs(), perm);
  Value at = TransposeOp::create(b, l, op.getLhs(), perm);
  grads.assign({MatMulOp::create(b, l, g, bt), MatMulOp::create(b, l, at, g)});
  return success();
}

/// reduce_sum / reduce_mean: broadcast the gradient back over the reduced
/// dims (divided by their count for the mean).
template <typename OpTy>
LogicalResult reduceRule(Operation *raw, OpBuilder &b, Value g,
                         SmallVectorImpl<Value> &grads, bool mean) {
  auto op = cast<OpTy>(raw);
  Location l = op.getLoc();
  auto inType = typeOf(op.getInput());
  int64_t rank = inType.getRank();
  SmallVector<bool> reduced(rank, op.getAxes().empty());
  for (int64_t a : op.getAxes())
    reduced[a < 0 ? a + rank : a] = true;
  if (!op.getKeepdims()) {
    SmallVector<int64_t> kept;
    for (int64_t i = 0; i < rank; ++i)
      kept.push_back(reduced[i] ? 1 : inType.getDimSize(i));
    g = ReshapeOp::create(
        b, l, RankedTensorType::get(kept, inType.getElementType()), g, Value(),
        b.getBoolAttr(false));
  }
  if (!inType.hasStaticShape())
    return op.emitOpError("gradient implemented for static shapes only");
  Value full = ExpandOp::create(b, l, inType, g, Value());
  if (mean) {
    int64_t count = 1;
    for (int64_t i = 0; i < rank; ++i)
      if (reduced[i])
        count *= inType.getDimSize(i);
    full = DivOp::create(b, l, full,
                         scalar(b, l, inType.getElementType(), double(count)));
  }
  grads.assign(1, full);
  return success();
}
DL_RULE(ReduceSumOp) {
  return reduceRule<ReduceSumOp>(raw, b, resultGrads[0], grads, false);
}
DL_RULE(ReduceMeanOp) {
  return reduceRule<ReduceMeanOp>(raw, b, resultGrads[0], grads, true);
}
DL_RULE(TransposeOp) {
  auto op = cast<TransposeOp>(raw);
  SmallVector<int64_t> inverse(op.getPerm().size());
  for (auto [i, p] : llvm::enumerate(op.getPerm()))
    inverse[p] = i;
  grads.assign(1, TransposeOp::create(b, op.getLoc(), resultGrads[0],
                                      b.getDenseI64ArrayAttr(inverse)));
  return success();
}
DL_RULE(ReshapeOp) {
  auto op = cast<ReshapeOp>(raw);
  if (!op.getInput().getType().hasStaticShape())
    return op.emitOpError("gradient implemented for static shapes only");
  grads.assign(op->getNumOperands(), Value());
  grads[0] = ReshapeOp::create(b, op.getLoc(), op.getInput().getType(),
                               resultGrads[0], Value(), b.getBoolAttr(false));
  return success();
}

DL_RULE(SqrtOp) {
  // 1 / (2 y)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](OpBuilder &b, Location l, Value, Value y) -> Value {
                     Type et = typeOf(y).getElementType();
                     return ReciprocalOp::create(
                         b, l, MulOp::create(b, l, y, scalar(b, l, et, 2)));
                   });
}
DL_RULE(ReciprocalOp) {
  // -y^2
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](OpBuilder &b, Location l, Value, Value y) -> Value {
                     return NegOp::create(b, l, MulOp::create(b, l, y, y));
                   });
}
DL_RULE(SiluOp) {
  // s (1 + x (1 - s)), s = sigmoid(x)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](OpBuilder &b, Location l, Value x, Value) -> Value {
                     Type et = typeOf(x).getElementType();
                     Value s = SigmoidOp::create(b, l, x);
                     Value oneMinus = SubOp::create(b, l, scalar(b, l, et, 1), s);
                     Value inner = AddOp::create(b, l, scalar(b, l, et, 1),
                                                 MulOp::create(b, l, x, oneMinus));
                     return MulOp::create(b, l, s, inner);
                   });
}

/// Softmax: g_x = y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g),
/// with the sums over the axis, kept for broadcasting.
template <bool isLog>
LogicalResult softmaxRule(Operation *raw, OpBuilder &b, Value g,
                          SmallVectorImpl<Value> &grads, int64_t axis) {
  Location l = raw->getLoc();
  Value y = raw->getResult(0);
  int64_t rank = typeOf(y).getRank();
  auto axes = b.getDenseI64ArrayAttr({axis < 0 ? axis + rank : axis});
  if constexpr (isLog) {
    Value sum = ReduceSumOp::create(b, l, g, axes, b.getBoolAttr(true));
    grads.assign(1, SubOp::create(b, l, g,
                                  MulOp::create(b, l, ExpOp::create(b, l, y), sum)));
  } else {
    Value sum = ReduceSumOp::create(b, l, MulOp::create(b, l, g, y), axes,
                                    b.getBoolAttr(true));
    grads.assign(1, MulOp::create(b, l, y, SubOp::create(b, l, g, sum)));
  }
  return success();
}
DL_RULE(SoftmaxOp) {
  return softmaxRule<false>(raw, b, resultGrads[0], grads,
                            static_cast<int64_t>(cast<SoftmaxOp>(raw).getAxis()));
}
DL_RULE(LogSoftmaxOp) {
  return softmaxRule<true>(
      raw, b, resultGrads[0], grads,
      static_cast<int64_t>(cast<LogSoftmaxOp>(raw).getAxis()));
}

/// Ops that only rearrange elements into a new shape: the gradient is
/// reshaped back.
template <typename OpTy>
LogicalResult reshapeLikeRule(Operation *raw, OpBuilder &b, Value g,
                              SmallVectorImpl<Value> &grads) {
  auto inType = typeOf(raw->getOperand(0));
  if (!inType.hasStaticShape())
    return raw->emitOpError("gradient implemented for static shapes only");
  grads.assign(1, ReshapeOp::create(b, raw->getLoc(), inType, g, Value(),
                                    b.getBoolAttr(false)));
  return success();
}
DL_RULE(SqueezeOp) { return reshapeLikeRule<SqueezeOp>(raw, b, resultGrads[0], grads); }
DL_RULE(UnsqueezeOp) {
  return reshapeLikeRule<UnsqueezeOp>(raw, b, resultGrads[0], grads);
}
DL_RULE(FlattenOp) { return reshapeLikeRule<FlattenOp>(raw, b, resultGrads[0], grads); }
DL_RULE(ExpandOp) {
  grads.assign(raw->getNumOperands(), Value());
  grads[0] = unbroadcast(b, raw->getLoc(), resultGrads[0],
                         typeOf(raw->getOperand(0)));
  return success();
}

#undef DL_RULE

} // namespace

void dlc::dl::registerGradientRules(MLIRContext *context) {
  AddOp::attachInterface<Rule<AddOp>>(*context);
  SubOp::attachInterface<Rule<SubOp>>(*context);
  MulOp::attachInterface<Rule<MulOp>>(*context);
  DivOp::attachInterface<Rule<DivOp>>(*context);
  NegOp::attachInterface<Rule<NegOp>>(*context);
  ExpOp::attachInterface<Rule<ExpOp>>(*context);
  LogOp::attachInterface<Rule<LogOp>>(*context);
  TanhOp::attachInterface<Rule<TanhOp>>(*context);
  SigmoidOp::attachInterface<Rule<SigmoidOp>>(*context);
  ReluOp::attachInterface<Rule<ReluOp>>(*context);
  MatMulOp::attachInterface<Rule<MatMulOp>>(*context);
  ReduceSumOp::attachInterface<Rule<ReduceSumOp>>(*context);
  ReduceMeanOp::attachInterface<Rule<ReduceMeanOp>>(*context);
  TransposeOp::attachInterface<Rule<TransposeOp>>(*context);
  ReshapeOp::attachInterface<Rule<ReshapeOp>>(*context);
  SqrtOp::attachInterface<Rule<SqrtOp>>(*context);
  ReciprocalOp::attachInterface<Rule<ReciprocalOp>>(*context);
  SiluOp::attachInterface<Rule<SiluOp>>(*context);
  SoftmaxOp::attachInterface<Rule<SoftmaxOp>>(*context);
  LogSoftmaxOp::attachInterface<Rule<LogSoftmaxOp>>(*context);
  SqueezeOp::attachInterface<Rule<SqueezeOp>>(*context);
  UnsqueezeOp::attachInterface<Rule<UnsqueezeOp>>(*context);
  FlattenOp::attachInterface<Rule<FlattenOp>>(*context);
  ExpandOp::attachInterface<Rule<ExpandOp>>(*context);
}
