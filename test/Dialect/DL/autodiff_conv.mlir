// RUN: dlc-opt %s --dl-autodiff="functions=f" --split-input-file -verify-diagnostics | FileCheck %s

// The gradient rules of the conv and pool ops (ConvGradients.cpp).

// A strided conv: the input gradient is the conv_transpose of the result
// gradient with the same weight and window, and output_padding 1 along H
// restores the input row past the last window; the weight gradient is
// dl.conv_weight_grad; the bias gradient sums all dims but the channels.
// The dynamic batch dim stays dynamic.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x4x7x6xf32>, %[[W:[^:]*]]: tensor<4x2x3x2xf32>, %{{[^:]*}}: tensor<4xf32>, %[[G:[^:]*]]: tensor<?x4x3x3xf32>)
// CHECK: %[[GX:.*]] = dl.conv_transpose %[[G]], %[[W]] {dilations = array<i64: 2, 2>, groups = 2 : i64, output_padding = array<i64: 1, 0>, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x3x3xf32>, tensor<4x2x3x2xf32>) -> tensor<?x4x7x6xf32>
// CHECK: %[[GW:.*]] = dl.conv_weight_grad %[[X]], %[[G]] {dilations = array<i64: 2, 2>, groups = 2 : i64, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x7x6xf32>, tensor<?x4x3x3xf32>) -> tensor<4x2x3x2xf32>
// CHECK: %[[GB:.*]] = dl.reduce_sum %[[G]] {axes = array<i64: 0, 2, 3>, keepdims = false} : tensor<?x4x3x3xf32> -> tensor<4xf32>
// CHECK: return %{{.*}}, %[[GX]], %[[GW]], %[[GB]]
func.func @f(%x: tensor<?x4x7x6xf32>, %w: tensor<4x2x3x2xf32>, %b: tensor<4xf32>) -> tensor<?x4x3x3xf32> {
  %y = dl.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 2, 1>, dilations = array<i64: 2, 2>, groups = 2 : i64} : (tensor<?x4x7x6xf32>, tensor<4x2x3x2xf32>, tensor<4xf32>) -> tensor<?x4x3x3xf32>
  return %y : tensor<?x4x3x3xf32>
}

// -----

// Unit strides: the input gradient is a plain conv of the result gradient
// with the kernel transposed (C x M) and flipped (a slice with step -1),
// padded by (k - 1) * dilation - pad on each side.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x3x5x5xf32>, %[[W:[^:]*]]: tensor<2x3x3x3xf32>, %[[G:[^:]*]]: tensor<1x2x5x5xf32>)
// CHECK: %[[T:.*]] = dl.transpose %[[W]] {perm = array<i64: 1, 0, 2, 3>} : tensor<2x3x3x3xf32> -> tensor<3x2x3x3xf32>
// CHECK: %[[F:.*]] = dl.slice %[[T]] {axes = array<i64: 2, 3>, ends = array<i64: -4, -4>, starts = array<i64: -1, -1>, steps = array<i64: -1, -1>}
// CHECK: %[[GX:.*]] = dl.conv %[[G]], %[[F]] {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x5x5xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x5x5xf32>
// CHECK-NOT: dl.conv_transpose
// CHECK: %[[GW:.*]] = dl.conv_weight_grad %[[X]], %[[G]] {pads = array<i64: 1, 1, 1, 1>}
// CHECK: return %{{.*}}, %[[GX]], %[[GW]]
func.func @f(%x: tensor<1x3x5x5xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x2x5x5xf32> {
  %y = dl.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x5x5xf32>, tensor<2x3x3x3xf32>) -> tensor<1x2x5x5xf32>
  return %y : tensor<1x2x5x5xf32>
}

// -----

