//===- Recurrent.cpp - rnn, gru, lstm: verifiers and shape inference ------===//

#include "dlc/Dialect/DL/IR/Recurrent.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "llvm/ADT/StringSwitch.h"

using namespace mlir;
using namespace dlc::dl;

std::optional<RecurrentActivation>
dlc::dl::parseRecurrentActivation(StringRef name) {
  return llvm::StringSwitch<std::optional<RecurrentActivation>>(name)
      .Case("relu", RecurrentActivation::Relu)
      .Case("tanh", RecurrentActivation::Tanh)
      .Case("sigmoid", RecurrentActivation::Sigmoid)
      .Case("affine", RecurrentActivation::Affine)
      .Case("leakyrelu", RecurrentActivation::LeakyRelu)
      .Case("thresholdedrelu", RecurrentActivation::ThresholdedRelu)
      .Case("scaledtanh", RecurrentActivation::ScaledTanh)
      .Case("hardsigmoid", RecurrentActivation::HardSigmoid)
      .Case("elu", RecurrentActivation::Elu)
      .Case("softsign", RecurrentActivation::Softsign)
      .Case("softplus", RecurrentActivation::Softplus)
      .Default(std::nullopt);
}

int64_t dlc::dl::recurrentGateCount(Operation *op) {
  if (isa<LSTMOp>(op))
    return 4;
  if (isa<GRUOp>(op))
    return 3;
  return 1;
}

int64_t dlc::dl::recurrentActivationCount(Operation *op) {
  return isa<LSTMOp>(op) ? 3 : isa<GRUOp>(op) ? 2 : 1;
}

namespace {

/// What the shape checks of the three ops share.
struct RecurrentOperands {
  Value input, weight, recurrence, bias, sequenceLens, initialH, initialC,
      peepholes;
  int64_t hiddenSize;
  int64_t numDirections;
  int64_t numGates;
  bool hasCell;
};

} // namespace

