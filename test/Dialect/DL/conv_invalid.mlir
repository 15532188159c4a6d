// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @input_rank_too_small(%x: tensor<1x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{input must be N x C x D1..Dk with 1 to 3 spatial dims, got rank 2}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @input_rank_too_large(%x: tensor<1x1x4x4x4x4xf32>, %w: tensor<1x1x2x2x2x2xf32>) {
  // expected-error @+2 {{input must be N x C x D1..Dk with 1 to 3 spatial dims, got rank 6}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x1x4x4x4x4xf32>, tensor<1x1x2x2x2x2xf32>) -> tensor<1x1x3x3x3x3xf32>
  return
}

// -----

func.func @weight_rank_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+2 {{weight rank 3 differs from input rank 4}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @channels_mismatch(%x: tensor<1x8x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{weight has 3 input channels per group, expected C/groups = 8/1 = 8}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x8x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @channels_mismatch_grouped(%x: tensor<1x8x8x8xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+2 {{weight has 8 input channels per group, expected C/groups = 8/2 = 4}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {groups = 2 : i64} : (tensor<1x8x8x8xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @groups_not_dividing_channels(%x: tensor<1x8x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+2 {{input channels (8) are not divisible by groups (3)}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {groups = 3 : i64} : (tensor<1x8x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @groups_not_dividing_output_channels(%x: tensor<1x8x8x8xf32>, %w: tensor<5x4x3x3xf32>) {
  // expected-error @+2 {{output channels (5) are not divisible by groups (2)}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {groups = 2 : i64} : (tensor<1x8x8x8xf32>, tensor<5x4x3x3xf32>) -> tensor<1x5x6x6xf32>
  return
}

// -----

func.func @groups_zero(%x: tensor<1x8x8x8xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+2 {{groups must be >= 1, got 0}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {groups = 0 : i64} : (tensor<1x8x8x8xf32>, tensor<4x8x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @pads_wrong_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{pads has 2 values, expected 4 for 2 spatial dim(s)}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {pads = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return
}

// -----

func.func @negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{pads values must be in [0, 2147483647], got -1}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {pads = array<i64: 1, -1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x6xf32>
  return
}

// -----

func.func @strides_wrong_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{strides has 3 values, expected 2 for 2 spatial dim(s)}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @zero_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{strides values must be in [1, 2147483647], got 0}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {strides = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @negative_stride(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{strides values must be in [1, 2147483647], got -2}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {strides = array<i64: -2, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @dilations_wrong_length(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{dilations has 1 values, expected 2 for 2 spatial dim(s)}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {dilations = array<i64: 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x4x4xf32>
  return
}

// -----

func.func @zero_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{dilations values must be in [1, 2147483647], got 0}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {dilations = array<i64: 0, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @bias_size_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<8xf32>) {
  // expected-error @+2 {{bias must be 1-D with one value per output channel (16), got 8}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<8xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @bias_not_1d(%x: tensor<1x3x8x8xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<1x16xf32>) {
  // expected-error @+2 {{bias must be 1-D with one value per output channel (16), got 1x16}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<16x3x3x3xf32>, tensor<1x16xf32>) -> tensor<1x16x6x6xf32>
  return
}

// -----

func.func @window_larger_than_input(%x: tensor<1x1x2x8xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+2 {{kernel (3, dilation 1) is larger than padded input dim 2 (2 + 0 + 0)}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x1x2x8xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x0x6xf32>
  return
}

// -----

// Dilation makes the window 5 wide; the padded input is only 4.
func.func @dilated_window_larger_than_input(%x: tensor<1x1x8x2xf32>, %w: tensor<1x1x3x3xf32>) {
  // expected-error @+2 {{kernel (3, dilation 2) is larger than padded input dim 3 (2 + 1 + 1)}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {dilations = array<i64: 2, 2>, pads = array<i64: 0, 1, 0, 1>} : (tensor<1x1x8x2xf32>, tensor<1x1x3x3xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// (10 + 1 + 1 - 3) / 2 + 1 = 5, not 6.
func.func @wrong_result_shape(%x: tensor<1x3x10x10xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'dl.conv' op inferred type(s) 'tensor<1x4x5x5xf32>' are incompatible with return type(s) of operation 'tensor<1x4x6x6xf32>'}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x10x10xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @wrong_result_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+2 {{'dl.conv' op inferred type(s) 'tensor<1x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<1x8x6x6xf32>'}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @element_type_mismatch(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{'dl.conv' op failed to verify that all of {input, weight, result} have same element type}}
  %0 = dl.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<1x4x6x6xf32>
  return
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_output_padding_not_below_stride(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{output_padding[0] = 2 must be >= 0 and smaller than the stride (2) or dilation (1)}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 2>, output_padding = array<i64: 2, 0>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x13x11xf32>
  return
}

// -----

// With the default stride 1, any output_padding is too large.
func.func @transpose_output_padding_stride_one(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{output_padding[1] = 1 must be >= 0 and smaller than the stride (1) or dilation (1)}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {output_padding = array<i64: 0, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x8xf32>
  return
}

// -----

func.func @transpose_output_padding_wrong_length(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{output_padding has 1 values, expected 2}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 2>, output_padding = array<i64: 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x12x12xf32>
  return
}

// -----

func.func @transpose_output_padding_negative(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{output_padding[0] = -1 must be >= 0 and smaller than the stride (2) or dilation (1)}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 2>, output_padding = array<i64: -1, 0>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x10x11xf32>
  return
}

// -----

// The weight of a transposed conv is C x M/groups x K: dim 0 must be C.
func.func @transpose_channels_mismatch(%x: tensor<1x4x5x5xf32>, %w: tensor<2x4x3x3xf32>) {
  // expected-error @+2 {{weight dim 0 (2) must equal the input channels (4)}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w : (tensor<1x4x5x5xf32>, tensor<2x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @transpose_groups_not_dividing(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{input channels (4) are not divisible by groups (3)}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {groups = 3 : i64} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x6x7x7xf32>
  return
}

// -----

func.func @transpose_weight_rank_mismatch(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3xf32>) {
  // expected-error @+2 {{weight rank 3 differs from input rank 4}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w : (tensor<1x4x5x5xf32>, tensor<4x2x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @transpose_zero_stride(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+2 {{strides values must be in [1, 2147483647], got 0}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 0, 1>} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return
}

// -----

func.func @transpose_bias_size_mismatch(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{bias must be 1-D with one value per output channel (6), got 3}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w, %b {groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x6x7x7xf32>
  return
}

// -----

// Pads larger than the full output: (1 - 1) + 0 + 1 - 1 - 1 = -1.
func.func @transpose_pads_exceed_output(%x: tensor<1x1x1x1xf32>, %w: tensor<1x1x1x1xf32>) {
  // expected-error @+2 {{pads remove the whole output along spatial dim 0 (size would be -1)}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {pads = array<i64: 1, 0, 1, 0>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<?x?x?x?xf32>
  return
}

// -----

// 2 * (5 - 1) + 1 + 2 + 1 - 2 = 10, not 11.
func.func @transpose_wrong_result_shape(%x: tensor<1x4x5x5xf32>, %w: tensor<4x8x3x3xf32>) {
  // expected-error @+2 {{'dl.conv_transpose' op inferred type(s) 'tensor<1x8x10x10xf32>' are incompatible with return type(s) of operation 'tensor<1x8x11x11xf32>'}}
  // expected-error @+1 {{'dl.conv_transpose' op failed to infer returned types}}
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<1x8x11x11xf32>
  return
}

// -----

func.func @weight_grad_output_size(%x: tensor<1x4x7x6xf32>, %g: tensor<1x6x3x3xf32>) {
  // expected-error @+1 {{'dl.conv_weight_grad' op grad_output spatial dim 0 is 3, but the conv of this input and kernel gives 4}}
  %0 = dl.conv_weight_grad %x, %g {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 2, 1>, groups = 2 : i64} : (tensor<1x4x7x6xf32>, tensor<1x6x3x3xf32>) -> tensor<6x2x3x2xf32>
  return
}

// -----

func.func @weight_grad_channels(%x: tensor<1x4x5x5xf32>, %g: tensor<1x6x3x3xf32>) {
  // expected-error @+1 {{'dl.conv_weight_grad' op result has 4 input channels per group, expected C/groups = 4/2}}
  %0 = dl.conv_weight_grad %x, %g {groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<1x6x3x3xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @weight_grad_output_channels(%x: tensor<1x4x5x5xf32>, %g: tensor<1x8x3x3xf32>) {
  // expected-error @+1 {{'dl.conv_weight_grad' op grad_output has 8 channels, expected the result's 6 output channels}}
  %0 = dl.conv_weight_grad %x, %g : (tensor<1x4x5x5xf32>, tensor<1x8x3x3xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @weight_grad_groups(%x: tensor<1x4x5x5xf32>, %g: tensor<1x6x3x3xf32>) {
  // expected-error @+1 {{'dl.conv_weight_grad' op output channels (6) are not divisible by groups (4)}}
  %0 = dl.conv_weight_grad %x, %g {groups = 4 : i64} : (tensor<1x4x5x5xf32>, tensor<1x6x3x3xf32>) -> tensor<6x1x3x3xf32>
  return
}

// -----

func.func @weight_grad_dynamic_kernel(%x: tensor<1x4x5x5xf32>, %g: tensor<1x6x3x3xf32>) {
  // expected-error @+1 {{'dl.conv_weight_grad' op result (the weight gradient) must have a static shape, got 'tensor<6x4x?x3xf32>'}}
  %0 = dl.conv_weight_grad %x, %g : (tensor<1x4x5x5xf32>, tensor<1x6x3x3xf32>) -> tensor<6x4x?x3xf32>
  return
}

// -----

func.func @weight_grad_batch(%x: tensor<2x4x5x5xf32>, %g: tensor<3x6x3x3xf32>) {
  // expected-error @+1 {{'dl.conv_weight_grad' op batch sizes differ: input 2, grad_output 3}}
  %0 = dl.conv_weight_grad %x, %g : (tensor<2x4x5x5xf32>, tensor<3x6x3x3xf32>) -> tensor<6x4x3x3xf32>
  return
}

// -----

func.func @weight_grad_rank(%x: tensor<1x4x5x5xf32>, %g: tensor<1x6x3xf32>) {
  // expected-error @+1 {{'dl.conv_weight_grad' op grad_output (rank 3) and result (rank 4) must have the input's rank 4}}
  %0 = dl.conv_weight_grad %x, %g : (tensor<1x4x5x5xf32>, tensor<1x6x3xf32>) -> tensor<6x4x3x3xf32>
  return
}
