// RUN: dlc-opt %s -split-input-file | dlc-opt -split-input-file | FileCheck %s --check-prefix=ROUND
// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s --check-prefix=FOLD

// Integers are signless; div, mod, max, min, the comparisons and cast carry
// the sign in an attribute, which round-trips and is elided when false.
// Shifts and i16 are integer-only ops and types of their own.

// ROUND-LABEL: func.func @round_trip(
// ROUND: dl.div %{{.*}}, %{{.*}} {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
// ROUND: dl.max %{{.*}}, %{{.*}} {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
// ROUND: dl.min %{{.*}}, %{{.*}} {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
// ROUND: dl.mod %{{.*}}, %{{.*}} {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
// ROUND: dl.less %{{.*}}, %{{.*}} {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi1>
// ROUND: dl.shift_left %{{.*}}, %{{.*}} : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
// ROUND: dl.shift_right %{{.*}}, %{{.*}} : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
// ROUND: dl.cast %{{.*}} {input_unsigned = true} : tensor<4xi8> -> tensor<4xf32>
// ROUND: dl.cast %{{.*}} {result_unsigned = true} : tensor<4xf32> -> tensor<4xi16>
// ROUND: dl.div %{{.*}}, %{{.*}} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
func.func @round_trip(%a: tensor<4xi8>, %b: tensor<4xi8>, %s: tensor<4xi16>,
                      %t: tensor<4xi16>) -> (tensor<4xi8>, tensor<4xi1>, tensor<4xi16>, tensor<4xf32>, tensor<4xi16>, tensor<4xi8>) {
  %0 = dl.div %a, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %1 = dl.max %0, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %2 = dl.min %1, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %3 = dl.mod %2, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %4 = dl.less %3, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi1>
  %5 = dl.shift_left %s, %t : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %6 = dl.shift_right %5, %t : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %7 = dl.cast %3 {input_unsigned = true} : tensor<4xi8> -> tensor<4xf32>
  %8 = dl.cast %7 {result_unsigned = true} : tensor<4xf32> -> tensor<4xi16>
  %9 = dl.div %a, %b {is_unsigned = false} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %3, %4, %6, %7, %8, %9 : tensor<4xi8>, tensor<4xi1>, tensor<4xi16>, tensor<4xf32>, tensor<4xi16>, tensor<4xi8>
}

// -----

// Constant folding reads the sign: i8 -56 is 200 unsigned.
// FOLD-LABEL: func.func @fold_unsigned(
// FOLD-NOT: dl.div
// FOLD-NOT: dl.max
// FOLD-NOT: dl.cast
// FOLD-DAG: dl.constant dense<[100, 0]> : tensor<2xi8>
// FOLD-DAG: dl.constant dense<[-28, 0]> : tensor<2xi8>
// FOLD-DAG: dl.constant dense<[false, true]> : tensor<2xi1>
// FOLD-DAG: dl.constant dense<true> : tensor<2xi1>
// FOLD-DAG: dl.constant dense<[2.000000e+02, 1.000000e+00]> : tensor<2xf32>
// FOLD-DAG: dl.constant dense<[-5.600000e+01, 1.000000e+00]> : tensor<2xf32>
// FOLD-DAG: dl.constant dense<[200, 1]> : tensor<2xi32>
// FOLD-DAG: dl.constant dense<[-56, 1]> : tensor<2xi32>
func.func @fold_unsigned() -> (tensor<2xi8>, tensor<2xi8>, tensor<2xi1>, tensor<2xi1>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xi32>) {
  %a = dl.constant dense<[-56, 0]> : tensor<2xi8>
  %b = dl.constant dense<[2, 1]> : tensor<2xi8>
  %0 = dl.div %a, %b {is_unsigned = true} : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %1 = dl.div %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %2 = dl.less %a, %b {is_unsigned = true} : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi1>
  %3 = dl.less %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi1>
  %m = dl.max %a, %b {is_unsigned = true} : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %4 = dl.cast %m {input_unsigned = true} : tensor<2xi8> -> tensor<2xf32>
  %5 = dl.cast %m : tensor<2xi8> -> tensor<2xf32>
  %6 = dl.cast %m {input_unsigned = true} : tensor<2xi8> -> tensor<2xi32>
  %7 = dl.cast %m : tensor<2xi8> -> tensor<2xi32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2xi8>, tensor<2xi8>, tensor<2xi1>, tensor<2xi1>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xi32>
}

// -----

// Shifts by the bit width or more give 0; float to unsigned keeps 200.
// FOLD-LABEL: func.func @fold_shift(
// FOLD-NOT: dl.shift
// FOLD-DAG: dl.constant dense<[4, 0, 0]> : tensor<3xi8>
// FOLD-DAG: dl.constant dense<[63, 0, 0]> : tensor<3xi8>
// FOLD-DAG: dl.constant dense<-56> : tensor<1xi8>
func.func @fold_shift() -> (tensor<3xi8>, tensor<3xi8>, tensor<1xi8>) {
  %a = dl.constant dense<[1, 1, -128]> : tensor<3xi8>
  %s = dl.constant dense<[2, 8, 1]> : tensor<3xi8>
  %0 = dl.shift_left %a, %s : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  %b = dl.constant dense<[-1, -1, 1]> : tensor<3xi8>
  %t = dl.constant dense<[2, 9, 1]> : tensor<3xi8>
  %1 = dl.shift_right %b, %t : (tensor<3xi8>, tensor<3xi8>) -> tensor<3xi8>
  %f = dl.constant dense<200.0> : tensor<1xf32>
  %2 = dl.cast %f {result_unsigned = true} : tensor<1xf32> -> tensor<1xi8>
  return %0, %1, %2 : tensor<3xi8>, tensor<3xi8>, tensor<1xi8>
}
