// RUN: dlc-opt %s --split-input-file --dl-multi-tensor-kernels=chunk-elements=64 | FileCheck %s
// RUN: not dlc-opt %s --split-input-file --dl-multi-tensor-kernels=chunk-elements=0 2>&1 | FileCheck %s --check-prefix=BAD

// BAD: chunk-elements must be at least 1

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#s2 = affine_map<(d0, d1) -> ()>
#id1 = affine_map<(d0) -> (d0)>
#s1 = affine_map<(d0) -> ()>

// Three SGD updates (w - lr * g) of a 8x16 weight, a 1x100 view of a bias
// and a 10-float bias: one forall over 2 + 2 + 1 chunks of 64 elements.
// A chunk's op is the number of first chunks (2, 4) it is at or past; the
// switch yields that op's first chunk, size and flattened operands; the
// learning rate, shared by all three, is not switched. The views and
// allocations between the updates move before them, the gradient's
// deallocation after the kernel.
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME: %[[W0:[^:]*]]: memref<8x16xf32>, %[[G0:[^:]*]]: memref<8x16xf32>, %[[W1:[^:]*]]: memref<100xf32>, %[[G1:[^:]*]]: memref<100xf32>, %[[W2:[^:]*]]: memref<10xf32>, %[[LR:[^:]*]]: memref<f32>)
// CHECK: %[[N0:.*]] = memref.alloc() {{.*}} : memref<8x16xf32>
// CHECK: %[[E:.*]] = memref.expand_shape %[[W1]]
// CHECK: %[[N1:.*]] = memref.alloc() {{.*}} : memref<1x100xf32>
// CHECK: %[[N2:.*]] = memref.alloc() {{.*}} : memref<10xf32>
// CHECK-DAG: %[[W0F:.*]] = memref.collapse_shape %[[W0]] {{\[}}[0, 1]] : memref<8x16xf32> into memref<128xf32>
// CHECK-DAG: %[[W0D:.*]] = memref.cast %[[W0F]] : memref<128xf32> to memref<?xf32>
// CHECK-DAG: %[[W1F:.*]] = memref.collapse_shape %[[E]] {{\[}}[0, 1]] : memref<1x100xf32> into memref<100xf32>
// CHECK-DAG: %[[W1D:.*]] = memref.cast %[[W1F]] : memref<100xf32> to memref<?xf32>
// CHECK-DAG: %[[N2D:.*]] = memref.cast %[[N2]] : memref<10xf32> to memref<?xf32>
// CHECK-NOT: linalg.generic
// CHECK: scf.forall (%[[C:.*]]) in (5) {
// CHECK: %[[C2:.*]] = arith.constant 2 : index
// CHECK: arith.cmpi uge, %[[C]], %[[C2]] : index
// CHECK: %[[C4:.*]] = arith.constant 4 : index
// CHECK: arith.cmpi uge, %[[C]], %[[C4]] : index
// CHECK: %[[SEL:.*]]:5 = scf.index_switch %{{.*}} -> index, index, memref<?xf32>, memref<?xf32>, memref<?xf32>
// CHECK: case 1 {
// CHECK: scf.yield %{{.*}}, %{{.*}}, %[[W1D]], %{{.*}}, %{{.*}} :
// CHECK: case 2 {
// CHECK: scf.yield %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[N2D]] :
// CHECK: default {
// CHECK: scf.yield %{{.*}}, %{{.*}}, %[[W0D]], %{{.*}}, %{{.*}} :
// CHECK: %[[REL:.*]] = arith.subi %[[C]], %[[SEL]]#0 : index
// CHECK: %[[OFF:.*]] = arith.muli %[[REL]], %{{.*}} : index
// CHECK: %[[LEFT:.*]] = arith.subi %[[SEL]]#1, %[[OFF]] : index
// CHECK: %[[SIZE:.*]] = arith.minsi %{{.*}}, %[[LEFT]] : index
// CHECK: %[[A:.*]] = memref.subview %[[SEL]]#2[%[[OFF]]] [%[[SIZE]]] [1]
// CHECK: %[[B:.*]] = memref.subview %[[SEL]]#3[%[[OFF]]] [%[[SIZE]]] [1]
// CHECK: %[[O:.*]] = memref.subview %[[SEL]]#4[%[[OFF]]] [%[[SIZE]]] [1]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[A]], %[[B]], %[[LR]] : {{.*}}) outs(%[[O]] :
// CHECK: arith.mulf
// CHECK: arith.subf
// CHECK-NOT: linalg.generic
// CHECK: memref.dealloc %[[G0]]
// CHECK-NEXT: return %[[N0]], %[[N1]], %[[N2]]
func.func @sgd(%w0: memref<8x16xf32>, %g0: memref<8x16xf32>, %w1: memref<100xf32>, %g1: memref<100xf32>, %w2: memref<10xf32>, %lr: memref<f32>) -> (memref<8x16xf32>, memref<1x100xf32>, memref<10xf32>) {
  %n0 = memref.alloc() {alignment = 64 : i64} : memref<8x16xf32>
  linalg.generic {indexing_maps = [#id2, #id2, #s2, #id2], iterator_types = ["parallel", "parallel"]} ins(%w0, %g0, %lr : memref<8x16xf32>, memref<8x16xf32>, memref<f32>) outs(%n0 : memref<8x16xf32>) {
  ^bb0(%w: f32, %g: f32, %l: f32, %o: f32):
    %m = arith.mulf %l, %g : f32
    %r = arith.subf %w, %m : f32
    linalg.yield %r : f32
  }
  memref.dealloc %g0 : memref<8x16xf32>
  %e = memref.expand_shape %w1 [[0, 1]] output_shape [1, 100] : memref<100xf32> into memref<1x100xf32>
  %eg = memref.expand_shape %g1 [[0, 1]] output_shape [1, 100] : memref<100xf32> into memref<1x100xf32>
  %n1 = memref.alloc() {alignment = 64 : i64} : memref<1x100xf32>
  linalg.generic {indexing_maps = [#id2, #id2, #s2, #id2], iterator_types = ["parallel", "parallel"]} ins(%e, %eg, %lr : memref<1x100xf32>, memref<1x100xf32>, memref<f32>) outs(%n1 : memref<1x100xf32>) {
  ^bb0(%w: f32, %g: f32, %l: f32, %o: f32):
    %m = arith.mulf %l, %g : f32
    %r = arith.subf %w, %m : f32
    linalg.yield %r : f32
  }
  %n2 = memref.alloc() {alignment = 64 : i64} : memref<10xf32>
  linalg.generic {indexing_maps = [#id1, #id1, #s1, #id1], iterator_types = ["parallel"]} ins(%w2, %w2, %lr : memref<10xf32>, memref<10xf32>, memref<f32>) outs(%n2 : memref<10xf32>) {
  ^bb0(%w: f32, %g: f32, %l: f32, %o: f32):
    %m = arith.mulf %l, %g : f32
    %r = arith.subf %w, %m : f32
    linalg.yield %r : f32
  }
  return %n0, %n1, %n2 : memref<8x16xf32>, memref<1x100xf32>, memref<10xf32>
}

// -----

#id1 = affine_map<(d0) -> (d0)>

// Left apart, each with its reason:
// - the second reads the buffer the first writes (it must run after it);
// - the third's body differs (a multiplication, not an addition);
// - a call (which may touch any buffer) stands between the fourth and fifth;
// - the fifth and sixth write a function argument, not a buffer allocated
//   here (the caller's arguments may alias);
// - the seventh and eighth have a dynamic size, the ninth and tenth use
//   linalg.index.
// CHECK-LABEL: func.func @apart(
// CHECK-NOT: scf.forall
// CHECK-COUNT-10: linalg.generic
// CHECK-NOT: scf.forall
func.func private @opaque()
func.func @apart(%x: memref<16xf32>, %y: memref<16xf32>, %z: memref<16xf32>, %d: memref<?xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%a : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  %b = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%a : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  %c = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%c : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.mulf %i, %i : f32
    linalg.yield %r : f32
  }
  func.call @opaque() : () -> ()
  %e = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%e : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.mulf %i, %i : f32
    linalg.yield %r : f32
  }
  func.call @opaque() : () -> ()
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%y : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.subf %i, %i : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%z : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.subf %i, %i : f32
    linalg.yield %r : f32
  }
  %c0 = arith.constant 0 : index
  %n = memref.dim %d, %c0 : memref<?xf32>
  %f = memref.alloc(%n) : memref<?xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%d : memref<?xf32>) outs(%f : memref<?xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.divf %i, %i : f32
    linalg.yield %r : f32
  }
  %g = memref.alloc(%n) : memref<?xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%d : memref<?xf32>) outs(%g : memref<?xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.divf %i, %i : f32
    linalg.yield %r : f32
  }
  %h = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%h : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %k = linalg.index 0 : index
    %ki = arith.index_cast %k : index to i32
    %kf = arith.sitofp %ki : i32 to f32
    %r = arith.maximumf %i, %kf : f32
    linalg.yield %r : f32
  }
  %j = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%j : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %k = linalg.index 0 : index
    %ki = arith.index_cast %k : index to i32
    %kf = arith.sitofp %ki : i32 to f32
    %r = arith.maximumf %i, %kf : f32
    linalg.yield %r : f32
  }
  return
}

