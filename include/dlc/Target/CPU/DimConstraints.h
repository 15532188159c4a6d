//===- DimConstraints.h - dynamic dims an entry point needs equal -*- C++
//-*-===//
//
// Which dynamic dims of an entry function's arguments the compiled code
// assumes equal (two inputs with a `batch` dim meeting in an add, a concat
// or as matmul's K), or equal to a static size (a dynamic dim broadcast
// against a static one > 1). The entry point checks these before any kernel
// runs, so a call with disagreeing dims gets a message instead of an abort
// or a wrong result.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_CPU_DIMCONSTRAINTS_H
#define DLC_TARGET_CPU_DIMCONSTRAINTS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <cstdint>
#include <vector>

namespace dlc::cpu {

struct DimConstraints {
  /// Per argument, per dim: the index of its class in `classSize`, or -1
  /// when nothing constrains it (or it is static).
  std::vector<std::vector<int32_t>> argClass;
  /// Per class: the size its dims must have, or -1 (any, but all equal).
  std::vector<int64_t> classSize;
};

/// Analyses `func` (dl IR, before lowering): a union-find over the dynamic
/// dims of its values. Broadcasting elementwise ops and select unify aligned
/// dynamic dims and pin a dynamic dim met by a static one > 1; concat
/// unifies its non-axis dims; matmul and gemm their K and batch dims; other
/// ops carry a dynamic dim from an operand to a result when shape inference,
/// probed with distinct sizes, says the result dim is that operand dim.
/// Only classes holding two argument dims, or one pinned, are reported.
DimConstraints analyzeDimConstraints(mlir::func::FuncOp func);

} // namespace dlc::cpu

#endif // DLC_TARGET_CPU_DIMCONSTRAINTS_H
