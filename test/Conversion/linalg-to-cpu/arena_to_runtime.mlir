// RUN: dlc-opt %s --dl-arena-to-runtime | FileCheck %s
// RUN: dlc-opt %s --dl-arena-to-runtime --finalize-memref-to-llvm --convert-arith-to-llvm --convert-func-to-llvm --reconcile-unrealized-casts | FileCheck %s --check-prefix=LLVM

// dl-plan-memory's arenas (marked dl.arena) come from the runtime:
// dlc_arena_acquire(bytes) gives the pointer of a 1-D i8 descriptor, and
// the dealloc is dlc_arena_release(pointer). Other allocs stay. The module
// records each function's static arena; a dynamic one is sized per call.
// An arena sized by an argument's dim (dl.arena_input_dim: the argument,
// the dim, bytes per unit) is listed for NAME_workspace_bytes(inputs).
// CHECK: module attributes {dl.workspace_bytes = {two = 6144 : i64}, dl.workspace_input_dims = {dynamic = [array<i64: 1, 0, 128>]}}
// CHECK-LABEL: func.func @two(
// CHECK: %[[BYTES:.*]] = arith.constant 6144 : i64
// CHECK: %[[P:.*]] = llvm.call @dlc_arena_acquire(%[[BYTES]]) : (i64) -> !llvm.ptr
// CHECK: %[[D0:.*]] = llvm.insertvalue %[[P]], %{{.*}}[0]
// CHECK: %[[D1:.*]] = llvm.insertvalue %[[P]], %[[D0]][1]
// CHECK: llvm.insertvalue %[[BYTES]], %{{.*}}[3, 0]
// CHECK: %[[ARENA:.*]] = builtin.unrealized_conversion_cast %{{.*}} to memref<6144xi8>
// CHECK: memref.view %[[ARENA]]
// CHECK: memref.alloc() : memref<4xf32>
// CHECK: %[[S:.*]] = builtin.unrealized_conversion_cast %[[ARENA]] : memref<6144xi8> to
// CHECK: %[[BASE:.*]] = llvm.extractvalue %[[S]][0]
// CHECK: llvm.call @dlc_arena_release(%[[BASE]]) : (!llvm.ptr) -> ()
// CHECK-NOT: memref.dealloc %[[ARENA]]
// CHECK: memref.dealloc %{{.*}} : memref<4xf32>
// CHECK-NEXT: return
// CHECK-LABEL: func.func @dynamic(
// CHECK: %[[N:.*]] = arith.muli
// CHECK: %[[N64:.*]] = arith.index_cast %[[N]] : index to i64
// CHECK: llvm.call @dlc_arena_acquire(%[[N64]])
// CHECK: llvm.call @dlc_arena_release(
// CHECK-DAG: llvm.func @dlc_arena_acquire(i64) -> !llvm.ptr
// CHECK-DAG: llvm.func @dlc_arena_release(!llvm.ptr)

// Through the memref-to-LLVM conversion no cast is left.
// LLVM-LABEL: llvm.func @two(
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.call @dlc_arena_acquire
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.call @dlc_arena_release
// LLVM-NOT: unrealized_conversion_cast
// LLVM: llvm.return
func.func @two(%x: memref<1024xf32>, %out: memref<1024xf32>) {
  %arena = memref.alloc() {alignment = 64 : i64, dl.arena} : memref<6144xi8>
  %c0 = arith.constant 0 : index
  %c4096 = arith.constant 4096 : index
  %a = memref.view %arena[%c0][] : memref<6144xi8> to memref<1024xf32>
  %b = memref.view %arena[%c4096][] : memref<6144xi8> to memref<512xf32>
  memref.copy %x, %a : memref<1024xf32> to memref<1024xf32>
  %other = memref.alloc() : memref<4xf32>
  memref.copy %a, %out : memref<1024xf32> to memref<1024xf32>
  memref.dealloc %arena : memref<6144xi8>
  memref.dealloc %other : memref<4xf32>
  return
}

func.func @dynamic(%n: index, %x: memref<?x16xf32>) {
  %c128 = arith.constant 128 : index
  %bytes = arith.muli %n, %c128 : index
  %arena = memref.alloc(%bytes) {alignment = 64 : i64, dl.arena, dl.arena_input_dim = array<i64: 1, 0, 128>} : memref<?xi8>
  %c0 = arith.constant 0 : index
  %a = memref.view %arena[%c0][%n] : memref<?xi8> to memref<?x16xf32>
  memref.copy %x, %a : memref<?x16xf32> to memref<?x16xf32>
  memref.dealloc %arena : memref<?xi8>
  return
}
