//===- Elementwise.cpp - unary, binary, select, cast to linalg.generic ----===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// Builds one element of `op` from its operands' elements.
class ScalarBuilder {
public:
  ScalarBuilder(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  Value c(Type t, double v) { return scalarConstant(b, loc, t, v); }

  Value build(Operation *op, ValueRange args, Type resultType) {
    Value x = args[0];
    Type t = x.getType();
    bool isFloat = isa<FloatType>(t);
    auto f64 = [](FloatAttr a) { return a.getValueAsDouble(); };
    return llvm::TypeSwitch<Operation *, Value>(op)
        .Case([&](NegOp) -> Value {
          return isFloat ? Value(arith::NegFOp::create(b, loc, x))
                         : Value(arith::SubIOp::create(b, loc, c(t, 0), x));
        })
        .Case([&](AbsOp) -> Value {
          return isFloat ? Value(math::AbsFOp::create(b, loc, x))
                         : Value(math::AbsIOp::create(b, loc, x));
        })
        .Case([&](SignOp) -> Value {
          Value zero = c(t, 0), one = c(t, 1), minus = c(t, -1);
          Value gt = cmp(x, zero, arith::CmpFPredicate::OGT,
                         arith::CmpIPredicate::sgt);
          Value lt = cmp(x, zero, arith::CmpFPredicate::OLT,
                         arith::CmpIPredicate::slt);
          Value r = arith::SelectOp::create(b, loc, lt, minus, zero);
          return arith::SelectOp::create(b, loc, gt, one, r);
        })
        .Case([&](ReluOp) -> Value {
          Value zero = c(t, 0);
          Value gt = cmp(x, zero, arith::CmpFPredicate::UGT,
                         arith::CmpIPredicate::sgt);
          return arith::SelectOp::create(b, loc, gt, x, zero);
        })
        .Case([&](ClipOp op) -> Value {
          Value r = x;
          if (auto lo = op.getMinAttr())
            r = maxOf(r, c(t, f64(lo)));
          if (auto hi = op.getMaxAttr())
            r = minOf(r, c(t, f64(hi)));
          return r;
        })
        .Case([&](ExpOp) { return math::ExpOp::create(b, loc, x); })
        .Case([&](LogOp) { return math::LogOp::create(b, loc, x); })
        .Case([&](SqrtOp) { return math::SqrtOp::create(b, loc, x); })
        .Case([&](RsqrtOp) { return math::RsqrtOp::create(b, loc, x); })
        .Case([&](ReciprocalOp) {
          return arith::DivFOp::create(b, loc, c(t, 1), x);
        })
        .Case([&](TanhOp) { return math::TanhOp::create(b, loc, x); })
        .Case([&](SigmoidOp) { return sigmoid(x); })
        .Case([&](LeakyReluOp op) -> Value {
          Value ge = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UGE, x,
                                           c(t, 0));
          Value scaled =
              arith::MulFOp::create(b, loc, x, c(t, f64(op.getAlphaAttr())));
          return arith::SelectOp::create(b, loc, ge, x, scaled);
        })
        .Case([&](EluOp op) { return elu(x, f64(op.getAlphaAttr()), 1.0); })
        .Case([&](SeluOp op) {
          return elu(x, f64(op.getAlphaAttr()), f64(op.getGammaAttr()));
        })
        .Case([&](GeluOp op) -> Value {
          Value half = arith::MulFOp::create(b, loc, x, c(t, 0.5));
          Value inner;
          if (op.getApproximate() == GeluApproximation::tanh) {
            Value x3 = arith::MulFOp::create(
                b, loc, arith::MulFOp::create(b, loc, x, x), x);
            Value poly = arith::AddFOp::create(
                b, loc, x, arith::MulFOp::create(b, loc, x3, c(t, 0.044715)));
            inner = math::TanhOp::create(
                b, loc,
                arith::MulFOp::create(b, loc, poly, c(t, 0.7978845608028654)));
          } else {
            inner = math::ErfOp::create(
                b, loc,
                arith::MulFOp::create(b, loc, x, c(t, 0.7071067811865476)));
          }
          return arith::MulFOp::create(
              b, loc, half, arith::AddFOp::create(b, loc, inner, c(t, 1)));
        })
        .Case([&](SiluOp) {
          return arith::MulFOp::create(b, loc, x, sigmoid(x));
        })
        .Case([&](SoftplusOp) -> Value {
          // max(x, 0) + log1p(exp(-|x|)) does not overflow.
          Value negAbs =
              arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
          Value l = math::Log1pOp::create(b, loc,
                                          math::ExpOp::create(b, loc, negAbs));
          return arith::AddFOp::create(b, loc, maxOf(x, c(t, 0)), l);
        })
        .Case([&](HardSigmoidOp op) -> Value {
          Value v = arith::AddFOp::create(
              b, loc,
              arith::MulFOp::create(b, loc, x, c(t, f64(op.getAlphaAttr()))),
              c(t, f64(op.getBetaAttr())));
          return minOf(maxOf(v, c(t, 0)), c(t, 1));
        })
        .Case([&](HardSwishOp) -> Value {
          Value v = arith::AddFOp::create(
              b, loc, arith::MulFOp::create(b, loc, x, c(t, 1.0 / 6.0)),
              c(t, 0.5));
          return arith::MulFOp::create(b, loc, x,
                                       minOf(maxOf(v, c(t, 0)), c(t, 1)));
        })
        .Case([&](ErfOp) { return math::ErfOp::create(b, loc, x); })
        .Case([&](SinOp) { return math::SinOp::create(b, loc, x); })
        .Case([&](CosOp) { return math::CosOp::create(b, loc, x); })
        .Case([&](TanOp) { return math::TanOp::create(b, loc, x); })
        .Case([&](AsinOp) { return math::AsinOp::create(b, loc, x); })
        .Case([&](AcosOp) { return math::AcosOp::create(b, loc, x); })
        .Case([&](AtanOp) { return math::AtanOp::create(b, loc, x); })
        .Case([&](SinhOp) { return math::SinhOp::create(b, loc, x); })
        .Case([&](CoshOp) { return math::CoshOp::create(b, loc, x); })
        .Case([&](AsinhOp) { return math::AsinhOp::create(b, loc, x); })
        .Case([&](AcoshOp) { return math::AcoshOp::create(b, loc, x); })
        .Case([&](AtanhOp) { return math::AtanhOp::create(b, loc, x); })
        .Case([&](FloorOp) { return math::FloorOp::create(b, loc, x); })
        .Case([&](CeilOp) { return math::CeilOp::create(b, loc, x); })
        .Case([&](RoundOp) { return math::RoundEvenOp::create(b, loc, x); })
        .Case([&](NotOp) { return arith::XOrIOp::create(b, loc, x, c(t, 1)); })
        .Case([&](AddOp) { return arith2<arith::AddFOp, arith::AddIOp>(args); })
        .Case([&](SubOp) { return arith2<arith::SubFOp, arith::SubIOp>(args); })
        .Case([&](MulOp) { return arith2<arith::MulFOp, arith::MulIOp>(args); })
        .Case([&](DivOp op) {
          return op.getIsUnsigned()
                     ? arith2<arith::DivFOp, arith::DivUIOp>(args)
                     : arith2<arith::DivFOp, arith::DivSIOp>(args);
        })
        .Case([&](PowOp) { return math::PowFOp::create(b, loc, x, args[1]); })
        .Case([&](MaxOp op) -> Value {
          return op.getIsUnsigned()
                     ? Value(arith::MaxUIOp::create(b, loc, x, args[1]))
                     : maxOf(x, args[1]);
        })
        .Case([&](MinOp op) -> Value {
          return op.getIsUnsigned()
                     ? Value(arith::MinUIOp::create(b, loc, x, args[1]))
                     : minOf(x, args[1]);
        })
        .Case([&](ModOp op) -> Value {
          if (op.getIsUnsigned())
            return arith::RemUIOp::create(b, loc, x, args[1]);
          Value r = arith2<arith::RemFOp, arith::RemSIOp>(args);
          if (op.getFmod())
            return r;
          // Python's sign: add the divisor when the signs differ.
          Value zero = c(t, 0);
          Value rNonZero =
              cmp(r, zero, arith::CmpFPredicate::ONE, arith::CmpIPredicate::ne);
          Value rNeg = cmp(r, zero, arith::CmpFPredicate::OLT,
                           arith::CmpIPredicate::slt);
          Value dNeg = cmp(args[1], zero, arith::CmpFPredicate::OLT,
                           arith::CmpIPredicate::slt);
          Value differ = arith::XOrIOp::create(b, loc, rNeg, dNeg);
          Value fix = arith::AndIOp::create(b, loc, rNonZero, differ);
          Value adjusted = arith2<arith::AddFOp, arith::AddIOp>({r, args[1]});
          return arith::SelectOp::create(b, loc, fix, adjusted, r);
        })
        .Case([&](EqualOp) {
          return cmp(x, args[1], arith::CmpFPredicate::OEQ,
                     arith::CmpIPredicate::eq);
        })
        .Case([&](LessOp op) {
          return cmp(x, args[1], arith::CmpFPredicate::OLT,
                     op.getIsUnsigned() ? arith::CmpIPredicate::ult
                                        : arith::CmpIPredicate::slt);
        })
        .Case([&](LessEqualOp op) {
          return cmp(x, args[1], arith::CmpFPredicate::OLE,
                     op.getIsUnsigned() ? arith::CmpIPredicate::ule
                                        : arith::CmpIPredicate::sle);
        })
        .Case([&](GreaterOp op) {
          return cmp(x, args[1], arith::CmpFPredicate::OGT,
                     op.getIsUnsigned() ? arith::CmpIPredicate::ugt
                                        : arith::CmpIPredicate::sgt);
        })
        .Case([&](GreaterEqualOp op) {
          return cmp(x, args[1], arith::CmpFPredicate::OGE,
                     op.getIsUnsigned() ? arith::CmpIPredicate::uge
                                        : arith::CmpIPredicate::sge);
        })
        .Case([&](AndOp) { return arith::AndIOp::create(b, loc, x, args[1]); })
        .Case([&](OrOp) { return arith::OrIOp::create(b, loc, x, args[1]); })
        .Case([&](XorOp) { return arith::XOrIOp::create(b, loc, x, args[1]); })
        .Case([&](ShiftLeftOp) { return shift<arith::ShLIOp>(x, args[1]); })
        .Case([&](ShiftRightOp) { return shift<arith::ShRUIOp>(x, args[1]); })
        .Case([&](SelectOp) {
          return arith::SelectOp::create(b, loc, x, args[1], args[2]);
        })
        .Case([&](CastOp op) {
          return cast(x, resultType, op.getInputUnsigned(),
                      op.getResultUnsigned());
        })
        .Default([](Operation *) { return Value(); });
  }

private:
  Value cmp(Value l, Value r, arith::CmpFPredicate fp,
            arith::CmpIPredicate ip) {
    if (isa<FloatType>(l.getType()))
      return arith::CmpFOp::create(b, loc, fp, l, r);
    return arith::CmpIOp::create(b, loc, ip, l, r);
  }
  template <typename FOp, typename IOp> Value arith2(ValueRange args) {
    if (isa<FloatType>(args[0].getType()))
      return FOp::create(b, loc, args[0], args[1]);
    return IOp::create(b, loc, args[0], args[1]);
  }
  // NaN-propagating, as numpy's maximum and ONNX Max.
  Value maxOf(Value l, Value r) {
    if (isa<FloatType>(l.getType()))
      return arith::MaximumFOp::create(b, loc, l, r);
    return arith::MaxSIOp::create(b, loc, l, r);
  }
  Value minOf(Value l, Value r) {
    if (isa<FloatType>(l.getType()))
      return arith::MinimumFOp::create(b, loc, l, r);
    return arith::MinSIOp::create(b, loc, l, r);
  }
  Value sigmoid(Value x) {
    Type t = x.getType();
    Value e = math::ExpOp::create(b, loc, arith::NegFOp::create(b, loc, x));
    return arith::DivFOp::create(b, loc, c(t, 1),
                                 arith::AddFOp::create(b, loc, c(t, 1), e));
  }
  Value elu(Value x, double alpha, double gamma) {
    Type t = x.getType();
    Value neg = arith::MulFOp::create(b, loc, math::ExpM1Op::create(b, loc, x),
                                      c(t, alpha));
    Value gt =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(t, 0));
    Value r = arith::SelectOp::create(b, loc, gt, x, neg);
    return gamma == 1.0 ? r
                        : Value(arith::MulFOp::create(b, loc, r, c(t, gamma)));
  }
  // A shift by the bit width or more gives 0 (arith's would be poison).
  template <typename ShiftOp> Value shift(Value x, Value amount) {
    Type t = x.getType();
    Value shifted = ShiftOp::create(b, loc, x, amount);
    Value tooFar =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge, amount,
                              c(t, t.getIntOrFloatBitWidth()));
    return arith::SelectOp::create(b, loc, tooFar, c(t, 0), shifted);
  }
  Value cast(Value x, Type to, bool fromUnsigned, bool toUnsigned) {
    Type from = x.getType();
    if (from == to)
      return x;
    bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
    bool fromBool = from.isInteger(1) || fromUnsigned;
    if (to.isInteger(1))
      return fromFloat ? Value(arith::CmpFOp::create(
                             b, loc, arith::CmpFPredicate::UNE, x, c(from, 0)))
                       : Value(arith::CmpIOp::create(
                             b, loc, arith::CmpIPredicate::ne, x, c(from, 0)));
    if (fromFloat && toFloat)
      return from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
                 ? Value(arith::ExtFOp::create(b, loc, to, x))
                 : Value(arith::TruncFOp::create(b, loc, to, x));
    if (fromFloat)
      return toUnsigned ? Value(arith::FPToUIOp::create(b, loc, to, x))
                        : Value(arith::FPToSIOp::create(b, loc, to, x));
    if (toFloat)
      return fromBool ? Value(arith::UIToFPOp::create(b, loc, to, x))
                      : Value(arith::SIToFPOp::create(b, loc, to, x));
    unsigned fw = from.getIntOrFloatBitWidth(), tw = to.getIntOrFloatBitWidth();
    if (fw < tw)
      return fromBool ? Value(arith::ExtUIOp::create(b, loc, to, x))
                      : Value(arith::ExtSIOp::create(b, loc, to, x));
    return arith::TruncIOp::create(b, loc, to, x);
  }

  OpBuilder &b;
  Location loc;
};

