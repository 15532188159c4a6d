// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @kernel_rank_mismatch(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{kernel_shape must have 2 values (one per spatial dim), got 1}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @kernel_rank_mismatch_avg(%x: tensor<1x3x8xf32>) {
  // expected-error @+1 {{kernel_shape must have 1 values (one per spatial dim), got 2}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8xf32> -> tensor<1x3x7xf32>
  return
}

// -----

func.func @kernel_not_positive(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{kernel_shape must be positive, got 0}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 0, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x7xf32>
  return
}

// -----

func.func @input_rank_too_small(%x: tensor<3x8xf32>) {
  // expected-error @+1 {{input must have rank 3 to 5}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2>} : tensor<3x8xf32> -> tensor<3x7xf32>
  return
}

// -----

// ONNX requires each pad to be smaller than the kernel: a window entirely in
// the padding has no input element.
func.func @pad_not_below_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{pads (2) must be smaller than the kernel (2) in spatial dim 0}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x9x7xf32>
  return
}

// -----

func.func @end_pad_not_below_kernel_avg(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{pads (3) must be smaller than the kernel (3) in spatial dim 1}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 3>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x10xf32>
  return
}

// -----

func.func @negative_pad(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{pads must be non-negative}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, -1, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x6x5xf32>
  return
}

// -----

func.func @pads_wrong_length(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{pads must have 4 values ([begin..., end...] for 2 spatial dims), got 2}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @strides_wrong_length(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{strides must have 2 values (one per spatial dim), got 1}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{strides must be positive, got 0}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @zero_dilation(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{dilations must be positive, got 0}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, dilations = array<i64: 0, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @window_larger_than_input(%x: tensor<1x3x2x8xf32>) {
  // expected-error @+1 {{window of 3 (kernel 3, dilation 1) is larger than the padded input 2 in spatial dim 0}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>} : tensor<1x3x2x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

// Floor mode: (5 - 2) / 2 + 1 = 2, not 3.
func.func @wrong_result_shape_floor(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<1x1x2x2xf32>' are incompatible with return type(s) of operation 'tensor<1x1x3x3xf32>'}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return
}

// -----

// Ceil mode drops a last window that would start in the end padding: 3, not 4.
func.func @wrong_result_shape_ceil(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<1x1x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x1x4x4xf32>'}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @pool_changes_channels(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<1x3x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x4x4x4xf32>'}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @integer_input(%x: tensor<1x3x8x8xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8x8xi32> -> tensor<1x3x7x7xi32>
  return
}

// -----

func.func @global_pool_rank_too_small(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{input must have rank 3 to 5}}
  %0 = dl.global_avg_pool %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @global_pool_wrong_result(%x: tensor<2x3x7x7xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<2x3x1x1xf32>' are incompatible with return type(s) of operation 'tensor<2x3x7x1xf32>'}}
  %0 = dl.global_max_pool %x : tensor<2x3x7x7xf32> -> tensor<2x3x7x1xf32>
  return
}
