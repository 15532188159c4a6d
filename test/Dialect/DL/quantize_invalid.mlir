// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @per_axis_scale_count(%x: tensor<2x3xf32>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'dl.quantize' op has 2 scales, expected 3 (one per slice of the axis)}}
  %0 = dl.quantize %x {axis = 1 : i64, scale = array<f64: 1.0, 2.0>, zero_point = array<i64: 0, 0>} : tensor<2x3xf32> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @per_tensor_scale_count(%q: tensor<2x3xi8>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dl.dequantize' op has 2 scales, expected 1 (per-tensor)}}
  %0 = dl.dequantize %q {scale = array<f64: 1.0, 2.0>, zero_point = array<i64: 0, 0>} : tensor<2x3xi8> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @no_scale(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.quantize' op has 0 scales, expected 1 (per-tensor)}}
  %0 = dl.quantize %x {scale = array<f64>, zero_point = array<i64>} : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @zero_point_count(%x: tensor<2x3xf32>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'dl.quantize' op has 1 zero points for 3 scales}}
  %0 = dl.quantize %x {axis = 1 : i64, scale = array<f64: 1.0, 2.0, 3.0>, zero_point = array<i64: 0>} : tensor<2x3xf32> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @zero_scale(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.quantize' op scales must be positive and finite, got 0.000000e+00}}
  %0 = dl.quantize %x {scale = array<f64: 0.0>, zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @negative_scale(%q: tensor<2x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'dl.dequantize' op scales must be positive and finite, got -5.000000e-01}}
  %0 = dl.dequantize %q {axis = 0 : i64, scale = array<f64: 1.0, -0.5>, zero_point = array<i64: 0, 0>} : tensor<2x2xi8> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @nan_scale(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.quantize' op scales must be positive and finite, got nan}}
  %0 = dl.quantize %x {scale = array<f64: 0x7FF8000000000000>, zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @zero_point_above_i8(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.quantize' op zero point 128 is outside the range of 'i8' [-128, 127]}}
  %0 = dl.quantize %x {scale = array<f64: 1.0>, zero_point = array<i64: 128>} : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @zero_point_below_i8(%q: tensor<2x2xi8>) -> tensor<2x2xf32> {
  // expected-error @+1 {{'dl.dequantize' op zero point -129 is outside the range of 'i8' [-128, 127]}}
  %0 = dl.dequantize %q {axis = 1 : i64, scale = array<f64: 1.0, 1.0>, zero_point = array<i64: 0, -129>} : tensor<2x2xi8> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

func.func @zero_point_above_i32(%x: tensor<4xf32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.quantize' op zero point 2147483648 is outside the range of 'i32' [-2147483648, 2147483647]}}
  %0 = dl.quantize %x {scale = array<f64: 1.0>, zero_point = array<i64: 2147483648>} : tensor<4xf32> -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @axis_out_of_range(%x: tensor<2x3xf32>) -> tensor<2x3xi8> {
  // expected-error @+1 {{'dl.quantize' op axis 2 is out of range for rank 2}}
  %0 = dl.quantize %x {axis = 2 : i64, scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<2x3xf32> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

func.func @negative_axis_out_of_range(%q: tensor<2x3xi8>) -> tensor<2x3xf32> {
  // expected-error @+1 {{'dl.dequantize' op axis -3 is out of range for rank 2}}
  %0 = dl.dequantize %q {axis = -3 : i64, scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<2x3xi8> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @dynamic_axis(%x: tensor<2x?xf32>) -> tensor<2x?xi8> {
  // expected-error @+1 {{'dl.quantize' op per-axis quantization needs a static size for axis 1}}
  %0 = dl.quantize %x {axis = 1 : i64, scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<2x?xf32> -> tensor<2x?xi8>
  return %0 : tensor<2x?xi8>
}

// -----

func.func @quantize_shape_mismatch(%x: tensor<2x3xf32>) -> tensor<3x2xi8> {
  // expected-error @+1 {{'dl.quantize' op requires the same shape for all operands and results}}
  %0 = dl.quantize %x {scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<2x3xf32> -> tensor<3x2xi8>
  return %0 : tensor<3x2xi8>
}

// -----

func.func @quantize_to_float(%x: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'dl.quantize' op result #0 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf16>'}}
  %0 = dl.quantize %x {scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

func.func @dequantize_from_float(%x: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.dequantize' op operand #0 must be ranked tensor of 8-bit signless integer or 16-bit signless integer or 32-bit signless integer or 64-bit signless integer values, but got 'tensor<4xf16>'}}
  %0 = dl.dequantize %x {scale = array<f64: 1.0>, zero_point = array<i64: 0>} : tensor<4xf16> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @missing_scale(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{requires attribute 'scale'}}
  %0 = dl.quantize %x {zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @scale_not_f64_array(%x: tensor<4xf32>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.quantize' op attribute 'scale' failed to satisfy constraint: f64 dense array attribute}}
  %0 = dl.quantize %x {scale = array<f32: 1.0>, zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xi8>
  return %0 : tensor<4xi8>
}
