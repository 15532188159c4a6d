// RUN: dlc-opt %s --dl-int8-gemm-to-vectors | FileCheck %s

// The packed u8 x s8 GEMM without VNNI: the same tiles as
// dl-int8-gemm-to-vnni, each 64-byte weight row split by shuffles into the
// 16 lanes of each of its 4 k values and sign-extended, each activation
// byte zero-extended and broadcast; per k step of an 8-row tile of 2
// column blocks, 8 shuffles and 64 i32 vector multiply-adds, no intrinsic.
// CHECK-LABEL: func.func @gemm(
// CHECK-SAME: %[[A:.*]]: memref<?x8xi8>, %[[B:.*]]: memref<3x2x16x4xi8>, %[[C:.*]]: memref<?x3x16xi32>)
// CHECK: scf.parallel
// CHECK: scf.for {{.*}} iter_args(
// CHECK: vector.load {{.*}} : memref<3x2x64xi8>, vector<64xi8>
// CHECK: vector.shuffle {{.*}} [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60] : vector<64xi8>, vector<64xi8>
// CHECK: arith.extsi {{.*}} : vector<16xi8> to vector<16xi32>
// CHECK: vector.shuffle {{.*}} [3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47, 51, 55, 59, 63]
// CHECK-COUNT-8: vector.shuffle
// CHECK: vector.load %[[A]]{{.*}} : memref<?x8xi8>, vector<4xi8>
// CHECK: arith.extui {{.*}} : i8 to i32
// CHECK: vector.broadcast {{.*}} : i32 to vector<16xi32>
// CHECK: arith.muli {{.*}} : vector<16xi32>
// CHECK: arith.addi {{.*}} : vector<16xi32>
// CHECK-NOT: llvm.call_intrinsic
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
