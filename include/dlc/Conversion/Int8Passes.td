//===- Int8Passes.td - portable int8 GEMM kernel -----------*- tablegen -*-===//
//
// dl-int8-gemm-to-vectors, in a file of its own so that adding it rebuilds
// only what uses it (Int8Passes.h).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CONVERSION_INT8PASSES_TD
#define DLC_CONVERSION_INT8PASSES_TD

include "mlir/Pass/PassBase.td"

def DLInt8GemmToVectors : Pass<"dl-int8-gemm-to-vectors", "::mlir::ModuleOp"> {
  let summary = "Run packed int8 GEMMs as portable vector code (no VNNI)";
  let description = [{
    The same register tiles as dl-int8-gemm-to-vnni on the generics marked
    `dl.packed_u8s8_gemm`, for targets without VNNI: each 64-byte packed
    weight row (16 columns x 4 k values) is split by shuffles into four
    16-lane int8 vectors, one per k value, sign-extended to i32 once per
    k step; each activation byte is zero-extended and broadcast, and the
    products are added to the i32 accumulators with plain vector
    multiplies and adds, which LLVM maps to the target's SIMD (AVX-512,
    AVX2, SSE, NEON). Integer sums wrap like vpdpbusd's, so the results are
    the VNNI kernel's bit for bit.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numKernels", "num-kernels", "GEMMs run as vector code">,
  ];
}

#endif // DLC_CONVERSION_INT8PASSES_TD
