//===- DLInterfaces.h - dl op interfaces ------------------------*- C++ -*-===//

#ifndef DLC_DIALECT_DL_IR_DLINTERFACES_H
#define DLC_DIALECT_DL_IR_DLINTERFACES_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "llvm/ADT/APInt.h"
#include <optional>

#include "dlc/Dialect/DL/IR/DLInterfaces.h.inc"

#endif // DLC_DIALECT_DL_IR_DLINTERFACES_H
