//===- NodeLocation.h - the ONNX node behind a location ---------*- C++ -*-===//
//
// The importer gives every op the location NAME(OP_TYPE) of its ONNX node
// (possibly inside a FusedLoc); diagnostics and run-time messages name the
// node from it.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_NODELOCATION_H
#define DLC_DIALECT_DL_IR_NODELOCATION_H

#include "mlir/IR/Location.h"

#include "llvm/ADT/SmallVector.h"

#include <string>

namespace dlc::dl {

/// "node 'NAME' (OpType): " for an imported node's location, "" otherwise.
inline std::string describeNode(mlir::Location loc) {
  if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc)) {
    for (mlir::Location l : fused.getLocations())
      if (std::string d = describeNode(l); !d.empty())
        return d;
    return "";
  }
  auto name = mlir::dyn_cast<mlir::NameLoc>(loc);
  if (!name)
    return "";
  std::string text = "node '" + name.getName().str() + "'";
  if (auto op = mlir::dyn_cast<mlir::NameLoc>(name.getChildLoc()))
    text += " (" + op.getName().str() + ")";
  return text + ": ";
}

/// Appends "NAME (OpType)" for each imported node in `loc` (FusedLocs
/// walked in order, call sites by their callee), repeats included.
inline void appendNodeNames(mlir::Location loc,
                            llvm::SmallVectorImpl<std::string> &names) {
  if (auto fused = mlir::dyn_cast<mlir::FusedLoc>(loc)) {
    for (mlir::Location l : fused.getLocations())
      appendNodeNames(l, names);
    return;
  }
  if (auto call = mlir::dyn_cast<mlir::CallSiteLoc>(loc))
    return appendNodeNames(call.getCallee(), names);
  auto name = mlir::dyn_cast<mlir::NameLoc>(loc);
  if (!name)
    return;
  // The importer's NAME(OP_TYPE); other names (weights, tensors) are not
  // nodes.
  if (auto type = mlir::dyn_cast<mlir::NameLoc>(name.getChildLoc()))
    names.push_back(name.getName().str() + " (" + type.getName().str() + ")");
}

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_IR_NODELOCATION_H
