// RUN: dlc-opt %s -split-input-file | dlc-opt -split-input-file | FileCheck %s
// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s --check-prefix=CANON

// CHECK-LABEL: func.func @constants(
func.func @constants() -> (tensor<2x3xf32>, tensor<2x2xi32>, tensor<3xi1>, tensor<i64>, tensor<2xf16>,
                           tensor<2xbf16>, tensor<0xf32>, tensor<2xi8>, tensor<2x2xi1>) {
  // CHECK: dl.constant dense<1.500000e+00> : tensor<2x3xf32>
  %0 = dl.constant dense<1.5> : tensor<2x3xf32>
  // CHECK: dl.constant dense<{{\[}}[1, 2], [3, 4]]> : tensor<2x2xi32>
  %1 = dl.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  // CHECK: dl.constant dense<[true, false, true]> : tensor<3xi1>
  %2 = dl.constant dense<[true, false, true]> : tensor<3xi1>
  // CHECK: dl.constant dense<-7> : tensor<i64>
  %3 = dl.constant dense<-7> : tensor<i64>
  // CHECK: dl.constant dense<[5.000000e-01, -2.000000e+00]> : tensor<2xf16>
  %4 = dl.constant dense<[0.5, -2.0]> : tensor<2xf16>
  // CHECK: dl.constant dense<[1.000000e+00, 3.000000e+00]> : tensor<2xbf16>
  %5 = dl.constant dense<[1.0, 3.0]> : tensor<2xbf16>
  // CHECK: dl.constant dense<> : tensor<0xf32>
  %6 = dl.constant dense<> : tensor<0xf32>
  // CHECK: dl.constant dense<[-128, 127]> : tensor<2xi8>
  %7 = dl.constant dense<[-128, 127]> : tensor<2xi8>
  // CHECK: dl.constant dense<false> : tensor<2x2xi1>
  %8 = dl.constant dense<false> : tensor<2x2xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8 : tensor<2x3xf32>, tensor<2x2xi32>, tensor<3xi1>, tensor<i64>, tensor<2xf16>, tensor<2xbf16>, tensor<0xf32>, tensor<2xi8>, tensor<2x2xi1>
}

// -----

// Weights as resource blobs are printed by reference; the blob itself is
// kept in the file's resource section.
// CHECK-LABEL: func.func @resource(
// CHECK: dl.constant dense_resource<weights> : tensor<4xf32>
// CHECK: dialect_resources
// CHECK: weights: "0x040000000000803F000000400000404000008040"
func.func @resource() -> tensor<4xf32> {
  %0 = dl.constant dense_resource<weights> : tensor<4xf32>
  return %0 : tensor<4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      weights: "0x040000000000803F000000400000404000008040"
    }
  }
#-}

// -----

// The generic form parses to the same op.
// CHECK-LABEL: func.func @generic(
// CHECK: dl.constant dense<[1, 2]> : tensor<2xi64>
func.func @generic() -> tensor<2xi64> {
  %0 = "dl.constant"() <{value = dense<[1, 2]> : tensor<2xi64>}> : () -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

// -----

// Equal constants are merged, unused ones removed.
// CANON-LABEL: func.func @dedup(
// CANON:         %[[C:.*]] = dl.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CANON-NOT:     dl.constant
// CANON:         return %[[C]], %[[C]]
func.func @dedup() -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %unused = dl.constant dense<3> : tensor<4xi32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// Equal values of different types stay apart.
// CANON-LABEL: func.func @no_dedup_across_types(
// CANON-DAG:     %[[A:.*]] = dl.constant dense<1.000000e+00> : tensor<2xf32>
// CANON-DAG:     %[[B:.*]] = dl.constant dense<1.000000e+00> : tensor<3xf32>
// CANON-DAG:     %[[C:.*]] = dl.constant dense<1.000000e+00> : tensor<2xf16>
// CANON:         return %[[A]], %[[B]], %[[C]]
func.func @no_dedup_across_types() -> (tensor<2xf32>, tensor<3xf32>, tensor<2xf16>) {
  %0 = dl.constant dense<1.0> : tensor<2xf32>
  %1 = dl.constant dense<1.0> : tensor<3xf32>
  %2 = dl.constant dense<1.0> : tensor<2xf16>
  return %0, %1, %2 : tensor<2xf32>, tensor<3xf32>, tensor<2xf16>
}

// -----

// A chain of foldable ops collapses into one constant.
// CANON-LABEL: func.func @fold_chain(
// CANON:         %[[C:.*]] = dl.constant dense<[4.000000e+00, 6.000000e+00]> : tensor<2xf32>
// CANON-NOT:     dl.add
// CANON-NOT:     dl.mul
// CANON:         return %[[C]]
func.func @fold_chain() -> tensor<2xf32> {
  %a = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %b = dl.constant dense<1.0> : tensor<f32>
  %s = dl.add %a, %b : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  %two = dl.constant dense<2.0> : tensor<2xf32>
  %m = dl.mul %s, %two : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %m : tensor<2xf32>
}
