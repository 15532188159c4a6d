//===- Elementwise.cpp - ONNX activations, math, logic, Where, Cast -------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

/// An op that maps one input to one output with the same dl op.
static void unary(OpRegistry &r, StringRef onnxName, StringRef dlName) {
  std::string name = dlName.str();
  r[onnxName] = [name](NodeImporter &n) -> LogicalResult {
    return n.output(n.create1(name, n.input(0)));
  };
}

/// A broadcasting binary op; variadic ONNX forms (Max, Min, Sum) fold left.
static void binary(OpRegistry &r, StringRef onnxName, StringRef dlName) {
  std::string name = dlName.str();
  r[onnxName] = [name](NodeImporter &n) -> LogicalResult {
    if (n.numInputs() < 1)
      return n.fail("needs at least one input");
    Value acc = n.input(0);
    for (unsigned i = 1; i < n.numInputs(); ++i) {
      auto v = n.create1(name, {acc, n.input(i)});
      if (failed(v))
        return failure();
      acc = *v;
    }
    n.setOutput(0, acc);
    return success();
  };
}

void dlc::onnx_frontend::registerElementwiseOps(OpRegistry &r) {
  for (auto [onnx, dl] : std::initializer_list<std::pair<StringRef, StringRef>>{
           {"Neg", "dl.neg"},        {"Abs", "dl.abs"},
           {"Exp", "dl.exp"},        {"Log", "dl.log"},
           {"Sqrt", "dl.sqrt"},      {"Reciprocal", "dl.reciprocal"},
           {"Tanh", "dl.tanh"},      {"Sigmoid", "dl.sigmoid"},
           {"Relu", "dl.relu"},      {"Erf", "dl.erf"},
           {"Sin", "dl.sin"},        {"Cos", "dl.cos"},
           {"Floor", "dl.floor"},    {"Ceil", "dl.ceil"},
           {"Round", "dl.round"},    {"Sign", "dl.sign"},
           {"Not", "dl.not"},        {"Softplus", "dl.softplus"},
           {"HardSwish", "dl.hard_swish"}, {"Tan", "dl.tan"},
           {"Asin", "dl.asin"},      {"Acos", "dl.acos"},
           {"Atan", "dl.atan"},      {"Sinh", "dl.sinh"},
           {"Cosh", "dl.cosh"},      {"Asinh", "dl.asinh"},
           {"Acosh", "dl.acosh"},    {"Atanh", "dl.atanh"}})
    unary(r, onnx, dl);
  for (auto [onnx, dl] : std::initializer_list<std::pair<StringRef, StringRef>>{
           {"Add", "dl.add"},
           {"Sub", "dl.sub"},
           {"Mul", "dl.mul"},
           {"Div", "dl.div"},
           {"Max", "dl.max"},
           {"Min", "dl.min"},
           {"Sum", "dl.add"},
           {"Equal", "dl.equal"},
           {"Less", "dl.less"},
           {"LessOrEqual", "dl.less_equal"},
           {"Greater", "dl.greater"},
           {"GreaterOrEqual", "dl.greater_equal"},
           {"And", "dl.and"},
           {"Or", "dl.or"},
           {"Xor", "dl.xor"}})
    binary(r, onnx, dl);

  r["Identity"] = [](NodeImporter &n) -> LogicalResult {
    n.setOutput(0, n.input(0));
    return success();
  };
  r["Mean"] = [](NodeImporter &n) -> LogicalResult {
    Value acc = n.input(0);
    for (unsigned i = 1; i < n.numInputs(); ++i) {
      auto v = n.create1("dl.add", {acc, n.input(i)});
      if (failed(v))
        return failure();
      acc = *v;
    }
    Type et = cast<RankedTensorType>(acc.getType()).getElementType();
    return n.output(n.create1("dl.div", {acc, n.scalar(n.numInputs(), et)}));
  };
  r["Pow"] = [](NodeImporter &n) -> LogicalResult {
    Value base = n.input(0), exponent = n.input(1);
    auto bt = n.inputType(0), et = n.inputType(1);
    if (!isa<FloatType>(bt.getElementType()))
      return n.fail("integer bases are not supported");
    if (et.getElementType() != bt.getElementType()) {
      auto c = n.create1("dl.cast", exponent, {},
                         RankedTensorType::get(et.getShape(),
                                               bt.getElementType()));
      if (failed(c))
        return failure();
      exponent = *c;
    }
    return n.output(n.create1("dl.pow", {base, exponent}));
  };
  r["Mod"] = [](NodeImporter &n) -> LogicalResult {
    bool fmod = n.intAttr("fmod", 0) != 0;
    if (isa<FloatType>(n.inputType(0).getElementType()) && !fmod)
      return n.fail("float Mod needs fmod=1 (ONNX requires it)");
    return n.output(n.create1("dl.mod", {n.input(0), n.input(1)},
                       {n.boolean("fmod", fmod)}));
  };

  auto withAttrs = [&r](StringRef onnxName, StringRef dlName,
                        std::vector<std::tuple<const char *, const char *,
                                               double>> attrs) {
    std::string name = dlName.str();
    r[onnxName] = [name, attrs](NodeImporter &n) -> LogicalResult {
      SmallVector<NamedAttribute> named;
      for (auto [onnxAttr, dlAttr, dflt] : attrs)
        named.push_back(n.f64(dlAttr, n.floatAttr(onnxAttr, dflt)));
      return n.output(n.create1(name, n.input(0), named));
    };
  };
  withAttrs("LeakyRelu", "dl.leaky_relu", {{"alpha", "alpha", 0.01}});
  withAttrs("Elu", "dl.elu", {{"alpha", "alpha", 1.0}});
  withAttrs("Selu", "dl.selu",
            {{"alpha", "alpha", 1.67326319217681884765625},
             {"gamma", "gamma", 1.05070102214813232421875}});
  withAttrs("HardSigmoid", "dl.hard_sigmoid",
            {{"alpha", "alpha", 0.2}, {"beta", "beta", 0.5}});

  r["Gelu"] = [](NodeImporter &n) -> LogicalResult {
    std::string approx = n.stringAttr("approximate", "none");
    if (approx != "none" && approx != "tanh")
      return n.fail("approximate='" + approx + "' is not one of none, tanh");
    auto mode = approx == "tanh" ? dlc::dl::GeluApproximation::tanh
                                 : dlc::dl::GeluApproximation::none;
    return n.output(n.create1(
        "dl.gelu", n.input(0),
        {n.named("approximate",
                 dlc::dl::GeluApproximationAttr::get(n.b.getContext(), mode))}));
  };
  r["PRelu"] = [](NodeImporter &n) -> LogicalResult {
    // prelu(x) = relu(x) + slope * min(x, 0)
    Type et = n.inputType(0).getElementType();
    auto pos = n.create1("dl.relu", n.input(0));
    if (failed(pos))
      return failure();
    auto neg = n.create1("dl.min", {n.input(0), n.scalar(0, et)});
    if (failed(neg))
      return failure();
    auto scaled = n.create1("dl.mul", {*neg, n.input(1)});
    if (failed(scaled))
      return failure();
    return n.output(n.create1("dl.add", {*pos, *scaled}));
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
           {std::tuple<unsigned, std::optional<double> *, Value *>{1, &lo, &loValue},
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
      SmallVector<NamedAttribute> attrs;
      if (lo)
        attrs.push_back(n.f64("min", *lo));
      if (hi)
        attrs.push_back(n.f64("max", *hi));
      return n.output(n.create1("dl.clip", x, attrs));
    }
    if (lo && !loValue)
      loValue = n.scalar(*lo, et);
    if (hi && !hiValue)
      hiValue = n.scalar(*hi, et);
    if (loValue) {
      auto v = n.create1("dl.max", {x, loValue});
      if (failed(v))
        return failure();
      x = *v;
    }
    if (hiValue) {
      auto v = n.create1("dl.min", {x, hiValue});
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
    return n.output(n.create1("dl.cast", n.input(0), {}, type));
  };
  // The composites below build each activation from dl ops, so later stages
  // (fusion, autodiff) see only ops they know.
  r["Softsign"] = [](NodeImporter &n) -> LogicalResult {
    // x / (1 + |x|)
    Type et = n.inputType(0).getElementType();
    auto a = n.create1("dl.abs", n.input(0));
    if (failed(a))
      return failure();
    auto d = n.create1("dl.add", {*a, n.scalar(1, et)});
    if (failed(d))
      return failure();
    return n.output(n.create1("dl.div", {n.input(0), *d}));
  };
  r["Celu"] = [](NodeImporter &n) -> LogicalResult {
    // celu(x) = elu(x / alpha) * alpha
    double alpha = n.floatAttr("alpha", 1.0);
    Type et = n.inputType(0).getElementType();
    auto x = n.create1("dl.div", {n.input(0), n.scalar(alpha, et)});
    if (failed(x))
      return failure();
    auto e = n.create1("dl.elu", *x, {n.f64("alpha", 1.0)});
    if (failed(e))
      return failure();
    return n.output(n.create1("dl.mul", {*e, n.scalar(alpha, et)}));
  };
  r["ThresholdedRelu"] = [](NodeImporter &n) -> LogicalResult {
    // x > alpha ? x : 0
    Type et = n.inputType(0).getElementType();
    auto c = n.create1("dl.greater",
                       {n.input(0), n.scalar(n.floatAttr("alpha", 1.0), et)});
    if (failed(c))
      return failure();
    return n.output(n.create1("dl.select", {*c, n.input(0), n.scalar(0, et)}));
  };
  r["Shrink"] = [](NodeImporter &n) -> LogicalResult {
    // x < -lambd ? x + bias : (x > lambd ? x - bias : 0)
    Type et = n.inputType(0).getElementType();
    double lambd = n.floatAttr("lambd", 0.5), bias = n.floatAttr("bias", 0.0);
    Value x = n.input(0);
    auto lo = n.create1("dl.less", {x, n.scalar(-lambd, et)});
    auto hi = n.create1("dl.greater", {x, n.scalar(lambd, et)});
    auto plus = n.create1("dl.add", {x, n.scalar(bias, et)});
    auto minus = n.create1("dl.sub", {x, n.scalar(bias, et)});
    if (failed(lo) || failed(hi) || failed(plus) || failed(minus))
      return failure();
    auto inner = n.create1("dl.select", {*hi, *minus, n.scalar(0, et)});
    if (failed(inner))
      return failure();
    return n.output(n.create1("dl.select", {*lo, *plus, *inner}));
  };
  r["IsNaN"] = [](NodeImporter &n) -> LogicalResult {
    // NaN is the only value unequal to itself.
    auto eq = n.create1("dl.equal", {n.input(0), n.input(0)});
    if (failed(eq))
      return failure();
    return n.output(n.create1("dl.not", *eq));
  };
  r["IsInf"] = [](NodeImporter &n) -> LogicalResult {
    Type et = n.inputType(0).getElementType();
    bool pos = n.intAttr("detect_positive", 1) != 0;
    bool neg = n.intAttr("detect_negative", 1) != 0;
    auto isPos = n.create1("dl.equal", {n.input(0), n.scalar(INFINITY, et)});
    auto isNeg = n.create1("dl.equal", {n.input(0), n.scalar(-INFINITY, et)});
    if (failed(isPos) || failed(isNeg))
      return failure();
    FailureOr<Value> v = *isPos;
    if (pos && neg)
      v = n.create1("dl.or", {*isPos, *isNeg});
    else if (neg)
      v = *isNeg;
    else if (!pos) {
      auto f = n.create1("dl.and", {*isPos, *isNeg}); // never both: all false
      v = f;
    }
    if (failed(v))
      return failure();
    n.setOutput(0, *v);
    return success();
  };
  r["Where"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(n.create1("dl.select", {n.input(0), n.input(1), n.input(2)}));
  };
  r["Cast"] = [](NodeImporter &n) -> LogicalResult {
    int64_t to = n.intAttr("to", 0);
    Type et = convertElementType(n.b.getContext(), static_cast<int32_t>(to));
    if (!et)
      return n.fail("cast to ONNX data type " + Twine(to) +
                    " is not supported");
    return n.output(n.create1("dl.cast", n.input(0), {},
                       RankedTensorType::get(n.inputType(0).getShape(), et)));
  };
}
