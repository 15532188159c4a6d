// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s --check-prefix=CANON

// CHECK-LABEL: func.func @per_tensor(
func.func @per_tensor(%x: tensor<2x3xf32>, %d: tensor<?x4xf16>) -> (tensor<2x3xi8>, tensor<2x3xf32>, tensor<?x4xi32>, tensor<?x4xf16>) {
  // CHECK: %[[Q:.*]] = dl.quantize %{{.*}} {scale = array<f64: 1.250000e-01>, zero_point = array<i64: -3>} : tensor<2x3xf32> -> tensor<2x3xi8>
  %q = dl.quantize %x {scale = array<f64: 0.125>, zero_point = array<i64: -3>} : tensor<2x3xf32> -> tensor<2x3xi8>
  // CHECK: dl.dequantize %[[Q]] {scale = array<f64: 1.250000e-01>, zero_point = array<i64: -3>} : tensor<2x3xi8> -> tensor<2x3xf32>
  %dq = dl.dequantize %q {scale = array<f64: 0.125>, zero_point = array<i64: -3>} : tensor<2x3xi8> -> tensor<2x3xf32>
  // Dynamic dims and wider integer types.
  // CHECK: dl.quantize %{{.*}} {scale = array<f64: 2.000000e+00>, zero_point = array<i64: 100000>} : tensor<?x4xf16> -> tensor<?x4xi32>
  %q32 = dl.quantize %d {scale = array<f64: 2.0>, zero_point = array<i64: 100000>} : tensor<?x4xf16> -> tensor<?x4xi32>
  // CHECK: dl.dequantize %{{.*}} {scale = array<f64: 2.000000e+00>, zero_point = array<i64: 100000>} : tensor<?x4xi32> -> tensor<?x4xf16>
  %dq32 = dl.dequantize %q32 {scale = array<f64: 2.0>, zero_point = array<i64: 100000>} : tensor<?x4xi32> -> tensor<?x4xf16>
  return %q, %dq, %q32, %dq32 : tensor<2x3xi8>, tensor<2x3xf32>, tensor<?x4xi32>, tensor<?x4xf16>
}

// CHECK-LABEL: func.func @per_axis(
func.func @per_axis(%x: tensor<2x3xf32>, %d: tensor<?x3xbf16>) -> (tensor<2x3xi8>, tensor<2x3xf32>, tensor<?x3xi64>, tensor<?x3xbf16>) {
  // CHECK: dl.quantize %{{.*}} {axis = 1 : i64, scale = array<f64: 1.000000e+00, 5.000000e-01, 2.500000e-01>, zero_point = array<i64: 0, 1, -128>} : tensor<2x3xf32> -> tensor<2x3xi8>
  %q = dl.quantize %x {axis = 1 : i64, scale = array<f64: 1.0, 0.5, 0.25>, zero_point = array<i64: 0, 1, -128>} : tensor<2x3xf32> -> tensor<2x3xi8>
  // A negative axis counts from the end.
  // CHECK: dl.dequantize %{{.*}} {axis = 0 : i64, scale = array<f64: 1.000000e+00, 2.000000e+00>, zero_point = array<i64: 127, 0>} : tensor<2x3xi8> -> tensor<2x3xf32>
  %dq = dl.dequantize %q {axis = 0 : i64, scale = array<f64: 1.0, 2.0>, zero_point = array<i64: 127, 0>} : tensor<2x3xi8> -> tensor<2x3xf32>
  // The quantized axis must be static; other dims may be dynamic.
  // CHECK: dl.quantize %{{.*}} {axis = -1 : i64, scale = array<f64: 1.000000e+00, 1.000000e+00, 1.000000e+00>, zero_point = array<i64: 0, 0, 0>} : tensor<?x3xbf16> -> tensor<?x3xi64>
  %q64 = dl.quantize %d {axis = -1 : i64, scale = array<f64: 1.0, 1.0, 1.0>, zero_point = array<i64: 0, 0, 0>} : tensor<?x3xbf16> -> tensor<?x3xi64>
  // CHECK: dl.dequantize %{{.*}} {axis = 1 : i64, scale = array<f64: 1.000000e+00, 1.000000e+00, 1.000000e+00>, zero_point = array<i64: 0, 0, 0>} : tensor<?x3xi64> -> tensor<?x3xbf16>
  %dq64 = dl.dequantize %q64 {axis = 1 : i64, scale = array<f64: 1.0, 1.0, 1.0>, zero_point = array<i64: 0, 0, 0>} : tensor<?x3xi64> -> tensor<?x3xbf16>
  return %q, %dq, %q64, %dq64 : tensor<2x3xi8>, tensor<2x3xf32>, tensor<?x3xi64>, tensor<?x3xbf16>
}

