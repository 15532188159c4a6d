// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s --check-prefix=CANON

// CHECK-LABEL: func.func @round_trip(
func.func @round_trip(%x: tensor<2x3xf32>, %d: tensor<?x8xbf16>)
    -> (tensor<2x3xf32>, tensor<2x3xi1>, tensor<?x8xbf16>, tensor<?x8xi1>, tensor<2x3xf32>, tensor<2x3xi1>) {
  // CHECK: %{{.*}}, %{{.*}} = dl.dropout %{{.*}} {ratio = 2.000000e-01 : f64, seed = 42 : i64, training = true} : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi1>
  %o0, %m0 = dl.dropout %x {ratio = 0.2 : f64, seed = 42 : i64, training = true} : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi1>
  // CHECK: %{{.*}}, %{{.*}} = dl.dropout %{{.*}} {training = true} : tensor<?x8xbf16> -> tensor<?x8xbf16>, tensor<?x8xi1>
  %o1, %m1 = dl.dropout %d {training = true} : tensor<?x8xbf16> -> tensor<?x8xbf16>, tensor<?x8xi1>
  // All defaults (ratio 0.5, seed 0, not training) are elided.
  // CHECK: %{{.*}}, %{{.*}} = dl.dropout %{{[^ ]+}} : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi1>
  %o2, %m2 = dl.dropout %x {ratio = 0.5 : f64, seed = 0 : i64, training = false} : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi1>
  return %o0, %m0, %o1, %m1, %o2, %m2 : tensor<2x3xf32>, tensor<2x3xi1>, tensor<?x8xbf16>, tensor<?x8xi1>, tensor<2x3xf32>, tensor<2x3xi1>
}

// Outside training dropout is the identity and its mask all true.
// CANON-LABEL: func.func @inference(
// CANON-SAME:    %[[X:.*]]: tensor<2x3xf32>
// CANON-NOT:     dl.dropout
// CANON:         %[[M:.*]] = dl.constant dense<true> : tensor<2x3xi1>
// CANON-NOT:     dl.dropout
// CANON:         return %[[X]], %[[M]]
func.func @inference(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  %o, %m = dl.dropout %x {ratio = 0.3 : f64, seed = 7 : i64} : tensor<2x3xf32> -> tensor<2x3xf32>, tensor<2x3xi1>
  return %o, %m : tensor<2x3xf32>, tensor<2x3xi1>
}

// -----

// An unused mask may be dynamic.
// CANON-LABEL: func.func @inference_dynamic(
// CANON-SAME:    %[[X:.*]]: tensor<?x4xf16>
// CANON-NOT:     dl.dropout
// CANON:         return %[[X]]
func.func @inference_dynamic(%x: tensor<?x4xf16>) -> tensor<?x4xf16> {
  %o, %m = dl.dropout %x {training = false} : tensor<?x4xf16> -> tensor<?x4xf16>, tensor<?x4xi1>
  return %o : tensor<?x4xf16>
}

// -----

// A used dynamic mask cannot be a constant: the op stays.
// CANON-LABEL: func.func @inference_dynamic_mask_used(
// CANON:         %{{.*}}, %[[M:.*]] = dl.dropout
// CANON:         return %{{.*}}, %[[M]]
func.func @inference_dynamic_mask_used(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xi1>) {
  %o, %m = dl.dropout %x : tensor<?x4xf32> -> tensor<?x4xf32>, tensor<?x4xi1>
  return %o, %m : tensor<?x4xf32>, tensor<?x4xi1>
}

// -----

// Training with ratio 0 drops nothing.
// CANON-LABEL: func.func @training_ratio_zero(
// CANON-SAME:    %[[X:.*]]: tensor<5xf32>
// CANON-NOT:     dl.dropout
// CANON:         return %[[X]]
func.func @training_ratio_zero(%x: tensor<5xf32>) -> tensor<5xf32> {
  %o, %m = dl.dropout %x {ratio = 0.0 : f64, training = true} : tensor<5xf32> -> tensor<5xf32>, tensor<5xi1>
  return %o : tensor<5xf32>
}

// -----

// Training dropout stays.
// CANON-LABEL: func.func @training(
// CANON:         %[[O:.*]], %{{.*}} = dl.dropout
// CANON:         return %[[O]]
func.func @training(%x: tensor<5xf32>) -> tensor<5xf32> {
  %o, %m = dl.dropout %x {ratio = 0.1 : f64, training = true} : tensor<5xf32> -> tensor<5xf32>, tensor<5xi1>
  return %o : tensor<5xf32>
}

// -----

// The declared output may be less static than the input; replacing it by the
// input must still give valid IR (the users expect tensor<?x3xf32>).
// CANON-LABEL: func.func @inference_less_static_output(
// CANON:         return %{{.*}} : tensor<?x3xf32>
func.func @inference_less_static_output(%x: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %o, %m = dl.dropout %x : tensor<2x3xf32> -> tensor<?x3xf32>, tensor<?x3xi1>
  return %o : tensor<?x3xf32>
}
