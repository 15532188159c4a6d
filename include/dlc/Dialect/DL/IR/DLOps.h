//===- DLOps.h - dl operations ----------------------------------*- C++ -*-===//

#ifndef DLC_DIALECT_DL_IR_DLOPS_H
#define DLC_DIALECT_DL_IR_DLOPS_H

#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "dlc/Dialect/DL/IR/DLInterfaces.h"
#include "dlc/Dialect/DL/IR/ShapeUtils.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/CastInterfaces.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dlc/Dialect/DL/IR/DLEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dlc/Dialect/DL/IR/DLAttrs.h.inc"

#define GET_OP_CLASSES
#include "dlc/Dialect/DL/IR/DLOps.h.inc"

namespace dlc::dl {
/// Attaches the reverse-mode rules (GradientOpInterface) to the dl ops.
void registerGradientRules(mlir::MLIRContext *context);
/// Attaches the rules of the conv and pool ops (ConvGradients.cpp).
void registerConvGradientRules(mlir::MLIRContext *context);
} // namespace dlc::dl

#endif // DLC_DIALECT_DL_IR_DLOPS_H
