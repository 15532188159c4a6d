//===- Training.cpp - ONNX optimizer ops: Adagrad, Adam, Momentum ---------===//
//
// The operators of the ai.onnx.preview.training domain (opset 1) that update
// tensors in one optimizer step. Each is an elementwise formula, imported as
// dl arithmetic. Inputs are R (learning rate), T (update count), then N
// tensors to optimize followed by their gradients and optimizer states, one
// group of N per kind; outputs are the new tensors, then the new states, in
// the same order.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "llvm/ADT/DenseMap.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

namespace {

/// Builds a formula op by op. After the first failure (already reported on
/// the node) every later step returns null, so a formula is written straight
/// through and checked once with ok(). Two calls that create ops are never
/// arguments of one call: C++ leaves their order to the compiler, and the IR
/// must not depend on it.
class Formula {
public:
  explicit Formula(NodeImporter &n) : n(n) {}

  bool ok() const { return !failed; }

  /// An op of class `OpTy` on `operands`; `resultType` if given, else
  /// inferred.
  template <typename OpTy, typename... Operands>
  Value op(Type resultType, Operands... operands) {
    if (failed || llvm::any_of(std::initializer_list<Value>{operands...},
                               [](Value v) { return !v; })) {
      failed = true;
      return {};
    }
    auto r = resultType ? n.createTyped<OpTy>(resultType, operands...)
                        : n.create<OpTy>(operands...);
    if (mlir::failed(r)) {
      failed = true;
      return {};
    }
    return *r;
  }
  Value add(Value a, Value b) { return op<dl::AddOp>({}, a, b); }
  Value sub(Value a, Value b) { return op<dl::SubOp>({}, a, b); }
  Value mul(Value a, Value b) { return op<dl::MulOp>({}, a, b); }
  Value div(Value a, Value b) { return op<dl::DivOp>({}, a, b); }
  Value sqrt(Value a) { return op<dl::SqrtOp>({}, a); }
  Value pow(Value a, Value b) { return op<dl::PowOp>({}, a, b); }
  Value select(Value c, Value a, Value b) {
    return op<dl::SelectOp>({}, c, a, b);
  }
  /// `v` with element type `et` (itself when it has it already).
  Value castTo(Value v, Type et) {
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getElementType() == et)
      return v;
    return op<dl::CastOp>(type.clone(et), v);
  }
  /// c * x, or x itself when c is 1.
  Value scaled(double c, Value x, Type et) {
    return c == 1.0 ? x : mul(n.scalar(c, et), x);
  }
  /// T > 0 as a boolean scalar, for the first-iteration special cases.
  Value isLaterStep(Value t) {
    auto et = cast<RankedTensorType>(t.getType()).getElementType();
    return op<dl::GreaterOp>({}, t, n.scalar(0, et));
  }

private:
  NodeImporter &n;
  bool failed = false;
};

/// A scalar per element type, made on first use: R and T are shared by all
/// tensors of the node, which may differ in precision.
class PerElementType {
public:
  explicit PerElementType(std::function<Value(Type)> make)
      : make(std::move(make)) {}
  Value get(Type et) {
    auto [it, inserted] = values.try_emplace(et);
    if (inserted)
      it->second = make(et);
    return it->second;
  }

private:
  std::function<Value(Type)> make;
  llvm::DenseMap<Type, Value> values;
};

} // namespace

/// The inputs after R and T form `groups` groups of N tensors each.
static FailureOr<unsigned> tensorCount(NodeImporter &n, unsigned groups,
                                       StringRef layout) {
  unsigned variadic = n.numInputs() < 2 ? 0 : n.numInputs() - 2;
  if (variadic == 0 || variadic % groups != 0)
    return n.fail("expects R, T, then " + layout + " for each of N tensors (" +
                  Twine(groups) + "N inputs after T), got " + Twine(variadic));
  for (unsigned i = 0; i < n.numInputs(); ++i)
    if (!n.hasInput(i))
      return n.fail("input " + Twine(i) + " is missing");
  for (unsigned i = 2; i < n.numInputs(); ++i)
    if (!isa<FloatType>(n.inputType(i).getElementType()))
      return n.fail("input " + Twine(i) + " must be a float tensor");
  if (!isa<FloatType>(n.inputType(0).getElementType()) ||
      !n.inputType(1).getElementType().isInteger(64))
    return n.fail("R must be a float tensor and T an int64 tensor");
  return variadic / groups;
}

