//===- Int8Passes.h - portable int8 GEMM kernel -----------------*- C++ -*-===//

#ifndef DLC_CONVERSION_INT8PASSES_H
#define DLC_CONVERSION_INT8PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace dlc {

#define GEN_PASS_DECL
#include "dlc/Conversion/Int8Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Conversion/Int8Passes.h.inc"

} // namespace dlc

#endif // DLC_CONVERSION_INT8PASSES_H
