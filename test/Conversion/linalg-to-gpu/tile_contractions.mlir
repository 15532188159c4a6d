// RUN: dlc-opt %s --split-input-file --dl-gpu-tile-contractions | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-gpu-tile-contractions --dl-gpu-launch-phases --canonicalize | FileCheck %s --check-prefix=LAUNCH
// RUN: dlc-opt %s --split-input-file --dl-gpu-tile-contractions --dl-gpu-launch-phases --gpu-kernel-outlining | FileCheck %s --check-prefix=KERNEL

// A 64 x 80 x 96 matmul: 2 x 3 blocks of 32 x 32 outputs; the operands'
// 32 x 32 tiles staged through shared memory for each 32-deep slice of k;
// each thread's 2 x 2 outputs accumulated in its own memory.
func.func @matmul(%a: memref<64x96xf32>, %b: memref<96x80xf32>, %c: memref<64x80xf32>) {
  linalg.matmul ins(%a, %b : memref<64x96xf32>, memref<96x80xf32>) outs(%c : memref<64x80xf32>)
  return
}

// CHECK-LABEL: func.func @matmul
// CHECK-NOT:   linalg.matmul
// CHECK-DAG:   %[[C6:.*]] = arith.constant 6 : index
// CHECK:       scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[C6]])
// CHECK:         memref.alloca() : memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:         memref.alloca() : memref<32x32xf32, #gpu.address_space<workgroup>>
// CHECK:         %[[ACC:.*]] = memref.alloca() {dl.gpu.private} : memref<256x2x2xf32>
// CHECK:         } {dl.gpu.threads}
// CHECK:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:           memref.load %{{.*}} : memref<64x96xf32>
// CHECK:           memref.load %{{.*}} : memref<96x80xf32>
// CHECK:           } {dl.gpu.threads}
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:           } {dl.gpu.threads}
// CHECK:         }
// CHECK:         memref.load %{{.*}} : memref<64x80xf32>
// CHECK:         memref.store %{{.*}} : memref<64x80xf32>
// CHECK:         } {dl.gpu.threads}
// CHECK:       } {mapping = [#gpu.loop_dim_map<processor = block_x

// One launch of 6 blocks of 256 threads; the tiles are workgroup
// attributions, the accumulators a private 2 x 2 per thread; the k loop
// stages (barrier), multiplies (barrier).
// LAUNCH-LABEL: func.func @matmul
// LAUNCH:       gpu.launch blocks({{.*}}) in (%{{[^ ]+}} = %c6,{{.*}}) threads(%[[T:[^,]+]], {{.*}}) in (%{{[^ ]+}} = %c256,
// LAUNCH-SAME:    workgroup(%[[A:[^ ]+]] : memref<32x32xf32, #gpu.address_space<workgroup>>, %[[B:[^ ]+]] : memref<32x32xf32, #gpu.address_space<workgroup>>)
// LAUNCH-SAME:    private(%[[ACC:[^ ]+]] : memref<2x2xf32, #gpu.address_space<private>>)
// LAUNCH:         memref.store %{{.*}}, %[[ACC]][%{{[^,]+}}, %{{[^,]+}}] : memref<2x2xf32, #gpu.address_space<private>>
// LAUNCH:         gpu.barrier
// LAUNCH:         scf.for
// LAUNCH:           memref.store %{{.*}}, %[[A]]
// LAUNCH:           memref.store %{{.*}}, %[[B]]
// LAUNCH:           gpu.barrier
// LAUNCH:           memref.load %[[A]]
// LAUNCH:           memref.load %[[B]]
// LAUNCH:           memref.load %[[ACC]][%{{[^,]+}}, %{{[^,]+}}] : memref<2x2xf32, #gpu.address_space<private>>
// LAUNCH:           gpu.barrier
// LAUNCH:         }
// LAUNCH:         memref.load %[[ACC]]
// LAUNCH-NOT:     gpu.barrier
// LAUNCH:         gpu.terminator

// The kernel's launch bounds: 256 threads.
// KERNEL: gpu.func @matmul_kernel({{.*}}) workgroup({{.*}}memref<32x32xf32, #gpu.address_space<workgroup>>{{.*}}) private({{.*}}memref<2x2xf32, #gpu.address_space<private>>) kernel attributes {{{.*}}known_block_size = array<i32: 256, 1, 1>

// -----

// Too small a matmul keeps the other schedules.
func.func @small(%a: memref<4x8xf32>, %b: memref<8x4xf32>, %c: memref<4x4xf32>) {
  linalg.matmul ins(%a, %b : memref<4x8xf32>, memref<8x4xf32>) outs(%c : memref<4x4xf32>)
  return
}
// CHECK-LABEL: func.func @small
// CHECK:       linalg.matmul
