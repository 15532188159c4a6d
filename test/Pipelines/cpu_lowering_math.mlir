// RUN: dlc-opt %s --dlc-cpu-lowering | FileCheck %s

// Softmax's exp and GELU's erf reach the LLVM dialect as polynomials
// (dl-math-approximation), not as llvm.intr.exp / erff, which LLVM would
// call per element in libm (expf, erff).
// CHECK-LABEL: llvm.func @main(
// CHECK-NOT: llvm.intr.exp
// CHECK-NOT: erff
// CHECK: llvm.intr.fma
// CHECK-NOT: llvm.intr.exp
// CHECK-NOT: erff
// CHECK-LABEL: llvm.func @_mlir_ciface_main(
// CHECK-NOT: llvm.func @expf
// CHECK-NOT: llvm.func @erff
func.func @main(%x: tensor<64x32xf32> {dl.name = "x"}) -> tensor<64x32xf32> {
  %e = dl.exp %x : tensor<64x32xf32>
  %g = dl.erf %e : tensor<64x32xf32>
  return %g : tensor<64x32xf32>
}