// -----

#id1 = affine_map<(d0) -> (d0)>

// A run ends at an op of another body, and a new one starts with it: the
// first two (additions) are one kernel, the next two (multiplications)
// another.
// CHECK-LABEL: func.func @two_runs(
// CHECK: scf.forall {{.*}} in (2)
// CHECK: arith.addf
// CHECK: scf.forall {{.*}} in (2)
// CHECK: arith.mulf
// CHECK-NOT: linalg.generic {{.*}} ins(%{{.*}} : memref<16xf32>)
func.func @two_runs(%x: memref<16xf32>) -> (memref<16xf32>, memref<16xf32>, memref<16xf32>, memref<16xf32>) {
  %a = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%a : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  %b = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%b : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  %c = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%c : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.mulf %i, %i : f32
    linalg.yield %r : f32
  }
  %d = memref.alloc() : memref<16xf32>
  linalg.generic {indexing_maps = [#id1, #id1], iterator_types = ["parallel"]} ins(%x : memref<16xf32>) outs(%d : memref<16xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.mulf %i, %i : f32
    linalg.yield %r : f32
  }
  return %a, %b, %c, %d : memref<16xf32>, memref<16xf32>, memref<16xf32>, memref<16xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#t2 = affine_map<(d0, d1) -> (d1, d0)>

// A weight's update through its transposed gradient (not a candidate: its
// map is not the identity) between two bias updates: the bias updates pass
// it and become one kernel after it; it stays a kernel of its own.
// CHECK-LABEL: func.func @pass_over(
// CHECK-SAME: %[[B0:[^:]*]]: memref<4x8xf32>, %[[W:[^:]*]]: memref<8x4xf32>, %[[GT:[^:]*]]: memref<4x8xf32>, %[[B1:[^:]*]]: memref<4x8xf32>
// CHECK: linalg.generic {{.*}} ins(%[[W]], %[[GT]] : memref<8x4xf32>, memref<4x8xf32>)
// CHECK: scf.forall {{.*}} in (2)
// CHECK: arith.addf
// CHECK-NOT: linalg.generic {{.*}} ins(%[[B1]]
func.func @pass_over(%b0: memref<4x8xf32>, %w: memref<8x4xf32>, %gt: memref<4x8xf32>, %b1: memref<4x8xf32>) -> (memref<4x8xf32>, memref<8x4xf32>, memref<4x8xf32>) {
  %n0 = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%b0 : memref<4x8xf32>) outs(%n0 : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  %nw = memref.alloc() : memref<8x4xf32>
  linalg.generic {indexing_maps = [#id2, #t2, #id2], iterator_types = ["parallel", "parallel"]} ins(%w, %gt : memref<8x4xf32>, memref<4x8xf32>) outs(%nw : memref<8x4xf32>) {
  ^bb0(%i: f32, %g: f32, %o: f32):
    %r = arith.subf %i, %g : f32
    linalg.yield %r : f32
  }
  %n1 = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%b1 : memref<4x8xf32>) outs(%n1 : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  return %n0, %nw, %n1 : memref<4x8xf32>, memref<8x4xf32>, memref<4x8xf32>
}

// -----

#id2 = affine_map<(d0, d1) -> (d0, d1)>
#t2 = affine_map<(d0, d1) -> (d1, d0)>

// Not passed: a kernel that reads what the run wrote (the first update's
// result), or that writes a buffer the run read (the second case writes
// the first update's input anew). Neither case has a merged kernel.
// CHECK-LABEL: func.func @not_passed(
// CHECK-NOT: scf.forall
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: scf.forall
// CHECK-LABEL: func.func @not_passed_war(
// CHECK-NOT: scf.forall
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: scf.forall
func.func @not_passed(%b0: memref<4x8xf32>, %b1: memref<4x8xf32>) -> (memref<4x8xf32>, memref<8x4xf32>, memref<4x8xf32>) {
  %n0 = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%b0 : memref<4x8xf32>) outs(%n0 : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  %nw = memref.alloc() : memref<8x4xf32>
  linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]} ins(%n0 : memref<4x8xf32>) outs(%nw : memref<8x4xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.subf %i, %i : f32
    linalg.yield %r : f32
  }
  %n1 = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%b1 : memref<4x8xf32>) outs(%n1 : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  return %n0, %nw, %n1 : memref<4x8xf32>, memref<8x4xf32>, memref<4x8xf32>
}
func.func @not_passed_war(%w: memref<8x4xf32>, %b1: memref<4x8xf32>) -> (memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>) {
  %t = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]} ins(%w : memref<8x4xf32>) outs(%t : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    linalg.yield %i : f32
  }
  %n0 = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%t : memref<4x8xf32>) outs(%n0 : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  linalg.generic {indexing_maps = [#t2, #id2], iterator_types = ["parallel", "parallel"]} ins(%w : memref<8x4xf32>) outs(%t : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.mulf %i, %i : f32
    linalg.yield %r : f32
  }
  %n1 = memref.alloc() : memref<4x8xf32>
  linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%b1 : memref<4x8xf32>) outs(%n1 : memref<4x8xf32>) {
  ^bb0(%i: f32, %o: f32):
    %r = arith.addf %i, %i : f32
    linalg.yield %r : f32
  }
  return %n0, %t, %n1 : memref<4x8xf32>, memref<4x8xf32>, memref<4x8xf32>
}
