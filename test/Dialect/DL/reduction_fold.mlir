// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s

// A reduction that keeps its dims and only reduces size-1 dims sees one
// element per output: sum, mean, max, min, prod and log_sum_exp return it.

// CHECK-LABEL: func.func @identity_reductions(
// CHECK-SAME:    %[[X:.*]]: tensor<4x1xf32>
// CHECK-NOT:     dl.reduce
// CHECK:         return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_reductions(%x: tensor<4x1xf32>)
    -> (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>) {
  %0 = dl.reduce_sum %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  %1 = dl.reduce_mean %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  %2 = dl.reduce_max %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  %3 = dl.reduce_min %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  %4 = dl.reduce_prod %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  %5 = dl.reduce_log_sum_exp %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>
}

// -----

// l1, l2 and sum_square take |x| or x^2 even of a single element.
// CHECK-LABEL: func.func @non_identity_reductions(
// CHECK:         dl.reduce_l1
// CHECK:         dl.reduce_l2
// CHECK:         dl.reduce_sum_square
func.func @non_identity_reductions(%x: tensor<4x1xf32>) -> (tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>) {
  %0 = dl.reduce_l1 %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  %1 = dl.reduce_l2 %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  %2 = dl.reduce_sum_square %x {axes = array<i64: 1>} : tensor<4x1xf32> -> tensor<4x1xf32>
  return %0, %1, %2 : tensor<4x1xf32>, tensor<4x1xf32>, tensor<4x1xf32>
}

// -----

// Empty axes reduce every dim: an identity when every dim is 1.
// CHECK-LABEL: func.func @all_dims_of_ones(
// CHECK-SAME:    %[[X:.*]]: tensor<1x1xi32>
// CHECK-NOT:     dl.reduce_sum
// CHECK:         return %[[X]]
func.func @all_dims_of_ones(%x: tensor<1x1xi32>) -> tensor<1x1xi32> {
  %0 = dl.reduce_sum %x : tensor<1x1xi32> -> tensor<1x1xi32>
  return %0 : tensor<1x1xi32>
}

// -----

// A rank-0 input has nothing to reduce.
// CHECK-LABEL: func.func @rank0(
// CHECK-SAME:    %[[X:.*]]: tensor<f32>
// CHECK-NOT:     dl.reduce_max
// CHECK:         return %[[X]]
func.func @rank0(%x: tensor<f32>) -> tensor<f32> {
  %0 = dl.reduce_max %x : tensor<f32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// Negative axes name the size-1 dim just as well.
// CHECK-LABEL: func.func @negative_axis_size1(
// CHECK-SAME:    %[[X:.*]]: tensor<?x1x3xf16>
// CHECK-NOT:     dl.reduce_mean
// CHECK:         return %[[X]]
func.func @negative_axis_size1(%x: tensor<?x1x3xf16>) -> tensor<?x1x3xf16> {
  %0 = dl.reduce_mean %x {axes = array<i64: -2>} : tensor<?x1x3xf16> -> tensor<?x1x3xf16>
  return %0 : tensor<?x1x3xf16>
}

// -----

// A reduced dim of size 3 does not fold.
// CHECK-LABEL: func.func @reduce_real_dim(
// CHECK:         %[[R:.*]] = dl.reduce_sum
// CHECK:         return %[[R]]
func.func @reduce_real_dim(%x: tensor<4x3xf32>) -> tensor<4x1xf32> {
  %0 = dl.reduce_sum %x {axes = array<i64: 1>} : tensor<4x3xf32> -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// A dynamic reduced dim may be larger than 1: no fold.
// CHECK-LABEL: func.func @reduce_dynamic_dim(
// CHECK:         %[[R:.*]] = dl.reduce_max
// CHECK:         return %[[R]]
func.func @reduce_dynamic_dim(%x: tensor<?x1xf32>) -> tensor<1x1xf32> {
  %0 = dl.reduce_max %x {axes = array<i64: 0, 1>} : tensor<?x1xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Empty axes over a tensor with a non-1 dim reduces it.
// CHECK-LABEL: func.func @all_dims_not_ones(
// CHECK:         %[[R:.*]] = dl.reduce_prod
// CHECK:         return %[[R]]
func.func @all_dims_not_ones(%x: tensor<1x2xf32>) -> tensor<1x1xf32> {
  %0 = dl.reduce_prod %x : tensor<1x2xf32> -> tensor<1x1xf32>
  return %0 : tensor<1x1xf32>
}

// -----

// Without keepdims the rank changes, so the result is not the input.
// CHECK-LABEL: func.func @size1_without_keepdims(
// CHECK:         %[[R:.*]] = dl.reduce_sum
// CHECK:         return %[[R]]
func.func @size1_without_keepdims(%x: tensor<4x1xf32>) -> tensor<4xf32> {
  %0 = dl.reduce_sum %x {axes = array<i64: 1>, keepdims = false} : tensor<4x1xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
