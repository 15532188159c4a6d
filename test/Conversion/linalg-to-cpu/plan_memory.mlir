// RUN: dlc-opt %s --split-input-file --dl-plan-memory | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-plan-memory=report 2>&1 >/dev/null | FileCheck %s --check-prefix=REPORT

// Three buffers: %a (4 KiB) and %b (2 KiB) are alive together, %c (4 KiB)
// only after both are freed, so it reuses %a's bytes. Largest first: %a at
// 0, %c at 0 (disjoint lifetimes), %b after %a at 4096. The arena is 6 KiB,
// allocated first and freed before the return; the deallocs are gone.
// CHECK-LABEL: func.func @reuse(
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64, dl.arena} : memref<6144xi8>
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<6144xi8> to memref<1024xf32>
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c4096{{.*}}][] : memref<6144xi8> to memref<512xf32>
// CHECK: linalg.copy ins(%[[A]] : memref<1024xf32>)
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<6144xi8> to memref<1024xf32>
// CHECK-NOT: memref.dealloc %[[A]]
// CHECK-NOT: memref.dealloc %[[B]]
// CHECK-NOT: memref.dealloc %[[C]]
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
// REPORT: dl-plan-memory: @reuse: 3 buffers of 10240 bytes in an arena of 6144 bytes
// REPORT-NEXT: dl-plan-memory: @reuse: 0 allocation(s) left to the allocator
func.func @reuse(%x: memref<1024xf32>, %out: memref<1024xf32>) {
  %a = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%x : memref<1024xf32>) outs(%a : memref<1024xf32>)
  %b = memref.alloc() : memref<512xf32>
  %sa = memref.subview %a[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
  linalg.copy ins(%sa : memref<512xf32, strided<[1]>>) outs(%b : memref<512xf32>)
  linalg.copy ins(%a : memref<1024xf32>) outs(%out : memref<1024xf32>)
  memref.dealloc %a : memref<1024xf32>
  %sb = memref.subview %out[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
  linalg.copy ins(%b : memref<512xf32>) outs(%sb : memref<512xf32, strided<[1]>>)
  memref.dealloc %b : memref<512xf32>
  %c = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%out : memref<1024xf32>) outs(%c : memref<1024xf32>)
  linalg.copy ins(%c : memref<1024xf32>) outs(%out : memref<1024xf32>)
  memref.dealloc %c : memref<1024xf32>
  return
}

// -----

// Left to the allocator: a returned buffer, a buffer yielded out of a loop,
// a buffer never freed, and the lone buffers of their size (one static, one
// dynamic): an arena takes two buffers or more.
// CHECK-LABEL: func.func @unplanned(
// CHECK-NOT: memref.view
// CHECK: return
// REPORT: dl-plan-memory: @unplanned: 5 allocation(s) left to the allocator
func.func @unplanned(%n: index, %x: memref<16xf32>) -> memref<16xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %ret = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%ret : memref<16xf32>)
  %dyn = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %dyn : memref<?xf32>
  %init = memref.alloc() : memref<16xf32>
  %loop = scf.for %i = %c0 to %c4 step %c1 iter_args(%cur = %init) -> memref<16xf32> {
    scf.yield %cur : memref<16xf32>
  }
  memref.dealloc %loop : memref<16xf32>
  %kept = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%kept : memref<16xf32>)
  %fine = memref.alloc() : memref<16xf32>
  linalg.copy ins(%x : memref<16xf32>) outs(%fine : memref<16xf32>)
  memref.dealloc %fine : memref<16xf32>
  return %ret : memref<16xf32>
}

// -----

