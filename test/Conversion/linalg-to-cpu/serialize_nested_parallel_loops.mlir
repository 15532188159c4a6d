// RUN: dlc-opt %s --dl-serialize-nested-parallel-loops | FileCheck %s

// The outermost parallel loop stays parallel (threads); parallel loops
// inside it or inside a serial loop become serial loop nests.
// CHECK-LABEL: func.func @nested(
// CHECK: scf.parallel (%[[I:.*]]) =
// CHECK-NOT: scf.parallel
// CHECK: scf.for %[[J:.*]] =
// CHECK: scf.for %[[K:.*]] =
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]], %[[K]]]
// CHECK: scf.for
// CHECK-NOT: scf.parallel
// CHECK: scf.for
// CHECK: return
func.func @nested(%m: memref<4x5x6xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c5 = arith.constant 5 : index
  %c6 = arith.constant 6 : index
  scf.parallel (%i) = (%c0) to (%c4) step (%c1) {
    scf.parallel (%j, %k) = (%c0, %c0) to (%c5, %c6) step (%c1, %c1) {
      memref.store %v, %m[%i, %j, %k] : memref<4x5x6xf32>
    }
  }
  scf.for %i = %c0 to %c4 step %c1 {
    scf.parallel (%j) = (%c0) to (%c5) step (%c1) {
      memref.store %v, %m[%i, %j, %c0] : memref<4x5x6xf32>
    }
  }
  return
}