/// G + norm_coefficient * X, the gradient of the L2-regularized loss.
static Value regularized(NodeImporter &n, Formula &f, Value x, Value g,
                         Type et) {
  double norm = n.floatAttr("norm_coefficient", 0.0);
  return norm == 0.0 ? g : f.add(f.scaled(norm, x, et), g);
}

/// Adagrad: r = R / (1 + T * decay_factor); G' = norm * X + G;
/// H_new = H + G'^2; X_new = X - r * G' / (sqrt(H_new) + epsilon).
/// Inputs R, T, X..., G..., H...; outputs X_new..., H_new....
static LogicalResult importAdagrad(NodeImporter &n) {
  auto count = tensorCount(n, 3, "X, G, H");
  if (failed(count))
    return failure();
  unsigned num = *count;
  double decay = n.floatAttr("decay_factor", 0.0);
  double epsilon = n.floatAttr("epsilon", 1e-6);
  Formula f(n);
  PerElementType rate([&](Type et) {
    Value r = f.castTo(n.input(0), et);
    if (decay == 0.0)
      return r;
    Value t = f.castTo(n.input(1), et);
    Value td = f.scaled(decay, t, et);
    Value one = n.scalar(1.0, et);
    return f.div(r, f.add(one, td));
  });
  for (unsigned i = 0; i < num; ++i) {
    Value x = n.input(2 + i), g = n.input(2 + num + i),
          h = n.input(2 + 2 * num + i);
    Type et = n.inputType(2 + i).getElementType();
    Value gr = regularized(n, f, x, g, et);
    Value hNew = f.add(h, f.mul(gr, gr));
    Value eps = n.scalar(epsilon, et);
    Value adaptive = f.add(f.sqrt(hNew), eps);
    Value xNew = f.sub(x, f.div(f.mul(rate.get(et), gr), adaptive));
    if (!f.ok())
      return failure();
    n.setOutput(i, xNew);
    n.setOutput(num + i, hNew);
  }
  return success();
}

