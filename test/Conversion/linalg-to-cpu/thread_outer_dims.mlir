// RUN: dlc-opt %s --dl-thread-outer-dims | FileCheck %s
// RUN: dlc-opt %s --dl-thread-outer-dims=min-trip-count=4 | FileCheck %s --check-prefix=SMALL

// An im2col copy: the unit batch dim is skipped and the 64 channels are
// enough work for the threads, so only they stay parallel; the window and
// output loops become a serial nest inside, in their order, the innermost
// along the contiguous output row.
// CHECK-LABEL: func.func @im2col(
// CHECK: scf.parallel (%[[C:.*]]) = (%c0) to (%c64) step (%c1) {
// CHECK-NEXT: scf.for %[[N:.*]] = %c0 to %c1 step %c1 {
// CHECK-NEXT: scf.for %[[KH:.*]] = %c0 to %c3 step %c1 {
// CHECK-NEXT: scf.for %[[KW:.*]] = %c0 to %c3 step %c1 {
// CHECK-NEXT: scf.for %[[OH:.*]] = %c0 to %c56 step %c1 {
// CHECK-NEXT: scf.for %[[OW:.*]] = %c0 to %c56 step %c1 {
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[N]], %[[C]], %[[KH]], %[[KW]], %[[OH]], %[[OW]]]
// CHECK-NOT: scf.parallel
// SMALL-LABEL: func.func @im2col(
// SMALL: scf.parallel (%{{.*}}) = (%c0) to (%c64) step (%c1) {
func.func @im2col(%in: memref<1x64x58x58xf32>, %out: memref<1x64x3x3x56x56xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %c56 = arith.constant 56 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%n, %c, %kh, %kw, %oh, %ow) = (%c0, %c0, %c0, %c0, %c0, %c0) to (%c1, %c64, %c3, %c3, %c56, %c56) step (%c1, %c1, %c1, %c1, %c1, %c1) {
    %h = arith.addi %kh, %oh : index
    %w = arith.addi %kw, %ow : index
    %v = memref.load %in[%n, %c, %h, %w] : memref<1x64x58x58xf32>
    memref.store %v, %out[%n, %c, %kh, %kw, %oh, %ow] : memref<1x64x3x3x56x56xf32>
    scf.reduce
  }
  return
}

// A dynamic batch dim stays parallel (it may be 1 at run time) and counts as
// one iteration, so the next dims join it until they reach 32 iterations;
// the innermost dim stays serial.
// CHECK-LABEL: func.func @dynamic_batch(
// CHECK: scf.parallel (%[[B:.*]], %[[I:.*]], %[[J:.*]]) = (%c0, %c0, %c0) to (%[[D:.*]], %c4, %c8) step (%c1, %c1, %c1) {
// CHECK-NEXT: scf.for %[[K:.*]] = %c0 to %c100 step %c1 {
// CHECK: memref.store %{{.*}}, %{{.*}}[%[[B]], %[[I]], %[[J]], %[[K]]]
// The same with min-trip-count=4: 4 iterations are reached by the second dim.
// SMALL-LABEL: func.func @dynamic_batch(
// SMALL: scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%{{.*}}, %c4) step (%c1, %c1) {
// SMALL-NEXT: scf.for
// SMALL-NEXT: scf.for
func.func @dynamic_batch(%m: memref<?x4x8x100xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c100 = arith.constant 100 : index
  %d = memref.dim %m, %c0 : memref<?x4x8x100xf32>
  scf.parallel (%b, %i, %j, %k) = (%c0, %c0, %c0, %c0) to (%d, %c4, %c8, %c100) step (%c1, %c1, %c1, %c1) {
    memref.store %v, %m[%b, %i, %j, %k] : memref<?x4x8x100xf32>
    scf.reduce
  }
  return
}

// Only the innermost dim has more than one iteration: it alone stays
// parallel, around the unit dim's loop. A loop with a reduction, and a
// one-dim loop, are left as they are.
// CHECK-LABEL: func.func @left_alone(
// CHECK: scf.parallel (%[[J:.*]]) = (%c0) to (%c512) step (%c1) {
// CHECK-NEXT: scf.for %[[I:.*]] = %c0 to %c1 step %c1 {
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]]]
// CHECK: scf.parallel (%{{.*}}, %{{.*}}) = (%c0, %c0) to (%c4, %c512) step
// CHECK: scf.reduce(
// CHECK: scf.parallel (%{{.*}}) = (%c0) to (%c512) step
func.func @left_alone(%m: memref<1x512xf32>, %n: memref<4x512xf32>, %v: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c512 = arith.constant 512 : index
  %zero = arith.constant 0.0 : f32
  scf.parallel (%i, %j) = (%c0, %c0) to (%c1, %c512) step (%c1, %c1) {
    memref.store %v, %m[%i, %j] : memref<1x512xf32>
    scf.reduce
  }
  %sum = scf.parallel (%i, %j) = (%c0, %c0) to (%c4, %c512) step (%c1, %c1) init (%zero) -> f32 {
    %x = memref.load %n[%i, %j] : memref<4x512xf32>
    scf.reduce(%x : f32) {
    ^bb0(%a: f32, %b: f32):
      %s = arith.addf %a, %b : f32
      scf.reduce.return %s : f32
    }
  }
  scf.parallel (%j) = (%c0) to (%c512) step (%c1) {
    memref.store %v, %m[%c0, %j] : memref<1x512xf32>
    scf.reduce
  }
  return %sum : f32
}
