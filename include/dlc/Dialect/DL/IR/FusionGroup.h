//===- FusionGroup.h - the dl-fuse group an op was lowered from -*- C++ -*-===//
//
// dl-fuse puts ops that are to become one kernel into a dl.fusion region.
// Lowering inlines the region and marks the location of each op it held
// with the group (a FusedLoc whose metadata is the group's DistinctAttr),
// and marks an op that is a group of its own in place; the ops dl-to-linalg
// makes of them inherit the location. The linalg-level fusions read the
// mark: ops of two groups are never fused, an op of a group fuses with an
// unmarked op only where that op just moves data (a transpose, a reshape),
// and a contraction's epilogue must be of its own group.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_FUSIONGROUP_H
#define DLC_DIALECT_DL_IR_FUSIONGROUP_H

#include "mlir/IR/Location.h"
#include "mlir/IR/Operation.h"

namespace dlc::dl {

/// A new group mark, distinct from every other.
mlir::Attribute newFusionGroup(mlir::MLIRContext *context);

/// `loc` marked as belonging to `group`.
mlir::Location withFusionGroup(mlir::Location loc, mlir::Attribute group);

/// The group `loc` is marked with (the first found, depth first), or null.
mlir::Attribute fusionGroup(mlir::Location loc);

/// Whether `a` and `b` carry the same mark, or neither carries one.
bool inSameFusionGroup(mlir::Operation *a, mlir::Operation *b);

/// Writes `text` (a pass's report, whole lines) to stderr in one piece:
/// function passes report from parallel threads, whose lines must not
/// interleave.
void writeReport(llvm::StringRef text);

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_IR_FUSIONGROUP_H
