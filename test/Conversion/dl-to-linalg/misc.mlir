// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// random_uniform and training dropout share one counter-based generator:
// splitmix64 of the seed and the element's linear index, the top 53 bits as
// a double in [0, 1). random_uniform scales that to [low, high) and rounds
// to the element type; dropout keeps elements whose sample is >= ratio.
// CHECK-LABEL: func.func @random_uniform(
// CHECK-DAG: arith.constant -7046029254386353131 : i64
// CHECK-DAG: arith.constant 1.1102230246251565E-16 : f64
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: linalg.index 1 : index
// CHECK: arith.uitofp %{{.*}} : i64 to f64
// CHECK: arith.truncf %{{.*}} : f64 to f32
// CHECK: %[[D:.*]] = tensor.dim %arg1
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<?x8xbf16>)
// CHECK: arith.uitofp %{{.*}} : i64 to f64
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f64
// CHECK: arith.addf %{{.*}}, %{{.*}} : f64
// CHECK: arith.truncf %{{.*}} : f64 to bf16
// CHECK-NOT: dl.random_uniform
func.func @random_uniform(%x: tensor<2x3xf32>, %d: tensor<?x8xbf16>)
    -> (tensor<2x3xf32>, tensor<?x8xbf16>) {
  %u0 = dl.random_uniform %x : tensor<2x3xf32>
  %u1 = dl.random_uniform %d {low = -1.0 : f64, high = 2.0 : f64, seed = 9 : i64} : tensor<?x8xbf16>
  return %u0, %u1 : tensor<2x3xf32>, tensor<?x8xbf16>
}

// -----

// CHECK-LABEL: func.func @dropout(
// CHECK-DAG: arith.constant -7046029254386353131 : i64
// CHECK-DAG: arith.constant 1.1102230246251565E-16 : f64
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xi1>)
// CHECK: arith.uitofp %{{.*}} : i64 to f64
// CHECK: arith.cmpf oge, %{{.*}}, %{{.*}} : f64
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: arith.select
// CHECK-NOT: dl.dropout
func.func @dropout(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  %o, %m = dl.dropout %x {ratio = 0.25 : f64, seed = 0 : i64, training = true} : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi1>
  return %o, %m : tensor<2x3xf32>, tensor<2x3xi1>
}

// -----

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
