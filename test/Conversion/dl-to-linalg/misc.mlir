// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// stop_gradient only matters to dl-autodiff: lowered, the value passes
// straight through.
// CHECK-LABEL: func.func @stop_gradient(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>
// CHECK-NOT: dl.stop_gradient
// CHECK: return %[[X]]
func.func @stop_gradient(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = dl.stop_gradient %x : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}
