// RUN: dlc-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// gather / gather_elements
//===----------------------------------------------------------------------===//

func.func @gather_float_indices(%x: tensor<5x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'dl.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = dl.gather %x, %i : (tensor<5x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @gather_axis_out_of_range(%x: tensor<5x4xf32>, %i: tensor<3xi64>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i {axis = 2 : i64} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<5x3xf32>
  return
}

// -----

func.func @gather_scalar_input(%x: tensor<f32>, %i: tensor<i64>) {
  // expected-error @+2 {{gather input must have rank >= 1}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

// -----

// input[:1] ++ indices ++ input[2:] = 5 x 2 x 6 x 3, not 5 x 12 x 3.
func.func @gather_wrong_result(%x: tensor<5x4x3xf32>, %i: tensor<2x6xi64>) {
  // expected-error @+2 {{'dl.gather' op inferred type(s) 'tensor<5x2x6x3xf32>' are incompatible with return type(s) of operation 'tensor<5x12x3xf32>'}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x6xi64>) -> tensor<5x12x3xf32>
  return
}

// -----

func.func @gather_elements_float_indices(%x: tensor<3x4xf32>, %i: tensor<3x2xf16>) {
  // expected-error @+1 {{'dl.gather_elements' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3x2xf16>'}}
  %0 = dl.gather_elements %x, %i : (tensor<3x4xf32>, tensor<3x2xf16>) -> tensor<3x2xf32>
  return
}

// -----

func.func @gather_elements_rank_mismatch(%x: tensor<3x4xf32>, %i: tensor<6xi64>) {
  // expected-error @+2 {{gather_elements indices must have the input's rank (2), got 1}}
  // expected-error @+1 {{'dl.gather_elements' op failed to infer returned types}}
  %0 = dl.gather_elements %x, %i : (tensor<3x4xf32>, tensor<6xi64>) -> tensor<6xf32>
  return
}

// -----

// Along the non-axis dims the result reads input[i][index[i][j]]: index
// row 4 does not exist in a 3-row input.
func.func @gather_elements_indices_exceed_input(%x: tensor<3x4xf32>, %i: tensor<5x2xi64>) {
  // expected-error @+2 {{gather_elements indices dim 0 (5) exceeds the input's (3); only the axis dim 1 may be larger}}
  // expected-error @+1 {{'dl.gather_elements' op failed to infer returned types}}
  %0 = dl.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<5x2xi64>) -> tensor<5x2xf32>
  return
}

// -----