/// Adam: G' = norm * X + G; V_new = alpha * V + (1 - alpha) * G';
/// H_new = beta * H + (1 - beta) * G'^2;
/// R' = T > 0 ? R * sqrt(1 - beta^T) / (1 - alpha^T) : R;
/// X_new = (1 - norm_coefficient_post) * (X - R' * V_new / (sqrt(H_new) +
/// epsilon)). Inputs R, T, X..., G..., V..., H...; outputs X_new...,
/// V_new..., H_new....
static LogicalResult importAdam(NodeImporter &n) {
  auto count = tensorCount(n, 4, "X, G, V, H");
  if (failed(count))
    return failure();
  unsigned num = *count;
  double alpha = n.floatAttr("alpha", 0.9);
  double beta = n.floatAttr("beta", 0.999);
  double epsilon = n.floatAttr("epsilon", 1e-6);
  double post = n.floatAttr("norm_coefficient_post", 0.0);
  Formula f(n);
  // Bias correction of both moments folded into the learning rate; at T = 0
  // it would divide by zero, and the spec keeps R.
  PerElementType rate([&](Type et) {
    Value r = f.castTo(n.input(0), et);
    Value t = f.castTo(n.input(1), et);
    Value one = n.scalar(1.0, et);
    Value alphaTerm = f.sub(one, f.pow(n.scalar(alpha, et), t));
    Value betaTerm = f.sqrt(f.sub(one, f.pow(n.scalar(beta, et), t)));
    Value corrected = f.div(f.mul(r, betaTerm), alphaTerm);
    return f.select(f.isLaterStep(n.input(1)), corrected, r);
  });
  for (unsigned i = 0; i < num; ++i) {
    Value x = n.input(2 + i), g = n.input(2 + num + i),
          v = n.input(2 + 2 * num + i), h = n.input(2 + 3 * num + i);
    Type et = n.inputType(2 + i).getElementType();
    Value gr = regularized(n, f, x, g, et);
    Value gradTerm = f.scaled(1.0 - alpha, gr, et);
    Value vNew = f.add(f.scaled(alpha, v, et), gradTerm);
    Value squareTerm = f.scaled(1.0 - beta, f.mul(gr, gr), et);
    Value hNew = f.add(f.scaled(beta, h, et), squareTerm);
    Value eps = n.scalar(epsilon, et);
    Value denom = f.add(f.sqrt(hNew), eps);
    Value ratio = f.div(vNew, denom);
    Value xNew = f.sub(x, f.mul(rate.get(et), ratio));
    if (post != 0.0)
      xNew = f.scaled(1.0 - post, xNew, et);
    if (!f.ok())
      return failure();
    n.setOutput(i, xNew);
    n.setOutput(num + i, vNew);
    n.setOutput(2 * num + i, hNew);
  }
  return success();
}

/// Momentum: G' = norm * X + G; V_new = alpha * V + (T > 0 ? beta : 1) * G';
/// standard: X_new = X - R * V_new; nesterov: X_new = X - R * (G' + alpha *
/// V_new). Inputs R, T, X..., G..., V...; outputs X_new..., V_new....
static LogicalResult importMomentum(NodeImporter &n) {
  for (StringRef name : {"alpha", "beta", "mode", "norm_coefficient"})
    if (!n.hasAttr(name))
      return n.fail("the required attribute '" + name + "' is missing");
  std::string mode = n.stringAttr("mode", "");
  if (mode != "standard" && mode != "nesterov")
    return n.fail("mode must be 'standard' or 'nesterov', got '" + mode + "'");
  auto count = tensorCount(n, 3, "X, G, V");
  if (failed(count))
    return failure();
  unsigned num = *count;
  double alpha = n.floatAttr("alpha", 0.0);
  double beta = n.floatAttr("beta", 0.0);
  Formula f(n);
  PerElementType rate([&](Type et) { return f.castTo(n.input(0), et); });
  // The gradient's coefficient, beta, is 1 in the first iteration.
  PerElementType gradientScale([&](Type et) {
    Value one = n.scalar(1.0, et);
    Value later = n.scalar(beta, et);
    return f.select(f.isLaterStep(n.input(1)), later, one);
  });
  for (unsigned i = 0; i < num; ++i) {
    Value x = n.input(2 + i), g = n.input(2 + num + i),
          v = n.input(2 + 2 * num + i);
    Type et = n.inputType(2 + i).getElementType();
    Value gr = regularized(n, f, x, g, et);
    Value gradientTerm = beta == 1.0 ? gr : f.mul(gradientScale.get(et), gr);
    Value vNew = f.add(f.scaled(alpha, v, et), gradientTerm);
    Value step =
        mode == "nesterov" ? f.add(gr, f.scaled(alpha, vNew, et)) : vNew;
    Value xNew = f.sub(x, f.mul(rate.get(et), step));
    if (!f.ok())
      return failure();
    n.setOutput(i, xNew);
    n.setOutput(num + i, vNew);
  }
  return success();
}

void dlc::onnx_frontend::registerTrainingOps(OpRegistry &r) {
  std::string prefix = (kPreviewTrainingDomain + "::").str();
  r[prefix + "Adagrad"] = importAdagrad;
  r[prefix + "Adam"] = importAdam;
  r[prefix + "Momentum"] = importMomentum;
}
