// RUN: dlc-opt %s --split-input-file --dl-int8-gemm-to-vnni | FileCheck %s

// The packed u8 x s8 GEMM on buffers (as dl-to-linalg marks it and
// bufferization leaves it): column-block pairs in parallel, 8-row tiles of
// 16 vpdpbusd per k step of 4 (8 rows x 2 blocks), a 1-row edge loop, and
// the odd third column block on its own (8 and then 1 vpdpbusd).
// CHECK-LABEL: func.func @gemm(
// CHECK-SAME: %[[A:.*]]: memref<?x8xi8>, %[[B:.*]]: memref<3x2x16x4xi8>, %[[C:.*]]: memref<?x3x16xi32>)
// CHECK: %[[B64:.*]] = memref.collapse_shape %[[B]] {{\[\[}}0], [1], [2, 3]] : memref<3x2x16x4xi8> into memref<3x2x64xi8>
// CHECK: scf.parallel
// CHECK: scf.for
// CHECK: vector.load %[[C]]
// CHECK: scf.for {{.*}} iter_args(
// CHECK: vector.load %[[B64]]{{.*}} : memref<3x2x64xi8>, vector<64xi8>
// CHECK: vector.load %[[A]]{{.*}} : memref<?x8xi8>, vector<4xi8>
// CHECK-COUNT-16: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: vector.store
// CHECK: scf.for
// CHECK-COUNT-2: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: scf.for
// CHECK-COUNT-8: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: scf.for
// CHECK-COUNT-1: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK-NOT: linalg.generic
func.func @gemm(%a: memref<?x8xi8>, %b: memref<3x2x16x4xi8>, %c: memref<?x3x16xi32>) {
  linalg.generic {indexing_maps = [affine_map<(m, nb, ni, kb, ki) -> (m, kb * 4 + ki)>, affine_map<(m, nb, ni, kb, ki) -> (nb, kb, ni, ki)>, affine_map<(m, nb, ni, kb, ki) -> (m, nb, ni)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%a, %b : memref<?x8xi8>, memref<3x2x16x4xi8>) outs(%c : memref<?x3x16xi32>) attrs = {dl.packed_u8s8_gemm} {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extui %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}

// -----

// An unmarked integer contraction stays.
// CHECK-LABEL: func.func @unmarked(
// CHECK: linalg.generic
// CHECK-NOT: llvm.call_intrinsic
func.func @unmarked(%a: memref<4x8xi8>, %b: memref<1x2x16x4xi8>, %c: memref<4x1x16xi32>) {
  linalg.generic {indexing_maps = [affine_map<(m, nb, ni, kb, ki) -> (m, kb * 4 + ki)>, affine_map<(m, nb, ni, kb, ki) -> (nb, kb, ni, ki)>, affine_map<(m, nb, ni, kb, ki) -> (m, nb, ni)>], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%a, %b : memref<4x8xi8>, memref<1x2x16x4xi8>) outs(%c : memref<4x1x16xi32>) {
  ^bb0(%x: i8, %w: i8, %acc: i32):
    %0 = arith.extui %x : i8 to i32
    %1 = arith.extsi %w : i8 to i32
    %2 = arith.muli %0, %1 : i32
    %3 = arith.addi %acc, %2 : i32
    linalg.yield %3 : i32
  }
  return
}
