// RUN: dlc-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

func.func @reshape_count_mismatch(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dl.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<7xf32>'}}
  %0 = dl.reshape %x : (tensor<2x3xf32>) -> tensor<7xf32>
  return
}

// -----

func.func @reshape_two_dynamic_without_shape(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'dl.reshape' op result 'tensor<?x?xf32>' has 2 dynamic dims; without a shape operand at most one dim can be found from the element count}}
  %0 = dl.reshape %x : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  return
}

// -----

// 24 elements do not split into rows of 5.
func.func @reshape_dynamic_not_divisible(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'dl.reshape' op cannot reshape 'tensor<2x3x4xf32>' (24 elements) to 'tensor<?x5xf32>'}}
  %0 = dl.reshape %x : (tensor<2x3x4xf32>) -> tensor<?x5xf32>
  return
}

// -----

func.func @reshape_shape_length_mismatch(%x: tensor<?x4xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{'dl.reshape' op shape operand must be 1-D with 3 elements (the result rank), got 'tensor<2xi64>'}}
  %0 = dl.reshape %x, %s : (tensor<?x4xf32>, tensor<2xi64>) -> tensor<?x?x4xf32>
  return
}

// -----

func.func @reshape_shape_not_1d(%x: tensor<?x4xf32>, %s: tensor<1x3xi64>) {
  // expected-error @+1 {{'dl.reshape' op shape operand must be 1-D with 3 elements (the result rank), got 'tensor<1x3xi64>'}}
  %0 = dl.reshape %x, %s : (tensor<?x4xf32>, tensor<1x3xi64>) -> tensor<?x?x4xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dl.reshape' op failed to verify that all of {input, result} have same element type}}
  %0 = dl.reshape %x : (tensor<2x3xf32>) -> tensor<6xf16>
  return
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

// -----

func.func @transpose_perm_repeats(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{perm must be a permutation of 0..2 (one entry per input dim)}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 0, 0, 1>} : tensor<2x3x4xf32> -> tensor<2x2x3xf32>
  return
}

// -----

func.func @transpose_perm_wrong_length(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{perm must be a permutation of 0..2 (one entry per input dim)}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3x4xf32> -> tensor<3x2x4xf32>
  return
}

// -----

