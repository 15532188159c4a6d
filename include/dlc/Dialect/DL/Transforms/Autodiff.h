//===- Autodiff.h - reverse-mode gradients of dl code ------------*- C++
//-*-===//
//
// The reverse sweep shared by the dl-autodiff pass and the train-step
// builder: walk forward ops backwards, call each op's GradientOpInterface
// rule, and sum the contributions of values used more than once.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_AUTODIFF_H
#define DLC_DIALECT_DL_TRANSFORMS_AUTODIFF_H

#include "mlir/IR/Builders.h"

namespace dlc::dl {

/// Builds, at `b`'s insertion point, the gradient of every value in `wrt`
/// given the cotangent of each `seeds` value (value, cotangent), through the
/// ops of `forward` (in program order; they must dominate the insertion
/// point). Only gradients on a path from `wrt` to a seed are built; a value
/// no seed depends on gets zeros. Fails, naming the op, when an op on a path
/// has no gradient rule.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildGradients(mlir::OpBuilder &b, mlir::Location loc,
               llvm::ArrayRef<mlir::Operation *> forward,
               llvm::ArrayRef<std::pair<mlir::Value, mlir::Value>> seeds,
               llvm::ArrayRef<mlir::Value> wrt);

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_TRANSFORMS_AUTODIFF_H
