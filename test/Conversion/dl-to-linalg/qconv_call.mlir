// RUN: dlc-opt %s --split-input-file --dl-to-linalg="runtime-calls=true int8-conv-calls=true" | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-to-linalg="runtime-calls=true" | FileCheck %s --check-prefix=NOVNNI

// int8-conv-calls: requantize(conv_integer) of a uint8 input and a constant
// int8 weight with zero points 0 is one dlc_qconv2d call. The weight is
// packed [M/4][K/4][4][4] with K = (tap, channel), 27 padded to 28: the
// first 16 bytes are rows 0-3 at tap (0, 0), channels 0, 1, 2, then tap
// (0, 1) channel 0 (row 0: 1, -1, 1, -2; row 1 has -128 = 0x80 in
// channel 2). The offsets are the bias minus
// the input zero point (-128 as uint8: 128) times each row's weight sum:
// 10 - 128 * 65 = -8310, -20 - 128 * 17 = -2196, 30 - 128 = -98, 0 - 128,
// 5 - 128 * 3 = -379. The window, the zero points (128 in, 3 out) and the
// clamp (3 from clamp_min, to 255) cross as i64, uint8 output as 1.
// CHECK-LABEL: func.func @qconv
// CHECK-SAME: (%[[X:.*]]: tensor<?x3x6x6xi8>)
// CHECK-DAG: %[[W:.*]] = arith.constant dense<"0x01FF01FE020080020100000001000000{{[0-9A-F]*}}"> : tensor<224xi8>
// CHECK-DAG: %[[OFFS:.*]] = arith.constant dense<[-8310, -2196, -98, -128, -379]> : tensor<5xi32>
// CHECK-DAG: %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 1.250000e-01, 1.000000e+00, 2.000000e+00]> : tensor<5xf32>
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[OUT:.*]] = memref.alloc(%[[N]]) : memref<?x5x3x3xi8>
// CHECK: %[[OUTC:.*]] = memref.cast %[[OUT]] : memref<?x5x3x3xi8> to memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: bufferization.to_buffer %[[X]] read_only
// CHECK: bufferization.to_buffer %[[W]] read_only : tensor<224xi8> to memref<224xi8, strided<[?], offset: ?>>
// CHECK: call @dlc_qconv2d(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[OUTC]], %c3_i64, %c3_i64, %c2_i64, %c2_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c128_i64, %c3_i64, %c3_i64, %c255_i64, %c1_i32)
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: return %[[R]]
// CHECK: func.func private @dlc_qconv2d(memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, memref<?xi8, strided<[?], offset: ?>>, memref<?xi32, strided<[?], offset: ?>>, memref<?xf32, strided<[?], offset: ?>>, memref<?x?x?x?xi8, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i32)
// Without the option (a target without VNNI): the linalg lowering.
// NOVNNI-LABEL: func.func @qconv
// NOVNNI-NOT: dlc_qconv2d

