// RUN: dlc-opt %s -split-input-file -verify-diagnostics

// Shifts take integers only.
func.func @shift_float(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.shift_left' op operand #0 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values}}
  %0 = dl.shift_left %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The sign is a BoolAttr.
func.func @unsigned_not_bool(%a: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.div' op attribute 'is_unsigned' failed to satisfy constraint: bool attribute}}
  %0 = dl.div %a, %a {is_unsigned = 1 : i32} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
