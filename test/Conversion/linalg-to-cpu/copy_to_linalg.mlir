// RUN: dlc-opt %s --dl-copy-to-linalg | FileCheck %s

// CHECK-LABEL: func.func @copy(
// CHECK-SAME: %[[A:.*]]: memref<4x?xf32, strided<[?, 1]>>, %[[B:.*]]: memref<4x?xf32>)
// CHECK: linalg.copy ins(%[[A]] : memref<4x?xf32, strided<[?, 1]>>) outs(%[[B]] : memref<4x?xf32>)
// CHECK-NOT: memref.copy
func.func @copy(%a: memref<4x?xf32, strided<[?, 1]>>, %b: memref<4x?xf32>) {
  memref.copy %a, %b : memref<4x?xf32, strided<[?, 1]>> to memref<4x?xf32>
  return
}
