// RUN: dlc-opt %s --dlc-train="prefix=m loss=mse checkpoint=per-block checkpoint-at=relu2" | FileCheck %s
// RUN: dlc-opt %s --dlc-train="prefix=m loss=mse checkpoint=per-block checkpoint-at=relu2" --dlc-cpu-lowering -o /dev/null
// RUN: dlc-opt %s --dlc-train="prefix=m loss=mse checkpoint=per-block checkpoint-at=relu2" --dlc-to-linalg --one-shot-bufferize="bufferize-function-boundaries" | FileCheck %s --check-prefix=BUF

// dlc-train with checkpointing: the segment before 'relu2' is recomputed
// in the backward sweep. Batch norm is recomputed with its batch
// statistics (its gradient reads them), but the running statistics are
// updated once, from the forward's batch norm: no update reads the clone's.
// CHECK-LABEL: func.func @m_train_step(
// CHECK: %{{.*}}, %[[MEAN:.*]], %[[VAR:.*]] = dl.batch_norm_train
// CHECK: dl.mul %[[MEAN]], %{{.*}} : (tensor<4xf32>, tensor<f32>)
// CHECK: dl.mul %[[VAR]], %{{.*}} : (tensor<4xf32>, tensor<f32>)
// CHECK: %[[B:.*]]:5 = dl.recompute_barrier %arg8, %arg0, %arg1, %arg2, %arg3 after
// CHECK: %{{.*}}, %[[MEAN2:.*]], %[[VAR2:.*]] = dl.batch_norm_train %{{.*}}, %[[B]]#3, %[[B]]#4
// CHECK-NOT: dl.mul %[[MEAN2]], %{{.*}} : (tensor<4xf32>, tensor<f32>)
// CHECK-NOT: dl.mul %[[VAR2]], %{{.*}} : (tensor<4xf32>, tensor<f32>)
// CHECK: return
// The barrier is gone after bufferization; its clones read the saved buffers.
// BUF-LABEL: func.func @m_train_step(
// BUF-NOT: dl.recompute_barrier
// BUF: return
func.func @main(%x: tensor<8x3xf32> {dl.name = "x"}) -> tensor<8x4xf32> {
  %w = dl.constant dense<0.5> : tensor<3x4xf32> loc("fc.weight")
  %b = dl.constant dense<0.1> : tensor<4xf32> loc("fc.bias")
  %scale = dl.constant dense<1.0> : tensor<4xf32> loc("bn.weight")
  %shift = dl.constant dense<0.0> : tensor<4xf32> loc("bn.bias")
  %mean = dl.constant dense<0.0> : tensor<4xf32> loc("bn.running_mean")
  %var = dl.constant dense<1.0> : tensor<4xf32> loc("bn.running_var")
  %w2 = dl.constant dense<0.25> : tensor<4x4xf32> loc("fc2.weight")
  %h = dl.matmul %x, %w : (tensor<8x3xf32>, tensor<3x4xf32>) -> tensor<8x4xf32> loc("fc1")
  %hb = dl.add %h, %b : (tensor<8x4xf32>, tensor<4xf32>) -> tensor<8x4xf32> loc("bias1")
  %n = dl.batch_norm %hb, %scale, %shift, %mean, %var : (tensor<8x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<8x4xf32> loc("bn")
  %r = dl.relu %n : tensor<8x4xf32> loc("relu1")
  %h2 = dl.matmul %r, %w2 : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32> loc("fc2")
  %r2 = dl.relu %h2 : tensor<8x4xf32> loc("relu2")
  %y = dl.sigmoid %r2 : tensor<8x4xf32> loc("out")
  return %y : tensor<8x4xf32>
}
