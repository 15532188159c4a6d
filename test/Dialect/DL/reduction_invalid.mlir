// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @axis_out_of_range(%a: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{axes value 3 is out of range for rank 3}}
  // expected-error @+1 {{'dl.reduce_sum' op failed to infer returned types}}
  %0 = dl.reduce_sum %a {axes = array<i64: 3>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

func.func @negative_axis_out_of_range(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axes value -3 is out of range for rank 2}}
  // expected-error @+1 {{'dl.reduce_max' op failed to infer returned types}}
  %0 = dl.reduce_max %a {axes = array<i64: -3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @axis_on_scalar(%a: tensor<f32>) -> tensor<f32> {
  // expected-error @+2 {{axes value 0 is out of range for rank 0}}
  // expected-error @+1 {{'dl.reduce_mean' op failed to infer returned types}}
  %0 = dl.reduce_mean %a {axes = array<i64: 0>} : tensor<f32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @repeated_axis(%a: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  // expected-error @+2 {{axes repeats dim 1}}
  // expected-error @+1 {{'dl.reduce_min' op failed to infer returned types}}
  %0 = dl.reduce_min %a {axes = array<i64: 1, 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

// -2 and 1 name the same dim of a rank-3 tensor.
func.func @repeated_axis_negative(%a: tensor<2x3x4xf32>) -> tensor<2x1x4xf32> {
  // expected-error @+2 {{axes repeats dim 1}}
  // expected-error @+1 {{'dl.reduce_prod' op failed to infer returned types}}
  %0 = dl.reduce_prod %a {axes = array<i64: 1, -2>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  return %0 : tensor<2x1x4xf32>
}

// -----

func.func @wrong_keepdims_result(%a: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{'dl.reduce_sum' op inferred type(s) 'tensor<2x1x4xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  // expected-error @+1 {{'dl.reduce_sum' op failed to infer returned types}}
  %0 = dl.reduce_sum %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @wrong_reduced_dim(%a: tensor<2x3x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dl.reduce_l1' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'dl.reduce_l1' op failed to infer returned types}}
  %0 = dl.reduce_l1 %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @reduce_element_type_change(%a: tensor<4xi32>) -> tensor<1xf32> {
  // expected-error @+1 {{'dl.reduce_sum' op requires the same element type for all operands and results}}
  %0 = dl.reduce_sum %a : tensor<4xi32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @reduce_l2_on_int(%a: tensor<4xi32>) -> tensor<1xi32> {
  // expected-error @+1 {{'dl.reduce_l2' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dl.reduce_l2 %a : tensor<4xi32> -> tensor<1xi32>
  return %0 : tensor<1xi32>
}

// -----

func.func @reduce_axes_not_array(%a: tensor<4xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'dl.reduce_sum' op attribute 'axes' failed to satisfy constraint: i64 dense array attribute}}
  %0 = dl.reduce_sum %a {axes = [0]} : tensor<4xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @reduce_keepdims_not_bool(%a: tensor<4xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{'dl.reduce_mean' op attribute 'keepdims' failed to satisfy constraint: bool attribute}}
  %0 = dl.reduce_mean %a {keepdims = 1 : i64} : tensor<4xf32> -> tensor<1xf32>
  return %0 : tensor<1xf32>
}

// -----

func.func @argmax_axis_out_of_range(%a: tensor<2x3xf32>) -> tensor<2x3xi64> {
  // expected-error @+2 {{axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'dl.argmax' op failed to infer returned types}}
  %0 = dl.argmax %a {axis = 2 : i64} : tensor<2x3xf32> -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

func.func @argmin_negative_axis_out_of_range(%a: tensor<2x3xf32>) -> tensor<2x3xi64> {
  // expected-error @+2 {{axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'dl.argmin' op failed to infer returned types}}
  %0 = dl.argmin %a {axis = -3 : i64} : tensor<2x3xf32> -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

func.func @argmax_scalar(%a: tensor<f32>) -> tensor<i64> {
  // expected-error @+2 {{argmax/argmin need an input of rank >= 1}}
  // expected-error @+1 {{'dl.argmax' op failed to infer returned types}}
  %0 = dl.argmax %a : tensor<f32> -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

func.func @argmax_result_not_i64(%a: tensor<2x3xf32>) -> tensor<1x3xi32> {
  // expected-error @+1 {{'dl.argmax' op result #0 must be ranked tensor of 64-bit signless integer values, but got 'tensor<1x3xi32>'}}
  %0 = dl.argmax %a : tensor<2x3xf32> -> tensor<1x3xi32>
  return %0 : tensor<1x3xi32>
}

// -----

func.func @argmax_wrong_result(%a: tensor<2x3xf32>) -> tensor<2x1xi64> {
  // expected-error @+2 {{'dl.argmax' op inferred type(s) 'tensor<1x3xi64>' are incompatible with return type(s) of operation 'tensor<2x1xi64>'}}
  // expected-error @+1 {{'dl.argmax' op failed to infer returned types}}
  %0 = dl.argmax %a : tensor<2x3xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

func.func @argmin_select_last_not_bool(%a: tensor<4xf32>) -> tensor<1xi64> {
  // expected-error @+1 {{'dl.argmin' op attribute 'select_last_index' failed to satisfy constraint: bool attribute}}
  %0 = dl.argmin %a {select_last_index = 1 : i64} : tensor<4xf32> -> tensor<1xi64>
  return %0 : tensor<1xi64>
}

// -----

func.func @sum_square_axis_out_of_range(%a: tensor<4xi32>) -> tensor<1xi32> {
  // expected-error @+2 {{axes value 1 is out of range for rank 1}}
  // expected-error @+1 {{'dl.reduce_sum_square' op failed to infer returned types}}
  %0 = dl.reduce_sum_square %a {axes = array<i64: 1>} : tensor<4xi32> -> tensor<1xi32>
  return %0 : tensor<1xi32>
}

// -----

func.func @log_sum_exp_repeated_axis(%a: tensor<4x5xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{axes repeats dim 1}}
  // expected-error @+1 {{'dl.reduce_log_sum_exp' op failed to infer returned types}}
  %0 = dl.reduce_log_sum_exp %a {axes = array<i64: -1, 1>, keepdims = false} : tensor<4x5xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @l2_axis_out_of_range(%a: tensor<4x5xf64>) -> tensor<4x5xf64> {
  // expected-error @+2 {{axes value 2 is out of range for rank 2}}
  // expected-error @+1 {{'dl.reduce_l2' op failed to infer returned types}}
  %0 = dl.reduce_l2 %a {axes = array<i64: 2>} : tensor<4x5xf64> -> tensor<4x5xf64>
  return %0 : tensor<4x5xf64>
}