func.func @transpose_perm_out_of_range(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{perm must be a permutation of 0..1 (one entry per input dim)}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 0, 2>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @transpose_wrong_result(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{'dl.transpose' op inferred type(s) 'tensor<4x2x3xf32>' are incompatible with return type(s) of operation 'tensor<4x3x2xf32>'}}
  // expected-error @+1 {{'dl.transpose' op failed to infer returned types}}
  %0 = dl.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x3x2xf32>
  return
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

// -----

func.func @concat_dim_mismatch(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+2 {{concat input #1 has size 4 in dim 1, expected 3 (only the axis dim 0 may differ)}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  return
}

// -----

func.func @concat_rank_mismatch(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{concat input #1 has rank 1, expected 2}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %b {axis = 2 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x6xf32>
  return
}

// -----

func.func @concat_no_inputs() {
  // expected-error @+1 {{'dl.concat' op expected 1 or more operands, but found 0}}
  %0 = dl.concat {axis = 0 : i64} : () -> tensor<2xf32>
  return
}

// -----

func.func @concat_wrong_result(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) {
  // expected-error @+2 {{'dl.concat' op inferred type(s) 'tensor<6x3xf32>' are incompatible with return type(s) of operation 'tensor<5x3xf32>'}}
  // expected-error @+1 {{'dl.concat' op failed to infer returned types}}
  %0 = dl.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<5x3xf32>
  return
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

// -----

func.func @slice_starts_ends_length(%x: tensor<10x20xf32>) {
  // expected-error @+2 {{starts, ends, axes and steps must have the same length (got 2, 1, 2, 2)}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 5>} : tensor<10x20xf32> -> tensor<5x20xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<10xf32>) {
  // expected-error @+2 {{slice step for axis 0 must not be 0}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {starts = array<i64: 0>, ends = array<i64: 5>, steps = array<i64: 0>} : tensor<10xf32> -> tensor<5xf32>
  return
}

// -----

func.func @slice_steps_length(%x: tensor<10x20xf32>) {
  // expected-error @+2 {{starts, ends, axes and steps must have the same length (got 1, 1, 1, 2)}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {starts = array<i64: 0>, ends = array<i64: 5>, steps = array<i64: 1, 1>} : tensor<10x20xf32> -> tensor<5x20xf32>
  return
}

// -----

func.func @slice_axes_repeat(%x: tensor<10x20xf32>) {
  // expected-error @+2 {{axes repeats dim 1}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 5, 5>, axes = array<i64: 1, -1>} : tensor<10x20xf32> -> tensor<10x5xf32>
  return
}

// -----

func.func @slice_axes_out_of_range(%x: tensor<10x20xf32>) {
  // expected-error @+2 {{axes value 2 is out of range for rank 2}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {starts = array<i64: 0>, ends = array<i64: 5>, axes = array<i64: 2>} : tensor<10x20xf32> -> tensor<10x20xf32>
  return
}

// -----

// With a negative step the range 8, 5, 2 has 3 elements, not 4.
func.func @slice_wrong_result(%x: tensor<10xf32>) {
  // expected-error @+2 {{'dl.slice' op inferred type(s) 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  // expected-error @+1 {{'dl.slice' op failed to infer returned types}}
  %0 = dl.slice %x {starts = array<i64: 8>, ends = array<i64: 1>, steps = array<i64: -3>} : tensor<10xf32> -> tensor<4xf32>
  return
}

//===----------------------------------------------------------------------===//
// split
//===----------------------------------------------------------------------===//

// -----

func.func @split_sizes_sum(%x: tensor<10x4xf32>) {
  // expected-error @+2 {{split sizes add up to 9 but dim 0 has size 10}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  %0:2 = dl.split %x {axis = 0 : i64, sizes = array<i64: 3, 6>} : tensor<10x4xf32> -> tensor<3x4xf32>, tensor<6x4xf32>
  return
}

// -----

func.func @split_negative_size(%x: tensor<10x4xf32>) {
  // expected-error @+2 {{split sizes must be >= 0, got -1}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  %0:2 = dl.split %x {axis = 0 : i64, sizes = array<i64: 11, -1>} : tensor<10x4xf32> -> tensor<11x4xf32>, tensor<?x4xf32>
  return
}

// -----

func.func @split_result_count(%x: tensor<10x4xf32>) {
  // expected-error @+2 {{'dl.split' op inferred type(s) 'tensor<3x4xf32>', 'tensor<7x4xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>', 'tensor<7x4xf32>', 'tensor<0x4xf32>'}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  %0:3 = dl.split %x {axis = 0 : i64, sizes = array<i64: 3, 7>} : tensor<10x4xf32> -> tensor<3x4xf32>, tensor<7x4xf32>, tensor<0x4xf32>
  return
}

// -----

func.func @split_axis_out_of_range(%x: tensor<10x4xf32>) {
  // expected-error @+2 {{axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'dl.split' op failed to infer returned types}}
  %0:2 = dl.split %x {axis = -3 : i64, sizes = array<i64: 5, 5>} : tensor<10x4xf32> -> tensor<5x4xf32>, tensor<5x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// squeeze / unsqueeze / flatten
//===----------------------------------------------------------------------===//

// -----

func.func @squeeze_not_one(%x: tensor<1x3x1xf32>) {
  // expected-error @+2 {{cannot squeeze dim 1 of size 3 (only size-1 dims)}}
  // expected-error @+1 {{'dl.squeeze' op failed to infer returned types}}
  %0 = dl.squeeze %x {axes = array<i64: 1>} : tensor<1x3x1xf32> -> tensor<1x1xf32>
  return
}

// -----

func.func @squeeze_axis_out_of_range(%x: tensor<1x3x1xf32>) {
  // expected-error @+2 {{axes value 3 is out of range for rank 3}}
  // expected-error @+1 {{'dl.squeeze' op failed to infer returned types}}
  %0 = dl.squeeze %x {axes = array<i64: 3>} : tensor<1x3x1xf32> -> tensor<1x3x1xf32>
  return
}

// -----

func.func @unsqueeze_axes_repeat(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{axes repeats dim 0}}
  // expected-error @+1 {{'dl.unsqueeze' op failed to infer returned types}}
  %0 = dl.unsqueeze %x {axes = array<i64: 0, -4>} : tensor<3x4xf32> -> tensor<1x1x3x4xf32>
  return
}

// -----

// Axes are positions in the rank-3 result.
func.func @unsqueeze_axis_out_of_range(%x: tensor<3x4xf32>) {
  // expected-error @+2 {{axes value 3 is out of range for rank 3}}
  // expected-error @+1 {{'dl.unsqueeze' op failed to infer returned types}}
  %0 = dl.unsqueeze %x {axes = array<i64: 3>} : tensor<3x4xf32> -> tensor<3x4x1xf32>
  return
}

// -----

func.func @flatten_axis_out_of_range(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+2 {{flatten axis 5 is out of range for rank 4 (expected -4 <= axis <= 4)}}
  // expected-error @+1 {{'dl.flatten' op failed to infer returned types}}
  %0 = dl.flatten %x {axis = 5 : i64} : tensor<2x3x4x5xf32> -> tensor<120x1xf32>
  return
}

// -----

func.func @flatten_wrong_result(%x: tensor<2x3x4x5xf32>) {
  // expected-error @+2 {{'dl.flatten' op inferred type(s) 'tensor<6x20xf32>' are incompatible with return type(s) of operation 'tensor<2x60xf32>'}}
  // expected-error @+1 {{'dl.flatten' op failed to infer returned types}}
  %0 = dl.flatten %x {axis = 2 : i64} : tensor<2x3x4x5xf32> -> tensor<2x60xf32>
  return
}

//===----------------------------------------------------------------------===//
// expand
//===----------------------------------------------------------------------===//

// -----

func.func @expand_incompatible(%x: tensor<3x2xf32>) {
  // expected-error @+1 {{'dl.expand' op cannot broadcast 'tensor<3x2xf32>' to 'tensor<3x4xf32>': dim 1 has size 2, expected 1 or 4}}
  %0 = dl.expand %x : (tensor<3x2xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @expand_lower_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dl.expand' op cannot broadcast 'tensor<2x3xf32>' to lower-rank 'tensor<3xf32>'}}
  %0 = dl.expand %x : (tensor<2x3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @expand_shape_length(%x: tensor<3x1xf32>, %s: tensor<2xi64>) {
  // expected-error @+1 {{'dl.expand' op shape operand must be 1-D with 3 elements (the result rank), got 'tensor<2xi64>'}}
  %0 = dl.expand %x, %s : (tensor<3x1xf32>, tensor<2xi64>) -> tensor<?x3x?xf32>
  return
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

// -----

func.func @pad_wrong_length(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{pads has 2 values, expected 4 ([begin..., end...] for each of 2 dims)}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {pads = array<i64: 1, 1>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

// Reflect padding mirrors without the edge, so it needs pad < dim.
func.func @pad_reflect_too_large(%x: tensor<3x8xf32>) {
  // expected-error @+2 {{reflect pads (3, 0) must be smaller than dim 0 (3)}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {mode = #dl<pad_mode reflect>, pads = array<i64: 3, 0, 0, 0>} : tensor<3x8xf32> -> tensor<6x8xf32>
  return
}

// -----

// Edge padding repeats the border element; an empty dim has none (numpy
// refuses this too).
func.func @pad_edge_empty_dim(%x: tensor<0x3xf32>) {
  // expected-error @+2 {{cannot pad empty dim 0 in reflect or edge mode (no values to copy)}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {mode = #dl<pad_mode edge>, pads = array<i64: 1, 0, 1, 0>} : tensor<0x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_crop_too_much(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{negative pads crop more than dim 0 holds (2)}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {pads = array<i64: -2, 0, -1, 0>} : tensor<2x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @pad_bad_mode(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{expected ::dlc::dl::PadMode to be one of: constant, reflect, edge}}
  // expected-error @+1 {{failed to parse DL_PadModeAttr parameter 'value' which is to be a `::dlc::dl::PadMode`}}
  %0 = dl.pad %x {mode = #dl<pad_mode wrap>, pads = array<i64: 0, 0, 0, 0>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return
}

// -----

func.func @pad_wrong_result(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{'dl.pad' op inferred type(s) 'tensor<3x6xf32>' are incompatible with return type(s) of operation 'tensor<3x5xf32>'}}
  // expected-error @+1 {{'dl.pad' op failed to infer returned types}}
  %0 = dl.pad %x {pads = array<i64: 1, 2, 0, 1>} : tensor<2x3xf32> -> tensor<3x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// tile / shape_of
//===----------------------------------------------------------------------===//

// -----

func.func @tile_wrong_length(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{repeats has 1 values, expected one per dim (2)}}
  // expected-error @+1 {{'dl.tile' op failed to infer returned types}}
  %0 = dl.tile %x {repeats = array<i64: 2>} : tensor<2x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @tile_negative(%x: tensor<2x3xf32>) {
  // expected-error @+2 {{repeats must be >= 0, got -1}}
  // expected-error @+1 {{'dl.tile' op failed to infer returned types}}
  %0 = dl.tile %x {repeats = array<i64: -1, 1>} : tensor<2x3xf32> -> tensor<?x3xf32>
  return
}

// -----

func.func @shape_of_wrong_length(%x: tensor<2x?x3xf32>) {
  // expected-error @+2 {{'dl.shape_of' op inferred type(s) 'tensor<3xi64>' are incompatible with return type(s) of operation 'tensor<2xi64>'}}
  // expected-error @+1 {{'dl.shape_of' op failed to infer returned types}}
  %0 = dl.shape_of %x : tensor<2x?x3xf32> -> tensor<2xi64>
  return
}