// Buffers sized by the same dynamic dim share an arena sized by it: bytes
// and offsets are constants times that dim. Static buffers get their own.
// %p and %q (256 and 128 bytes per unit of %n) are alive together; %r
// (256 per unit) reuses %p's bytes. A buffer of another dynamic size, and
// one with two dynamic dims, are left to the allocator.
// CHECK-LABEL: func.func @dynamic(
// CHECK: %[[C384:.*]] = arith.constant 384 : index
// CHECK: %[[SIZE:.*]] = arith.muli %[[N:.*]], %[[C384]] : index
// CHECK: %[[ARENA:.*]] = memref.alloc(%[[SIZE]]) {alignment = 64 : i64, dl.arena, dl.arena_input_dim = array<i64: 0, 0, 384>} : memref<?xi8>
// CHECK: %[[OFF0:.*]] = arith.muli %[[N]], %c0
// CHECK: memref.view %[[ARENA]][%[[OFF0]]][%[[N]]] : memref<?xi8> to memref<?x64xf32>
// CHECK: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[OFF256:.*]] = arith.muli %[[N]], %[[C256]]
// CHECK: memref.view %[[ARENA]][%[[OFF256]]][%[[N]]] : memref<?xi8> to memref<?x32xf32>
// CHECK: memref.alloc(%{{.*}}) : memref<?x64xf32>
// CHECK: memref.alloc(%{{.*}}, %{{.*}}) : memref<?x?xf32>
// CHECK: memref.view %[[ARENA]][%{{.*}}][%[[N]]] : memref<?xi8> to memref<?x64xf32>
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return
// REPORT: dl-plan-memory: @dynamic: 3 buffers of 640 bytes in an arena of 384 bytes per unit of a dynamic dim
// REPORT-NEXT: dl-plan-memory: @dynamic: 2 allocation(s) left to the allocator
func.func @dynamic(%x: memref<?x64xf32>, %m: index) {
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x64xf32>
  %p = memref.alloc(%n) : memref<?x64xf32>
  linalg.copy ins(%x : memref<?x64xf32>) outs(%p : memref<?x64xf32>)
  %q = memref.alloc(%n) : memref<?x32xf32>
  %sp = memref.subview %p[0, 0] [%n, 32] [1, 1] : memref<?x64xf32> to memref<?x32xf32, strided<[64, 1]>>
  linalg.copy ins(%sp : memref<?x32xf32, strided<[64, 1]>>) outs(%q : memref<?x32xf32>)
  memref.dealloc %p : memref<?x64xf32>
  %other = memref.alloc(%m) : memref<?x64xf32>
  memref.dealloc %other : memref<?x64xf32>
  %two = memref.alloc(%n, %m) : memref<?x?xf32>
  memref.dealloc %two : memref<?x?xf32>
  memref.dealloc %q : memref<?x32xf32>
  %r = memref.alloc(%n) : memref<?x64xf32>
  linalg.copy ins(%x : memref<?x64xf32>) outs(%r : memref<?x64xf32>)
  memref.dealloc %r : memref<?x64xf32>
  return
}

// -----

// A buffer allocated and freed in each iteration of an scf.for (a conv's
// im2col chunk) takes one slot for the whole loop: %t (2 KiB) is alive
// with %a (4 KiB, alive across the loop), so %a at 0 and %t at 4096; %c
// (1 KiB) comes after both and reuses offset 0. In an scf.parallel body
// iterations run at once: that buffer stays unplanned.
// CHECK-LABEL: func.func @loop_body(
// CHECK: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64, dl.arena} : memref<6144xi8>
// CHECK: scf.for
// CHECK: %[[T:.*]] = memref.view %[[ARENA]][%c4096{{.*}}][] : memref<6144xi8> to memref<512xf32>
// CHECK-NOT: memref.dealloc %[[T]]
// CHECK: scf.parallel
// CHECK: memref.alloc() : memref<512xf32>
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<6144xi8> to memref<256xf32>
// REPORT: dl-plan-memory: @loop_body: 3 buffers of 7168 bytes in an arena of 6144 bytes
// REPORT-NEXT: dl-plan-memory: @loop_body: 1 allocation(s) left to the allocator
func.func @loop_body(%x: memref<1024xf32>, %out: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %a = memref.alloc() : memref<1024xf32>
  linalg.copy ins(%x : memref<1024xf32>) outs(%a : memref<1024xf32>)
  scf.for %i = %c0 to %c4 step %c1 {
    %t = memref.alloc() : memref<512xf32>
    %sa = memref.subview %a[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
    linalg.copy ins(%sa : memref<512xf32, strided<[1]>>) outs(%t : memref<512xf32>)
    %so = memref.subview %out[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
    linalg.copy ins(%t : memref<512xf32>) outs(%so : memref<512xf32, strided<[1]>>)
    memref.dealloc %t : memref<512xf32>
  }
  scf.parallel (%j) = (%c0) to (%c4) step (%c1) {
    %p = memref.alloc() : memref<512xf32>
    %sp = memref.subview %a[0] [512] [1] : memref<1024xf32> to memref<512xf32, strided<[1]>>
    linalg.copy ins(%sp : memref<512xf32, strided<[1]>>) outs(%p : memref<512xf32>)
    memref.dealloc %p : memref<512xf32>
    scf.reduce
  }
  memref.dealloc %a : memref<1024xf32>
  %c = memref.alloc() : memref<256xf32>
  %sx = memref.subview %x[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
  linalg.copy ins(%sx : memref<256xf32, strided<[1]>>) outs(%c : memref<256xf32>)
  %sc = memref.subview %out[0] [256] [1] : memref<1024xf32> to memref<256xf32, strided<[1]>>
  linalg.copy ins(%c : memref<256xf32>) outs(%sc : memref<256xf32, strided<[1]>>)
  memref.dealloc %c : memref<256xf32>
  return
}
