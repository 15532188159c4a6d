// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s -canonicalize | FileCheck %s --check-prefix=CANON

// stop_gradient round-trips, and canonicalization keeps it: it must still
// be there when dl-autodiff runs (the lowering forwards its input).
// CHECK-LABEL: func.func @round_trip(
// CHECK: dl.stop_gradient %{{.*}} : tensor<2x?xf32>
// CHECK: dl.stop_gradient %{{.*}} : tensor<3xi64>
// CANON-LABEL: func.func @round_trip(
// CANON: dl.stop_gradient
func.func @round_trip(%x: tensor<2x?xf32>, %i: tensor<3xi64>) -> (tensor<2x?xf32>, tensor<3xi64>) {
  %0 = dl.stop_gradient %x : tensor<2x?xf32>
  %1 = dl.stop_gradient %i : tensor<3xi64>
  return %0, %1 : tensor<2x?xf32>, tensor<3xi64>
}
