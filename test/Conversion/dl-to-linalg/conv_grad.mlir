// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// conv_weight_grad is one generic over (m, c, k..., n, o...) reducing n and
// o, over the input padded once; the input channel of a group is
// (m floordiv M/groups) * C/groups + c, and the input position
// o * stride + k * dilation. The batch may be dynamic.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, (d0 floordiv 3) * 2 + d1, d5 * 2 + d2, d6 * 2 + d3 * 2)>
// CHECK-DAG: #[[G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv_weight_grad
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 0] high[0, 0, 2, 1]
// CHECK: } : tensor<?x4x7x6xf32> to tensor<?x4x10x7xf32>
// CHECK: %[[ACC:.*]] = linalg.fill {{.*}} -> tensor<6x2x3x2xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[G]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%[[P]], %arg1 : tensor<?x4x10x7xf32>, tensor<?x6x4x3xf32>) outs(%[[ACC]] : tensor<6x2x3x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: dl.
func.func @conv_weight_grad(%x: tensor<?x4x7x6xf32>, %g: tensor<?x6x4x3xf32>) -> tensor<6x2x3x2xf32> {
  %0 = dl.conv_weight_grad %x, %g {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 2, 1>, dilations = array<i64: 1, 2>, groups = 2 : i64} : (tensor<?x4x7x6xf32>, tensor<?x6x4x3xf32>) -> tensor<6x2x3x2xf32>
  return %0 : tensor<6x2x3x2xf32>
}

// -----

// Without groups it is im2col and one contraction per sample:
// dW[m, j] = sum over n, o of dY[n, m, o] * cols[n, j, o], cols [N, C*K, O].
// CHECK-DAG: #[[G1:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d0, d3)>
// CHECK-DAG: #[[C1:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d1, d3)>
// CHECK-DAG: #[[W1:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1)>
// CHECK-LABEL: func.func @conv_weight_grad_1d
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%arg0 : tensor<2x3x8xf32>) outs(%{{.*}} : tensor<2x3x3x6xf32>)
// CHECK: %[[COLS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2], [3]] : tensor<2x3x3x6xf32> into tensor<2x9x6xf32>
// CHECK: linalg.generic {indexing_maps = [#[[G1]], #[[C1]], #[[W1]]], iterator_types = ["parallel", "parallel", "reduction", "reduction"]} ins(%arg1, %[[COLS]] : tensor<2x4x6xf32>, tensor<2x9x6xf32>) outs(%{{.*}} : tensor<4x9xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1, 2]] output_shape [4, 3, 3] : tensor<4x9xf32> into tensor<4x3x3xf32>
func.func @conv_weight_grad_1d(%x: tensor<2x3x8xf32>, %g: tensor<2x4x6xf32>) -> tensor<4x3x3xf32> {
  %0 = dl.conv_weight_grad %x, %g : (tensor<2x3x8xf32>, tensor<2x4x6xf32>) -> tensor<4x3x3xf32>
  return %0 : tensor<4x3x3xf32>
}

// -----

// An ungrouped conv is im2col over the padded input, laid out [N, C*K, O],
// and one contraction per sample with the flattened weight whose result is
// already [N, M, O]; the batch stays dynamic and nothing is transposed.
// CHECK-DAG: #[[WM:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[CM:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[OM:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @conv
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<?x3x10x10xf32>) outs(%{{.*}} : tensor<?x3x3x3x4x4xf32>)
// CHECK: %[[COLS:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0], [1, 2, 3], [4, 5]] : tensor<?x3x3x3x4x4xf32> into tensor<?x27x16xf32>
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0], [1, 2, 3]] : tensor<5x3x3x3xf32> into tensor<5x27xf32>
// CHECK: linalg.generic {indexing_maps = [#[[WM]], #[[CM]], #[[OM]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[W]], %[[COLS]] : tensor<5x27xf32>, tensor<?x27x16xf32>) outs(%{{.*}} : tensor<?x5x16xf32>)
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] output_shape [%{{.*}}, 5, 4, 4] : tensor<?x5x16xf32> into tensor<?x5x4x4xf32>
// CHECK-NOT: linalg.transpose
func.func @conv(%x: tensor<?x3x8x8xf32>, %w: tensor<5x3x3x3xf32>, %b: tensor<5xf32>) -> tensor<?x5x4x4xf32> {
  %0 = dl.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<?x3x8x8xf32>, tensor<5x3x3x3xf32>, tensor<5xf32>) -> tensor<?x5x4x4xf32>
  return %0 : tensor<?x5x4x4xf32>
}

// -----

// A 1x1 conv with unit strides needs no im2col: the input reshaped is the
// contraction's operand.
// CHECK-LABEL: func.func @pointwise_conv
// CHECK-NOT: tensor.pad
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0], [1], [2, 3]] : tensor<?x8x5x5xf32> into tensor<?x8x25xf32>
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %[[X]] : tensor<16x8xf32>, tensor<?x8x25xf32>) outs(%{{.*}} : tensor<?x16x25xf32>)
func.func @pointwise_conv(%x: tensor<?x8x5x5xf32>, %w: tensor<16x8x1x1xf32>) -> tensor<?x16x5x5xf32> {
  %0 = dl.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>} : (tensor<?x8x5x5xf32>, tensor<16x8x1x1xf32>) -> tensor<?x16x5x5xf32>
  return %0 : tensor<?x16x5x5xf32>
}
