// RUN: dlc-opt %s --dl-to-linalg | FileCheck %s

// A depthwise (grouped) conv is one generic whose loops run n, m, c, the
// window (k0, k1), then the output (o0, o1): the innermost loop walks an
// output row (vectorizable), not a 3-wide window row. The input is read at
// channel m floordiv (M / groups) * C/groups + c and position o * stride +
// k * dilation.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d5 * 2 + d3, d6 * 2 + d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-LABEL: func.func @depthwise
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #[[OUT]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
func.func @depthwise(%x: tensor<1x8x9x9xf32>, %w: tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32> {
  %y = dl.conv %x, %w {strides = array<i64: 2, 2>, groups = 8 : i64} : (tensor<1x8x9x9xf32>, tensor<8x1x3x3xf32>) -> tensor<1x8x4x4xf32>
  return %y : tensor<1x8x4x4xf32>
}
