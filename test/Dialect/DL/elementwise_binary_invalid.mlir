// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @incompatible_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operands are not broadcast-compatible: 2x3 and 4 (numpy rules: trailing dims must match or be 1)}}
  // expected-error @+1 {{'dl.add' op failed to infer returned types}}
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @incompatible_broadcast_leading(%a: tensor<2x3xi32>, %b: tensor<4x1xi32>) -> tensor<4x3xi32> {
  // expected-error @+2 {{operands are not broadcast-compatible: 2x3 and 4x1}}
  // expected-error @+1 {{'dl.mul' op failed to infer returned types}}
  %0 = dl.mul %a, %b : (tensor<2x3xi32>, tensor<4x1xi32>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

func.func @incompatible_broadcast_compare(%a: tensor<5xf32>, %b: tensor<3xf32>) -> tensor<5xi1> {
  // expected-error @+2 {{operands are not broadcast-compatible: 5 and 3}}
  // expected-error @+1 {{'dl.less' op failed to infer returned types}}
  %0 = dl.less %a, %b : (tensor<5xf32>, tensor<3xf32>) -> tensor<5xi1>
  return %0 : tensor<5xi1>
}

// -----

func.func @element_type_mismatch(%a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.add' op requires the same element type for all operands}}
  %0 = dl.add %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_element_type_mismatch(%a: tensor<4xi32>, %b: tensor<4xi64>) -> tensor<4xi1> {
  // expected-error @+1 {{'dl.equal' op requires the same element type for all operands}}
  %0 = dl.equal %a, %b : (tensor<4xi32>, tensor<4xi64>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @result_element_type_mismatch(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'dl.sub' op requires the same element type for all operands and results}}
  %0 = dl.sub %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @compare_non_i1_result(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.greater' op result #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.greater %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @compare_on_bool(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'dl.less' op operand #0 must be ranked tensor of}}
  %0 = dl.less %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @mod_float_without_fmod(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.mod' op float operands need fmod = true}}
  %0 = dl.mod %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @mod_float_fmod_false(%a: tensor<4xf64>, %b: tensor<f64>) -> tensor<4xf64> {
  // expected-error @+1 {{'dl.mod' op float operands need fmod = true}}
  %0 = dl.mod %a, %b {fmod = false} : (tensor<4xf64>, tensor<f64>) -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @mod_fmod_not_bool(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.mod' op attribute 'fmod' failed to satisfy constraint: bool attribute}}
  %0 = dl.mod %a, %b {fmod = 1 : i32} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @wrong_result_shape(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<3x2xf32> {
  // expected-error @+2 {{'dl.add' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3x2xf32>'}}
  // expected-error @+1 {{'dl.add' op failed to infer returned types}}
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @wrong_result_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<6xf32> {
  // expected-error @+2 {{'dl.mul' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<6xf32>'}}
  // expected-error @+1 {{'dl.mul' op failed to infer returned types}}
  %0 = dl.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// A result that does not broadcast up to the operands' shape is wrong even
// when it is itself broadcast-compatible with them.
func.func @result_not_broadcast(%a: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<1x3xf32> {
  // expected-error @+2 {{'dl.sub' op inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<1x3xf32>'}}
  // expected-error @+1 {{'dl.sub' op failed to infer returned types}}
  %0 = dl.sub %a, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %0 : tensor<1x3xf32>
}

// -----

func.func @compare_wrong_result_shape(%a: tensor<?x1xi32>, %b: tensor<5xi32>) -> tensor<?x4xi1> {
  // expected-error @+2 {{'dl.equal' op inferred type(s) 'tensor<?x5xi1>' are incompatible with return type(s) of operation 'tensor<?x4xi1>'}}
  // expected-error @+1 {{'dl.equal' op failed to infer returned types}}
  %0 = dl.equal %a, %b : (tensor<?x1xi32>, tensor<5xi32>) -> tensor<?x4xi1>
  return %0 : tensor<?x4xi1>
}

// -----

func.func @pow_on_int(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.pow' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dl.pow %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @add_on_bool(%a: tensor<4xi1>, %b: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'dl.add' op operand #0 must be ranked tensor of}}
  %0 = dl.add %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @and_on_float(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.and' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.and %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @xor_on_i32(%a: tensor<4xi32>, %b: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.xor' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = dl.xor %a, %b : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @select_non_i1_cond(%c: tensor<4xi32>, %t: tensor<4xf32>, %f: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.select' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi32>'}}
  %0 = dl.select %c, %t, %f : (tensor<4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_value_type_mismatch(%c: tensor<4xi1>, %t: tensor<4xf32>, %f: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.select' op failed to verify that all of {true_value, false_value, result} have same element type}}
  %0 = dl.select %c, %t, %f : (tensor<4xi1>, tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_incompatible_broadcast(%c: tensor<4xi1>, %t: tensor<2x3xf32>, %f: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operands are not broadcast-compatible: 4 and 2x3}}
  // expected-error @+1 {{'dl.select' op failed to infer returned types}}
  %0 = dl.select %c, %t, %f : (tensor<4xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @select_wrong_result_shape(%c: tensor<2x1xi1>, %t: tensor<3xf32>, %f: tensor<f32>) -> tensor<3xf32> {
  // expected-error @+2 {{'dl.select' op inferred type(s) 'tensor<2x3xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  // expected-error @+1 {{'dl.select' op failed to infer returned types}}
  %0 = dl.select %c, %t, %f : (tensor<2x1xi1>, tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @cast_changes_shape(%a: tensor<2x3xf32>) -> tensor<6xi32> {
  // expected-error @+1 {{'dl.cast' op requires the same shape for all operands and results}}
  %0 = dl.cast %a : tensor<2x3xf32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
}

// -----

func.func @cast_to_unsupported_element(%a: tensor<4xf32>) -> tensor<4xi4> {
  // expected-error @+1 {{'dl.cast' op result #0 must be ranked tensor of}}
  %0 = dl.cast %a : tensor<4xf32> -> tensor<4xi4>
  return %0 : tensor<4xi4>
}

// -----

func.func @div_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operands are not broadcast-compatible: 2x3 and 4}}
  // expected-error @+1 {{'dl.div' op failed to infer returned types}}
  %0 = dl.div %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @max_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operands are not broadcast-compatible: 2x3 and 4}}
  // expected-error @+1 {{'dl.max' op failed to infer returned types}}
  %0 = dl.max %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @min_no_broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{operands are not broadcast-compatible: 2x3 and 4}}
  // expected-error @+1 {{'dl.min' op failed to infer returned types}}
  %0 = dl.min %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @less_equal_result_not_i1(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dl.less_equal' op result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = dl.less_equal %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @greater_equal_result_not_i1(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{'dl.greater_equal' op result #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = dl.greater_equal %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

func.func @or_not_bool(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
  // expected-error @+1 {{'dl.or' op operand #0 must be ranked tensor of 1-bit signless integer values}}
  %0 = dl.or %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  return %0 : tensor<3xi32>
}