// Grouped, unit strides: within each group the channel dims swap (reshape
// to G x M/G x C/G, transpose, reshape back).
// CHECK-LABEL: func.func @f_grad(
// CHECK: dl.reshape %{{.*}} : (tensor<6x2x3x3xf32>) -> tensor<2x3x2x3x3xf32>
// CHECK: dl.transpose %{{.*}} {perm = array<i64: 0, 2, 1, 3, 4>} : tensor<2x3x2x3x3xf32> -> tensor<2x2x3x3x3xf32>
// CHECK: %[[R:.*]] = dl.reshape %{{.*}} : (tensor<2x2x3x3x3xf32>) -> tensor<4x3x3x3xf32>
// CHECK: %[[F:.*]] = dl.slice %[[R]]
// CHECK: dl.conv %{{.*}}, %[[F]] {groups = 2 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x6x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
func.func @f(%x: tensor<1x4x4x4xf32>, %w: tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32> {
  %y = dl.conv %x, %w {pads = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : (tensor<1x4x4x4xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x4x4xf32>
  return %y : tensor<1x6x4x4xf32>
}

// -----

// Depthwise 1-D with a begin pad (3) larger than the kernel extent (1): the
// flipped conv's begin pad would be -2, so the gradient is cropped by 2
// first. With one channel per group the weight needs no transpose.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[W:[^:]*]]: tensor<2x1x2xf32>, %[[G:[^:]*]]: tensor<1x2x8xf32>)
// CHECK: %[[C:.*]] = dl.pad %[[G]] {pads = array<i64: 0, 0, -2, 0, 0, 0>} : tensor<1x2x8xf32> -> tensor<1x2x6xf32>
// CHECK-NOT: dl.transpose
// CHECK: %[[F:.*]] = dl.slice %[[W]] {axes = array<i64: 2>, ends = array<i64: -3>, starts = array<i64: -1>, steps = array<i64: -1>}
// CHECK: dl.conv %[[C]], %[[F]] {groups = 2 : i64, pads = array<i64: 0, 1>} : (tensor<1x2x6xf32>, tensor<2x1x2xf32>) -> tensor<1x2x6xf32>
func.func @f(%x: tensor<1x2x6xf32>, %w: tensor<2x1x2xf32>) -> tensor<1x2x8xf32> {
  %y = dl.conv %x, %w {pads = array<i64: 3, 0>, groups = 2 : i64} : (tensor<1x2x6xf32>, tensor<2x1x2xf32>) -> tensor<1x2x8xf32>
  return %y : tensor<1x2x8xf32>
}

// -----

// conv_transpose: the input gradient is a conv with the same weight; the end
// pad less output_padding is -1 along H, so the gradient is cropped there.
// The weight gradient is conv_weight_grad with the roles swapped (the
// cropped gradient as input, x as the output gradient).
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x4x3x3xf32>, %[[W:[^:]*]]: tensor<4x3x3x3xf32>, %{{[^:]*}}: tensor<6xf32>, %[[G:[^:]*]]: tensor<2x6x7x6xf32>)
// CHECK: %[[C:.*]] = dl.pad %[[G]] {pads = array<i64: 0, 0, 0, 0, 0, 0, -1, 0>} : tensor<2x6x7x6xf32> -> tensor<2x6x6x6xf32>
// CHECK: %[[GX:.*]] = dl.conv %[[C]], %[[W]] {groups = 2 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<2x6x6x6xf32>, tensor<4x3x3x3xf32>) -> tensor<2x4x3x3xf32>
// CHECK: %[[GW:.*]] = dl.conv_weight_grad %[[C]], %[[X]] {groups = 2 : i64, pads = array<i64: 1, 1, 0, 0>, strides = array<i64: 2, 2>} : (tensor<2x6x6x6xf32>, tensor<2x4x3x3xf32>) -> tensor<4x3x3x3xf32>
// CHECK: %[[GB:.*]] = dl.reduce_sum %[[G]] {axes = array<i64: 0, 2, 3>, keepdims = false}
// CHECK: return %{{.*}}, %[[GX]], %[[GW]], %[[GB]]
func.func @f(%x: tensor<2x4x3x3xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<2x6x7x6xf32> {
  %y = dl.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 1>, output_padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x3x3xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<2x6x7x6xf32>
  return %y : tensor<2x6x7x6xf32>
}

// -----

// max_pool: max_pool_grad with the pool's attributes, dynamic batch kept.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x2x8x7xf32>, %[[G:[^:]*]]: tensor<?x2x5x4xf32>)
// CHECK: %[[GX:.*]] = dl.max_pool_grad %[[X]], %[[G]] {ceil_mode = true, dilations = array<i64: 1, 2>, kernel_shape = array<i64: 3, 2>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x2x8x7xf32>, tensor<?x2x5x4xf32>) -> tensor<?x2x8x7xf32>
// CHECK: return %{{.*}}, %[[GX]]
func.func @f(%x: tensor<?x2x8x7xf32>) -> tensor<?x2x5x4xf32> {
  %y = dl.max_pool %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 2>, ceil_mode = true} : tensor<?x2x8x7xf32> -> tensor<?x2x5x4xf32>
  return %y : tensor<?x2x5x4xf32>
}

// -----

// avg_pool: avg_pool_grad of the result gradient alone; its result type is
// the pool's input type.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[G:[^:]*]]: tensor<1x2x4x4xf32>)
// CHECK: %[[GX:.*]] = dl.avg_pool_grad %[[G]] {ceil_mode = true, count_include_pad = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x7x7xf32>
// CHECK: return %{{.*}}, %[[GX]]
func.func @f(%x: tensor<1x2x7x7xf32>) -> tensor<1x2x4x4xf32> {
  %y = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true, count_include_pad = true} : tensor<1x2x7x7xf32> -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// global_avg_pool: g / (H * W) broadcast back; with a dynamic batch the
// expand reads the input's shape.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:[^:]*]]: tensor<?x3x4x5xf32>, %[[G:[^:]*]]: tensor<?x3x1x1xf32>)
// CHECK: %[[N:.*]] = dl.constant dense<2.000000e+01> : tensor<f32>
// CHECK: %[[D:.*]] = dl.div %[[G]], %[[N]]
// CHECK: %[[S:.*]] = dl.shape_of %[[X]]
// CHECK: %[[GX:.*]] = dl.expand %[[D]], %[[S]] : (tensor<?x3x1x1xf32>, tensor<4xi64>) -> tensor<?x3x4x5xf32>
// CHECK: return %{{.*}}, %[[GX]]
func.func @f(%x: tensor<?x3x4x5xf32>) -> tensor<?x3x1x1xf32> {
  %y = dl.global_avg_pool %x : tensor<?x3x4x5xf32> -> tensor<?x3x1x1xf32>
  return %y : tensor<?x3x1x1xf32>
}

// -----

// global_max_pool: a max_pool_grad whose one window is the whole image.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:[^:]*]]: tensor<2x3x4x5xf32>, %[[G:[^:]*]]: tensor<2x3x1x1xf32>)
// CHECK: %[[GX:.*]] = dl.max_pool_grad %[[X]], %[[G]] {kernel_shape = array<i64: 4, 5>} : (tensor<2x3x4x5xf32>, tensor<2x3x1x1xf32>) -> tensor<2x3x4x5xf32>
// CHECK: return %{{.*}}, %[[GX]]
func.func @f(%x: tensor<2x3x4x5xf32>) -> tensor<2x3x1x1xf32> {
  %y = dl.global_max_pool %x : tensor<2x3x4x5xf32> -> tensor<2x3x1x1xf32>
  return %y : tensor<2x3x1x1xf32>
}

// -----

// A frozen weight (a constant) still gets a weight gradient built by the
// rule; the autodiff pass only returns argument gradients, so it is dead.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[G:[^:]*]]: tensor<1x1x4xf32>) -> (tensor<1x1x4xf32>, tensor<1x1x6xf32>)
// CHECK: %[[GX:.*]] = dl.conv %[[G]]
// CHECK: return %{{.*}}, %[[GX]]
func.func @f(%x: tensor<1x1x6xf32>) -> tensor<1x1x4xf32> {
  %w = dl.constant dense<[[[1.0, 2.0, 3.0]]]> : tensor<1x1x3xf32>
  %y = dl.conv %x, %w : (tensor<1x1x6xf32>, tensor<1x1x3xf32>) -> tensor<1x1x4xf32>
  return %y : tensor<1x1x4xf32>
}

// -----

// Dynamic spatial dims have no rule yet (the backend needs them static too).
func.func @f(%x: tensor<1x2x?xf32>, %w: tensor<3x2x3xf32>) -> tensor<1x3x?xf32> {
  // expected-error @+1 {{'dl.conv' op gradient needs a static weight and static channel and spatial dims}}
  %y = dl.conv %x, %w : (tensor<1x2x?xf32>, tensor<3x2x3xf32>) -> tensor<1x3x?xf32>
  return %y : tensor<1x3x?xf32>
}
