// RUN: dlc-opt %s --dl-train-step="optimizer=adam prefix=m data-parallel=true" | FileCheck %s
// RUN: dlc-opt %s --dl-train-step="optimizer=sgd prefix=m data-parallel=true bucket-mb=0.00001 reduction=sum" | FileCheck %s --check-prefix=SMALL
// RUN: dlc-opt %s --dl-train-step="optimizer=sgd prefix=m" | FileCheck %s --check-prefix=SINGLE

// train_init checks the ranks' models and broadcasts rank 0's parameters
// (bucket 0), not the zero optimizer slots.
// CHECK-LABEL: func.func @m_train_init(
// CHECK: dl.dist_check {checksum = {{-?[0-9]+}} : i64, elements = 20 : i64, tensors = 7 : i64}
// CHECK: dl.dist_start %{{.*}}, %{{.*}} {bucket = 0 : i64, kind = "broadcast"} : tensor<4x4xf32>, tensor<4xf32>
// CHECK: %[[B:.*]]:2 = dl.dist_wait {bucket = 0 : i64} : tensor<4x4xf32>, tensor<4xf32>
// CHECK: return %[[B]]#0, %[[B]]#1,

// The step checks first; one 25 MB bucket holds both gradients and the
// loss, started after the last gradient and waited for before the update,
// which uses the averaged gradients and returns the averaged loss.
// CHECK-LABEL: func.func @m_train_step(
// CHECK-NEXT: dl.dist_check
// CHECK: dl.dist_start %{{.*}}, %{{.*}}, %{{.*}} {bucket = 1 : i64, kind = "mean"} : tensor<4xf32>, tensor<4x4xf32>, tensor<f32>
// CHECK-NEXT: %[[R:.*]]:3 = dl.dist_wait {bucket = 1 : i64} : tensor<4xf32>, tensor<4x4xf32>, tensor<f32>
// CHECK: dl.mul %{{.*}}, %[[R]]#1
// CHECK: return %[[R]]#2,

// Tiny buckets: one per gradient, in the order the backward sweep completes
// them (the bias first), each started as soon as it is computed: the
// weight's gradient (a matmul) comes after the bias's bucket started. The
// loss rides in the last. A sum loss is all-reduced as a sum.
// SMALL-LABEL: func.func @m_train_step(
// SMALL: dl.dist_start %{{.*}} {bucket = 1 : i64, kind = "sum"} : tensor<4xf32>
// SMALL: dl.matmul
// SMALL: dl.dist_start %{{.*}}, %{{.*}} {bucket = 2 : i64, kind = "sum"} : tensor<4x4xf32>, tensor<f32>
// SMALL: dl.dist_wait {bucket = 1 : i64} : tensor<4xf32>
// SMALL-NEXT: dl.dist_wait {bucket = 2 : i64} : tensor<4x4xf32>, tensor<f32>

// SINGLE-NOT: dl.dist_
func.func @main(%x: tensor<2x4xf32> {dl.name = "x"}) -> tensor<2x4xf32> {
  %w = dl.constant dense<0.5> : tensor<4x4xf32> loc("fc.weight")
  %b = dl.constant dense<0.1> : tensor<4xf32> loc("fc.bias")
  %h = dl.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  %y = dl.add %h, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}
