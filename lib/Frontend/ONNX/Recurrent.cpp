//===- Recurrent.cpp - ONNX RNN, GRU, LSTM --------------------------------===//
//
// The three layers become dl.rnn / dl.gru / dl.lstm with their activation
// lists resolved (defaults filled in, alpha and beta handed to the functions
// that take them, in order, as ONNX Runtime does). `layout = 1` (batch
// first) is transposed to the sequence-first form the dl ops take.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "dlc/Dialect/DL/IR/Recurrent.h"

#include "llvm/ADT/StringExtras.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

namespace {

/// The resolved activation attributes of one node.
struct Activations {
  ArrayAttr names;
  DenseF64ArrayAttr alpha, beta;
};

} // namespace

/// Default alpha / beta of an activation that takes them (ONNX's defaults
/// of the corresponding operators).
static std::pair<double, double> defaultParams(StringRef name) {
  if (name == "leakyrelu")
    return {0.01, 0};
  if (name == "hardsigmoid")
    return {0.2, 0.5};
  if (name == "scaledtanh")
    return {1, 1};
  if (name == "affine")
    return {1, 0};
  return {1, 0}; // thresholdedrelu, elu
}

static FailureOr<Activations> readActivations(NodeImporter &n,
                                              int64_t perDirection,
                                              int64_t directions,
                                              ArrayRef<StringRef> defaults) {
  SmallVector<std::string> names;
  bool shared = false;
  if (const auto *a = n.attr("activations")) {
    for (const auto &s : a->strings())
      names.push_back(llvm::StringRef(s).lower());
    // One list (with its alphas and betas) for both directions of a
    // bidirectional layer.
    shared =
        directions == 2 && static_cast<int64_t>(names.size()) == perDirection;
    if (shared)
      for (int64_t i = 0; i < perDirection; ++i)
        names.push_back(names[i]);
    if (static_cast<int64_t>(names.size()) != perDirection * directions) {
      (void)n.fail("activations must list " +
                   std::to_string(perDirection * directions) +
                   " functions, got " + std::to_string(a->strings_size()));
      return failure();
    }
  } else {
    for (int64_t d = 0; d < directions; ++d)
      for (StringRef s : defaults)
        names.push_back(s.str());
  }
  SmallVector<double>
      alphaIn =
          n.floatsAttr("activation_alpha").value_or(SmallVector<double>()),
      betaIn = n.floatsAttr("activation_beta").value_or(SmallVector<double>());
  size_t nextAlpha = 0, nextBeta = 0;
  SmallVector<Attribute> nameAttrs;
  SmallVector<double> alpha, beta;
  for (const auto &[index, name] : llvm::enumerate(names)) {
    if (shared && static_cast<int64_t>(index) == perDirection)
      nextAlpha = nextBeta = 0;
    if (!dl::parseRecurrentActivation(name)) {
      (void)n.fail("activation '" + name + "' is not one ONNX allows");
      return failure();
    }
    nameAttrs.push_back(n.b.getStringAttr(name));
    bool takesAlpha =
        llvm::is_contained({"affine", "leakyrelu", "thresholdedrelu",
                            "scaledtanh", "hardsigmoid", "elu"},
                           name);
    bool takesBeta =
        llvm::is_contained({"affine", "scaledtanh", "hardsigmoid"}, name);
    auto [a, b] = defaultParams(name);
    if (takesAlpha && nextAlpha < alphaIn.size())
      a = alphaIn[nextAlpha++];
    if (takesBeta && nextBeta < betaIn.size())
      b = betaIn[nextBeta++];
    alpha.push_back(takesAlpha ? a : 0);
    beta.push_back(takesBeta ? b : 0);
  }
  return Activations{n.b.getArrayAttr(nameAttrs),
                     n.b.getDenseF64ArrayAttr(alpha),
                     n.b.getDenseF64ArrayAttr(beta)};
}

