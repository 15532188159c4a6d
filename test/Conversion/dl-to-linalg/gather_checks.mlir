// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// Gather indices are range-checked before the gather reads: one reduction
// over the indices (i < -n or i >= n), then a cf.assert on the calling thread.
// CHECK-LABEL: func.func @checked
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction"]
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sge
// CHECK: cf.assert {{.*}}"gather index out of range of the input's axis"
// CHECK: linalg.generic
// CHECK: tensor.extract
func.func @checked(%x: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = dl.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// dlc --unchecked-indices marks the module: no check.
// CHECK-LABEL: func.func @unchecked
// CHECK-NOT: cf.assert
// CHECK: return
module attributes {dl.unchecked_indices} {
  func.func @unchecked(%x: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
    %0 = dl.gather %x, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
}
