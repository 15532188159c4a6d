// RUN: dlc-opt %s --split-input-file --dl-rewrite-qdq --verify-diagnostics | FileCheck %s

// QDQ chains that break the integer kernels' rules stay in float, with a
// remark at the contraction's node.

// A bias whose scale is not x_scale * w_scale (ONNX Runtime's rule).
// CHECK-LABEL: func.func @bias_scale(
// CHECK: dl.gemm
// CHECK-NOT: dl.requantize
func.func @bias_scale(%x: tensor<2x4xi8>) -> tensor<2x2xi8> {
  %w = dl.constant dense<1> : tensor<4x2xi8>
  %b = dl.constant dense<[10, -20]> : tensor<2xi32>
  %dx = dl.dequantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %dw = dl.dequantize %w {scale = array<f64: 0.25>, zero_point = array<i64: 0>} : tensor<4x2xi8> -> tensor<4x2xf32>
  %db = dl.dequantize %b {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2xi32> -> tensor<2xf32>
  // expected-remark @+1 {{QDQ chain left in float: the bias scale 0.5 is not input scale * weight scale = 0.125}}
  %g = dl.gemm %dx, %dw, %db : (tensor<2x4xf32>, tensor<4x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %q = dl.quantize %g {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x2xf32> -> tensor<2x2xi8>
  return %q : tensor<2x2xi8>
}

// -----

// Activations quantized per channel.
// CHECK-LABEL: func.func @per_axis_input(
// CHECK: dl.matmul %
func.func @per_axis_input(%x: tensor<2x4xi8>) -> tensor<2x2xi8> {
  %w = dl.constant dense<1> : tensor<4x2xi8>
  %dx = dl.dequantize %x {axis = 1 : i64, scale = array<f64: 0.5, 0.5, 0.25, 0.25>, zero_point = array<i64: 0, 0, 0, 0>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %dw = dl.dequantize %w {scale = array<f64: 0.25>, zero_point = array<i64: 0>} : tensor<4x2xi8> -> tensor<4x2xf32>
  // expected-remark @+1 {{QDQ chain left in float: the input is quantized per axis}}
  %m = dl.matmul %dx, %dw : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  %q = dl.quantize %m {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x2xf32> -> tensor<2x2xi8>
  return %q : tensor<2x2xi8>
}

// -----

// The float product is also used unquantized.
// CHECK-LABEL: func.func @other_user(
// CHECK: dl.matmul %
func.func @other_user(%x: tensor<2x4xi8>) -> (tensor<2x2xi8>, tensor<2x2xf32>) {
  %w = dl.constant dense<1> : tensor<4x2xi8>
  %dx = dl.dequantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %dw = dl.dequantize %w {scale = array<f64: 0.25>, zero_point = array<i64: 0>} : tensor<4x2xi8> -> tensor<4x2xf32>
  // expected-remark @+1 {{QDQ chain left in float: the float result has other users}}
  %m = dl.matmul %dx, %dw : (tensor<2x4xf32>, tensor<4x2xf32>) -> tensor<2x2xf32>
  %q = dl.quantize %m {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<2x2xf32> -> tensor<2x2xi8>
  return %q, %m : tensor<2x2xi8>, tensor<2x2xf32>
}