template <typename OpTy> static LogicalResult importRecurrent(NodeImporter &n) {
  constexpr bool isLSTM = std::is_same_v<OpTy, dl::LSTMOp>;
  constexpr bool isGRU = std::is_same_v<OpTy, dl::GRUOp>;
  std::string dir = n.stringAttr("direction", "forward");
  dl::RNNDirection direction;
  if (dir == "forward")
    direction = dl::RNNDirection::forward;
  else if (dir == "reverse")
    direction = dl::RNNDirection::reverse;
  else if (dir == "bidirectional")
    direction = dl::RNNDirection::bidirectional;
  else
    return n.fail("direction must be forward, reverse or bidirectional, "
                  "got '" +
                  dir + "'");
  int64_t directions = direction == dl::RNNDirection::bidirectional ? 2 : 1;
  int64_t hidden = n.intAttr("hidden_size", 0);
  if (hidden <= 0 && n.inputType(2).getRank() == 3 &&
      !n.inputType(2).isDynamicDim(2))
    hidden = n.inputType(2).getDimSize(2);
  if (hidden <= 0)
    return n.fail("hidden_size is missing and the recurrence weight does not "
                  "give it");
  SmallVector<StringRef> defaults;
  if (isLSTM)
    defaults = {"sigmoid", "tanh", "tanh"};
  else if (isGRU)
    defaults = {"sigmoid", "tanh"};
  else
    defaults = {"tanh"};
  auto acts = readActivations(n, defaults.size(), directions, defaults);
  if (failed(acts))
    return failure();
  FloatAttr clip;
  if (n.hasAttr("clip"))
    clip = n.b.getF64FloatAttr(n.floatAttr("clip", 0));

  int64_t layout = n.intAttr("layout", 0);
  if (layout != 0 && layout != 1)
    return n.fail("layout must be 0 or 1, got " + std::to_string(layout));
  // Batch-first operands to the sequence-first form.
  auto seqFirst = [&](unsigned i) -> FailureOr<Value> {
    if (!n.hasInput(i))
      return Value();
    if (layout == 0)
      return n.input(i);
    if (n.inputType(i).getRank() != 3)
      return n.fail("input " + std::to_string(i) + " must be rank 3");
    return n.create<dl::TransposeOp>(n.input(i), ArrayRef<int64_t>{1, 0, 2});
  };
  auto x = seqFirst(0), h0 = seqFirst(5), c0 = seqFirst(6);
  if (failed(x) || failed(h0) || (isLSTM && failed(c0)))
    return failure();

  auto dirAttr = dl::RNNDirectionAttr::get(n.b.getContext(), direction);
  auto hiddenAttr = n.b.getI64IntegerAttr(hidden);
  FailureOr<SmallVector<Value>> results;
  if constexpr (isLSTM) {
    results = n.createAll<OpTy>(
        3, *x, n.input(1), n.input(2), n.input(3), n.input(4), *h0, *c0,
        n.input(7), hiddenAttr, dirAttr, acts->names, acts->alpha, acts->beta,
        clip, n.b.getBoolAttr(n.intAttr("input_forget", 0) != 0));
  } else if constexpr (isGRU) {
    results = n.createAll<OpTy>(
        2, *x, n.input(1), n.input(2), n.input(3), n.input(4), *h0, hiddenAttr,
        dirAttr, acts->names, acts->alpha, acts->beta, clip,
        n.b.getBoolAttr(n.intAttr("linear_before_reset", 0) != 0));
  } else {
    results = n.createAll<OpTy>(2, *x, n.input(1), n.input(2), n.input(3),
                                n.input(4), *h0, hiddenAttr, dirAttr,
                                acts->names, acts->alpha, acts->beta, clip);
  }
  if (failed(results))
    return failure();
  for (auto [i, v] : llvm::enumerate(*results)) {
    Value out = v;
    if (layout == 1) {
      // y [T, D, B, H] -> [B, T, D, H]; states [D, B, H] -> [B, D, H].
      auto t = i == 0
                   ? n.create<dl::TransposeOp>(v, ArrayRef<int64_t>{2, 0, 1, 3})
                   : n.create<dl::TransposeOp>(v, ArrayRef<int64_t>{1, 0, 2});
      if (failed(t))
        return failure();
      out = *t;
    }
    n.setOutput(i, out);
  }
  return success();
}

void dlc::onnx_frontend::registerRecurrentOps(OpRegistry &r) {
  r["RNN"] = importRecurrent<dl::RNNOp>;
  r["GRU"] = importRecurrent<dl::GRUOp>;
  r["LSTM"] = importRecurrent<dl::LSTMOp>;
}
