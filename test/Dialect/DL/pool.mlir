// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// Result types are the exact inferred shapes:
// out = floor((in + pb + pe - ((k-1)*d+1)) / s) + 1, or with ceil_mode the
// division rounds up but the last window must start inside input + pad_begin.

// CHECK-LABEL: func.func @max_pool2d
// CHECK: dl.max_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x32x32xf32> -> tensor<1x3x16x16xf32>
func.func @max_pool2d(%x: tensor<1x3x32x32xf32>) -> tensor<1x3x16x16xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x32x32xf32> -> tensor<1x3x16x16xf32>
  return %0 : tensor<1x3x16x16xf32>
}

// -----

// ResNet: (112 + 1 + 1 - 3) / 2 + 1 = 56
// CHECK-LABEL: func.func @max_pool2d_padded
// CHECK: dl.max_pool
// CHECK-SAME: pads = array<i64: 1, 1, 1, 1>
// CHECK-SAME: -> tensor<1x64x56x56xf32>
func.func @max_pool2d_padded(%x: tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x64x112x112xf32> -> tensor<1x64x56x56xf32>
  return %0 : tensor<1x64x56x56xf32>
}

// -----

// Without strides the window moves by 1.
// CHECK-LABEL: func.func @max_pool2d_default_stride
// CHECK: dl.max_pool {{.*}} -> tensor<1x1x3x2xf32>
func.func @max_pool2d_default_stride(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x2xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 4>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x2xf32>
  return %0 : tensor<1x1x3x2xf32>
}

// -----

// Floor: (5 - 2) / 2 + 1 = 2.
// CHECK-LABEL: func.func @max_pool2d_floor_mode
// CHECK: dl.max_pool {{.*}} -> tensor<1x1x2x2xf32>
func.func @max_pool2d_floor_mode(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Ceil: ceil((5 - 2) / 2) + 1 = 3; the last window starts at 4 < 5.
// CHECK-LABEL: func.func @max_pool2d_ceil_mode
// CHECK: dl.max_pool
// CHECK-SAME: ceil_mode = true
// CHECK-SAME: -> tensor<1x1x3x3xf32>
func.func @max_pool2d_ceil_mode(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// Ceil with padding: ceil((6 + 2 - 3) / 2) + 1 = 4; the last window starts
// at 6, inside input + pad_begin = 7, so it stays (floor mode gives 3).
// CHECK-LABEL: func.func @max_pool2d_ceil_mode_padded
// CHECK: dl.max_pool
// CHECK-SAME: ceil_mode = true
// CHECK-SAME: -> tensor<1x1x4x4xf32>
func.func @max_pool2d_ceil_mode_padded(%x: tensor<1x1x6x6xf32>) -> tensor<1x1x4x4xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : tensor<1x1x6x6xf32> -> tensor<1x1x4x4xf32>
  return %0 : tensor<1x1x4x4xf32>
}

// -----

// Ceil would give ceil((5 + 2 - 2) / 2) + 1 = 4, but that last window would
// start at 6 >= input + pad_begin = 6, entirely in the end padding, so it is
// dropped: 3.
// CHECK-LABEL: func.func @max_pool2d_ceil_mode_last_window_dropped
// CHECK: dl.max_pool
// CHECK-SAME: ceil_mode = true
// CHECK-SAME: -> tensor<1x1x3x3xf32>
func.func @max_pool2d_ceil_mode_last_window_dropped(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x3x3xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// The default ceil_mode = false is not printed.
// CHECK-LABEL: func.func @max_pool2d_ceil_mode_false_elided
// CHECK: dl.max_pool
// CHECK-NOT: ceil_mode
// CHECK-SAME: -> tensor<1x1x2x2xf32>
func.func @max_pool2d_ceil_mode_false_elided(%x: tensor<1x1x5x5xf32>) -> tensor<1x1x2x2xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, ceil_mode = false} : tensor<1x1x5x5xf32> -> tensor<1x1x2x2xf32>
  return %0 : tensor<1x1x2x2xf32>
}

// -----

// Effective kernel (3-1)*2+1 = 5: 10 - 5 + 1 = 6.
// CHECK-LABEL: func.func @max_pool2d_dilated
// CHECK: dl.max_pool
// CHECK-SAME: dilations = array<i64: 2, 2>
// CHECK-SAME: -> tensor<1x1x6x6xf32>
func.func @max_pool2d_dilated(%x: tensor<1x1x10x10xf32>) -> tensor<1x1x6x6xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, dilations = array<i64: 2, 2>} : tensor<1x1x10x10xf32> -> tensor<1x1x6x6xf32>
  return %0 : tensor<1x1x6x6xf32>
}

// -----

// (9 - 3) / 2 + 1 = 4
// CHECK-LABEL: func.func @max_pool1d
// CHECK: dl.max_pool {{.*}} : tensor<1x4x9xf32> -> tensor<1x4x4xf32>
func.func @max_pool1d(%x: tensor<1x4x9xf32>) -> tensor<1x4x4xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3>, strides = array<i64: 2>} : tensor<1x4x9xf32> -> tensor<1x4x4xf32>
  return %0 : tensor<1x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @max_pool_dynamic
