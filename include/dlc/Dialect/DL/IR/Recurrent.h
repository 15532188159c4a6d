//===- Recurrent.h - rnn, gru, lstm helpers ---------------------*- C++ -*-===//
//
// What the recurrent ops' verifiers, their expansion into a loop over time
// (used by dl-to-linalg) and their gradient rules share.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_RECURRENT_H
#define DLC_DIALECT_DL_IR_RECURRENT_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"

#include <optional>

namespace dlc::dl {

/// The activation functions ONNX allows in RNN, GRU and LSTM.
enum class RecurrentActivation {
  Relu,
  Tanh,
  Sigmoid,
  Affine,
  LeakyRelu,
  ThresholdedRelu,
  ScaledTanh,
  HardSigmoid,
  Elu,
  Softsign,
  Softplus
};

/// The activation named `name` (lowercase ONNX name), if ONNX allows it.
std::optional<RecurrentActivation> parseRecurrentActivation(llvm::StringRef);

/// Gates per direction of a dl.rnn / dl.gru / dl.lstm (1, 3, 4), and
/// activation functions per direction (1, 2, 3).
int64_t recurrentGateCount(mlir::Operation *op);
int64_t recurrentActivationCount(mlir::Operation *op);

/// Builds what a dl.rnn / dl.gru / dl.lstm computes as an scf.for over time
/// per direction, with dl ops in its body, at `op`; returns the values that
/// replace its results.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
expandRecurrentOp(mlir::OpBuilder &b, mlir::Operation *op);

/// Attaches the recurrent ops' gradient rules (backprop through time).
void registerRecurrentGradientRules(mlir::MLIRContext *context);

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_IR_RECURRENT_H
