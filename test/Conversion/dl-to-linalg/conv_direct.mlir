// RUN: dlc-opt %s --split-input-file --dl-to-linalg="direct-convs=true" | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-to-linalg | FileCheck %s --check-prefix=IM2COL

// direct-convs: a 3x3 f32 conv is one generic over (n, m, oh, ow, c, kh, kw)
// on the padded input, stride 2 and dilation 1 in the input's map, the bias
// added after it; no im2col matrix. Without the option: im2col + a
// contraction.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @window
// CHECK: %[[PAD:.*]] = tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[PAD]], %{{.*}} : tensor<?x3x18x18xf32>, tensor<8x3x3x3xf32>)
// CHECK-NOT: tensor.collapse_shape
// IM2COL-LABEL: func.func @window
// IM2COL: tensor.collapse_shape
func.func @window(%x: tensor<?x3x16x16xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<8xf32>) -> tensor<?x8x8x8xf32> {
  %y = dl.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<?x3x16x16xf32>, tensor<8x3x3x3xf32>, tensor<8xf32>) -> tensor<?x8x8x8xf32>
  return %y : tensor<?x8x8x8xf32>
}

// -----

// A pointwise conv (1x1, stride 1) is a plain contraction either way.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT: iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: tensor.collapse_shape
func.func @pointwise(%x: tensor<1x16x7x7xf32>, %w: tensor<32x16x1x1xf32>) -> tensor<1x32x7x7xf32> {
  %y = dl.conv %x, %w : (tensor<1x16x7x7xf32>, tensor<32x16x1x1xf32>) -> tensor<1x32x7x7xf32>
  return %y : tensor<1x32x7x7xf32>
}

// -----

// A 1-D conv is not one the runtime's 2-D kernel takes: im2col as before.
// CHECK-LABEL: func.func @one_d
// CHECK: tensor.collapse_shape
func.func @one_d(%x: tensor<1x4x20xf32>, %w: tensor<6x4x3xf32>) -> tensor<1x6x18xf32> {
  %y = dl.conv %x, %w : (tensor<1x4x20xf32>, tensor<6x4x3xf32>) -> tensor<1x6x18xf32>
  return %y : tensor<1x6x18xf32>
}
