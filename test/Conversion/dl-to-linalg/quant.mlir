// RUN: dlc-opt %s --split-input-file --dl-to-linalg | FileCheck %s

// requantize: bias add in i32, f32 multiply by the per-channel scale, round
// half to even, + zero point, saturate to uint8 narrowed by the fused clamp
// [5, 120], unsigned conversion.
// CHECK-LABEL: func.func @requantize(
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x3xi32>, tensor<3xi32>, tensor<3xf32>, tensor<i8>)
// CHECK: ^bb0(%[[ACC:.*]]: i32, %[[B:.*]]: i32, %[[S:.*]]: f32, %[[Z:.*]]: i8,
// CHECK: %[[SUM:.*]] = arith.addi %[[ACC]], %[[B]] : i32
// CHECK: %[[F:.*]] = arith.sitofp %[[SUM]] : i32 to f32
// CHECK: %[[M:.*]] = arith.mulf %[[F]], %[[S]] : f32
// CHECK: %[[R:.*]] = math.roundeven %[[M]] : f32
// CHECK: %[[ZF:.*]] = arith.uitofp %[[Z]] : i8 to f32
// CHECK: %[[V:.*]] = arith.addf %[[R]], %[[ZF]] : f32
// CHECK: %[[LO:.*]] = arith.maximumf %[[V]], %{{.*}} : f32
// CHECK: %[[HI:.*]] = arith.minimumf %[[LO]], %{{.*}} : f32
// CHECK: arith.fptoui %[[HI]] : f32 to i8
func.func @requantize(%acc: tensor<2x3xi32>, %bias: tensor<3xi32>, %s: tensor<3xf32>, %z: tensor<i8>) -> tensor<2x3xi8> {
  %0 = dl.requantize %acc bias %bias : tensor<3xi32> scale %s zero_point %z {axis = 1 : i64, clamp_min = 5 : i64, clamp_max = 120 : i64, is_unsigned = true} : tensor<2x3xi32>, tensor<3xf32>, tensor<i8> -> tensor<2x3xi8>
  return %0 : tensor<2x3xi8>
}

// -----

// A run-time rhs: both operands widened to i32 minus their zero points (the
// lhs unsigned, the rhs's per column), then an i32 matmul.
// CHECK-LABEL: func.func @matmul_integer(
// CHECK: linalg.generic
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: linalg.generic
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.subi
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<4x5xi32>, tensor<5x3xi32>) outs(%{{.*}} : tensor<4x3xi32>)
func.func @matmul_integer(%a: tensor<4x5xi8>, %b: tensor<5x3xi8>, %za: tensor<i8>, %zb: tensor<3xi8>) -> tensor<4x3xi32> {
  %0 = dl.matmul_integer %a, %b, %za, %zb {lhs_unsigned = true} : (tensor<4x5xi8>, tensor<5x3xi8>, tensor<i8>, tensor<3xi8>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// A constant rhs [5, 3] is packed at compile time as [1][2][16][4] s8 (K
// padded to 8, N to 16, zeros) with its column sums; the int8 lhs becomes
// u8 (xor 0x80) padded to K = 8; the marked generic sums u8 x s8 products
// in i32; the correction subtracts (zp + 128) * colsum; 3 of 16 columns are
// kept.
// CHECK-LABEL: func.func @matmul_integer_packed(
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<1x2x16x4xi8>
// CHECK-DAG: %[[SUMS:.*]] = arith.constant dense<{{\[\[}}5, 10, -5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]]> : tensor<1x16xi32>
// CHECK: arith.xori %{{.*}}, %{{.*}} : i8
// CHECK: tensor.pad %{{.*}} low[0, 0] high[0, 3]
// CHECK: %[[DOT:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[W]] : tensor<4x8xi8>, tensor<1x2x16x4xi8>) outs(%{{.*}} : tensor<4x1x16xi32>) attrs = {dl.packed_u8s8_gemm}
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: arith.extsi %{{.*}} : i8 to i32
// CHECK: arith.muli
// CHECK: arith.addi
// CHECK: linalg.generic {{.*}} ins(%[[DOT]], %[[SUMS]], %{{.*}} : tensor<4x1x16xi32>, tensor<1x16xi32>, tensor<i8>)
// CHECK: tensor.collapse_shape
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [4, 3] [1, 1] : tensor<4x16xi32> to tensor<4x3xi32>
func.func @matmul_integer_packed(%a: tensor<4x5xi8>, %za: tensor<i8>) -> tensor<4x3xi32> {
  %b = dl.constant dense<[[1, 2, -1], [1, 2, -1], [1, 2, -1], [1, 2, -1], [1, 2, -1]]> : tensor<5x3xi8>
  %zb = dl.constant dense<0> : tensor<i8>
  %0 = dl.matmul_integer %a, %b, %za, %zb : (tensor<4x5xi8>, tensor<5x3xi8>, tensor<i8>, tensor<i8>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

// -----

// conv_integer: shifted to i32 (padding with 0 then pads with the input's
// zero point) and the i32 conv's im2col contraction.
// CHECK-LABEL: func.func @conv_integer(
// CHECK: arith.extui
// CHECK: arith.extsi
// CHECK: tensor.pad
// CHECK: arith.muli
// CHECK: tensor<1x2x9xi32>
func.func @conv_integer(%x: tensor<1x1x3x3xi8>, %w: tensor<2x1x2x2xi8>, %zx: tensor<i8>, %zw: tensor<i8>) -> tensor<1x2x3x3xi32> {
  %0 = dl.conv_integer %x, %w, %zx, %zw {input_unsigned = true, pads = array<i64: 0, 0, 1, 1>} : (tensor<1x1x3x3xi8>, tensor<2x1x2x2xi8>, tensor<i8>, tensor<i8>) -> tensor<1x2x3x3xi32>
  return %0 : tensor<1x2x3x3xi32>
}
