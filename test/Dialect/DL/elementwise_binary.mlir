// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// Round trip of the broadcasting binary ops, select and cast. The result
// types written here are the ones numpy broadcasting gives; the invalid file
// checks that other shapes are rejected.

// CHECK-LABEL: func.func @arith_same_shape(
func.func @arith_same_shape(%a: tensor<2x3xf32>, %b: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.sub %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = dl.sub %0, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.mul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = dl.mul %1, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = dl.div %2, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.pow %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = dl.pow %3, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.max %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %5 = dl.max %4, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.min %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = dl.min %5, %b : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.mod %{{.*}}, %{{.*}} {fmod = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = dl.mod %6, %b {fmod = true} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %7 : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @arith_element_types(
func.func @arith_element_types(%h: tensor<4xf16>, %bf: tensor<4xbf16>, %d: tensor<4xf64>,
                               %i8: tensor<4xi8>, %i32: tensor<4xi32>, %i64: tensor<4xi64>)
    -> (tensor<4xf16>, tensor<4xbf16>, tensor<4xf64>, tensor<4xi8>, tensor<4xi32>, tensor<4xi64>) {
  // CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  %0 = dl.add %h, %h : (tensor<4xf16>, tensor<4xf16>) -> tensor<4xf16>
  // CHECK: dl.mul %{{.*}}, %{{.*}} : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  %1 = dl.mul %bf, %bf : (tensor<4xbf16>, tensor<4xbf16>) -> tensor<4xbf16>
  // CHECK: dl.pow %{{.*}}, %{{.*}} : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %2 = dl.pow %d, %d : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  // CHECK: dl.sub %{{.*}}, %{{.*}} : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  %3 = dl.sub %i8, %i8 : (tensor<4xi8>, tensor<4xi8>) -> tensor<4xi8>
  // Integer mod defaults to the divisor's sign (fmod = false, elided).
  // CHECK: dl.mod %{{[^ ]+}}, %{{[^ ]+}} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %4 = dl.mod %i32, %i32 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  // CHECK: dl.mod %{{[^ ]+}}, %{{[^ ]+}} {fmod = true} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %5 = dl.mod %i64, %i64 {fmod = true} : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf16>, tensor<4xbf16>, tensor<4xf64>, tensor<4xi8>, tensor<4xi32>, tensor<4xi64>
}

// CHECK-LABEL: func.func @broadcast(
func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<?x1xf32>,
                     %s: tensor<f32>, %d: tensor<4x1x5xf32>, %e: tensor<3x1xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<f32>,
        tensor<4x3x5xf32>, tensor<3x3xf32>) {
  // Trailing dims align: 2x3 with 3.
  // CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK: dl.sub %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = dl.sub %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // A dynamic dim against 1 stays dynamic.
  // CHECK: dl.mul %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %2 = dl.mul %c, %b : (tensor<?x1xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  // Rank-0 scalars broadcast to anything.
  // CHECK: dl.div %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %3 = dl.div %a, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  // CHECK: dl.max %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
  %4 = dl.max %s, %s : (tensor<f32>, tensor<f32>) -> tensor<f32>
  // Size-1 dims stretch in the middle too.
  // CHECK: dl.min %{{.*}}, %{{.*}} : (tensor<4x1x5xf32>, tensor<3x1xf32>) -> tensor<4x3x5xf32>
  %5 = dl.min %d, %e : (tensor<4x1x5xf32>, tensor<3x1xf32>) -> tensor<4x3x5xf32>
  // Both operands stretch: 3x1 with 3.
  // CHECK: dl.pow %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  %6 = dl.pow %e, %b : (tensor<3x1xf32>, tensor<3xf32>) -> tensor<3x3xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>, tensor<f32>, tensor<4x3x5xf32>, tensor<3x3xf32>
}

// CHECK-LABEL: func.func @dynamic(
func.func @dynamic(%a: tensor<?x?xf32>, %b: tensor<?xf32>, %c: tensor<?x4xf32>, %d: tensor<?x1xf32>)
    -> (tensor<?x?xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?xf32>) {
  // CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %0 = dl.add %a, %b : (tensor<?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  // A dynamic dim against a static 4 must be 4 (or 1) at run time.
  // CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<?x?xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = dl.add %a, %c : (tensor<?x?xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  // CHECK: dl.mul %{{.*}}, %{{.*}} : (tensor<?x1xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %2 = dl.mul %d, %c : (tensor<?x1xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  // The declared result may be less static than the inferred ?x4.
  // CHECK: dl.sub %{{.*}}, %{{.*}} : (tensor<?x?xf32>, tensor<?x4xf32>) -> tensor<?x?xf32>
  %3 = dl.sub %a, %c : (tensor<?x?xf32>, tensor<?x4xf32>) -> tensor<?x?xf32>
  return %0, %1, %2, %3 : tensor<?x?xf32>, tensor<?x4xf32>, tensor<?x4xf32>, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @refine_declared(
func.func @refine_declared(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<5x3xf32> {
  // The declared result may also be more static than the inferred ?x3.
  // CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  %0 = dl.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  return %0 : tensor<5x3xf32>
}

// CHECK-LABEL: func.func @compare(
func.func @compare(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<?xi32>, %s: tensor<i32>)
    -> (tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<?xi1>, tensor<?xi1>) {
  // CHECK: dl.equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %0 = dl.equal %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK: dl.less %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %1 = dl.less %b, %a : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: dl.less_equal %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  %2 = dl.less_equal %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xi1>
  // CHECK: dl.greater %{{.*}}, %{{.*}} : (tensor<?xi32>, tensor<i32>) -> tensor<?xi1>
  %3 = dl.greater %i, %s : (tensor<?xi32>, tensor<i32>) -> tensor<?xi1>
  // CHECK: dl.greater_equal %{{.*}}, %{{.*}} : (tensor<i32>, tensor<?xi32>) -> tensor<?xi1>
  %4 = dl.greater_equal %s, %i : (tensor<i32>, tensor<?xi32>) -> tensor<?xi1>
  return %0, %1, %2, %3, %4 : tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<?xi1>, tensor<?xi1>
}

// CHECK-LABEL: func.func @logical(
func.func @logical(%a: tensor<2x3xi1>, %b: tensor<3xi1>, %c: tensor<?x1xi1>, %s: tensor<i1>)
    -> (tensor<2x3xi1>, tensor<?x3xi1>, tensor<2x3xi1>) {
  // CHECK: dl.and %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %0 = dl.and %a, %b : (tensor<2x3xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  // CHECK: dl.or %{{.*}}, %{{.*}} : (tensor<?x1xi1>, tensor<3xi1>) -> tensor<?x3xi1>
  %1 = dl.or %c, %b : (tensor<?x1xi1>, tensor<3xi1>) -> tensor<?x3xi1>
  // CHECK: dl.xor %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
  %2 = dl.xor %a, %s : (tensor<2x3xi1>, tensor<i1>) -> tensor<2x3xi1>
  return %0, %1, %2 : tensor<2x3xi1>, tensor<?x3xi1>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @select(
func.func @select(%c: tensor<2x3xi1>, %t: tensor<2x3xf32>, %f: tensor<2x3xf32>,
                  %cb: tensor<3xi1>, %tb: tensor<2x1xi64>, %fs: tensor<i64>,
                  %cd: tensor<?x1xi1>, %td: tensor<?xf16>)
    -> (tensor<2x3xf32>, tensor<2x3xi64>, tensor<?x?xf16>) {
  // CHECK: dl.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %0 = dl.select %c, %t, %f : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  // All three operands broadcast together.
  // CHECK: dl.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<3xi1>, tensor<2x1xi64>, tensor<i64>) -> tensor<2x3xi64>
  %1 = dl.select %cb, %tb, %fs : (tensor<3xi1>, tensor<2x1xi64>, tensor<i64>) -> tensor<2x3xi64>
  // CHECK: dl.select %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x1xi1>, tensor<?xf16>, tensor<?xf16>) -> tensor<?x?xf16>
  %2 = dl.select %cd, %td, %td : (tensor<?x1xi1>, tensor<?xf16>, tensor<?xf16>) -> tensor<?x?xf16>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xi64>, tensor<?x?xf16>
}

// CHECK-LABEL: func.func @cast(
func.func @cast(%a: tensor<2x3xf32>, %b: tensor<?xi1>, %c: tensor<i64>)
    -> (tensor<2x3xi32>, tensor<2x3xbf16>, tensor<?xf32>, tensor<i8>, tensor<2x3xf32>) {
  // CHECK: dl.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xi32>
  %0 = dl.cast %a : tensor<2x3xf32> -> tensor<2x3xi32>
  // CHECK: dl.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xbf16>
  %1 = dl.cast %a : tensor<2x3xf32> -> tensor<2x3xbf16>
  // CHECK: dl.cast %{{.*}} : tensor<?xi1> -> tensor<?xf32>
  %2 = dl.cast %b : tensor<?xi1> -> tensor<?xf32>
  // CHECK: dl.cast %{{.*}} : tensor<i64> -> tensor<i8>
  %3 = dl.cast %c : tensor<i64> -> tensor<i8>
  // CHECK: dl.cast %{{.*}} : tensor<2x3xf32> -> tensor<2x3xf32>
  %4 = dl.cast %a : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xi32>, tensor<2x3xbf16>, tensor<?xf32>, tensor<i8>, tensor<2x3xf32>
}
