// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// CHECK-LABEL: func.func @matmul_integer(
func.func @matmul_integer(%a: tensor<2x?x5xi8>, %b: tensor<5x3xi8>, %za: tensor<i8>, %zb: tensor<3xi8>) -> tensor<2x?x3xi32> {
  // Batched lhs, per-column rhs zero points; the result is i32.
  // CHECK: dl.matmul_integer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {lhs_unsigned = true} : (tensor<2x?x5xi8>, tensor<5x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<2x?x3xi32>
  %0 = dl.matmul_integer %a, %b, %za, %zb {lhs_unsigned = true} : (tensor<2x?x5xi8>, tensor<5x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<2x?x3xi32>
  return %0 : tensor<2x?x3xi32>
}

// CHECK-LABEL: func.func @conv_integer(
func.func @conv_integer(%x: tensor<1x4x8x8xi8>, %w: tensor<6x4x3x3xi8>, %zx: tensor<i8>, %zw: tensor<6xi8>) -> tensor<1x6x4x4xi32> {
  // CHECK: dl.conv_integer %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {input_unsigned = true, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xi8>, tensor<6x4x3x3xi8>, tensor<i8>, tensor<6xi8>) -> tensor<1x6x4x4xi32>
  %0 = dl.conv_integer %x, %w, %zx, %zw {input_unsigned = true, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xi8>, tensor<6x4x3x3xi8>, tensor<i8>, tensor<6xi8>) -> tensor<1x6x4x4xi32>
  return %0 : tensor<1x6x4x4xi32>
}

// CHECK-LABEL: func.func @requantize(
func.func @requantize(%acc: tensor<1x6x4x4xi32>, %bias: tensor<6xi32>, %s: tensor<6xf32>, %z: tensor<i8>) -> tensor<1x6x4x4xi8> {
  // Per-channel scales along axis 1, a bias, a fused ReLU6's clamp.
  // CHECK: dl.requantize %{{.*}} bias %{{.*}} : tensor<6xi32> scale %{{.*}} zero_point %{{.*}} {axis = 1 : i64, clamp_max = 120 : i64, clamp_min = 0 : i64, is_unsigned = true} : tensor<1x6x4x4xi32>, tensor<6xf32>, tensor<i8> -> tensor<1x6x4x4xi8>
  %0 = dl.requantize %acc bias %bias : tensor<6xi32> scale %s zero_point %z {axis = 1 : i64, clamp_max = 120 : i64, clamp_min = 0 : i64, is_unsigned = true} : tensor<1x6x4x4xi32>, tensor<6xf32>, tensor<i8> -> tensor<1x6x4x4xi8>
  return %0 : tensor<1x6x4x4xi8>
}

// CHECK-LABEL: func.func @unsigned_quantize(
func.func @unsigned_quantize(%x: tensor<4xf32>) -> tensor<4xf32> {
  // CHECK: dl.quantize %{{.*}} {is_unsigned = true, scale = array<f64: 5.000000e-01>, zero_point = array<i64: 200>}
  %q = dl.quantize %x {is_unsigned = true, scale = array<f64: 0.5>, zero_point = array<i64: 200>} : tensor<4xf32> -> tensor<4xi8>
  // CHECK: dl.dequantize %{{.*}} {is_unsigned = true, scale = array<f64: 5.000000e-01>, zero_point = array<i64: 200>}
  %d = dl.dequantize %q {is_unsigned = true, scale = array<f64: 0.5>, zero_point = array<i64: 200>} : tensor<4xi8> -> tensor<4xf32>
  return %d : tensor<4xf32>
}
