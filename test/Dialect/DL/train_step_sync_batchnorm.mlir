// RUN: dlc-opt %s --dl-train-step="optimizer=sgd prefix=m data-parallel=true sync-batchnorm=true" | FileCheck %s
// RUN: dlc-opt %s --dl-train-step="optimizer=sgd prefix=m data-parallel=true" | FileCheck %s --check-prefix=LOCAL
// RUN: dlc-opt %s --dl-train-step="optimizer=sgd prefix=m data-parallel=true sync-batchnorm=true" --dl-lower-distributed | FileCheck %s --check-prefix=LOWERED

// --sync-batchnorm: the step's batch norm is spelled out in dl ops with the
// global batch's statistics: the per-rank mean over N and the spatial dims
// is all-reduced, then the variance about that global mean; the running
// variance's unbiased correction uses the all-reduced (summed) count. The
// backward all-reduces the statistics' cotangents (autodiff of
// dl.all_reduce), before the gradient buckets.
// CHECK-LABEL: func.func @m_train_step(
// CHECK-NOT: dl.batch_norm_train
// CHECK: %[[M:.*]] = dl.reduce_mean %{{.*}} {axes = array<i64: 0, 2, 3>} : tensor<2x4x3x3xf32> -> tensor<1x4x1x1xf32>
// CHECK: %[[GM:.*]] = dl.all_reduce %[[M]] {kind = "mean"} : (tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
// CHECK: %[[C:.*]] = dl.sub %{{.*}}, %[[GM]]
// CHECK: %[[V:.*]] = dl.reduce_mean %{{.*}} {axes = array<i64: 0, 2, 3>}
// CHECK: dl.all_reduce %[[V]] {kind = "mean"} : (tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
// CHECK: dl.rsqrt
// CHECK: dl.all_reduce %{{.*}} {kind = "sum"} : (tensor<f32>) -> tensor<f32>
// CHECK: dl.all_reduce %{{.*}} {kind = "mean"} : (tensor<1x4x1x1xf32>) -> tensor<1x4x1x1xf32>
// CHECK: dl.dist_start
// CHECK-NOT: dl.batch_norm_train
// CHECK: return

// Without the flag, each rank normalizes with its own batch.
// LOCAL-LABEL: func.func @m_train_step(
// LOCAL: dl.batch_norm_train
// LOCAL-NOT: dl.all_reduce

// dl-lower-distributed gives each all-reduce a bucket of its own after the
// train step's gradient bucket (1) and waits for it at once.
// LOWERED-LABEL: func.func @m_train_step(
// (The printer names an i64 constant 2 %c2_i64, %c2_i64_N.)
// LOWERED: call @dlc_dist_start(%c2_i64{{[_0-9]*}}, %c0_i64{{[_0-9]*}})
// LOWERED-NEXT: %[[W2:.*]] = arith.constant 2 : i64
// LOWERED-NEXT: call @dlc_dist_wait(%[[W2]])
// LOWERED-NOT: dl.all_reduce
func.func @main(%x: tensor<2x1x3x3xf32> {dl.name = "x"}) -> tensor<2x4xf32> {
  %w = dl.constant dense<0.5> : tensor<4x1x1x1xf32> loc("conv.weight")
  %scale = dl.constant dense<1.0> : tensor<4xf32> loc("bn.weight")
  %shift = dl.constant dense<0.0> : tensor<4xf32> loc("bn.bias")
  %mean = dl.constant dense<0.0> : tensor<4xf32> loc("bn.running_mean")
  %var = dl.constant dense<1.0> : tensor<4xf32> loc("bn.running_var")
  %c = dl.conv %x, %w : (tensor<2x1x3x3xf32>, tensor<4x1x1x1xf32>) -> tensor<2x4x3x3xf32>
  %n = dl.batch_norm %c, %scale, %shift, %mean, %var : (tensor<2x4x3x3xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x3x3xf32>
  %p = dl.reduce_mean %n {axes = array<i64: 2, 3>, keepdims = false} : tensor<2x4x3x3xf32> -> tensor<2x4xf32>
  return %p : tensor<2x4xf32>
}
