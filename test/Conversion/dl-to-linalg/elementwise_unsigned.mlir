// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// Unsigned integer ops pick arith's unsigned forms; the signed default
// stays signed.
// CHECK-LABEL: func.func @unsigned_ops
// CHECK: arith.divui
// CHECK: arith.maxui
// CHECK: arith.minui
// CHECK: arith.remui
// CHECK: arith.cmpi ult
// CHECK: arith.cmpi uge
// CHECK: arith.uitofp
// CHECK: arith.fptoui
// CHECK: arith.extui
// CHECK: arith.divsi
func.func @unsigned_ops(%a: tensor<4xi8>, %b: tensor<4xi8>) -> (tensor<4xi8>, tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xi8>, tensor<4xi32>, tensor<4xi8>) {
  %0 = dl.div %a, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %1 = dl.max %0, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %2 = dl.min %1, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %3 = dl.mod %2, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %4 = dl.less %3, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi1>
  %5 = dl.greater_equal %3, %b {is_unsigned = true} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi1>
  %6 = dl.cast %3 {input_unsigned = true} : tensor<4xi8> -> tensor<4xf32>
  %7 = dl.cast %6 {result_unsigned = true} : tensor<4xf32> -> tensor<4xi8>
  %8 = dl.cast %7 {input_unsigned = true} : tensor<4xi8> -> tensor<4xi32>
  %9 = dl.div %a, %b : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  return %3, %4, %5, %6, %7, %8, %9 : tensor<4xi8>, tensor<4xi1>, tensor<4xi1>, tensor<4xf32>, tensor<4xi8>, tensor<4xi32>, tensor<4xi8>
}

// -----

// A shift by the bit width or more is 0, not arith's poison.
// CHECK-LABEL: func.func @shifts
// CHECK: %[[L:.*]] = arith.shli %[[X:.*]], %[[S:.*]] : i16
// CHECK: %[[FAR:.*]] = arith.cmpi uge, %[[S]], %{{.*}} : i16
// CHECK: arith.select %[[FAR]], %{{.*}}, %[[L]] : i16
// CHECK: arith.shrui
func.func @shifts(%a: tensor<4xi16>, %s: tensor<4xi16>) -> tensor<4xi16> {
  %0 = dl.shift_left %a, %s : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  %1 = dl.shift_right %0, %s : (tensor<4xi16>, tensor<4xi16>) -> tensor<4xi16>
  return %1 : tensor<4xi16>
}
