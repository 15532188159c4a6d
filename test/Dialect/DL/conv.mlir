// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// Result types are the exact inferred shapes, worked out by hand with
// out = floor((in + pb + pe - ((k-1)*d+1)) / s) + 1 for dl.conv and
// out = s*(in-1) + output_padding + (k-1)*d + 1 - pb - pe for dl.conv_transpose.
// conv_invalid.mlir checks that a shape one off from these is rejected.

// CHECK-LABEL: func.func @conv1d
// CHECK: dl.conv %{{.*}}, %{{.*}} : (tensor<1x3x10xf32>, tensor<4x3x3xf32>) -> tensor<1x4x8xf32>
func.func @conv1d(%x: tensor<1x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x8xf32> {
  %0 = dl.conv %x, %w : (tensor<1x3x10xf32>, tensor<4x3x3xf32>) -> tensor<1x4x8xf32>
  return %0 : tensor<1x4x8xf32>
}

// -----

// (10 + 1 + 1 - 3) / 2 + 1 = 5
// CHECK-LABEL: func.func @conv1d_strided_padded
// CHECK: dl.conv
// CHECK-SAME: pads = array<i64: 1, 1>
// CHECK-SAME: strides = array<i64: 2>
// CHECK-SAME: -> tensor<1x4x5xf32>
func.func @conv1d_strided_padded(%x: tensor<1x3x10xf32>, %w: tensor<4x3x3xf32>) -> tensor<1x4x5xf32> {
  %0 = dl.conv %x, %w {strides = array<i64: 2>, pads = array<i64: 1, 1>} : (tensor<1x3x10xf32>, tensor<4x3x3xf32>) -> tensor<1x4x5xf32>
  return %0 : tensor<1x4x5xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_bias_same_padding
// CHECK: dl.conv %{{.*}}, %{{.*}}, %{{.*}} {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x32x32xf32>
func.func @conv2d_bias_same_padding(%x: tensor<1x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>) -> tensor<1x16x32x32xf32> {
  %0 = dl.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<1x16x32x32xf32>
  return %0 : tensor<1x16x32x32xf32>
}

// -----

// ResNet stem: (224 + 3 + 3 - 7) / 2 + 1 = 112
// CHECK-LABEL: func.func @conv2d_stem
// CHECK: dl.conv
// CHECK-SAME: pads = array<i64: 3, 3, 3, 3>, strides = array<i64: 2, 2>
// CHECK-SAME: -> tensor<1x64x112x112xf32>
func.func @conv2d_stem(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32> {
  %0 = dl.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 3, 3, 3, 3>} : (tensor<1x3x224x224xf32>, tensor<64x3x7x7xf32>) -> tensor<1x64x112x112xf32>
  return %0 : tensor<1x64x112x112xf32>
}

// -----

// pads are [h_begin, w_begin, h_end, w_end]:
// H = 5 + 0 + 1 - 3 + 1 = 4, W = 5 + 1 + 2 - 3 + 1 = 6.
// CHECK-LABEL: func.func @conv2d_asymmetric_pads
// CHECK: dl.conv
// CHECK-SAME: pads = array<i64: 0, 1, 1, 2>
// CHECK-SAME: -> tensor<1x1x4x6xf32>
func.func @conv2d_asymmetric_pads(%x: tensor<1x1x5x5xf32>, %w: tensor<1x1x3x3xf32>) -> tensor<1x1x4x6xf32> {
  %0 = dl.conv %x, %w {pads = array<i64: 0, 1, 1, 2>} : (tensor<1x1x5x5xf32>, tensor<1x1x3x3xf32>) -> tensor<1x1x4x6xf32>
  return %0 : tensor<1x1x4x6xf32>
}

// -----

// Effective kernel (3-1)*2+1 = 5 in H and (3-1)*3+1 = 7 in W:
// H = 10 - 5 + 1 = 6, W = 10 - 7 + 1 = 4.
// CHECK-LABEL: func.func @conv2d_dilated
// CHECK: dl.conv
// CHECK-SAME: dilations = array<i64: 2, 3>
// CHECK-SAME: -> tensor<1x4x6x4xf32>
func.func @conv2d_dilated(%x: tensor<1x2x10x10xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x4x6x4xf32> {
  %0 = dl.conv %x, %w {dilations = array<i64: 2, 3>} : (tensor<1x2x10x10xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x4xf32>
  return %0 : tensor<1x4x6x4xf32>
}

// -----

// The division floors: H = (7 - 2) / 3 + 1 = 2, W = (7 - 2) / 2 + 1 = 3.
// CHECK-LABEL: func.func @conv2d_stride_floors
// CHECK: dl.conv
// CHECK-SAME: strides = array<i64: 3, 2>
// CHECK-SAME: -> tensor<1x1x2x3xf32>
func.func @conv2d_stride_floors(%x: tensor<1x1x7x7xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x2x3xf32> {
  %0 = dl.conv %x, %w {strides = array<i64: 3, 2>} : (tensor<1x1x7x7xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x3xf32>
  return %0 : tensor<1x1x2x3xf32>
}

// -----

// Weight channels are C / groups = 8 / 2 = 4.
// CHECK-LABEL: func.func @conv2d_grouped
// CHECK: dl.conv
// CHECK-SAME: groups = 2 : i64
// CHECK-SAME: (tensor<2x8x16x16xf32>, tensor<16x4x3x3xf32>) -> tensor<2x16x14x14xf32>
func.func @conv2d_grouped(%x: tensor<2x8x16x16xf32>, %w: tensor<16x4x3x3xf32>) -> tensor<2x16x14x14xf32> {
  %0 = dl.conv %x, %w {groups = 2 : i64} : (tensor<2x8x16x16xf32>, tensor<16x4x3x3xf32>) -> tensor<2x16x14x14xf32>
  return %0 : tensor<2x16x14x14xf32>
}

// -----

// The default groups = 1 is not printed.
// CHECK-LABEL: func.func @conv2d_default_groups_elided
// CHECK: dl.conv
// CHECK-NOT: groups
// CHECK-SAME: -> tensor<1x2x2x2xf32>
func.func @conv2d_default_groups_elided(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x3x3xf32>) -> tensor<1x2x2x2xf32> {
  %0 = dl.conv %x, %w {groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// -----

// Depthwise: groups = C, one input channel per group.
// CHECK-LABEL: func.func @conv2d_depthwise
// CHECK: dl.conv
// CHECK-SAME: groups = 32 : i64
// CHECK-SAME: (tensor<1x32x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<1x32x28x28xf32>
func.func @conv2d_depthwise(%x: tensor<1x32x28x28xf32>, %w: tensor<32x1x3x3xf32>, %b: tensor<32xf32>) -> tensor<1x32x28x28xf32> {
  %0 = dl.conv %x, %w, %b {groups = 32 : i64, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x32x28x28xf32>, tensor<32x1x3x3xf32>, tensor<32xf32>) -> tensor<1x32x28x28xf32>
  return %0 : tensor<1x32x28x28xf32>
}

// -----

// Depthwise with channel multiplier 2: M = 2 * C.
// CHECK-LABEL: func.func @conv2d_depthwise_multiplier
// CHECK: dl.conv
// CHECK-SAME: groups = 8 : i64
// CHECK-SAME: -> tensor<1x16x6x6xf32>
func.func @conv2d_depthwise_multiplier(%x: tensor<1x8x8x8xf32>, %w: tensor<16x1x3x3xf32>) -> tensor<1x16x6x6xf32> {
  %0 = dl.conv %x, %w {groups = 8 : i64} : (tensor<1x8x8x8xf32>, tensor<16x1x3x3xf32>) -> tensor<1x16x6x6xf32>
  return %0 : tensor<1x16x6x6xf32>
}

// -----

// D = 8 + 1 + 1 - 5 + 1 = 6 (dilation 2), H = W = (16 + 2 - 3) / 2 + 1 = 8.
// CHECK-LABEL: func.func @conv3d
// CHECK: dl.conv
// CHECK-SAME: dilations = array<i64: 2, 1, 1>
// CHECK-SAME: pads = array<i64: 1, 1, 1, 1, 1, 1>
// CHECK-SAME: strides = array<i64: 1, 2, 2>
// CHECK-SAME: (tensor<1x2x8x16x16xf32>, tensor<4x2x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x8x8xf32>
func.func @conv3d(%x: tensor<1x2x8x16x16xf32>, %w: tensor<4x2x3x3x3xf32>, %b: tensor<4xf32>) -> tensor<1x4x6x8x8xf32> {
  %0 = dl.conv %x, %w, %b {strides = array<i64: 1, 2, 2>, pads = array<i64: 1, 1, 1, 1, 1, 1>, dilations = array<i64: 2, 1, 1>} : (tensor<1x2x8x16x16xf32>, tensor<4x2x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x8x8xf32>
  return %0 : tensor<1x4x6x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_f16
// CHECK: dl.conv {{.*}} -> tensor<1x4x2x2xf16>
func.func @conv2d_f16(%x: tensor<1x4x4x4xf16>, %w: tensor<4x4x3x3xf16>) -> tensor<1x4x2x2xf16> {
  %0 = dl.conv %x, %w : (tensor<1x4x4x4xf16>, tensor<4x4x3x3xf16>) -> tensor<1x4x2x2xf16>
  return %0 : tensor<1x4x2x2xf16>
}

// -----

// A 1x1 kernel with stride 2 over an even size.
// CHECK-LABEL: func.func @conv2d_pointwise_strided
// CHECK: dl.conv {{.*}} -> tensor<1x8x4x4xf32>
func.func @conv2d_pointwise_strided(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32> {
  %0 = dl.conv %x, %w {strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32>
  return %0 : tensor<1x8x4x4xf32>
}

// -----

// CHECK-LABEL: func.func @conv2d_dynamic_batch
// CHECK: dl.conv {{.*}} : (tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x30x30xf32>
func.func @conv2d_dynamic_batch(%x: tensor<?x3x32x32xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x30x30xf32> {
  %0 = dl.conv %x, %w : (tensor<?x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x30x30xf32>
  return %0 : tensor<?x8x30x30xf32>
}

// -----

// A dynamic spatial dim stays dynamic; the static one is (32 - 3) / 2 + 1.
// CHECK-LABEL: func.func @conv2d_dynamic_spatial
// CHECK: dl.conv {{.*}} : (tensor<?x3x?x32xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x15xf32>
func.func @conv2d_dynamic_spatial(%x: tensor<?x3x?x32xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x8x?x15xf32> {
  %0 = dl.conv %x, %w {strides = array<i64: 2, 2>} : (tensor<?x3x?x32xf32>, tensor<8x3x3x3xf32>) -> tensor<?x8x?x15xf32>
  return %0 : tensor<?x8x?x15xf32>
}

// -----

// An unknown input channel count cannot be checked against the weight.
// CHECK-LABEL: func.func @conv2d_dynamic_channels
// CHECK: dl.conv {{.*}} : (tensor<1x?x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
func.func @conv2d_dynamic_channels(%x: tensor<1x?x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32> {
  %0 = dl.conv %x, %w : (tensor<1x?x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  return %0 : tensor<1x4x6x6xf32>
}

// -----

// A declared dynamic result is compatible with the static inferred one.
// CHECK-LABEL: func.func @conv2d_dynamic_result
// CHECK: dl.conv {{.*}} -> tensor<?x?x?x?xf32>
func.func @conv2d_dynamic_result(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32> {
  %0 = dl.conv %x, %w : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  return %0 : tensor<?x?x?x?xf32>
}

//===----------------------------------------------------------------------===//
// conv_transpose
//===----------------------------------------------------------------------===//

// -----

// (5 - 1) + (3 - 1) + 1 = 7; weight is C x M/groups x K.
// CHECK-LABEL: func.func @conv_transpose2d
// CHECK: dl.conv_transpose %{{.*}}, %{{.*}} : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
func.func @conv_transpose2d(%x: tensor<1x4x5x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32> {
  %0 = dl.conv_transpose %x, %w : (tensor<1x4x5x5xf32>, tensor<4x2x3x3xf32>) -> tensor<1x2x7x7xf32>
  return %0 : tensor<1x2x7x7xf32>
}

// -----

// 2 * (5 - 1) + 1 + (3 - 1) + 1 - 1 - 1 = 10
// CHECK-LABEL: func.func @conv_transpose2d_output_padding
// CHECK: dl.conv_transpose
// CHECK-SAME: output_padding = array<i64: 1, 1>
// CHECK-SAME: pads = array<i64: 1, 1, 1, 1>
// CHECK-SAME: strides = array<i64: 2, 2>
// CHECK-SAME: -> tensor<1x8x10x10xf32>
func.func @conv_transpose2d_output_padding(%x: tensor<1x4x5x5xf32>, %w: tensor<4x8x3x3xf32>, %b: tensor<8xf32>) -> tensor<1x8x10x10xf32> {
  %0 = dl.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x8x3x3xf32>, tensor<8xf32>) -> tensor<1x8x10x10xf32>
  return %0 : tensor<1x8x10x10xf32>
}

// -----

// Per-dim strides and output_padding: H = 2*2 + 1 + 1 + 1 = 7,
// W = 3*2 + 2 + 1 + 1 = 10.
// CHECK-LABEL: func.func @conv_transpose2d_asymmetric
// CHECK: dl.conv_transpose
// CHECK-SAME: output_padding = array<i64: 1, 2>
// CHECK-SAME: strides = array<i64: 2, 3>
// CHECK-SAME: -> tensor<1x1x7x10xf32>
func.func @conv_transpose2d_asymmetric(%x: tensor<1x1x3x3xf32>, %w: tensor<1x1x2x2xf32>) -> tensor<1x1x7x10xf32> {
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 3>, output_padding = array<i64: 1, 2>} : (tensor<1x1x3x3xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x7x10xf32>
  return %0 : tensor<1x1x7x10xf32>
}

// -----

// M = groups * weight dim 1 = 2 * 3 = 6.
// CHECK-LABEL: func.func @conv_transpose2d_grouped
// CHECK: dl.conv_transpose
// CHECK-SAME: groups = 2 : i64
// CHECK-SAME: (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x7x7xf32>
func.func @conv_transpose2d_grouped(%x: tensor<1x4x5x5xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<6xf32>) -> tensor<1x6x7x7xf32> {
  %0 = dl.conv_transpose %x, %w, %b {groups = 2 : i64} : (tensor<1x4x5x5xf32>, tensor<4x3x3x3xf32>, tensor<6xf32>) -> tensor<1x6x7x7xf32>
  return %0 : tensor<1x6x7x7xf32>
}

// -----

// 3 * (4 - 1) + (3 - 1) * 2 + 1 = 14
// CHECK-LABEL: func.func @conv_transpose1d_dilated
// CHECK: dl.conv_transpose
// CHECK-SAME: dilations = array<i64: 2>
// CHECK-SAME: strides = array<i64: 3>
// CHECK-SAME: -> tensor<1x3x14xf32>
func.func @conv_transpose1d_dilated(%x: tensor<1x2x4xf32>, %w: tensor<2x3x3xf32>) -> tensor<1x3x14xf32> {
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 3>, dilations = array<i64: 2>} : (tensor<1x2x4xf32>, tensor<2x3x3xf32>) -> tensor<1x3x14xf32>
  return %0 : tensor<1x3x14xf32>
}

// -----

// 2 * (4 - 1) + 2 = 8 in each spatial dim.
// CHECK-LABEL: func.func @conv_transpose3d
// CHECK: dl.conv_transpose {{.*}} -> tensor<1x2x8x8x8xf32>
func.func @conv_transpose3d(%x: tensor<1x4x4x4x4xf32>, %w: tensor<4x2x2x2x2xf32>) -> tensor<1x2x8x8x8xf32> {
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 2, 2>} : (tensor<1x4x4x4x4xf32>, tensor<4x2x2x2x2xf32>) -> tensor<1x2x8x8x8xf32>
  return %0 : tensor<1x2x8x8x8xf32>
}

// -----

// CHECK-LABEL: func.func @conv_transpose2d_dynamic
// CHECK: dl.conv_transpose {{.*}} : (tensor<?x4x?x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x?x11xf32>
func.func @conv_transpose2d_dynamic(%x: tensor<?x4x?x5xf32>, %w: tensor<4x2x3x3xf32>) -> tensor<?x2x?x11xf32> {
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 2>} : (tensor<?x4x?x5xf32>, tensor<4x2x3x3xf32>) -> tensor<?x2x?x11xf32>
  return %0 : tensor<?x2x?x11xf32>
}

// -----

// The weight gradient of a grouped, strided conv with a dynamic batch; the
// result type gives the kernel size.
// CHECK-LABEL: func.func @conv_weight_grad
// CHECK: dl.conv_weight_grad %{{.*}}, %{{.*}} {groups = 2 : i64, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 2>} : (tensor<?x4x7x6xf32>, tensor<?x6x4x3xf32>) -> tensor<6x2x3x2xf32>
func.func @conv_weight_grad(%x: tensor<?x4x7x6xf32>, %g: tensor<?x6x4x3xf32>) -> tensor<6x2x3x2xf32> {
  %0 = dl.conv_weight_grad %x, %g {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 2, 1>, groups = 2 : i64} : (tensor<?x4x7x6xf32>, tensor<?x6x4x3xf32>) -> tensor<6x2x3x2xf32>
  return %0 : tensor<6x2x3x2xf32>
}
