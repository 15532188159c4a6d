//===- GradientBuilder.h - building blocks of gradient code -----*- C++ -*-===//
//
// Helpers shared by the gradient rules (Gradients.cpp, ConvGradients.cpp),
// dl-autodiff and the train-step builder: rank-0 constants, shape-following
// reshapes and broadcasts, un-broadcasting, GradBuilder, which spells dl
// ops at one location so formulas read as formulas, and GradientRule with
// DL_RULE, the one way a rule is defined and attached.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_GRADIENTBUILDER_H
#define DLC_DIALECT_DL_IR_GRADIENTBUILDER_H

#include "dlc/Dialect/DL/IR/DLOps.h"

namespace dlc::dl {

using mlir::ArrayRef;
using mlir::DenseElementsAttr;
using mlir::Location;
using mlir::OpBuilder;
using mlir::RankedTensorType;
using mlir::Type;
using mlir::Value;

/// A rank-0 dl.constant of float type `et`.
Value scalarTensor(OpBuilder &b, Location loc, Type et, double v);

/// `like`'s shape as a run-time value when it has dynamic dims; null when it
/// is static (the result type then says it all).
Value dynamicShape(OpBuilder &b, Location loc, Value like);

/// `v` reshaped to `like`'s type (same element count).
Value reshapeLike(OpBuilder &b, Location loc, Value v, Value like);

/// `v` broadcast to `like`'s type.
Value expandLike(OpBuilder &b, Location loc, Value v, Value like);

/// Zeros shaped like `like` (dynamic dims from its shape_of).
Value zerosLike(OpBuilder &b, Location loc, Value like);

/// Sums `grad` (shaped like a broadcast result) down to `target`'s shape:
/// over the leading dims `target` lacks and the dims where it has 1.
Value unbroadcast(OpBuilder &b, Location loc, Value grad, Value target);

/// The values an op's gradient rule gives gradients for, in order: its
/// operands, then (for ops with regions, such as scf.if) the values defined
/// outside that its regions use.
llvm::SmallVector<Value> gradientInputs(mlir::Operation *op);

/// Reverse sweep over `ops` (in program order, each with a gradient rule
/// where it is on a path from `wrt`): `grads` holds the seeds (gradients of
/// some results) and receives the accumulated gradient of every value on a
/// path from `wrt`, as dl-autodiff does for a function body. Used by rules
/// whose op holds or expands to other ops (control flow, recurrent layers).
mlir::LogicalResult sweepGradients(OpBuilder &b, Location loc,
                                   ArrayRef<mlir::Operation *> ops,
                                   ArrayRef<Value> wrt,
                                   llvm::DenseMap<Value, Value> &grads);

/// The gradients of `wrt` given cotangents `seeds` (value, cotangent; summed
/// per value): sweepGradients over `ops`, zeros for a value no seed depends
/// on. dl-autodiff's buildGradients and the control-flow rules share it.
mlir::FailureOr<llvm::SmallVector<Value>>
gradientsOf(OpBuilder &b, Location loc, ArrayRef<mlir::Operation *> ops,
            ArrayRef<std::pair<Value, Value>> seeds, ArrayRef<Value> wrt);

/// Attaches the gradient rule of scf.if (control flow imported from ONNX).
void registerControlFlowGradientRules(mlir::MLIRContext *context);

/// Builds dl ops at one location, to keep the rules close to their formulas.
/// Binary ops broadcast; `c(like, v)` is a rank-0 constant of like's element
/// type, which broadcasts against anything.
struct GradBuilder {
  static mlir::RankedTensorType typeOf(mlir::Value v) {
    return mlir::cast<mlir::RankedTensorType>(v.getType());
  }

  OpBuilder &b;
  Location l;

