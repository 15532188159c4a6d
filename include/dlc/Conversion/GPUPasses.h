//===- GPUPasses.h - linalg to the GPU (NVVM) -------------------*- C++ -*-===//

#ifndef DLC_CONVERSION_GPUPASSES_H
#define DLC_CONVERSION_GPUPASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Pass/Pass.h"

namespace dlc {

#define GEN_PASS_DECL
#include "dlc/Conversion/GPUPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Conversion/GPUPasses.h.inc"

} // namespace dlc

#endif // DLC_CONVERSION_GPUPASSES_H
