//===- MicrokernelUtils.h - calls into the runtime's CPU kernels -*- C++
//-*-===//
//
// What the passes that replace linalg ops on buffers by calls into the
// runtime's kernels share (dl-contractions-to-microkernels: dlc_sgemm;
// dl-convs-to-microkernels: dlc_dwconv2d): operands as base pointer,
// offset and strides; the zero fill and the elementwise epilogue (bias,
// residual, clamp) folded into the call; cache slots for constant operands.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_LIB_CONVERSION_LINALGTOCPU_MICROKERNELUTILS_H
#define DLC_LIB_CONVERSION_LINALGTOCPU_MICROKERNELUTILS_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

#include <limits>
#include <optional>

namespace dlc::cpu {

using namespace mlir;

/// One operand as dlc_sgemm takes it: an aligned base pointer, an element
/// offset and a stride for every loop dim.
struct OperandView {
  Value pointer, offset;
  SmallVector<Value> strides; // per loop dim
};

/// `buffer`'s view for a call: its aligned pointer, offset, and the stride
/// along each of the `numLoops` loop dims (through `map`, whose results are
/// loop dims or constants); `zero` is an index 0.
OperandView viewOf(OpBuilder &b, Location loc, Value buffer, AffineMap map,
                   unsigned numLoops, Value zero);

/// An elementwise consumer of a contraction's result folded into the call:
/// out = min(max(p + addends..., lo), hi), written to `dest`. Each buffer
/// comes with its static strides along the contraction's loop dims.
struct Epilogue {
  linalg::GenericOp op;
  Value view; // the view of the result the consumer reads (or null)
  Value dest;
  SmallVector<int64_t> destStrides;
  SmallVector<std::pair<Value, SmallVector<int64_t>>> addends; // at most 2
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};

/// The epilogue of `op` (a contraction, or a 2-D conv, whose output,
/// operand 2, is buffer `c`, zero-filled by `fill` right before it): its one
/// reader, an all-parallel linalg.generic later in the block that computes
/// min(max(c + x + y, lo), hi) elementwise into its own buffer, with
/// nothing between the two that touches memory. The ops between the two
/// that define the destination and the addends move before `op`. Null when
/// there is none.
std::optional<Epilogue> findEpilogue(linalg::LinalgOp op, Value c,
                                     Operation *fill);

/// A zero fill of `buffer` right before `op` (a linalg.fill, or the
/// linalg.generic linalg-generalize-named-ops makes of one), or null.
Operation *zeroFillBefore(Operation *op, Value buffer);

/// Whether `op` calls one of the runtime's kernels (GEMM, conv, depthwise
/// conv, pooling, their gradients, attention, int8 conv), which read and
/// write their buffers only while they run: dl-report-kernels counts each
/// call as a kernel, and dl-dealloc-at-last-use takes it as a use like any
/// other. Not dlc_dist_start, whose all-reduce runs on until dlc_dist_wait.
bool isRuntimeKernelCall(Operation *op);

/// The module's private declaration of runtime function `name` taking
/// `args` and returning nothing, made at the module's end if missing.
func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name,
                                    ArrayRef<Type> args);

/// Erases `buffer`'s memref.alloc and its deallocs when nothing else uses
/// it (a product or window buffer a call made dead).
void eraseIfOnlyFreed(Value buffer);

/// Whether `buffer` is a view of a constant memref.global.
bool isConstantGlobal(Value buffer, SymbolTableCollection &symbols);

/// The address of a fresh null-initialized pointer global: a cache slot.
Value cacheSlot(OpBuilder &b, Location loc, ModuleOp module,
                SymbolTable &table);

} // namespace dlc::cpu

#endif // DLC_LIB_CONVERSION_LINALGTOCPU_MICROKERNELUTILS_H
