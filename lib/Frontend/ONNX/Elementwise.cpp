//===- Elementwise.cpp - ONNX activations, math, logic, Where, Cast -------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

namespace dl = dlc::dl;

/// An op that maps one input to one output with the same dl op.
template <typename OpTy> static LogicalResult importUnary(NodeImporter &n) {
  return n.output(n.create<OpTy>(n.input(0)));
}

/// A broadcasting binary op; variadic ONNX forms (Max, Min, Sum) fold left.
template <typename OpTy> static LogicalResult importBinary(NodeImporter &n) {
  if (n.numInputs() < 1)
    return n.fail("needs at least one input");
  Value acc = n.input(0);
  for (unsigned i = 1; i < n.numInputs(); ++i) {
    auto v = n.create<OpTy>(acc, n.input(i));
    if (failed(v))
      return failure();
    acc = *v;
  }
  n.setOutput(0, acc);
  return success();
}

/// importBinary for an op whose integer meaning depends on the sign (div,
/// max, min, comparisons): unsigned ONNX operands set is_unsigned.
template <typename OpTy>
static LogicalResult importSignedBinary(NodeImporter &n) {
  if (n.numInputs() < 1)
    return n.fail("needs at least one input");
  bool isUnsigned = n.inputUnsigned(0);
  Value acc = n.input(0);
  for (unsigned i = 1; i < n.numInputs(); ++i) {
    auto v = n.create<OpTy>(acc, n.input(i), isUnsigned);
    if (failed(v))
      return failure();
    acc = *v;
  }
  n.setOutput(0, acc);
  return success();
}

