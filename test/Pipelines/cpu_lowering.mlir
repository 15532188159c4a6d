// RUN: dlc-opt %s --dlc-cpu-lowering | FileCheck %s
// RUN: dlc-opt %s --dlc-cpu-lowering="threads=false opt-level=0" | FileCheck %s --check-prefix=SERIAL

// What dlc runs from dl IR to the LLVM dialect: an entry point with a C
// interface, allocations through the generic functions (the runtime's
// caching allocator), outermost parallel loops on OpenMP.
// CHECK-LABEL: llvm.func @main(
// CHECK: llvm.call @_mlir_memref_to_llvm_alloc
// CHECK: omp.parallel
// CHECK: omp.wsloop
// CHECK: llvm.fcmp "ugt"
// CHECK-LABEL: llvm.func @_mlir_ciface_main(
// SERIAL-LABEL: llvm.func @main(
// SERIAL-NOT: omp.
// SERIAL: llvm.func @_mlir_ciface_main(
func.func @main(%x: tensor<64x32xf32> {dl.name = "x"}) -> tensor<64x32xf32> {
  %r = dl.relu %x : tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}
