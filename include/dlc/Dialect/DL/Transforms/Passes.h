//===- Passes.h - dl passes -------------------------------------*- C++ -*-===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_PASSES_H
#define DLC_DIALECT_DL_TRANSFORMS_PASSES_H

#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "dlc/Dialect/DL/Transforms/TrainOptions.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace dlc::dl {

#define GEN_PASS_DECL
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_TRANSFORMS_PASSES_H