// CHECK: dl.max_pool {{.*}} : tensor<?x3x?x32xf32> -> tensor<?x3x?x16xf32>
func.func @max_pool_dynamic(%x: tensor<?x3x?x32xf32>) -> tensor<?x3x?x16xf32> {
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<?x3x?x32xf32> -> tensor<?x3x?x16xf32>
  return %0 : tensor<?x3x?x16xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool2d
// CHECK: dl.avg_pool %{{.*}} {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
func.func @avg_pool2d(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32> {
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return %0 : tensor<1x3x4x4xf32>
}

// -----

// count_include_pad changes the divisor, not the shape: 8 + 2 - 3 + 1 = 8.
// CHECK-LABEL: func.func @avg_pool2d_count_include_pad
// CHECK: dl.avg_pool
// CHECK-SAME: count_include_pad = true
// CHECK-SAME: pads = array<i64: 1, 1, 1, 1>
// CHECK-SAME: -> tensor<1x3x8x8xf32>
func.func @avg_pool2d_count_include_pad(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = true} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool2d_count_include_pad_false_elided
// CHECK: dl.avg_pool
// CHECK-NOT: count_include_pad
// CHECK-SAME: -> tensor<1x3x8x8xf32>
func.func @avg_pool2d_count_include_pad_false_elided(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x8x8xf32> {
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, count_include_pad = false} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// ceil((7 - 3) / 3) + 1 = 3 (floor mode gives 2).
// CHECK-LABEL: func.func @avg_pool2d_ceil_mode
// CHECK: dl.avg_pool
// CHECK-SAME: ceil_mode = true
// CHECK-SAME: -> tensor<1x1x3x3xf32>
func.func @avg_pool2d_ceil_mode(%x: tensor<1x1x7x7xf32>) -> tensor<1x1x3x3xf32> {
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 3, 3>, ceil_mode = true} : tensor<1x1x7x7xf32> -> tensor<1x1x3x3xf32>
  return %0 : tensor<1x1x3x3xf32>
}

// -----

// CHECK-LABEL: func.func @avg_pool3d
// CHECK: dl.avg_pool {{.*}} : tensor<1x2x8x8x8xf32> -> tensor<1x2x4x4x4xf32>
func.func @avg_pool3d(%x: tensor<1x2x8x8x8xf32>) -> tensor<1x2x4x4x4xf32> {
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2, 2>, strides = array<i64: 2, 2, 2>} : tensor<1x2x8x8x8xf32> -> tensor<1x2x4x4x4xf32>
  return %0 : tensor<1x2x4x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @global_max_pool
// CHECK: dl.global_max_pool %{{.*}} : tensor<2x3x7x7xf32> -> tensor<2x3x1x1xf32>
func.func @global_max_pool(%x: tensor<2x3x7x7xf32>) -> tensor<2x3x1x1xf32> {
  %0 = dl.global_max_pool %x : tensor<2x3x7x7xf32> -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @global_avg_pool
// CHECK: dl.global_avg_pool %{{.*}} : tensor<2x3x7x7xf32> -> tensor<2x3x1x1xf32>
func.func @global_avg_pool(%x: tensor<2x3x7x7xf32>) -> tensor<2x3x1x1xf32> {
  %0 = dl.global_avg_pool %x : tensor<2x3x7x7xf32> -> tensor<2x3x1x1xf32>
  return %0 : tensor<2x3x1x1xf32>
}

// -----

// Dynamic spatial dims still pool to 1.
// CHECK-LABEL: func.func @global_avg_pool_dynamic
// CHECK: dl.global_avg_pool %{{.*}} : tensor<?x3x?x?xf32> -> tensor<?x3x1x1xf32>
func.func @global_avg_pool_dynamic(%x: tensor<?x3x?x?xf32>) -> tensor<?x3x1x1xf32> {
  %0 = dl.global_avg_pool %x : tensor<?x3x?x?xf32> -> tensor<?x3x1x1xf32>
  return %0 : tensor<?x3x1x1xf32>
}

// -----

// CHECK-LABEL: func.func @global_max_pool_1d_3d
// CHECK: dl.global_max_pool %{{.*}} : tensor<1x4x10xf32> -> tensor<1x4x1xf32>
// CHECK: dl.global_max_pool %{{.*}} : tensor<1x4x2x3x5xf16> -> tensor<1x4x1x1x1xf16>
func.func @global_max_pool_1d_3d(%x: tensor<1x4x10xf32>, %y: tensor<1x4x2x3x5xf16>) -> (tensor<1x4x1xf32>, tensor<1x4x1x1x1xf16>) {
  %0 = dl.global_max_pool %x : tensor<1x4x10xf32> -> tensor<1x4x1xf32>
  %1 = dl.global_max_pool %y : tensor<1x4x2x3x5xf16> -> tensor<1x4x1x1x1xf16>
  return %0, %1 : tensor<1x4x1xf32>, tensor<1x4x1x1x1xf16>
}

// -----

// The pool gradients: max_pool_grad takes the pool input and the result
// gradient, avg_pool_grad only the gradient (its result type is the input's).
// CHECK-LABEL: func.func @pool_grads
// CHECK: dl.max_pool_grad %{{.*}}, %{{.*}} {ceil_mode = true, kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x2x8x8xf32>, tensor<?x2x5x5xf32>) -> tensor<?x2x8x8xf32>
// CHECK: dl.avg_pool_grad %{{.*}} {count_include_pad = true, kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<?x2x4x4xf32>) -> tensor<?x2x8x8xf32>
func.func @pool_grads(%x: tensor<?x2x8x8xf32>, %g: tensor<?x2x5x5xf32>, %h: tensor<?x2x4x4xf32>) -> (tensor<?x2x8x8xf32>, tensor<?x2x8x8xf32>) {
  %0 = dl.max_pool_grad %x, %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<?x2x8x8xf32>, tensor<?x2x5x5xf32>) -> tensor<?x2x8x8xf32>
  %1 = dl.avg_pool_grad %h {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, count_include_pad = true} : (tensor<?x2x4x4xf32>) -> tensor<?x2x8x8xf32>
  return %0, %1 : tensor<?x2x8x8xf32>, tensor<?x2x8x8xf32>
}