func.func @qconv(%x: tensor<?x3x6x6xi8>) -> tensor<?x5x3x3xi8> {
  %w = dl.constant dense<[[[[1, -2, 3], [4, 5, -6], [7, 8, 9]], [[-1, 2, 3], [4, 5, 6], [7, -8, 9]], [[1, 1, 1], [1, 1, 1], [1, 1, 1]]], [[[2, 2, 2], [2, 2, 2], [2, 2, 2]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[-128, 127, 0], [0, 0, 0], [0, 0, 0]]], [[[1, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]], [[[1, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]], [[[3, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 0], [0, 0, 0]]]]> : tensor<5x3x3x3xi8>
  %xz = dl.constant dense<-128> : tensor<i8>
  %wz = dl.constant dense<0> : tensor<5xi8>
  %acc = dl.conv_integer %x, %w, %xz, %wz {dilations = array<i64: 1, 1>, input_unsigned = true, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x6x6xi8>, tensor<5x3x3x3xi8>, tensor<i8>, tensor<5xi8>) -> tensor<?x5x3x3xi32>
  %b = dl.constant dense<[10, -20, 30, 0, 5]> : tensor<5xi32>
  %s = dl.constant dense<[0.5, 0.25, 0.125, 1.0, 2.0]> : tensor<5xf32>
  %z = dl.constant dense<3> : tensor<i8>
  %y = dl.requantize %acc bias %b : tensor<5xi32> scale %s zero_point %z {axis = 1 : i64, clamp_min = 3 : i64, is_unsigned = true} : tensor<?x5x3x3xi32>, tensor<5xf32>, tensor<i8> -> tensor<?x5x3x3xi8>
  return %y : tensor<?x5x3x3xi8>
}

// -----

// Not taken: a weight zero point other than 0 (the offsets cannot fold
// it), an int8 (signed) input, an accumulator used twice, a grouped conv.
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT: dlc_qconv2d
// CHECK: return
func.func @not_taken(%x: tensor<1x4x5x5xi8>) -> (tensor<1x4x5x5xi8>, tensor<1x4x5x5xi8>, tensor<1x4x5x5xi8>, tensor<1x4x5x5xi32>, tensor<1x4x5x5xi8>) {
  %w = dl.constant dense<1> : tensor<4x4x1x1xi8>
  %xz = dl.constant dense<10> : tensor<i8>
  %wz = dl.constant dense<0> : tensor<4xi8>
  %wz1 = dl.constant dense<[0, 1, 0, 0]> : tensor<4xi8>
  %s = dl.constant dense<0.5> : tensor<f32>
  %z = dl.constant dense<0> : tensor<i8>
  %a = dl.conv_integer %x, %w, %xz, %wz1 {input_unsigned = true} : (tensor<1x4x5x5xi8>, tensor<4x4x1x1xi8>, tensor<i8>, tensor<4xi8>) -> tensor<1x4x5x5xi32>
  %ya = dl.requantize %a scale %s zero_point %z {is_unsigned = true} : tensor<1x4x5x5xi32>, tensor<f32>, tensor<i8> -> tensor<1x4x5x5xi8>
  %b = dl.conv_integer %x, %w, %xz, %wz : (tensor<1x4x5x5xi8>, tensor<4x4x1x1xi8>, tensor<i8>, tensor<4xi8>) -> tensor<1x4x5x5xi32>
  %yb = dl.requantize %b scale %s zero_point %z {is_unsigned = true} : tensor<1x4x5x5xi32>, tensor<f32>, tensor<i8> -> tensor<1x4x5x5xi8>
  %c = dl.conv_integer %x, %w, %xz, %wz {input_unsigned = true} : (tensor<1x4x5x5xi8>, tensor<4x4x1x1xi8>, tensor<i8>, tensor<4xi8>) -> tensor<1x4x5x5xi32>
  %yc = dl.requantize %c scale %s zero_point %z {is_unsigned = true} : tensor<1x4x5x5xi32>, tensor<f32>, tensor<i8> -> tensor<1x4x5x5xi8>
  %wg = dl.constant dense<1> : tensor<4x2x1x1xi8>
  %d = dl.conv_integer %x, %wg, %xz, %wz {input_unsigned = true, groups = 2 : i64} : (tensor<1x4x5x5xi8>, tensor<4x2x1x1xi8>, tensor<i8>, tensor<4xi8>) -> tensor<1x4x5x5xi32>
  %yd = dl.requantize %d scale %s zero_point %z {is_unsigned = true} : tensor<1x4x5x5xi32>, tensor<f32>, tensor<i8> -> tensor<1x4x5x5xi8>
  return %ya, %yb, %yc, %c, %yd : tensor<1x4x5x5xi8>, tensor<1x4x5x5xi8>, tensor<1x4x5x5xi8>, tensor<1x4x5x5xi32>, tensor<1x4x5x5xi8>
}

// -----

// A max pool of a per-tensor dequantize pools the bytes (max commutes with
// the monotone dequantize): one dlc_maxpool2d_i8 call; the quantize of the
// pool with the same parameters is its result, and the float pool a
// dequantize of it.
// CHECK-LABEL: func.func @pool
// CHECK-SAME: (%[[Q:.*]]: tensor<?x4x9x9xi8>)
// CHECK: %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<?x4x5x5xi8>
// CHECK: call @dlc_maxpool2d_i8(%{{.*}}, %{{.*}}, %c3_i64, %c3_i64, %c2_i64, %c2_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i64, %c1_i32)
// CHECK: %[[P:.*]] = bufferization.to_tensor %[[OUT]] restrict writable
// CHECK: %[[F:.*]] = linalg.generic
// CHECK: arith.uitofp
// CHECK: return %[[P]], %[[F]]
// NOVNNI-LABEL: func.func @pool
// NOVNNI-NOT: dlc_maxpool2d_i8
func.func @pool(%q: tensor<?x4x9x9xi8>) -> (tensor<?x4x5x5xi8>, tensor<?x4x5x5xf32>) {
  %x = dl.dequantize %q {is_unsigned = true, scale = array<f64: 0.25>, zero_point = array<i64: 3>} : tensor<?x4x9x9xi8> -> tensor<?x4x9x9xf32>
  %p = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<?x4x9x9xf32> -> tensor<?x4x5x5xf32>
  %r = dl.quantize %p {is_unsigned = true, scale = array<f64: 0.25>, zero_point = array<i64: 3>} : tensor<?x4x5x5xf32> -> tensor<?x4x5x5xi8>
  return %r, %p : tensor<?x4x5x5xi8>, tensor<?x4x5x5xf32>
}

// -----

// Not pooled as bytes: a per-channel dequantize (each channel its own
// scale) keeps the float pool.
// CHECK-LABEL: func.func @pool_not_taken
// CHECK-NOT: dlc_maxpool2d_i8
// CHECK: return
func.func @pool_not_taken(%q: tensor<1x4x9x9xi8>) -> tensor<1x4x5x5xf32> {
  %x = dl.dequantize %q {axis = 1 : i64, scale = array<f64: 0.25, 0.5, 1.0, 2.0>, zero_point = array<i64: 3, 3, 3, 3>} : tensor<1x4x9x9xi8> -> tensor<1x4x9x9xf32>
  %p = dl.max_pool %x {kernel_shape = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : tensor<1x4x9x9xf32> -> tensor<1x4x5x5xf32>
  return %p : tensor<1x4x5x5xf32>
}