void dlc::onnx_frontend::registerElementwiseOps(OpRegistry &r) {
  for (auto [onnx, fn] :
       std::initializer_list<std::pair<StringRef, OpImportFn>>{
           {"Neg", importUnary<dl::NegOp>},
           {"Abs", importUnary<dl::AbsOp>},
           {"Exp", importUnary<dl::ExpOp>},
           {"Log", importUnary<dl::LogOp>},
           {"Sqrt", importUnary<dl::SqrtOp>},
           {"Reciprocal", importUnary<dl::ReciprocalOp>},
           {"Tanh", importUnary<dl::TanhOp>},
           {"Sigmoid", importUnary<dl::SigmoidOp>},
           {"Relu", importUnary<dl::ReluOp>},
           {"Erf", importUnary<dl::ErfOp>},
           {"Sin", importUnary<dl::SinOp>},
           {"Cos", importUnary<dl::CosOp>},
           {"Floor", importUnary<dl::FloorOp>},
           {"Ceil", importUnary<dl::CeilOp>},
           {"Round", importUnary<dl::RoundOp>},
           {"Sign", importUnary<dl::SignOp>},
           {"Not", importUnary<dl::NotOp>},
           {"Softplus", importUnary<dl::SoftplusOp>},
           {"HardSwish", importUnary<dl::HardSwishOp>},
           {"Tan", importUnary<dl::TanOp>},
           {"Asin", importUnary<dl::AsinOp>},
           {"Acos", importUnary<dl::AcosOp>},
           {"Atan", importUnary<dl::AtanOp>},
           {"Sinh", importUnary<dl::SinhOp>},
           {"Cosh", importUnary<dl::CoshOp>},
           {"Asinh", importUnary<dl::AsinhOp>},
           {"Acosh", importUnary<dl::AcoshOp>},
           {"Atanh", importUnary<dl::AtanhOp>},
           {"Add", importBinary<dl::AddOp>},
           {"Sub", importBinary<dl::SubOp>},
           {"Mul", importBinary<dl::MulOp>},
           {"Div", importSignedBinary<dl::DivOp>},
           {"Max", importSignedBinary<dl::MaxOp>},
           {"Min", importSignedBinary<dl::MinOp>},
           {"Sum", importBinary<dl::AddOp>},
           {"Equal", importBinary<dl::EqualOp>},
           {"Less", importSignedBinary<dl::LessOp>},
           {"LessOrEqual", importSignedBinary<dl::LessEqualOp>},
           {"Greater", importSignedBinary<dl::GreaterOp>},
           {"GreaterOrEqual", importSignedBinary<dl::GreaterEqualOp>},
           {"And", importBinary<dl::AndOp>},
           {"Or", importBinary<dl::OrOp>},
           {"Xor", importBinary<dl::XorOp>}})
    r[onnx] = fn;

  r["Identity"] = [](NodeImporter &n) -> LogicalResult {
    n.setOutput(0, n.input(0));
    return success();
  };
  r["Mean"] = [](NodeImporter &n) -> LogicalResult {
    Value acc = n.input(0);
    for (unsigned i = 1; i < n.numInputs(); ++i) {
      auto v = n.create<dl::AddOp>(acc, n.input(i));
      if (failed(v))
        return failure();
      acc = *v;
    }
    Type et = cast<RankedTensorType>(acc.getType()).getElementType();
    return n.output(n.create<dl::DivOp>(acc, n.scalar(n.numInputs(), et)));
  };
  r["Pow"] = [](NodeImporter &n) -> LogicalResult {
    Value base = n.input(0), exponent = n.input(1);
    auto bt = n.inputType(0), et = n.inputType(1);
    if (!isa<FloatType>(bt.getElementType())) {
      // Integer powers go through f64 (exact for every result an int64
      // holds up to 2^53) and round back.
      auto f64 = n.b.getF64Type();
      auto fb =
          n.createTyped<dl::CastOp>(RankedTensorType::get(bt.getShape(), f64),
                                    base, n.inputUnsigned(0), false);
      auto fe =
          n.createTyped<dl::CastOp>(RankedTensorType::get(et.getShape(), f64),
                                    exponent, n.inputUnsigned(1), false);
      if (failed(fb) || failed(fe))
        return failure();
      auto p = n.create<dl::PowOp>(*fb, *fe);
      if (failed(p))
        return failure();
      auto rounded = n.create<dl::RoundOp>(*p);
      if (failed(rounded))
        return failure();
      auto rt = cast<RankedTensorType>(rounded->getType());
      return n.output(n.createTyped<dl::CastOp>(
          RankedTensorType::get(rt.getShape(), bt.getElementType()), *rounded,
          false, n.inputUnsigned(0)));
    }
    if (et.getElementType() != bt.getElementType()) {
      auto c = n.createTyped<dl::CastOp>(
          RankedTensorType::get(et.getShape(), bt.getElementType()), exponent,
          n.inputUnsigned(1), false);
      if (failed(c))
        return failure();
      exponent = *c;
    }
    return n.output(n.create<dl::PowOp>(base, exponent));
  };
  r["Mod"] = [](NodeImporter &n) -> LogicalResult {
    bool fmod = n.intAttr("fmod", 0) != 0;
    if (isa<FloatType>(n.inputType(0).getElementType()) && !fmod)
      return n.fail("float Mod needs fmod=1 (ONNX requires it)");
    return n.output(
        n.create<dl::ModOp>(n.input(0), n.input(1), fmod, n.inputUnsigned(0)));
  };

  r["LeakyRelu"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(n.create<dl::LeakyReluOp>(
        n.input(0), APFloat(n.floatAttr("alpha", 0.01))));
  };
  r["Elu"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(
        n.create<dl::EluOp>(n.input(0), APFloat(n.floatAttr("alpha", 1.0))));
  };
  r["Selu"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(n.create<dl::SeluOp>(
        n.input(0), APFloat(n.floatAttr("alpha", 1.67326319217681884765625)),
        APFloat(n.floatAttr("gamma", 1.05070102214813232421875))));
  };
  r["HardSigmoid"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(n.create<dl::HardSigmoidOp>(
        n.input(0), APFloat(n.floatAttr("alpha", 0.2)),
        APFloat(n.floatAttr("beta", 0.5))));
  };

  r["Gelu"] = [](NodeImporter &n) -> LogicalResult {
    std::string approx = n.stringAttr("approximate", "none");
    if (approx != "none" && approx != "tanh")
      return n.fail("approximate='" + approx + "' is not one of none, tanh");
    auto mode = approx == "tanh" ? dl::GeluApproximation::tanh
                                 : dl::GeluApproximation::none;
    return n.output(n.create<dl::GeluOp>(n.input(0), mode));
  };
  r["PRelu"] = [](NodeImporter &n) -> LogicalResult {
    // prelu(x) = relu(x) + slope * min(x, 0)
    Type et = n.inputType(0).getElementType();
    auto pos = n.create<dl::ReluOp>(n.input(0));
    if (failed(pos))
      return failure();
    auto neg = n.create<dl::MinOp>(n.input(0), n.scalar(0, et));
    if (failed(neg))
      return failure();
    auto scaled = n.create<dl::MulOp>(*neg, n.input(1));
    if (failed(scaled))
      return failure();
    return n.output(n.create<dl::AddOp>(*pos, *scaled));
  };
  r["Clip"] = [](NodeImporter &n) -> LogicalResult {
    // ONNX Clip is min(max(x, lo), hi), even when lo > hi.
    std::optional<double> lo, hi;
    Value loValue, hiValue;
    if (n.opset() < 11) {
      if (n.hasAttr("min"))
        lo = n.floatAttr("min", 0);
      if (n.hasAttr("max"))
        hi = n.floatAttr("max", 0);
    } else {
      for (auto [idx, bound, value] :
           {std::tuple<unsigned, std::optional<double> *, Value *>{1, &lo,
                                                                   &loValue},
            {2, &hi, &hiValue}}) {
        if (!n.hasInput(idx))
          continue;
        if (auto c = n.constantFloats(idx); c && c->size() == 1)
          *bound = (*c)[0];
        else
          *value = n.input(idx);
      }
    }
    Value x = n.input(0);
    Type et = n.inputType(0).getElementType();
    bool simple = !loValue && !hiValue && (!lo || !hi || *lo <= *hi);
    if (simple && (lo || hi)) {
      FloatAttr min = lo ? n.b.getF64FloatAttr(*lo) : FloatAttr();
      FloatAttr max = hi ? n.b.getF64FloatAttr(*hi) : FloatAttr();
      return n.output(n.create<dl::ClipOp>(x, min, max));
    }
    if (lo && !loValue)
      loValue = n.scalar(*lo, et);
    if (hi && !hiValue)
      hiValue = n.scalar(*hi, et);
    if (loValue) {
      auto v = n.create<dl::MaxOp>(x, loValue);
      if (failed(v))
        return failure();
      x = *v;
    }
    if (hiValue) {
      auto v = n.create<dl::MinOp>(x, hiValue);
      if (failed(v))
        return failure();
      x = *v;
    }
    n.setOutput(0, x);
    return success();
  };
  r["CastLike"] = [](NodeImporter &n) -> LogicalResult {
    auto type = RankedTensorType::get(n.inputType(0).getShape(),
                                      n.inputType(1).getElementType());
    return n.output(n.createTyped<dl::CastOp>(
        type, n.input(0), n.inputUnsigned(0), n.inputUnsigned(1)));
  };
  // The composites below build each activation from dl ops, so later stages
  // (fusion, autodiff) see only ops they know.
  r["Softsign"] = [](NodeImporter &n) -> LogicalResult {
    // x / (1 + |x|)
    Type et = n.inputType(0).getElementType();
    auto a = n.create<dl::AbsOp>(n.input(0));
    if (failed(a))
      return failure();
    auto d = n.create<dl::AddOp>(*a, n.scalar(1, et));
    if (failed(d))
      return failure();
    return n.output(n.create<dl::DivOp>(n.input(0), *d));
  };
  r["Celu"] = [](NodeImporter &n) -> LogicalResult {
    // celu(x) = elu(x / alpha) * alpha
    double alpha = n.floatAttr("alpha", 1.0);
    Type et = n.inputType(0).getElementType();
    auto x = n.create<dl::DivOp>(n.input(0), n.scalar(alpha, et));
    if (failed(x))
      return failure();
    auto e = n.create<dl::EluOp>(*x, APFloat(1.0));
    if (failed(e))
      return failure();
    return n.output(n.create<dl::MulOp>(*e, n.scalar(alpha, et)));
  };
  r["ThresholdedRelu"] = [](NodeImporter &n) -> LogicalResult {
    // x > alpha ? x : 0
    Type et = n.inputType(0).getElementType();
    auto c = n.create<dl::GreaterOp>(n.input(0),
                                     n.scalar(n.floatAttr("alpha", 1.0), et));
    if (failed(c))
      return failure();
    return n.output(n.create<dl::SelectOp>(*c, n.input(0), n.scalar(0, et)));
  };
  r["Shrink"] = [](NodeImporter &n) -> LogicalResult {
    // x < -lambd ? x + bias : (x > lambd ? x - bias : 0)
    Type et = n.inputType(0).getElementType();
    double lambd = n.floatAttr("lambd", 0.5), bias = n.floatAttr("bias", 0.0);
    Value x = n.input(0);
    auto lo = n.create<dl::LessOp>(x, n.scalar(-lambd, et));
    auto hi = n.create<dl::GreaterOp>(x, n.scalar(lambd, et));
    auto plus = n.create<dl::AddOp>(x, n.scalar(bias, et));
    auto minus = n.create<dl::SubOp>(x, n.scalar(bias, et));
    if (failed(lo) || failed(hi) || failed(plus) || failed(minus))
      return failure();
    auto inner = n.create<dl::SelectOp>(*hi, *minus, n.scalar(0, et));
    if (failed(inner))
      return failure();
    return n.output(n.create<dl::SelectOp>(*lo, *plus, *inner));
  };
  r["IsNaN"] = [](NodeImporter &n) -> LogicalResult {
    // NaN is the only value unequal to itself.
    auto eq = n.create<dl::EqualOp>(n.input(0), n.input(0));
    if (failed(eq))
      return failure();
    return n.output(n.create<dl::NotOp>(*eq));
  };
  r["IsInf"] = [](NodeImporter &n) -> LogicalResult {
    Type et = n.inputType(0).getElementType();
    bool pos = n.intAttr("detect_positive", 1) != 0;
    bool neg = n.intAttr("detect_negative", 1) != 0;
    auto isPos = n.create<dl::EqualOp>(n.input(0), n.scalar(INFINITY, et));
    auto isNeg = n.create<dl::EqualOp>(n.input(0), n.scalar(-INFINITY, et));
    if (failed(isPos) || failed(isNeg))
      return failure();
    FailureOr<Value> v = *isPos;
    if (pos && neg)
      v = n.create<dl::OrOp>(*isPos, *isNeg);
    else if (neg)
      v = *isNeg;
    else if (!pos) {
      auto f = n.create<dl::AndOp>(*isPos, *isNeg); // never both: all false
      v = f;
    }
    if (failed(v))
      return failure();
    n.setOutput(0, *v);
    return success();
  };
  r["Where"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(n.create<dl::SelectOp>(n.input(0), n.input(1), n.input(2)));
  };
  r["Cast"] = [](NodeImporter &n) -> LogicalResult {
    int64_t to = n.intAttr("to", 0);
    Type et = convertElementType(n.b.getContext(), static_cast<int32_t>(to));
    if (!et)
      return n.fail("cast to ONNX data type " + Twine(to) +
                    " is not supported");
    return n.output(n.createTyped<dl::CastOp>(
        RankedTensorType::get(n.inputType(0).getShape(), et), n.input(0),
        n.inputUnsigned(0), isUnsignedType(static_cast<int32_t>(to))));
  };
  r["BitShift"] = [](NodeImporter &n) -> LogicalResult {
    std::string direction = n.stringAttr("direction", "");
    if (!isa<IntegerType>(n.inputType(0).getElementType()))
      return n.fail("BitShift needs integer operands");
    if (direction == "LEFT")
      return n.output(n.create<dl::ShiftLeftOp>(n.input(0), n.input(1)));
    if (direction == "RIGHT") {
      if (!n.inputUnsigned(0))
        return n.fail("a right shift of signed integers is not defined by "
                      "ONNX (BitShift takes unsigned types)");
      return n.output(n.create<dl::ShiftRightOp>(n.input(0), n.input(1)));
    }
    return n.fail("direction '" + direction + "' is not LEFT or RIGHT");
  };
}
