// RUN: dlc-opt %s --dl-inline-alloca-scopes | FileCheck %s

// A scope without an alloca is inlined; one with an alloca is kept.
// CHECK-LABEL: func.func @scopes(
// CHECK-NOT: memref.alloca_scope {
// CHECK: %[[S:.*]] = arith.addf
// CHECK: memref.store %[[S]]
// CHECK: memref.alloca_scope
// CHECK: memref.alloca()
func.func @scopes(%m: memref<4xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %r = memref.alloca_scope -> f32 {
    %s = arith.addf %v, %v : f32
    memref.alloca_scope.return %s : f32
  }
  memref.store %r, %m[%c0] : memref<4xf32>
  memref.alloca_scope {
    %a = memref.alloca() : memref<4xf32>
    memref.store %v, %a[%c0] : memref<4xf32>
  }
  return
}
