// RUN: dlc-opt %s --split-input-file --dl-train-step="prefix=m loss=output num-data=2" | FileCheck %s

// --loss=output: the model's first result is the loss (here per sample,
// reduced by the mean), its second the prediction; train_step takes no
// labels, only the data and the learning rate.
// CHECK-LABEL: func.func @m_train_step(
// CHECK-SAME: %arg2: tensor<?x3xf32> {dl.name = "x"}, %arg3: tensor<?x4xf32> {dl.name = "target"}, %arg4: tensor<f32> {dl.name = "learning_rate"})
// CHECK-SAME: -> (tensor<f32> {dl.name = "loss"}, tensor<?x4xf32> {dl.name = "prediction"}
// CHECK-NOT: labels
// CHECK: dl.reduce_sum %{{.*}} {axes = array<i64: 1>
// CHECK: %[[LOSS:.*]] = dl.reduce_mean %{{.*}} : tensor<?xf32> -> tensor<f32>
// CHECK: return %[[LOSS]]
func.func @main(%x: tensor<?x3xf32> {dl.name = "x"}, %t: tensor<?x4xf32> {dl.name = "target"}) -> (tensor<?xf32>, tensor<?x4xf32>) {
  %w = dl.constant dense<0.5> : tensor<3x4xf32> loc("fc.weight")
  %h = dl.matmul %x, %w : (tensor<?x3xf32>, tensor<3x4xf32>) -> tensor<?x4xf32>
  %d = dl.sub %h, %t : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %sq = dl.mul %d, %d : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %l = dl.reduce_sum %sq {axes = array<i64: 1>, keepdims = false} : tensor<?x4xf32> -> tensor<?xf32>
  return %l, %h : tensor<?xf32>, tensor<?x4xf32>
}

// -----

// A dynamic batch through batch norm: the count of the running variance's
// unbiasing comes from the shape of the step's own input (the ShapeOf used
// to read the erased entry function's argument).
// CHECK-LABEL: func.func @m_train_step(
// CHECK-SAME: %[[X:arg[0-9]+]]: tensor<?x4xf32> {dl.name = "x"}
// CHECK: dl.batch_norm_train %[[X]]
// CHECK: dl.shape_of %[[X]]
func.func @main(%x: tensor<?x4xf32> {dl.name = "x"}, %unused: tensor<?x4xf32>) -> (tensor<f32>, tensor<?x4xf32>) {
  %scale = dl.constant dense<1.0> : tensor<4xf32> loc("bn.weight")
  %shift = dl.constant dense<0.0> : tensor<4xf32> loc("bn.bias")
  %mean = dl.constant dense<0.0> : tensor<4xf32> loc("bn.running_mean")
  %var = dl.constant dense<1.0> : tensor<4xf32> loc("bn.running_var")
  %n = dl.batch_norm %x, %scale, %shift, %mean, %var : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  %l = dl.reduce_mean %n {keepdims = false} : tensor<?x4xf32> -> tensor<f32>
  return %l, %n : tensor<f32>, tensor<?x4xf32>
}