  Value c(Value like, double v) {
    return scalarTensor(b, l, typeOf(like).getElementType(), v);
  }
  Value add(Value x, Value y) { return AddOp::create(b, l, x, y); }
  Value sub(Value x, Value y) { return SubOp::create(b, l, x, y); }
  Value mul(Value x, Value y) { return MulOp::create(b, l, x, y); }
  Value div(Value x, Value y) { return DivOp::create(b, l, x, y); }
  Value pow(Value x, Value y) { return PowOp::create(b, l, x, y); }
  Value neg(Value x) { return NegOp::create(b, l, x); }
  Value exp(Value x) { return ExpOp::create(b, l, x); }
  Value log(Value x) { return LogOp::create(b, l, x); }
  Value rsqrt(Value x) { return RsqrtOp::create(b, l, x); }
  Value sqrt(Value x) { return SqrtOp::create(b, l, x); }
  Value recip(Value x) { return ReciprocalOp::create(b, l, x); }
  Value sign(Value x) { return SignOp::create(b, l, x); }
  Value tanh(Value x) { return TanhOp::create(b, l, x); }
  Value sigmoid(Value x) { return SigmoidOp::create(b, l, x); }
  Value erf(Value x) { return ErfOp::create(b, l, x); }
  Value floor(Value x) { return FloorOp::create(b, l, x); }
  Value ceil(Value x) { return CeilOp::create(b, l, x); }
  Value gt(Value x, Value y) { return GreaterOp::create(b, l, x, y); }
  Value ge(Value x, Value y) { return GreaterEqualOp::create(b, l, x, y); }
  Value lt(Value x, Value y) { return LessOp::create(b, l, x, y); }
  Value le(Value x, Value y) { return LessEqualOp::create(b, l, x, y); }
  Value eq(Value x, Value y) { return EqualOp::create(b, l, x, y); }
  Value both(Value x, Value y) { return AndOp::create(b, l, x, y); }
  Value select(Value cond, Value x, Value y) {
    return SelectOp::create(b, l, cond, x, y);
  }
  /// x * x
  Value square(Value x) { return mul(x, x); }
  /// g where cond holds, else 0.
  Value where(Value cond, Value g) { return select(cond, g, c(g, 0)); }
  /// A boolean tensor as 0 / 1 of `like`'s element type.
  Value toFloat(Value cond, Value like) {
    auto t = typeOf(cond);
    return CastOp::create(
        b, l,
        RankedTensorType::get(t.getShape(), typeOf(like).getElementType()),
        cond);
  }
  Value sum(Value x, ArrayRef<int64_t> axes, bool keepdims) {
    return ReduceSumOp::create(b, l, x, b.getDenseI64ArrayAttr(axes),
                               b.getBoolAttr(keepdims));
  }
  Value mean(Value x, ArrayRef<int64_t> axes) {
    return ReduceMeanOp::create(b, l, x, b.getDenseI64ArrayAttr(axes),
                                b.getBoolAttr(true));
  }
  Value unsqueeze(Value x, ArrayRef<int64_t> axes) {
    if (axes.empty())
      return x;
    return UnsqueezeOp::create(b, l, x, b.getDenseI64ArrayAttr(axes));
  }
  Value squeeze(Value x, ArrayRef<int64_t> axes) {
    return SqueezeOp::create(b, l, x, b.getDenseI64ArrayAttr(axes));
  }
  Value transpose(Value x, ArrayRef<int64_t> perm) {
    return TransposeOp::create(b, l, x, b.getDenseI64ArrayAttr(perm));
  }
  Value matmul(Value x, Value y) { return MatMulOp::create(b, l, x, y); }
  Value i64Constant(ArrayRef<int64_t> values) {
    auto t = RankedTensorType::get({static_cast<int64_t>(values.size())},
                                   b.getI64Type());
    return ConstantOp::create(b, l, DenseElementsAttr::get(t, values));
  }
  Value reshapeLike(Value v, Value like) {
    return dl::reshapeLike(b, l, v, like);
  }
  Value expandLike(Value v, Value like) {
    return dl::expandLike(b, l, v, like);
  }
  Value zerosLike(Value like) { return dl::zerosLike(b, l, like); }
  Value unbroadcast(Value g, Value target) {
    return dl::unbroadcast(b, l, g, target);
  }
};

/// The GradientOpInterface model of `OpTy`. Its `vjp` is defined once per
/// op with DL_RULE (Gradients.cpp, ConvGradients.cpp).
template <typename OpTy>
struct GradientRule
    : public GradientOpInterface::ExternalModel<GradientRule<OpTy>, OpTy> {
  mlir::LogicalResult vjp(mlir::Operation *op, OpBuilder &b,
                          mlir::ValueRange resultGrads,
                          llvm::SmallVectorImpl<Value> &operandGrads) const;
};

/// Attaches the rules of `OpTys` (each defined with DL_RULE) to their ops.
template <typename... OpTys>
void attachGradientRules(mlir::MLIRContext *context) {
  (OpTys::template attachInterface<GradientRule<OpTys>>(*context), ...);
}

} // namespace dlc::dl

/// Defines the rule of `OpTy` at namespace scope: a body that reads `raw`
/// (the op), `b` and `resultGrads` and fills `grads`, one per operand (null:
/// no gradient).
#define DL_RULE(OpTy)                                                          \
  template <>                                                                  \
  mlir::LogicalResult dlc::dl::GradientRule<OpTy>::vjp(                        \
      mlir::Operation *raw, mlir::OpBuilder &b, mlir::ValueRange resultGrads,  \
      llvm::SmallVectorImpl<mlir::Value> &grads) const

#endif // DLC_DIALECT_DL_IR_GRADIENTBUILDER_H