func.func @gather_elements_axis_out_of_range(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) {
  // expected-error @+2 {{axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'dl.gather_elements' op failed to infer returned types}}
  %0 = dl.gather_elements %x, %i {axis = -3 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return
}

// -----

func.func @gather_elements_wrong_result(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) {
  // expected-error @+2 {{'dl.gather_elements' op inferred type(s) 'tensor<3x2xf32>' are incompatible with return type(s) of operation 'tensor<3x4xf32>'}}
  // expected-error @+1 {{'dl.gather_elements' op failed to infer returned types}}
  %0 = dl.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x4xf32>
  return
}

//===----------------------------------------------------------------------===//
// range
//===----------------------------------------------------------------------===//

// -----

func.func @range_zero_delta() {
  %s = dl.constant dense<0> : tensor<i64>
  %l = dl.constant dense<10> : tensor<i64>
  %d = dl.constant dense<0> : tensor<i64>
  // expected-error @+1 {{'dl.range' op delta must not be 0}}
  %0 = dl.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return
}

// -----

func.func @range_zero_delta_float() {
  %s = dl.constant dense<0.0> : tensor<f32>
  %l = dl.constant dense<1.0> : tensor<f32>
  %d = dl.constant dense<0.0> : tensor<f32>
  // expected-error @+1 {{'dl.range' op delta must not be 0}}
  %0 = dl.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

func.func @range_operands_not_scalar(%s: tensor<1xf32>, %l: tensor<f32>, %d: tensor<f32>) {
  // expected-error @+1 {{'dl.range' op start, limit and delta must be scalars (rank 0), got 'tensor<1xf32>'}}
  %0 = dl.range %s, %l, %d : (tensor<1xf32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return
}

// -----

func.func @range_result_not_1d(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>) {
  // expected-error @+1 {{'dl.range' op result must be 1-D, got 'tensor<?x1xf32>'}}
  %0 = dl.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?x1xf32>
  return
}

// -----

// range(0, 10, 3) has 4 elements.
func.func @range_wrong_length() {
  %s = dl.constant dense<0> : tensor<i64>
  %l = dl.constant dense<10> : tensor<i64>
  %d = dl.constant dense<3> : tensor<i64>
  // expected-error @+1 {{'dl.range' op result has 5 elements but the constant bounds give 4}}
  %0 = dl.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<5xi64>
  return
}

// -----

func.func @range_element_type(%s: tensor<i64>, %l: tensor<i64>, %d: tensor<i64>) {
  // expected-error @+1 {{'dl.range' op failed to verify that all of {start, limit, delta, result} have same element type}}
  %0 = dl.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi32>
  return
}

//===----------------------------------------------------------------------===//
// one_hot
//===----------------------------------------------------------------------===//

// -----

func.func @one_hot_zero_depth(%i: tensor<3xi64>) {
  // expected-error @+2 {{one_hot depth must be >= 1, got 0}}
  // expected-error @+1 {{'dl.one_hot' op failed to infer returned types}}
  %0 = dl.one_hot %i {depth = 0 : i64, element_type = f32} : tensor<3xi64> -> tensor<3x0xf32>
  return
}

// -----

// The result has rank 2, so axis must be in [-2, 2).
func.func @one_hot_axis_out_of_range(%i: tensor<3xi64>) {
  // expected-error @+2 {{axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  // expected-error @+1 {{'dl.one_hot' op failed to infer returned types}}
  %0 = dl.one_hot %i {axis = 2 : i64, depth = 5 : i64, element_type = f32} : tensor<3xi64> -> tensor<3x5xf32>
  return
}

// -----

func.func @one_hot_element_type_mismatch(%i: tensor<3xi64>) {
  // expected-error @+2 {{'dl.one_hot' op inferred type(s) 'tensor<3x5xf32>' are incompatible with return type(s) of operation 'tensor<3x5xi32>'}}
  // expected-error @+1 {{'dl.one_hot' op failed to infer returned types}}
  %0 = dl.one_hot %i {depth = 5 : i64, element_type = f32} : tensor<3xi64> -> tensor<3x5xi32>
  return
}

// -----

func.func @one_hot_missing_depth(%i: tensor<3xi64>) {
  // expected-error @+1 {{'dl.one_hot' op requires attribute 'depth'}}
  %0 = dl.one_hot %i {element_type = f32} : tensor<3xi64> -> tensor<3x5xf32>
  return
}

// -----

func.func @one_hot_float_indices(%i: tensor<3xf32>) {
  // expected-error @+1 {{'dl.one_hot' op operand #0 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = dl.one_hot %i {depth = 5 : i64, element_type = f32} : tensor<3xf32> -> tensor<3x5xf32>
  return
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

// -----

func.func @resize_both_scales_and_sizes(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{resize needs exactly one of scales and sizes}}
  // expected-error @+1 {{'dl.resize' op failed to infer returned types}}
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, sizes = array<i64: 1, 3, 8, 8>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_neither_scales_nor_sizes(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{resize needs exactly one of scales and sizes}}
  // expected-error @+1 {{'dl.resize' op failed to infer returned types}}
  %0 = dl.resize %x : tensor<1x3x4x4xf32> -> tensor<1x3x4x4xf32>
  return
}

// -----

func.func @resize_scales_wrong_count(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{scales has 2 values, expected one per dim (4)}}
  // expected-error @+1 {{'dl.resize' op failed to infer returned types}}
  %0 = dl.resize %x {scales = array<f64: 2.0, 2.0>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_sizes_wrong_count(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{sizes has 3 values, expected one per dim (4)}}
  // expected-error @+1 {{'dl.resize' op failed to infer returned types}}
  %0 = dl.resize %x {sizes = array<i64: 3, 8, 8>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_non_positive_scale(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{scales must be > 0, got 0.000000e+00}}
  // expected-error @+1 {{'dl.resize' op failed to infer returned types}}
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 0.0, 2.0>} : tensor<1x3x4x4xf32> -> tensor<1x3x0x8xf32>
  return
}

// -----

func.func @resize_non_positive_size(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{sizes must be >= 1, got -1}}
  // expected-error @+1 {{'dl.resize' op failed to infer returned types}}
  %0 = dl.resize %x {sizes = array<i64: 1, 3, -1, 8>} : tensor<1x3x4x4xf32> -> tensor<1x3x?x8xf32>
  return
}

// -----

func.func @resize_wrong_result(%x: tensor<1x3x5x5xf32>) {
  // expected-error @+2 {{'dl.resize' op inferred type(s) 'tensor<1x3x7x7xf32>' are incompatible with return type(s) of operation 'tensor<1x3x8x8xf32>'}}
  // expected-error @+1 {{'dl.resize' op failed to infer returned types}}
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 1.5, 1.5>} : tensor<1x3x5x5xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_bad_mode(%x: tensor<1x3x4x4xf32>) {
  // expected-error @+2 {{expected ::dlc::dl::ResizeMode to be one of: nearest, linear}}
  // expected-error @+1 {{failed to parse DL_ResizeModeAttr parameter 'value' which is to be a `::dlc::dl::ResizeMode`}}
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = #dl<resize_mode cubic>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return
}

// -----

func.func @resize_integer_input(%x: tensor<1x3x4x4xi32>) {
  // expected-error @+1 {{'dl.resize' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<1x3x4x4xi32>'}}
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x3x4x4xi32> -> tensor<1x3x8x8xi32>
  return
}

// -----

//===----------------------------------------------------------------------===//
// scatter_add / scatter_elements_add
//===----------------------------------------------------------------------===//

func.func @scatter_add_wrong_updates(%t: tensor<10x4xf32>, %i: tensor<2x3xi64>, %u: tensor<2x4xf32>) {
  // expected-error @+1 {{'dl.scatter_add' op updates of shape 2x4 must have the shape 2x3x4 (data dims before axis, indices dims, data dims after it)}}
  %0 = dl.scatter_add %t, %i, %u : (tensor<10x4xf32>, tensor<2x3xi64>, tensor<2x4xf32>) -> tensor<10x4xf32>
  return
}

// -----

func.func @scatter_add_axis_out_of_range(%t: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<10x3xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %0 = dl.scatter_add %t, %i, %u {axis = 2 : i64} : (tensor<10x4xf32>, tensor<3xi64>, tensor<10x3xf32>) -> tensor<10x4xf32>
  return
}

// -----

func.func @scatter_add_result_type(%t: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x4xf32>) {
  // expected-error @+1 {{'dl.scatter_add' op failed to verify that all of {data, result} have same type}}
  %0 = dl.scatter_add %t, %i, %u : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_add_mixed_elements(%t: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x4xf64>) {
  // expected-error @+1 {{'dl.scatter_add' op failed to verify that all of {data, updates} have same element type}}
  %0 = dl.scatter_add %t, %i, %u : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf64>) -> tensor<10x4xf32>
  return
}

// -----

func.func @scatter_elements_add_rank(%x: tensor<3x4xf32>, %i: tensor<6xi64>, %u: tensor<6xf32>) {
  // expected-error @+1 {{'dl.scatter_elements_add' op indices must have the data's rank (2), got 1}}
  %0 = dl.scatter_elements_add %x, %i, %u : (tensor<3x4xf32>, tensor<6xi64>, tensor<6xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_add_updates_shape(%x: tensor<3x4xf32>, %i: tensor<2x4xi64>, %u: tensor<2x3xf32>) {
  // expected-error @+1 {{'dl.scatter_elements_add' op updates of shape 2x3 must have the indices' shape 2x4}}
  %0 = dl.scatter_elements_add %x, %i, %u : (tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x3xf32>) -> tensor<3x4xf32>
  return
}

// -----

func.func @scatter_elements_add_too_wide(%x: tensor<3x4xf32>, %i: tensor<2x5xi64>, %u: tensor<2x5xf32>) {
  // expected-error @+1 {{'dl.scatter_elements_add' op indices dim 1 (5) exceeds the data's (4); only the axis dim 0 may be larger}}
  %0 = dl.scatter_elements_add %x, %i, %u : (tensor<3x4xf32>, tensor<2x5xi64>, tensor<2x5xf32>) -> tensor<3x4xf32>
  return
}