// quantize(dequantize(q)) with the same parameters gives back q exactly.
// CANON-LABEL: func.func @requantize_same(
// CANON-SAME:    %[[Q:.*]]: tensor<4xi8>
// CANON-NOT:     dl.quantize
// CANON-NOT:     dl.dequantize
// CANON:         return %[[Q]]
func.func @requantize_same(%q: tensor<4xi8>) -> tensor<4xi8> {
  %x = dl.dequantize %q {scale = array<f64: 0.5>, zero_point = array<i64: 3>} : tensor<4xi8> -> tensor<4xf32>
  %r = dl.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 3>} : tensor<4xf32> -> tensor<4xi8>
  return %r : tensor<4xi8>
}

// -----

// CANON-LABEL: func.func @requantize_same_per_axis(
// CANON-SAME:    %[[Q:.*]]: tensor<2x3xi8>
// CANON:         return %[[Q]]
func.func @requantize_same_per_axis(%q: tensor<2x3xi8>) -> tensor<2x3xi8> {
  %x = dl.dequantize %q {axis = 0 : i64, scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 1>} : tensor<2x3xi8> -> tensor<2x3xf32>
  %r = dl.quantize %x {axis = 0 : i64, scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<2x3xi8>
  return %r : tensor<2x3xi8>
}

// -----

// The same scales along another axis pair them with other slices: no fold.
// CANON-LABEL: func.func @requantize_other_axis(
// CANON:         dl.dequantize
// CANON:         %[[R:.*]] = dl.quantize
// CANON:         return %[[R]]
func.func @requantize_other_axis(%q: tensor<2x2xi8>) -> tensor<2x2xi8> {
  %x = dl.dequantize %q {axis = 0 : i64, scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 1>} : tensor<2x2xi8> -> tensor<2x2xf32>
  %r = dl.quantize %x {axis = 1 : i64, scale = array<f64: 0.5, 0.25>, zero_point = array<i64: 0, 1>} : tensor<2x2xf32> -> tensor<2x2xi8>
  return %r : tensor<2x2xi8>
}

// -----

// A different scale rescales the values: no fold.
// CANON-LABEL: func.func @requantize_other_scale(
// CANON:         dl.dequantize
// CANON:         %[[R:.*]] = dl.quantize
// CANON:         return %[[R]]
func.func @requantize_other_scale(%q: tensor<4xi8>) -> tensor<4xi8> {
  %x = dl.dequantize %q {scale = array<f64: 0.5>, zero_point = array<i64: 3>} : tensor<4xi8> -> tensor<4xf32>
  %r = dl.quantize %x {scale = array<f64: 0.25>, zero_point = array<i64: 3>} : tensor<4xf32> -> tensor<4xi8>
  return %r : tensor<4xi8>
}

// -----

// A different zero point shifts the values: no fold.
// CANON-LABEL: func.func @requantize_other_zero_point(
// CANON:         %[[R:.*]] = dl.quantize
// CANON:         return %[[R]]
func.func @requantize_other_zero_point(%q: tensor<4xi8>) -> tensor<4xi8> {
  %x = dl.dequantize %q {scale = array<f64: 0.5>, zero_point = array<i64: 3>} : tensor<4xi8> -> tensor<4xf32>
  %r = dl.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 4>} : tensor<4xf32> -> tensor<4xi8>
  return %r : tensor<4xi8>
}

// -----

// Requantizing to a narrower type saturates: no fold.
// CANON-LABEL: func.func @requantize_other_type(
// CANON:         %[[R:.*]] = dl.quantize
// CANON:         return %[[R]]
func.func @requantize_other_type(%q: tensor<4xi32>) -> tensor<4xi8> {
  %x = dl.dequantize %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<4xi32> -> tensor<4xf32>
  %r = dl.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xi8>
  return %r : tensor<4xi8>
}

// -----

// dequantize(quantize(x)) rounds x: it must not fold to x.
// CANON-LABEL: func.func @dequantize_of_quantize(
// CANON:         dl.quantize
// CANON:         %[[R:.*]] = dl.dequantize
// CANON:         return %[[R]]
func.func @dequantize_of_quantize(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = dl.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<4xf32> -> tensor<4xi8>
  %r = dl.dequantize %q {scale = array<f64: 0.5>, zero_point = array<i64: 0>} : tensor<4xi8> -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// The full i64 range is accepted as a zero point for i64 results.
// CHECK-LABEL: func.func @i64_zero_point_extremes(
// CHECK: zero_point = array<i64: 9223372036854775807>
// CHECK: zero_point = array<i64: -9223372036854775808>
func.func @i64_zero_point_extremes(%x: tensor<4xf32>) -> (tensor<4xi64>, tensor<4xi64>) {
  %0 = dl.quantize %x {scale = array<f64: 1.0>, zero_point = array<i64: 9223372036854775807>} : tensor<4xf32> -> tensor<4xi64>
  %1 = dl.quantize %x {scale = array<f64: 1.0>, zero_point = array<i64: -9223372036854775808>} : tensor<4xf32> -> tensor<4xi64>
  return %0, %1 : tensor<4xi64>, tensor<4xi64>
}