/// `a` and `b` agree unless both are static and differ.
static bool dimsAgree(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

static std::string dimString(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

static LogicalResult inferRecurrent(std::optional<Location> loc,
                                    const RecurrentOperands &o,
                                    SmallVectorImpl<Type> &inferred) {
  auto x = tensorTypeOf(o.input);
  if (x.getRank() != 3)
    return emitOptionalError(loc,
                             "input must be [seq_length, batch, "
                             "input_size], got ",
                             shapeToString(x.getShape()));
  if (o.hiddenSize <= 0)
    return emitOptionalError(loc, "hidden_size must be > 0, got ",
                             o.hiddenSize);
  int64_t seq = x.getDimSize(0), batch = x.getDimSize(1),
          inputSize = x.getDimSize(2), h = o.hiddenSize, d = o.numDirections,
          gh = o.numGates * h;
  Type et = x.getElementType();
  auto expect = [&](Value v, StringRef name,
                    ArrayRef<int64_t> shape) -> LogicalResult {
    if (!v)
      return success();
    auto t = tensorTypeOf(v);
    bool ok = t.getRank() == static_cast<int64_t>(shape.size());
    for (int64_t i = 0; ok && i < t.getRank(); ++i)
      ok = dimsAgree(t.getDimSize(i), shape[i]);
    if (!ok) {
      std::string want = "[";
      for (auto [i, s] : llvm::enumerate(shape))
        want += (i ? ", " : "") + dimString(s);
      return emitOptionalError(loc, name, " must be ", want, "], got ",
                               shapeToString(t.getShape()));
    }
    if (name != "sequence_lens" && t.getElementType() != et)
      return emitOptionalError(loc, name,
                               " must have the input's element "
                               "type");
    return success();
  };
  if (failed(expect(o.weight, "weight", {d, gh, inputSize})) ||
      failed(expect(o.recurrence, "recurrence", {d, gh, h})) ||
      failed(expect(o.bias, "bias", {d, 2 * gh})) ||
      failed(expect(o.sequenceLens, "sequence_lens", {batch})) ||
      failed(expect(o.initialH, "initial_h", {d, batch, h})) ||
      failed(expect(o.initialC, "initial_c", {d, batch, h})) ||
      failed(expect(o.peepholes, "peepholes", {d, 3 * h})))
    return failure();
  // The batch may be static in a state and dynamic in the input.
  for (Value v : {o.initialH, o.initialC})
    if (v && ShapedType::isDynamic(batch))
      batch = tensorTypeOf(v).getDimSize(1);
  if (o.sequenceLens && ShapedType::isDynamic(batch))
    batch = tensorTypeOf(o.sequenceLens).getDimSize(0);
  inferred.push_back(RankedTensorType::get({seq, d, batch, h}, et));
  auto state = RankedTensorType::get({d, batch, h}, et);
  inferred.push_back(state);
  if (o.hasCell)
    inferred.push_back(state);
  return success();
}

template <typename OpTy> static LogicalResult verifyActivations(OpTy op) {
  int64_t n = recurrentActivationCount(op) * op.getNumDirections();
  ArrayAttr names = op.getActivations();
  if (static_cast<int64_t>(names.size()) != n)
    return op.emitOpError()
           << "needs " << n << " activations (" << recurrentActivationCount(op)
           << " per direction), got " << names.size();
  for (Attribute a : names) {
    StringRef name = cast<StringAttr>(a).getValue();
    if (!parseRecurrentActivation(name))
      return op.emitOpError() << "unknown activation '" << name << "'";
  }
  if (static_cast<int64_t>(op.getActivationAlpha().size()) != n ||
      static_cast<int64_t>(op.getActivationBeta().size()) != n)
    return op.emitOpError()
           << "needs one activation_alpha and activation_beta per activation ("
           << n << ")";
  if (auto clip = op.getClip(); clip && !(clip->convertToDouble() > 0))
    return op.emitOpError()
           << "clip must be > 0, got " << clip->convertToDouble();
  return success();
}

static int64_t directionsOf(RNNDirection d) {
  return d == RNNDirection::bidirectional ? 2 : 1;
}

LogicalResult RNNOp::inferReturnTypes(MLIRContext *, std::optional<Location> l,
                                      Adaptor a, SmallVectorImpl<Type> &out) {
  return inferRecurrent(l,
                        {a.getInput(), a.getWeight(), a.getRecurrence(),
                         a.getBias(), a.getSequenceLens(), a.getInitialH(),
                         Value(), Value(),
                         static_cast<int64_t>(a.getHiddenSize()),
                         directionsOf(a.getDirection()), 1, false},
                        out);
}

LogicalResult GRUOp::inferReturnTypes(MLIRContext *, std::optional<Location> l,
                                      Adaptor a, SmallVectorImpl<Type> &out) {
  return inferRecurrent(l,
                        {a.getInput(), a.getWeight(), a.getRecurrence(),
                         a.getBias(), a.getSequenceLens(), a.getInitialH(),
                         Value(), Value(),
                         static_cast<int64_t>(a.getHiddenSize()),
                         directionsOf(a.getDirection()), 3, false},
                        out);
}

LogicalResult LSTMOp::inferReturnTypes(MLIRContext *, std::optional<Location> l,
                                       Adaptor a, SmallVectorImpl<Type> &out) {
  return inferRecurrent(l,
                        {a.getInput(), a.getWeight(), a.getRecurrence(),
                         a.getBias(), a.getSequenceLens(), a.getInitialH(),
                         a.getInitialC(), a.getPeepholes(),
                         static_cast<int64_t>(a.getHiddenSize()),
                         directionsOf(a.getDirection()), 4, true},
                        out);
}

LogicalResult RNNOp::verify() { return verifyActivations(*this); }
LogicalResult GRUOp::verify() { return verifyActivations(*this); }
LogicalResult LSTMOp::verify() { return verifyActivations(*this); }
