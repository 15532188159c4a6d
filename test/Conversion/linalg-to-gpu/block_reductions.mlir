// RUN: dlc-opt %s --split-input-file --dl-gpu-block-reductions | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-gpu-block-reductions --dl-gpu-launch-phases --canonicalize | FileCheck %s --check-prefix=LAUNCH
// RUN: dlc-opt %s --split-input-file --dl-gpu-block-reductions="workgroup-memory=false" | FileCheck %s --check-prefix=HOST

// A row sum over 1000 elements (softmax's denominator, a layer norm's mean):
// one block per row, 256 threads striding the row (consecutive threads,
// consecutive elements), partials in shared memory combined by a tree.
func.func @row_sum(%a: memref<4x1000xf32>, %c: memref<4xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<4x1000xf32>) outs(%c : memref<4xf32>) {
  ^bb0(%x: f32, %z: f32):
    %e = math.exp %x : f32
    %s = arith.addf %e, %z : f32
    linalg.yield %s : f32
  }
  return
}

// CHECK-LABEL: func.func @row_sum
// CHECK-NOT:   linalg.generic
// CHECK-DAG:   %[[C4:.*]] = arith.constant 4 : index
// CHECK:       scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[C4]])
// CHECK:         %[[P:.*]] = memref.alloca() : memref<256xf32, #gpu.address_space<workgroup>>
// CHECK:         scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK:           %[[X0:.*]] = memref.load %{{.*}}[%{{.*}}, %{{.*}}] : memref<4x1000xf32>
// CHECK:           %[[E0:.*]] = math.exp %[[X0]]
// CHECK:           %[[SUM:.*]] = scf.for %[[R:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[E0]]) -> (f32) {
// CHECK:             %[[X:.*]] = memref.load
// CHECK:             %[[E:.*]] = math.exp %[[X]]
// CHECK:             %[[NEXT:.*]] = arith.addf %[[ACC]], %[[E]]
// CHECK:             scf.yield %[[NEXT]]
// CHECK:           memref.store %[[SUM]], %[[P]][%[[T]]]
// CHECK:         } {dl.gpu.threads}
// CHECK-COUNT-8: } {dl.gpu.threads}
// CHECK:         %[[OLD:.*]] = memref.load %{{.*}}[%{{.*}}] : memref<4xf32>
// CHECK:         arith.addf %{{.*}}, %[[OLD]]
// CHECK:         memref.store %{{.*}}, %{{.*}}[%{{.*}}] : memref<4xf32>
// CHECK:         } {dl.gpu.threads}
// CHECK:       } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}

// One gpu.launch of 4 blocks of 256 threads, the partials a workgroup
// attribution; the phases of fewer threads guarded by the thread id, a
// barrier after each phase but the last.
// LAUNCH-LABEL: func.func @row_sum
// LAUNCH-DAG:   %[[C4:.*]] = arith.constant 4 : index
// LAUNCH-DAG:   %[[C256:.*]] = arith.constant 256 : index
// LAUNCH:       gpu.launch blocks(%[[B:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[C4]], %{{[^,]+}}, %{{[^)]+}}) threads(%[[T:[^,]+]], %{{[^,]+}}, %{{[^)]+}}) in (%{{[^ ]+}} = %[[C256]], %{{[^,]+}}, %{{[^)]+}})
// LAUNCH-SAME:    workgroup(%[[P:[^ ]+]] : memref<256xf32, #gpu.address_space<workgroup>>)
// LAUNCH:         scf.for %{{.*}} = %{{.*}} to %{{.*}} step %[[C256]] iter_args
// LAUNCH:         memref.store %{{.*}}, %[[P]][%[[T]]]
// LAUNCH-NEXT:    gpu.barrier
// LAUNCH:         %[[IN:.*]] = arith.cmpi ult, %[[T]], %{{.*}} : index
// LAUNCH-NEXT:    scf.if %[[IN]] {
// LAUNCH:           memref.load %[[P]][%[[T]]]
// LAUNCH:           memref.store %{{.*}}, %[[P]][%[[T]]]
// LAUNCH:         gpu.barrier
// LAUNCH-COUNT-7: gpu.barrier
// LAUNCH:         scf.if
// LAUNCH:           memref.load %[[P]][%{{.*}}]
// LAUNCH:           memref.store %{{.*}}, %{{.*}}[%[[B]]] : memref<4xf32>
// LAUNCH-NOT:     gpu.barrier
// LAUNCH:         gpu.terminator

// The same schedule for the host (dlc --gpu-emulate): plain memory, freed
// per block, the phases serial loops in order.
// HOST-LABEL: func.func @row_sum
// HOST:       scf.parallel
// HOST:         %[[P:.*]] = memref.alloc() : memref<256xf32>
// HOST:         } {dl.gpu.threads}
// HOST:         memref.dealloc %[[P]]
// HOST-NEXT:    scf.reduce

// -----

// A reduction to a scalar (ReduceMax over everything): one block of 256
// threads instead of one thread.
func.func @max_all(%a: memref<64x64xf32>, %c: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> ()>],
                  iterator_types = ["reduction", "reduction"]}
      ins(%a : memref<64x64xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %z: f32):
    %m = arith.maximumf %x, %z : f32
    linalg.yield %m : f32
  }
  return
}

// CHECK-LABEL: func.func @max_all
// CHECK:       scf.parallel (%{{.*}}) = (%{{.*}}) to (%{{.*}})
// CHECK:         memref.alloca() : memref<256xf32, #gpu.address_space<workgroup>>
// CHECK:         arith.maximumf
// CHECK:       } {mapping = [#gpu.loop_dim_map<processor = block_x

// LAUNCH-LABEL: func.func @max_all
// LAUNCH-DAG:   %[[C1:.*]] = arith.constant 1 : index
// LAUNCH-DAG:   %[[C256:.*]] = arith.constant 256 : index
// LAUNCH:       gpu.launch blocks({{.*}}) in (%{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C1]], %{{[^ ]+}} = %[[C1]]) threads({{.*}}) in (%{{[^ ]+}} = %[[C256]],

// -----

// Short reductions keep the generic schedule (a thread per output element).
func.func @short(%a: memref<512x8xf32>, %c: memref<512xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<512x8xf32>) outs(%c : memref<512xf32>) {
  ^bb0(%x: f32, %z: f32):
    %s = arith.addf %x, %z : f32
    linalg.yield %s : f32
  }
  return
}

// CHECK-LABEL: func.func @short
// CHECK:       linalg.generic
// CHECK-NOT:   dl.gpu.threads
