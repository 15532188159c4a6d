// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// A reduction drops the reduced dims in the generic's output; keepdims adds
// them back with a reshape.
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @reduce_sum_keepdims
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[OUT]]], iterator_types = ["parallel", "reduction"]}
// CHECK: arith.addf
// CHECK: tensor.reshape {{.*}} -> tensor<4x1xf32>
func.func @reduce_sum_keepdims(%a: tensor<4x6xf32>) -> tensor<4x1xf32> {
  %0 = dl.reduce_sum %a {axes = array<i64: 1>} : tensor<4x6xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// Mean divides the sum by the reduced element count.
// CHECK-LABEL: func.func @reduce_mean_dynamic
// CHECK: arith.addf
// CHECK: %[[N:.*]] = tensor.dim %arg0
// CHECK: arith.index_cast %[[N]]
// CHECK: arith.sitofp
// CHECK: arith.divf
func.func @reduce_mean_dynamic(%a: tensor<?x6xf32>) -> tensor<6xf32> {
  %0 = dl.reduce_mean %a {axes = array<i64: 0>, keepdims = false} : tensor<?x6xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Softmax: max, then sum of exp(x - max), then exp(x - max) / sum.
// CHECK-LABEL: func.func @softmax
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: math.exp
// CHECK: arith.divf
func.func @softmax(%a: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %0 = dl.softmax %a : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

// argmax keeps the best value and its index; only the index is returned.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
func.func @argmax(%a: tensor<3x5xf32>) -> tensor<3xi64> {
  %0 = dl.argmax %a {axis = 1 : i64, keepdims = false} : tensor<3x5xf32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}
