// RUN: dlc-opt %s --dl-autodiff="functions=f" | FileCheck %s

// Backprop through time: the rule rebuilds the input projections (one matmul
// for all steps), runs the forward loop again keeping every step's incoming
// h and c, then a loop from the last step to the first that carries dh, dc,
// fills d(projections) and sums d(R^T); d(x) and d(W) come from one gemm
// each after it, over the 5x2 steps and samples flattened to 10 rows.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: -> (tensor<1x2x4xf32>, tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>)
// CHECK: dl.lstm
// CHECK: dl.matmul %arg0, %{{.*}} : (tensor<5x2x3xf32>, tensor<3x16xf32>) -> tensor<5x2x16xf32>
// CHECK: scf.for {{.*}} -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<5x2x4xf32>, tensor<5x2x4xf32>, tensor<5x2x4xf32>)
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x4xf32>, tensor<4x16xf32>) -> tensor<2x16xf32>
// CHECK: scf.for {{.*}} -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<5x2x16xf32>, tensor<4x16xf32>)
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x16xf32>, tensor<16x4xf32>) -> tensor<2x4xf32>
// CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<4x2xf32>, tensor<2x16xf32>) -> tensor<4x16xf32>
// CHECK: scf.yield
// CHECK: %[[G:.*]] = dl.reshape %{{.*}}#2 : (tensor<5x2x16xf32>) -> tensor<10x16xf32>
// CHECK: dl.gemm %[[G]], %{{.*}} {trans_b = true} : (tensor<10x16xf32>, tensor<3x16xf32>) -> tensor<10x3xf32>
// CHECK: dl.gemm %{{.*}}, %[[G]] {trans_a = true} : (tensor<10x3xf32>, tensor<10x16xf32>) -> tensor<3x16xf32>
// CHECK: return
func.func @f(%x: tensor<5x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x16x4xf32>) -> tensor<1x2x4xf32> {
  %y, %yh, %yc = dl.lstm %x, %w, %r {hidden_size = 4 : i64, activations = ["sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>}
    : (tensor<5x2x3xf32>, tensor<1x16x3xf32>, tensor<1x16x4xf32>)
    -> (tensor<5x1x2x4xf32>, tensor<1x2x4xf32>, tensor<1x2x4xf32>)
  return %yh : tensor<1x2x4xf32>
}
