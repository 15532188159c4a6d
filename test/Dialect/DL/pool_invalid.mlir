// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @kernel_rank_mismatch(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{kernel_shape has 1 values, expected 2 (one per spatial dim)}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @kernel_rank_mismatch_avg(%x: tensor<1x3x8xf32>) {
  // expected-error @+2 {{kernel_shape has 2 values, expected 1 (one per spatial dim)}}
  // expected-error @+1 {{'dl.avg_pool' op failed to infer returned types}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8xf32> -> tensor<1x3x7xf32>
  return
}

// -----

func.func @kernel_not_positive(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{kernel_shape values must be in [1, 2147483647], got 0}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 0, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x7xf32>
  return
}

// -----

func.func @kernel_above_int32(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{kernel_shape values must be in [1, 2147483647], got 4611686018427387904}}
  // expected-error @+1 {{'dl.avg_pool' op failed to infer returned types}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 4611686018427387904, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @pool_steps_bounded(%x: tensor<1x1x65536x65536xf32>) {
  // expected-error @+2 {{pool takes more than 17179869184 window steps (outputs x kernel elements)}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>} : tensor<1x1x65536x65536xf32> -> tensor<1x1x65536x65536xf32>
  return
}

// -----

func.func @input_rank_too_small(%x: tensor<3x8xf32>) {
  // expected-error @+2 {{pool input must be N x C x D1..Dk, got rank 2}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2>} : tensor<3x8xf32> -> tensor<3x7xf32>
  return
}

// -----

// ONNX requires each pad to be smaller than the kernel: a window entirely in
// the padding has no input element.
func.func @pad_not_below_kernel(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{pads along spatial dim 0 (2, 0) must be smaller than the kernel extent 2}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, pads = array<i64: 2, 0, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x9x7xf32>
  return
}

// -----

func.func @end_pad_not_below_kernel_avg(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{pads along spatial dim 1 (1, 3) must be smaller than the kernel extent 3}}
  // expected-error @+1 {{'dl.avg_pool' op failed to infer returned types}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 3>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x10xf32>
  return
}

// -----

func.func @negative_pad(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{pads values must be in [0, 2147483647], got -1}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 0, -1, 0, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x6x5xf32>
  return
}

// -----

func.func @pads_wrong_length(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{pads has 2 values, expected 4 for 2 spatial dim(s)}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @strides_wrong_length(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{strides has 1 values, expected 2 for 2 spatial dim(s)}}
  // expected-error @+1 {{'dl.avg_pool' op failed to infer returned types}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{strides values must be in [1, 2147483647], got 0}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 0>} : tensor<1x3x8x8xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @zero_dilation(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{dilations values must be in [1, 2147483647], got 0}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, dilations = array<i64: 0, 1>} : tensor<1x3x8x8xf32> -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @window_larger_than_input(%x: tensor<1x3x2x8xf32>) {
  // expected-error @+2 {{pool window (3) is larger than padded input dim 2}}
  // expected-error @+1 {{'dl.avg_pool' op failed to infer returned types}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>} : tensor<1x3x2x8xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

// Floor mode: (5 - 2) / 2 + 1 = 2, not 3.
func.func @wrong_result_shape_floor(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+2 {{'dl.max_pool' op inferred type(s) 'tensor<1x1x2x2xf32>' are incompatible with return type(s) of operation 'tensor<1x1x3x3xf32>'}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  return
}

// -----

// Ceil mode drops a last window that would start in the end padding: 3, not 4.
func.func @wrong_result_shape_ceil(%x: tensor<1x1x5x5xf32>) {
  // expected-error @+2 {{'dl.max_pool' op inferred type(s) 'tensor<1x1x3x3xf32>' are incompatible with return type(s) of operation 'tensor<1x1x4x4xf32>'}}
  // expected-error @+1 {{'dl.max_pool' op failed to infer returned types}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : tensor<1x1x5x5xf32> -> tensor<1x1x4x4xf32>
  return
}

// -----

func.func @pool_changes_channels(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+2 {{'dl.avg_pool' op inferred type(s) 'tensor<1x3x4x4xf32>' are incompatible with return type(s) of operation 'tensor<1x4x4x4xf32>'}}
  // expected-error @+1 {{'dl.avg_pool' op failed to infer returned types}}
  %0 = dl.avg_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @integer_input(%x: tensor<1x3x8x8xi32>) {
  // expected-error @+1 {{'dl.max_pool' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x3x8x8xi32>'}}
  %0 = dl.max_pool %x {kernel_shape = array<i64: 2, 2>} : tensor<1x3x8x8xi32> -> tensor<1x3x7x7xi32>
  return
}

// -----

func.func @global_pool_rank_too_small(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{global pool input must be N x C x D1..Dk, got rank 2}}
  // expected-error @+1 {{'dl.global_avg_pool' op failed to infer returned types}}
  %0 = dl.global_avg_pool %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @global_pool_wrong_result(%x: tensor<2x3x7x7xf32>) {
  // expected-error @+2 {{'dl.global_max_pool' op inferred type(s) 'tensor<2x3x1x1xf32>' are incompatible with return type(s) of operation 'tensor<2x3x7x1xf32>'}}
  // expected-error @+1 {{'dl.global_max_pool' op failed to infer returned types}}
  %0 = dl.global_max_pool %x : tensor<2x3x7x7xf32> -> tensor<2x3x7x1xf32>
  return
}

// -----

func.func @max_pool_grad_wrong_grad(%x: tensor<1x2x8x8xf32>, %g: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{'dl.max_pool_grad' op grad_output type 'tensor<1x2x4x4xf32>' does not match the pool's result type 'tensor<1x2x5x5xf32>'}}
  %0 = dl.max_pool_grad %x, %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<1x2x8x8xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32>
  return
}

// -----

func.func @max_pool_grad_result(%x: tensor<1x2x8x8xf32>, %g: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{'dl.max_pool_grad' op failed to verify that all of {input, result} have same type}}
  %0 = dl.max_pool_grad %x, %g {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x8x8xf32>, tensor<1x2x4x4xf32>) -> tensor<1x2x8x9xf32>
  return
}

// -----

func.func @avg_pool_grad_wrong_input(%g: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{'dl.avg_pool_grad' op grad_output type 'tensor<1x2x4x4xf32>' does not match the pool's result type 'tensor<1x2x3x4xf32>'}}
  %0 = dl.avg_pool_grad %g {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x7x8xf32>
  return
}

// -----

func.func @avg_pool_grad_bad_kernel(%g: tensor<1x2x4x4xf32>) {
  // expected-error @+1 {{kernel_shape has 1 values, expected 2 (one per spatial dim)}}
  %0 = dl.avg_pool_grad %g {kernel_shape = array<i64: 2>} : (tensor<1x2x4x4xf32>) -> tensor<1x2x8x8xf32>
  return
}
