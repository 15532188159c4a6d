// RUN: dlc-opt %s --dlc-simplify | FileCheck %s

// What dlc runs after import: folding, shape inference, CSE.
// CHECK-LABEL: func.func @main(
// CHECK-SAME: -> tensor<2x3xf32>
// CHECK: %[[R:.*]] = dl.relu %arg0 : tensor<2x3xf32>
// CHECK: %[[A:.*]] = dl.add %[[R]], %[[R]] : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: return %[[A]]
func.func @main(%x: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %one = dl.constant dense<1.0> : tensor<f32>
  %y = dl.mul %x, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<?x3xf32>
  %r1 = dl.relu %y : tensor<?x3xf32>
  %r2 = dl.relu %y : tensor<?x3xf32>
  %s = dl.add %r1, %r2 : (tensor<?x3xf32>, tensor<?x3xf32>) -> tensor<?x3xf32>
  return %s : tensor<?x3xf32>
}
