// RUN: dlc-opt %s --split-input-file --dl-rewrite-qdq | FileCheck %s

// DequantizeLinear -> MatMul -> QuantizeLinear with per-column int8 weights:
// an integer matmul on the int8 values and a per-column requantize, scale
// x_scale * w_scale / y_scale; the float chain is gone.
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xi8>
// CHECK-DAG: %[[W:.*]] = dl.constant dense<{{.*}}> : tensor<8x3xi8>
// CHECK-DAG: %[[ZX:.*]] = dl.constant dense<3> : tensor<i8>
// CHECK-DAG: %[[ZW:.*]] = dl.constant dense<0> : tensor<3xi8>
// CHECK: %[[ACC:.*]] = dl.matmul_integer %[[X]], %[[W]], %[[ZX]], %[[ZW]] : (tensor<4x8xi8>, tensor<8x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<4x3xi32>
// CHECK-DAG: %[[S:.*]] = dl.constant dense<[6.250000e-02, 1.250000e-01, 2.500000e-01]> : tensor<3xf32>
// CHECK-DAG: %[[ZY:.*]] = dl.constant dense<-1> : tensor<i8>
// CHECK: %[[Y:.*]] = dl.requantize %[[ACC]] scale %[[S]] zero_point %[[ZY]] {axis = 1 : i64} : tensor<4x3xi32>, tensor<3xf32>, tensor<i8> -> tensor<4x3xi8>
// CHECK: return %[[Y]]
// CHECK-NOT: dl.dequantize
// CHECK-NOT: dl.matmul %
func.func @matmul(%x: tensor<4x8xi8>) -> tensor<4x3xi8> {
  %w = dl.constant dense<1> : tensor<8x3xi8>
  %dx = dl.dequantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 3>} : tensor<4x8xi8> -> tensor<4x8xf32>
  %dw = dl.dequantize %w {axis = 1 : i64, scale = array<f64: 0.25, 0.5, 1.0>, zero_point = array<i64: 0, 0, 0>} : tensor<8x3xi8> -> tensor<8x3xf32>
  %m = dl.matmul %dx, %dw : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  %q = dl.quantize %m {scale = array<f64: 2.0>, zero_point = array<i64: -1>} : tensor<4x3xf32> -> tensor<4x3xi8>
  return %q : tensor<4x3xi8>
}

// -----

// Gemm with transB (a Linear layer), a DequantizeLinear of an int32 bias and
// a ReLU, uint8 activations: the weight is transposed at compile time, the
// bias goes to requantize as int32, the ReLU becomes clamp_min = y's zero
// point.
// CHECK-LABEL: func.func @gemm_relu(
// CHECK-SAME: %[[X:.*]]: tensor<2x4xi8>
// CHECK-DAG: %[[WT:.*]] = dl.constant dense<{{\[\[}}1, 4], [2, 5], [3, 6], [0, 7]]> : tensor<4x2xi8>
// CHECK-DAG: %[[B:.*]] = dl.constant dense<[10, -20]> : tensor<2xi32>
// CHECK: %[[ACC:.*]] = dl.matmul_integer %[[X]], %[[WT]], %{{.*}}, %{{.*}} {lhs_unsigned = true}
// CHECK: dl.requantize %[[ACC]] bias %[[B]] : tensor<2xi32> scale %{{.*}} zero_point %{{.*}} {axis = 1 : i64, clamp_min = 128 : i64, is_unsigned = true}
// CHECK-NOT: dl.gemm
// CHECK-NOT: dl.relu
func.func @gemm_relu(%x: tensor<2x4xi8>) -> tensor<2x2xi8> {
  %w = dl.constant dense<[[1, 2, 3, 0], [4, 5, 6, 7]]> : tensor<2x4xi8>
  %b = dl.constant dense<[10, -20]> : tensor<2xi32>
  %dx = dl.dequantize %x {is_unsigned = true, scale = array<f64: 0.5>, zero_point = array<i64: 128>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %dw = dl.dequantize %w {scale = array<f64: 0.25>, zero_point = array<i64: 0>} : tensor<2x4xi8> -> tensor<2x4xf32>
  %db = dl.dequantize %b {scale = array<f64: 0.125>, zero_point = array<i64: 0>} : tensor<2xi32> -> tensor<2xf32>
  %g = dl.gemm %dx, %dw, %db {trans_b = true} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %r = dl.relu %g : tensor<2x2xf32>
  %q = dl.quantize %r {is_unsigned = true, scale = array<f64: 0.5>, zero_point = array<i64: 128>} : tensor<2x2xf32> -> tensor<2x2xi8>
  return %q : tensor<2x2xi8>
}

// -----

// Conv with per-channel weights and a Clip(0, 6): conv_integer with the
// window attributes, requantize along the channels, clamp to [zp, zp +
// round(6 / y_scale)].
// CHECK-LABEL: func.func @conv_relu6(
// CHECK: %[[ACC:.*]] = dl.conv_integer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {{{.*}}pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>{{.*}}} : (tensor<1x2x6x6xi8>, tensor<3x2x3x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<1x3x3x3xi32>
// CHECK: dl.requantize %[[ACC]] scale %{{.*}} zero_point %{{.*}} {axis = 1 : i64, clamp_max = 50 : i64, clamp_min = -10 : i64}
// CHECK-NOT: dl.conv %
// CHECK-NOT: dl.clip
func.func @conv_relu6(%x: tensor<1x2x6x6xi8>) -> tensor<1x3x3x3xi8> {
  %w = dl.constant dense<2> : tensor<3x2x3x3xi8>
  %dx = dl.dequantize %x {scale = array<f64: 0.1>, zero_point = array<i64: 0>} : tensor<1x2x6x6xi8> -> tensor<1x2x6x6xf32>
  %dw = dl.dequantize %w {axis = 0 : i64, scale = array<f64: 0.1, 0.2, 0.3>, zero_point = array<i64: 0, 0, 0>} : tensor<3x2x3x3xi8> -> tensor<3x2x3x3xf32>
  %c = dl.conv %dx, %dw {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x3x3xf32>
  %r = dl.clip %c {min = 0.0 : f64, max = 6.0 : f64} : tensor<1x3x3x3xf32>
  %q = dl.quantize %r {scale = array<f64: 0.1>, zero_point = array<i64: -10>} : tensor<1x3x3x3xf32> -> tensor<1x3x3x3xi8>
  return %q : tensor<1x3x3x3xi8>
}
