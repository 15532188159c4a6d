//===- Passes.h - dl conversion passes --------------------------*- C++ -*-===//

#ifndef DLC_CONVERSION_PASSES_H
#define DLC_CONVERSION_PASSES_H

#include "dlc/Dialect/DL/IR/FusionGroup.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc {

#define GEN_PASS_DECL
#include "dlc/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Conversion/Passes.h.inc"

using dl::writeReport;

/// Lowering patterns, one family per file under lib/Conversion/DLToLinalg/.
void populateElementwiseToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateMatMulToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateShapeToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateReductionToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// `directConvs`: an ungrouped f32 2-D conv with static spatial dims and
/// a window (not a pointwise conv) is one direct linalg.generic over the
/// padded input, for dl-convs-to-microkernels' implicit GEMM, instead of
/// im2col + a contraction.
void populateConvToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                  int64_t im2colBytes = 0,
                                  bool directConvs = false);
void populatePoolToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateNormToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// Softmax / log-softmax over the last axis, layer norm and instance norm as
/// one kernel per row (DLToLinalg's row-kernels option; they win over the
/// patterns above).
void populateRowKernelSoftmaxPatterns(mlir::RewritePatternSet &patterns);
void populateRowKernelNormPatterns(mlir::RewritePatternSet &patterns);
/// Static reshapes, and transposes that only move size-1 dims, as
/// collapse/expand views (DLToLinalg's reshape-views option).
void populateReshapeViewPatterns(mlir::RewritePatternSet &patterns);
void populateIndexingToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateMiscToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateRecurrentToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateQuantToLinalgPatterns(mlir::RewritePatternSet &patterns);
void populateDynamicToLinalgPatterns(mlir::RewritePatternSet &patterns);
/// 2-D f32 max_pool_grad, ungrouped conv_weight_grad and static rank-3
/// attention as calls of the runtime's kernels (DLToLinalg's runtime-calls
/// option; they win over the linalg lowerings of the same ops).
void populateRuntimeCallPatterns(mlir::RewritePatternSet &patterns);
/// dl.requantize of an ungrouped 2-D dl.conv_integer as one dlc_qconv2d
/// call (DLToLinalg's int8-conv-calls option).
void populateInt8ConvCallPatterns(mlir::RewritePatternSet &patterns);

/// All dl -> linalg patterns.
void populateDLToLinalgPatterns(mlir::RewritePatternSet &patterns,
                                int64_t im2colBytes = 0,
                                bool rowKernels = false,
                                bool reshapeViews = false,
                                bool directConvs = false,
                                bool runtimeCalls = false,
                                bool int8ConvCalls = false);

/// One-shot bufferization of the dl ops dl-to-linalg keeps
/// (dl.recompute_barrier).
void registerDLBufferizationInterfaces(mlir::DialectRegistry &registry);

} // namespace dlc

#endif // DLC_CONVERSION_PASSES_H
