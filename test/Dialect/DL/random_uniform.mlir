// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// Defaults (low 0, high 1, seed 0) are elided; the result has the input's
// type, dynamic dims included.
// CHECK-LABEL: func.func @round_trip(
// CHECK: dl.random_uniform %{{.*}} : tensor<2x3xf32>
// CHECK: dl.random_uniform %{{.*}} {high = 2.000000e+00 : f64, low = -1.000000e+00 : f64, seed = 9 : i64} : tensor<?x8xbf16>
func.func @round_trip(%x: tensor<2x3xf32>, %d: tensor<?x8xbf16>)
    -> (tensor<2x3xf32>, tensor<?x8xbf16>) {
  %u0 = dl.random_uniform %x {low = 0.0 : f64, high = 1.0 : f64, seed = 0 : i64} : tensor<2x3xf32>
  %u1 = dl.random_uniform %d {low = -1.0 : f64, high = 2.0 : f64, seed = 9 : i64} : tensor<?x8xbf16>
  return %u0, %u1 : tensor<2x3xf32>, tensor<?x8xbf16>
}
