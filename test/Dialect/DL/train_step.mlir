// RUN: dlc-opt %s --dl-train-step="optimizer=momentum prefix=m" --canonicalize | FileCheck %s
// RUN: dlc-opt %s --dl-train-step="optimizer=adam prefix=m loss=mse" | FileCheck %s --check-prefix=ADAM

// The state: the named initializers (not the anonymous onnx:: constant, not
// the running statistics, which come after the parameters), one momentum
// buffer per parameter, the step.
// CHECK-LABEL: func.func @m_train_init() -> (
// CHECK-SAME: tensor<3x4xf32> {dl.name = "fc.weight"}, tensor<4xf32> {dl.name = "fc.bias"},
// CHECK-SAME: tensor<4xf32> {dl.name = "bn.weight"}, tensor<4xf32> {dl.name = "bn.bias"},
// CHECK-SAME: tensor<4xf32> {dl.name = "bn.running_mean"}, tensor<4xf32> {dl.name = "bn.running_var"},
// CHECK-SAME: tensor<3x4xf32> {dl.name = "fc.weight.momentum_buffer"}
// CHECK-SAME: tensor<i64> {dl.name = "step"})

// Inference on the same state: batch norm on the running statistics.
// CHECK-LABEL: func.func @m_forward(
// CHECK: dl.matmul
// CHECK: dl.batch_norm %{{.*}}, %arg2, %arg3, %arg4, %arg5

// The step: batch statistics, cross-entropy against integer labels,
// gradients, the momentum update written back to every state slot.
// CHECK-LABEL: func.func @m_train_step(
// CHECK-SAME: %arg11: tensor<2x3xf32> {dl.name = "x"}, %arg12: tensor<2xi64> {dl.name = "labels"}, %arg13: tensor<f32> {dl.name = "learning_rate"})
// CHECK-SAME: -> (tensor<f32> {dl.name = "loss"}, tensor<2x4xf32> {dl.name = "prediction"}, tensor<3x4xf32> {dl.inplace = 0 : i64, dl.name = "fc.weight"}
// CHECK: %[[Y:.*]], %[[MEAN:.*]], %[[VAR:.*]] = dl.batch_norm_train
// The cross-entropy loss is one op, its gradient another (each a row kernel
// on the CPU), reading the labels argument.
// CHECK: %[[CE:.*]] = dl.softmax_cross_entropy %[[Z:.*]], %arg12 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<2xf32>
// CHECK: dl.reduce_mean %[[CE]]
// CHECK: dl.softmax_cross_entropy_grad %[[Z]], %arg12, %{{.*}} : (tensor<2x4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<2x4xf32>
// CHECK: dl.sub %arg0, %{{.*}} : (tensor<3x4xf32>, tensor<3x4xf32>)
// CHECK: return
func.func @main(%x: tensor<2x3xf32> {dl.name = "x"}) -> tensor<2x4xf32> {
  %w = dl.constant dense<0.5> : tensor<3x4xf32> loc("fc.weight")
  %b = dl.constant dense<0.1> : tensor<4xf32> loc("fc.bias")
  %scale = dl.constant dense<1.0> : tensor<4xf32> loc("bn.weight")
  %shift = dl.constant dense<0.0> : tensor<4xf32> loc("bn.bias")
  %mean = dl.constant dense<0.0> : tensor<4xf32> loc("bn.running_mean")
  %var = dl.constant dense<1.0> : tensor<4xf32> loc("bn.running_var")
  %two = dl.constant dense<2.0> : tensor<f32> loc("onnx::Mul_7")
  %h = dl.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %hb = dl.add %h, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %n = dl.batch_norm %hb, %scale, %shift, %mean, %var : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %y = dl.mul %n, %two : (tensor<2x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  return %y : tensor<2x4xf32>
}

// Adam keeps two slots per parameter, and the mse loss takes labels shaped
// like the prediction.
// ADAM-LABEL: func.func @m_train_init()
// ADAM-SAME: {dl.name = "fc.weight.exp_avg"}
// ADAM-SAME: {dl.name = "fc.weight.exp_avg_sq"}
// ADAM-LABEL: func.func @m_train_step(
// ADAM-SAME: %arg{{[0-9]+}}: tensor<2x4xf32> {dl.name = "labels"}
// ADAM: dl.pow
// ADAM: dl.sqrt
