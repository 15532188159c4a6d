// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @matmul_integer_zero_points(%a: tensor<4x5xi8>, %b: tensor<5x3xi8>, %za: tensor<3xi8>, %zb: tensor<i8>) -> tensor<4x3xi32> {
  // expected-error @+1 {{'dl.matmul_integer' op lhs_zero_point has 3 values, expected 1 or 4 (one per row of lhs)}}
  %0 = dl.matmul_integer %a, %b, %za, %zb : (tensor<4x5xi8>, tensor<5x3xi8>, tensor<3xi8>, tensor<i8>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

func.func @matmul_integer_k(%a: tensor<4x5xi8>, %b: tensor<6x3xi8>, %z: tensor<i8>) -> tensor<4x3xi32> {
  // expected-error @+2 {{matmul contraction dims differ}}
  // expected-error @+1 {{failed to infer returned types}}
  %0 = dl.matmul_integer %a, %b, %z, %z : (tensor<4x5xi8>, tensor<6x3xi8>, tensor<i8>, tensor<i8>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

func.func @conv_integer_input_zero_point(%x: tensor<1x4x8x8xi8>, %w: tensor<6x4x3x3xi8>, %zx: tensor<4xi8>, %zw: tensor<i8>) -> tensor<1x6x6x6xi32> {
  // expected-error @+1 {{'dl.conv_integer' op input_zero_point must be a scalar, got 4}}
  %0 = dl.conv_integer %x, %w, %zx, %zw : (tensor<1x4x8x8xi8>, tensor<6x4x3x3xi8>, tensor<4xi8>, tensor<i8>) -> tensor<1x6x6x6xi32>
  return %0 : tensor<1x6x6x6xi32>
}

// -----

func.func @requantize_scale_without_axis(%acc: tensor<2x3xi32>, %s: tensor<3xf32>, %z: tensor<i8>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'dl.requantize' op scale must be a scalar without an axis, got 3}}
  %0 = dl.requantize %acc scale %s zero_point %z : tensor<2x3xi32>, tensor<3xf32>, tensor<i8> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @requantize_scale_count(%acc: tensor<2x3xi32>, %s: tensor<2xf32>, %z: tensor<i8>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'dl.requantize' op scale has 2 values, expected 1 or 3 (one per slice of the axis)}}
  %0 = dl.requantize %acc scale %s zero_point %z {axis = 1 : i64} : tensor<2x3xi32>, tensor<2xf32>, tensor<i8> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @requantize_clamp(%acc: tensor<2x3xi32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'dl.requantize' op clamp_min 200 is outside [-128, 127]}}
  %0 = dl.requantize %acc scale %s zero_point %z {clamp_min = 200 : i64} : tensor<2x3xi32>, tensor<f32>, tensor<i8> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @requantize_shape(%acc: tensor<2x3xi32>, %s: tensor<f32>, %z: tensor<i8>) -> tensor<3x2xi8> {
  // expected-error @+1 {{'dl.requantize' op result shape 3x2 differs from input shape 2x3}}
  %0 = dl.requantize %acc scale %s zero_point %z : tensor<2x3xi32>, tensor<f32>, tensor<i8> -> tensor<3x2xi8>
  return %0 : tensor<3x2xi8>
}

// -----

func.func @unsigned_zero_point(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.quantize' op zero point 256 is outside the range of uint8 [0, 255]}}
  %0 = dl.quantize %x {is_unsigned = true, scale = array<f64: 1.0>, zero_point = array<i64: 256>} : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
