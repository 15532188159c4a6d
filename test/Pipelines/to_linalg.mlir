// RUN: dlc-opt %s --dlc-to-linalg | FileCheck %s

// What dlc --emit=linalg runs.
// CHECK-LABEL: func.func @main(
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.cmpf ugt
// CHECK-NOT: dl.
func.func @main(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %m = dl.matmul %a, %b : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  %r = dl.relu %m : tensor<4x2xf32>
  return %r : tensor<4x2xf32>
}
