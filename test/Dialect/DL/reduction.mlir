// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// Reductions over `axes` (empty: every dim), keeping the reduced dims as 1
// unless keepdims = false. Defaults (axes = [], keepdims = true) are elided.

// CHECK-LABEL: func.func @reduce_sum(
func.func @reduce_sum(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_sum %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_sum %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_sum %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_sum %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_sum %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_sum %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_sum %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_sum %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_mean(
func.func @reduce_mean(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_mean %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_mean %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_mean %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_mean %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_mean %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_mean %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_mean %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_mean %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_max(
func.func @reduce_max(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_max %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_max %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_max %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_max %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_max %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_max %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_max %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_max %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_min(
func.func @reduce_min(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_min %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_min %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_min %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_min %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_min %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_min %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_min %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_min %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_prod(
func.func @reduce_prod(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_prod %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_prod %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_prod %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_prod %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_prod %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_prod %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_prod %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_prod %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_l1(
func.func @reduce_l1(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_l1 %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_l1 %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_l1 %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_l1 %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_l1 %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_l1 %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_l1 %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_l1 %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_l2(
func.func @reduce_l2(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_l2 %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_l2 %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_l2 %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_l2 %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_l2 %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_l2 %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_l2 %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_l2 %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_sum_square(
func.func @reduce_sum_square(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_sum_square %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_sum_square %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_sum_square %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_sum_square %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_sum_square %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_sum_square %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_sum_square %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_sum_square %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_log_sum_exp(
func.func @reduce_log_sum_exp(%a: tensor<2x3x4xf32>) -> (tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>) {
  // CHECK: dl.reduce_log_sum_exp %{{.*}} {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  %0 = dl.reduce_log_sum_exp %a {axes = array<i64: 1>} : tensor<2x3x4xf32> -> tensor<2x1x4xf32>
  // CHECK: dl.reduce_log_sum_exp %{{.*}} {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  %1 = dl.reduce_log_sum_exp %a {axes = array<i64: 1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x4xf32>
  // CHECK: dl.reduce_log_sum_exp %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  %2 = dl.reduce_log_sum_exp %a : tensor<2x3x4xf32> -> tensor<1x1x1xf32>
  // CHECK: dl.reduce_log_sum_exp %{{.*}} {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  %3 = dl.reduce_log_sum_exp %a {keepdims = false} : tensor<2x3x4xf32> -> tensor<f32>
  return %0, %1, %2, %3 : tensor<2x1x4xf32>, tensor<2x4xf32>, tensor<1x1x1xf32>, tensor<f32>
}

// CHECK-LABEL: func.func @reduce_axes_forms(
func.func @reduce_axes_forms(%a: tensor<2x3x4xf32>, %d: tensor<?x3x?xf16>, %i: tensor<5x6xi32>, %s: tensor<f64>)
    -> (tensor<2x3xf32>, tensor<3xf32>, tensor<1x3x1xf32>, tensor<?x1x?xf16>, tensor<?xf16>, tensor<6xi32>, tensor<f64>, tensor<2x1x1xf32>) {
  // Negative axes count from the end.
  // CHECK: dl.reduce_sum %{{.*}} {axes = array<i64: -1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  %0 = dl.reduce_sum %a {axes = array<i64: -1>, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xf32>
  // Several axes, in any order.
  // CHECK: dl.reduce_max %{{.*}} {axes = array<i64: 2, 0>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  %1 = dl.reduce_max %a {axes = array<i64: 2, 0>, keepdims = false} : tensor<2x3x4xf32> -> tensor<3xf32>
  // CHECK: dl.reduce_mean %{{.*}} {axes = array<i64: 0, -1>} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  %2 = dl.reduce_mean %a {axes = array<i64: 0, -1>} : tensor<2x3x4xf32> -> tensor<1x3x1xf32>
  // Dynamic dims that are not reduced stay dynamic.
  // CHECK: dl.reduce_min %{{.*}} {axes = array<i64: 1>} : tensor<?x3x?xf16> -> tensor<?x1x?xf16>
  %3 = dl.reduce_min %d {axes = array<i64: 1>} : tensor<?x3x?xf16> -> tensor<?x1x?xf16>
  // A dynamic dim may be reduced.
  // CHECK: dl.reduce_l2 %{{.*}} {axes = array<i64: 0, 1>, keepdims = false} : tensor<?x3x?xf16> -> tensor<?xf16>
  %4 = dl.reduce_l2 %d {axes = array<i64: 0, 1>, keepdims = false} : tensor<?x3x?xf16> -> tensor<?xf16>
  // Integer reductions.
  // CHECK: dl.reduce_prod %{{.*}} {axes = array<i64: 0>, keepdims = false} : tensor<5x6xi32> -> tensor<6xi32>
  %5 = dl.reduce_prod %i {axes = array<i64: 0>, keepdims = false} : tensor<5x6xi32> -> tensor<6xi32>
  // A rank-0 input reduces over nothing.
  // CHECK: dl.reduce_sum %{{[^ ]+}} : tensor<f64> -> tensor<f64>
  %6 = dl.reduce_sum %s : tensor<f64> -> tensor<f64>
  // Explicit defaults are elided.
  // CHECK: dl.reduce_l1 %{{.*}} {axes = array<i64: 1, 2>} : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  %7 = dl.reduce_l1 %a {axes = array<i64: 1, 2>, keepdims = true} : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x3xf32>, tensor<3xf32>, tensor<1x3x1xf32>, tensor<?x1x?xf16>, tensor<?xf16>, tensor<6xi32>, tensor<f64>, tensor<2x1x1xf32>
}

// CHECK-LABEL: func.func @reduce_element_types(
func.func @reduce_element_types(%h: tensor<8xbf16>, %i: tensor<8xi8>, %l: tensor<8xi64>, %d: tensor<8xf64>)
    -> (tensor<1xbf16>, tensor<1xi8>, tensor<i64>, tensor<f64>) {
  // CHECK: dl.reduce_sum_square %{{[^ ]+}} : tensor<8xbf16> -> tensor<1xbf16>
  %0 = dl.reduce_sum_square %h : tensor<8xbf16> -> tensor<1xbf16>
  // CHECK: dl.reduce_l1 %{{[^ ]+}} : tensor<8xi8> -> tensor<1xi8>
  %1 = dl.reduce_l1 %i : tensor<8xi8> -> tensor<1xi8>
  // CHECK: dl.reduce_max %{{.*}} {keepdims = false} : tensor<8xi64> -> tensor<i64>
  %2 = dl.reduce_max %l {keepdims = false} : tensor<8xi64> -> tensor<i64>
  // CHECK: dl.reduce_log_sum_exp %{{.*}} {axes = array<i64: 0>, keepdims = false} : tensor<8xf64> -> tensor<f64>
  %3 = dl.reduce_log_sum_exp %d {axes = array<i64: 0>, keepdims = false} : tensor<8xf64> -> tensor<f64>
  return %0, %1, %2, %3 : tensor<1xbf16>, tensor<1xi8>, tensor<i64>, tensor<f64>
}

// argmax / argmin: one axis (default 0), an i64 result.

// CHECK-LABEL: func.func @argmax(
func.func @argmax(%a: tensor<2x3x4xf32>, %d: tensor<?x5xi32>)
    -> (tensor<1x3x4xi64>, tensor<2x3xi64>, tensor<2x1x4xi64>, tensor<?x1xi64>, tensor<5xi64>) {
  // CHECK: dl.argmax %{{[^ ]+}} : tensor<2x3x4xf32> -> tensor<1x3x4xi64>
  %0 = dl.argmax %a : tensor<2x3x4xf32> -> tensor<1x3x4xi64>
  // CHECK: dl.argmax %{{.*}} {axis = -1 : i64, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xi64>
  %1 = dl.argmax %a {axis = -1 : i64, keepdims = false} : tensor<2x3x4xf32> -> tensor<2x3xi64>
  // CHECK: dl.argmax %{{.*}} {axis = 1 : i64, select_last_index = true} : tensor<2x3x4xf32> -> tensor<2x1x4xi64>
  %2 = dl.argmax %a {axis = 1 : i64, select_last_index = true} : tensor<2x3x4xf32> -> tensor<2x1x4xi64>
  // CHECK: dl.argmax %{{.*}} {axis = 1 : i64} : tensor<?x5xi32> -> tensor<?x1xi64>
  %3 = dl.argmax %d {axis = 1 : i64} : tensor<?x5xi32> -> tensor<?x1xi64>
  // A dynamic dim may be the reduced one.
  // CHECK: dl.argmax %{{.*}} {keepdims = false} : tensor<?x5xi32> -> tensor<5xi64>
  %4 = dl.argmax %d {keepdims = false} : tensor<?x5xi32> -> tensor<5xi64>
  return %0, %1, %2, %3, %4 : tensor<1x3x4xi64>, tensor<2x3xi64>, tensor<2x1x4xi64>, tensor<?x1xi64>, tensor<5xi64>
}

// CHECK-LABEL: func.func @argmin(
func.func @argmin(%a: tensor<6xf16>, %b: tensor<2x3xi64>)
    -> (tensor<1xi64>, tensor<i64>, tensor<2xi64>, tensor<2x1xi64>) {
  // CHECK: dl.argmin %{{[^ ]+}} : tensor<6xf16> -> tensor<1xi64>
  %0 = dl.argmin %a : tensor<6xf16> -> tensor<1xi64>
  // CHECK: dl.argmin %{{.*}} {keepdims = false, select_last_index = true} : tensor<6xf16> -> tensor<i64>
  %1 = dl.argmin %a {keepdims = false, select_last_index = true} : tensor<6xf16> -> tensor<i64>
  // CHECK: dl.argmin %{{.*}} {axis = 1 : i64, keepdims = false} : tensor<2x3xi64> -> tensor<2xi64>
  %2 = dl.argmin %b {axis = 1 : i64, keepdims = false} : tensor<2x3xi64> -> tensor<2xi64>
  // Explicit defaults are elided.
  // CHECK: dl.argmin %{{.*}} {axis = -1 : i64} : tensor<2x3xi64> -> tensor<2x1xi64>
  %3 = dl.argmin %b {axis = -1 : i64, keepdims = true, select_last_index = false} : tensor<2x3xi64> -> tensor<2x1xi64>
  return %0, %1, %2, %3 : tensor<1xi64>, tensor<i64>, tensor<2xi64>, tensor<2x1xi64>
}