/// Any dl op that is elementwise over broadcast operands becomes one
/// linalg.generic.
struct ElementwiseToGeneric : public RewritePattern {
  ElementwiseToGeneric(MLIRContext *ctx)
      : RewritePattern(MatchAnyOpTypeTag(), /*benefit=*/1, ctx) {}

  LogicalResult matchAndRewrite(Operation *op,
                                PatternRewriter &rewriter) const override {
    if (!isa<DLDialect>(op->getDialect()) || op->getNumResults() != 1 ||
        !(isa<ElementwiseOpInterface>(op) || isa<SelectOp, CastOp>(op)))
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Location loc = op->getLoc();
    MLIRContext *ctx = op->getContext();
    SmallVector<AffineMap> maps;
    for (Value v : op->getOperands())
      maps.push_back(
          broadcastMap(ctx, cast<RankedTensorType>(v.getType()), resultType));
    maps.push_back(
        AffineMap::getMultiDimIdentityMap(resultType.getRank(), ctx));
    Value init = emptyLike(rewriter, loc, resultType, op->getOperands());
    // The maps assume a dynamic dim is never 1 broadcast against a larger
    // one at run time; if two operands disagree there, stop with a message
    // rather than compute something wrong.
    int64_t rank = resultType.getRank();
    for (int64_t i = 0; i < rank; ++i) {
      if (!resultType.isDynamicDim(i))
        continue;
      Value first;
      for (Value v : op->getOperands()) {
        auto t = cast<RankedTensorType>(v.getType());
        int64_t j = i - (rank - t.getRank());
        if (j < 0 || !t.isDynamicDim(j))
          continue;
        Value dim = tensor::DimOp::create(rewriter, loc, v, j);
        if (!first) {
          first = dim;
          continue;
        }
        Value same = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, first, dim);
        cf::AssertOp::create(
            rewriter, loc, same,
            "dlc: dynamic dims differ at run time (broadcasting a dynamic "
            "dim of size 1 is not supported)");
      }
    }
    SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                               utils::IteratorType::parallel);
    bool ok = true;
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, op->getOperands(), init, maps, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          ScalarBuilder sb(b, l);
          Value r = sb.build(op, args.drop_back(), resultType.getElementType());
          if (!r) {
            ok = false;
            r = args.back();
          }
          linalg::YieldOp::create(b, l, r);
        });
    if (!ok) {
      rewriter.eraseOp(generic);
      return rewriter.notifyMatchFailure(op, "no scalar lowering");
    }
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void dlc::populateElementwiseToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ElementwiseToGeneric>(patterns.getContext());
}
