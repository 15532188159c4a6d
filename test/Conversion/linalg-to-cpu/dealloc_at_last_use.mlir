// RUN: dlc-opt %s --split-input-file --dl-dealloc-at-last-use | FileCheck %s

// Two temporaries freed at the block's end (as the ownership-based
// deallocation places them) are freed after their last uses instead.
// CHECK-LABEL: func.func @chain(
// CHECK: %[[A:.*]] = memref.alloc() : memref<16xf32>
// CHECK-NEXT: linalg.fill {{.*}} outs(%[[A]]
// CHECK-NEXT: %[[B:.*]] = memref.alloc() : memref<16xf32>
// CHECK-NEXT: linalg.copy ins(%[[A]] {{.*}} outs(%[[B]]
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: linalg.copy ins(%[[B]] {{.*}} outs(%arg0
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: return
func.func @chain(%out: memref<16xf32>) {
  %c = arith.constant 1.0 : f32
  %a = memref.alloc() : memref<16xf32>
  linalg.fill ins(%c : f32) outs(%a : memref<16xf32>)
  %b = memref.alloc() : memref<16xf32>
  linalg.copy ins(%a : memref<16xf32>) outs(%b : memref<16xf32>)
  linalg.copy ins(%b : memref<16xf32>) outs(%out : memref<16xf32>)
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  return
}

// -----

// A use through a view, and one inside a loop, count as uses of the buffer.
// CHECK-LABEL: func.func @views(
// CHECK: %[[A:.*]] = memref.alloc() : memref<16xf32>
// CHECK: %[[V:.*]] = memref.expand_shape %[[A]]
// CHECK: scf.for
// CHECK: memref.load %[[V]]
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: linalg.fill
// CHECK-NEXT: return
func.func @views(%out: memref<4xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %z = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<16xf32>
  %v = memref.expand_shape %a [[0, 1]] output_shape [4, 4] : memref<16xf32> into memref<4x4xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    %x = memref.load %v[%i, %i] : memref<4x4xf32>
    memref.store %x, %out[%i] : memref<4xf32>
  }
  linalg.fill ins(%z : f32) outs(%out : memref<4xf32>)
  memref.dealloc %a : memref<16xf32>
  return
}

// -----

// A buffer handed to a call or whose address is taken keeps its dealloc.
// CHECK-LABEL: func.func @escapes(
// CHECK: call @sink
// CHECK: memref.extract_aligned_pointer_as_index
// CHECK: linalg.fill
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func private @sink(memref<16xf32>)
func.func @escapes(%out: memref<4xf32>) -> index {
  %z = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<16xf32>
  call @sink(%a) : (memref<16xf32>) -> ()
  %b = memref.alloc() : memref<16xf32>
  %p = memref.extract_aligned_pointer_as_index %b : memref<16xf32> -> index
  linalg.fill ins(%z : f32) outs(%out : memref<4xf32>)
  memref.dealloc %a : memref<16xf32>
  memref.dealloc %b : memref<16xf32>
  return %p : index
}

// -----

// A runtime kernel that uses its buffers only while it runs (the max-pool
// gradient, through a cast as the lowering passes it) is an ordinary use:
// the input is freed right after it. dlc_dist_start's all-reduce runs on
// after the call returns, so its buffer keeps its dealloc.
// CHECK-LABEL: func.func @kernel_calls(
// CHECK: %[[X:.*]] = memref.alloc() : memref<1x1x4x4xf32>
// CHECK: call @dlc_maxpool2d_grad(
// CHECK-NEXT: memref.dealloc %[[X]]
// CHECK: call @dlc_dist_start(
// CHECK: linalg.fill
// CHECK-NEXT: memref.dealloc
// CHECK-NEXT: return
func.func private @dlc_maxpool2d_grad(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64)
func.func private @dlc_dist_start(memref<16xf32>)
func.func @kernel_calls(%g: memref<1x1x2x2xf32>, %dx: memref<1x1x4x4xf32>, %out: memref<4xf32>) {
  %z = arith.constant 0.0 : f32
  %c2 = arith.constant 2 : i64
  %c1 = arith.constant 1 : i64
  %x = memref.alloc() : memref<1x1x4x4xf32>
  linalg.fill ins(%z : f32) outs(%x : memref<1x1x4x4xf32>)
  %cx = memref.cast %x : memref<1x1x4x4xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  %cg = memref.cast %g : memref<1x1x2x2xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  %cd = memref.cast %dx : memref<1x1x4x4xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
  call @dlc_maxpool2d_grad(%cx, %cg, %cd, %c2, %c2, %c2, %c2, %c1, %c1, %c1, %c1) : (memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64) -> ()
  %a = memref.alloc() : memref<16xf32>
  call @dlc_dist_start(%a) : (memref<16xf32>) -> ()
  linalg.fill ins(%z : f32) outs(%out : memref<4xf32>)
  memref.dealloc %x : memref<1x1x4x4xf32>
  memref.dealloc %a : memref<16xf32>
  return
}
