// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// CHECK-LABEL: func.func @batch_norm
// CHECK: dl.batch_norm %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
func.func @batch_norm(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @batch_norm_epsilon
// CHECK: dl.batch_norm
// CHECK-SAME: epsilon = 1.000000e-03 : f64
func.func @batch_norm_epsilon(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = dl.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-3 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// The default epsilon is not printed.
// CHECK-LABEL: func.func @batch_norm_default_epsilon_elided
// CHECK: dl.batch_norm
// CHECK-NOT: epsilon
// CHECK-SAME: -> tensor<2x3x4x4xf32>
func.func @batch_norm_default_epsilon_elided(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = dl.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-5 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// N x C input (after a dense layer) and a dynamic batch.
// CHECK-LABEL: func.func @batch_norm_2d_dynamic_batch
// CHECK: dl.batch_norm {{.*}} -> tensor<?x8xf16>
func.func @batch_norm_2d_dynamic_batch(%x: tensor<?x8xf16>, %s: tensor<8xf16>, %b: tensor<8xf16>, %m: tensor<8xf16>, %v: tensor<8xf16>) -> tensor<?x8xf16> {
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<?x8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>, tensor<8xf16>) -> tensor<?x8xf16>
  return %0 : tensor<?x8xf16>
}

// -----

// CHECK-LABEL: func.func @batch_norm_train
// CHECK: dl.batch_norm_train %{{.*}}, %{{.*}}, %{{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>)
func.func @batch_norm_train(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) {
  %y, %mean, %var = dl.batch_norm_train %x, %s, %b {epsilon = 1.0e-3 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y, %mean, %var : tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>
}

// -----

// The statistics have C elements even when the batch is dynamic.
// CHECK-LABEL: func.func @batch_norm_train_dynamic
// CHECK: dl.batch_norm_train {{.*}} -> (tensor<?x5x?xf32>, tensor<5xf32>, tensor<5xf32>)
func.func @batch_norm_train_dynamic(%x: tensor<?x5x?xf32>, %s: tensor<5xf32>, %b: tensor<5xf32>) -> (tensor<?x5x?xf32>, tensor<5xf32>, tensor<5xf32>) {
  %y, %mean, %var = dl.batch_norm_train %x, %s, %b : (tensor<?x5x?xf32>, tensor<5xf32>, tensor<5xf32>) -> (tensor<?x5x?xf32>, tensor<5xf32>, tensor<5xf32>)
  return %y, %mean, %var : tensor<?x5x?xf32>, tensor<5xf32>, tensor<5xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm
// CHECK: dl.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
func.func @layer_norm(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.layer_norm %x scale %s bias %b : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Normalizing over dims [1, 3): scale and bias have the shape 3x4.
// CHECK-LABEL: func.func @layer_norm_axis
// CHECK: dl.layer_norm %{{.*}} scale %{{.*}} bias %{{.*}} {axis = 1 : i64, epsilon = 1.000000e-03 : f64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
func.func @layer_norm_axis(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>, %b: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.layer_norm %x scale %s bias %b {axis = 1 : i64, epsilon = 1.0e-3 : f64} : (tensor<2x3x4xf32>, tensor<3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A negative axis counts from the end: -2 is dim 1.
// CHECK-LABEL: func.func @layer_norm_negative_axis
// CHECK: dl.layer_norm {{.*}} {axis = -2 : i64}
func.func @layer_norm_negative_axis(%x: tensor<2x3x4xf32>, %s: tensor<3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.layer_norm %x scale %s {axis = -2 : i64} : (tensor<2x3x4xf32>, tensor<3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm_no_affine
// CHECK: dl.layer_norm %{{[^ ]*}} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
func.func @layer_norm_no_affine(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.layer_norm %x : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm_scale_only
// CHECK: dl.layer_norm %{{.*}} scale %{{[^ ]*}} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
func.func @layer_norm_scale_only(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.layer_norm %x scale %s : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// Bias without scale: the operand segments keep the two apart.
// CHECK-LABEL: func.func @layer_norm_bias_only
// CHECK: dl.layer_norm %{{[^ ]*}} bias %{{[^ ]*}} : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
// CHECK-NOT: scale
func.func @layer_norm_bias_only(%x: tensor<2x3x4xf32>, %b: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.layer_norm %x bias %b : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm_dynamic
// CHECK: dl.layer_norm {{.*}} -> tensor<?x?x768xbf16>
func.func @layer_norm_dynamic(%x: tensor<?x?x768xbf16>, %s: tensor<768xbf16>, %b: tensor<768xbf16>) -> tensor<?x?x768xbf16> {
  %0 = dl.layer_norm %x scale %s bias %b : (tensor<?x?x768xbf16>, tensor<768xbf16>, tensor<768xbf16>) -> tensor<?x?x768xbf16>
  return %0 : tensor<?x?x768xbf16>
}

// -----

// CHECK-LABEL: func.func @instance_norm
// CHECK: dl.instance_norm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
func.func @instance_norm(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @instance_norm_1d_dynamic
// CHECK: dl.instance_norm {{.*}} {epsilon = 1.000000e-03 : f64} : (tensor<?x3x?xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x?xf32>
func.func @instance_norm_1d_dynamic(%x: tensor<?x3x?xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<?x3x?xf32> {
  %0 = dl.instance_norm %x, %s, %b {epsilon = 1.0e-3 : f64} : (tensor<?x3x?xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x?xf32>
  return %0 : tensor<?x3x?xf32>
}

// -----

// CHECK-LABEL: func.func @group_norm
// CHECK: dl.group_norm %{{.*}}, %{{.*}}, %{{.*}} {num_groups = 3 : i64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
func.func @group_norm(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<2x6x4x4xf32> {
  %0 = dl.group_norm %x, %s, %b {num_groups = 3 : i64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return %0 : tensor<2x6x4x4xf32>
}

// -----

// num_groups = 1 (layer norm over C and space) and num_groups = C
// (instance norm) are both valid.
// CHECK-LABEL: func.func @group_norm_extremes
// CHECK: dl.group_norm {{.*}} {num_groups = 1 : i64}
// CHECK: dl.group_norm {{.*}} {epsilon = 1.000000e-03 : f64, num_groups = 6 : i64}
func.func @group_norm_extremes(%x: tensor<?x6x8xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) -> (tensor<?x6x8xf32>, tensor<?x6x8xf32>) {
  %0 = dl.group_norm %x, %s, %b {num_groups = 1 : i64} : (tensor<?x6x8xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x8xf32>
  %1 = dl.group_norm %x, %s, %b {num_groups = 6 : i64, epsilon = 1.0e-3 : f64} : (tensor<?x6x8xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<?x6x8xf32>
  return %0, %1 : tensor<?x6x8xf32>, tensor<?x6x8xf32>
}

// -----

// The default axis = -1 is not printed.
// CHECK-LABEL: func.func @softmax_default_axis
// CHECK: dl.softmax %{{[^ ]*}} : tensor<2x3x4xf32>
func.func @softmax_default_axis(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.softmax %x {axis = -1 : i64} : tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_axes
// CHECK: dl.softmax %{{.*}} {axis = 0 : i64} : tensor<2x3x4xf32>
// CHECK: dl.softmax %{{.*}} {axis = 1 : i64} : tensor<2x3x4xf32>
// CHECK: dl.softmax %{{.*}} {axis = 2 : i64} : tensor<2x3x4xf32>
// CHECK: dl.softmax %{{.*}} {axis = -3 : i64} : tensor<2x3x4xf32>
func.func @softmax_axes(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = dl.softmax %x {axis = 0 : i64} : tensor<2x3x4xf32>
  %1 = dl.softmax %x {axis = 1 : i64} : tensor<2x3x4xf32>
  %2 = dl.softmax %x {axis = 2 : i64} : tensor<2x3x4xf32>
  %3 = dl.softmax %x {axis = -3 : i64} : tensor<2x3x4xf32>
  return %0, %1, %2, %3 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @softmax_dynamic_1d
// CHECK: dl.softmax %{{.*}} {axis = 0 : i64} : tensor<?xf64>
func.func @softmax_dynamic_1d(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = dl.softmax %x {axis = 0 : i64} : tensor<?xf64>
  return %0 : tensor<?xf64>
}

// -----

// CHECK-LABEL: func.func @log_softmax
// CHECK: dl.log_softmax %{{[^ ]*}} : tensor<8x10xf32>
// CHECK: dl.log_softmax %{{.*}} {axis = -2 : i64} : tensor<8x10xf32>
func.func @log_softmax(%x: tensor<8x10xf32>) -> (tensor<8x10xf32>, tensor<8x10xf32>) {
  %0 = dl.log_softmax %x : tensor<8x10xf32>
  %1 = dl.log_softmax %x {axis = -2 : i64} : tensor<8x10xf32>
  return %0, %1 : tensor<8x10xf32>, tensor<8x10xf32>
}

// -----

// Softmax cross-entropy and its gradient op round-trip; the loss's type is
// inferred ([batch] of the logits' element type), a dynamic batch included.
// CHECK-LABEL: func.func @softmax_cross_entropy
// CHECK: dl.softmax_cross_entropy %{{.*}}, %{{.*}} {label_smoothing = 1.000000e-01 : f64} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<?xf32>
// CHECK: dl.softmax_cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x10xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<?x10xf32>
func.func @softmax_cross_entropy(%x: tensor<?x10xf32>, %y: tensor<?xi64>) -> (tensor<?xf32>, tensor<?x10xf32>) {
  %l = dl.softmax_cross_entropy %x, %y {label_smoothing = 0.1 : f64} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<?xf32>
  %d = dl.softmax_cross_entropy_grad %x, %y, %l : (tensor<?x10xf32>, tensor<?xi64>, tensor<?xf32>) -> tensor<?x10xf32>
  return %l, %d : tensor<?xf32>, tensor<?x10xf32>
}
