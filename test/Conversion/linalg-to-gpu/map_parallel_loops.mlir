// RUN: dlc-opt %s --split-input-file --convert-linalg-to-parallel-loops --dl-gpu-map-parallel-loops --cse | FileCheck %s

// An elementwise op on ?x1000: one grid over all N = ? * 1000 points.
func.func @add(%a: memref<?x1000xf32>, %b: memref<?x1000xf32>, %c: memref<?x1000xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a, %b : memref<?x1000xf32>, memref<?x1000xf32>) outs(%c : memref<?x1000xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  return
}

// The innermost dim varies fastest with the thread index: consecutive
// threads load and store consecutive elements (coalesced).
// CHECK-LABEL: func.func @add
// CHECK-DAG:   %[[C256:.*]] = arith.constant 256 : index
// CHECK:       %[[BLOCKS:.*]] = arith.ceildivsi %[[N:.*]], %[[C256]] : index
// CHECK:       scf.parallel (%[[B:.*]]) = (%{{.*}}) to (%[[BLOCKS]])
// CHECK:         scf.parallel (%[[T:.*]]) = (%{{.*}}) to (%[[C256]])
// CHECK:           %[[BASE:.*]] = arith.muli %[[B]], %[[C256]] : index
// CHECK:           %[[I:.*]] = arith.addi %[[BASE]], %[[T]] : index
// CHECK:           %[[IN:.*]] = arith.cmpi ult, %[[I]], %[[N]] : index
// CHECK:           scf.if %[[IN]] {
// CHECK:             %[[J:.*]] = arith.remui %[[I]], %[[INNER:.*]] : index
// CHECK:             %[[ROW:.*]] = arith.divui %[[I]], %[[INNER]] : index
// CHECK:             %[[JJ:.*]] = arith.muli %[[J]]
// CHECK:             %[[COL:.*]] = arith.addi %{{.*}}, %[[JJ]] : index
// CHECK:             %[[RR:.*]] = arith.muli %[[ROW]]
// CHECK:             %[[R:.*]] = arith.addi %{{.*}}, %[[RR]] : index
// CHECK:             memref.load %{{.*}}[%[[R]], %[[COL]]]
// CHECK:             memref.store %{{.*}}, %{{.*}}[%[[R]], %[[COL]]]
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = thread_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}
// CHECK:       } {mapping = [#gpu.loop_dim_map<processor = block_x, map = (d0) -> (d0), bound = (d0) -> (d0)>]}

// -----

// A row reduction: the reduction stays a serial loop in each thread; 6
// points get one block of 32 threads.
func.func @row_sum(%a: memref<6x1000xf32>, %c: memref<6xf32>) {
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>],
                  iterator_types = ["parallel", "reduction"]}
      ins(%a : memref<6x1000xf32>) outs(%c : memref<6xf32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// CHECK-LABEL: func.func @row_sum
// CHECK-DAG:   %[[C32:.*]] = arith.constant 32 : index
// CHECK:       scf.parallel
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[C32]])
// CHECK:           arith.cmpi ult
// CHECK:           scf.for
// CHECK:             memref.store
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:       } {mapping = [#gpu.loop_dim_map<processor = block_x

// -----

// A full reduction to a 0-d buffer: serial host code, wrapped in a one-point
// loop so it runs as one thread of one block.
func.func @total(%a: memref<1000xf32>, %c: memref<f32>) {
  linalg.generic {indexing_maps = [affine_map<(j) -> (j)>, affine_map<(j) -> ()>],
                  iterator_types = ["reduction"]}
      ins(%a : memref<1000xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %x, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// CHECK-LABEL: func.func @total
// CHECK-DAG:   %[[C1:.*]] = arith.constant 1 : index
// CHECK:       scf.parallel
// CHECK:         scf.parallel (%{{.*}}) = (%{{.*}}) to (%[[C1]])
// CHECK:           scf.for
// CHECK:             memref.store %{{.*}}, %{{.*}}[] : memref<f32>
// CHECK:         } {mapping = [#gpu.loop_dim_map<processor = thread_x
// CHECK:       } {mapping = [#gpu.loop_dim_map<processor = block_x
// CHECK-NOT:   scf.for
// CHECK:       return


// -----

// Serial host code whose bound, and whose buffers' sizes, come from a loaded
// scalar (Compress, NonZero, Unique, Resize size their outputs so): the
// scalar chain is recomputed inside the one-point loop, the buffers are the
// ones outside (a copy of the allocation inside would be a second,
// uninitialized buffer, and the result would never be written).
func.func @loaded_size(%n: memref<i64>, %a: memref<3x?xi64>) -> memref<?xi64> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %v = memref.load %n[] : memref<i64>
  %size = arith.index_cast %v : i64 to index
  %out = memref.alloc(%size) : memref<?xi64>
  scf.for %r = %c0 to %c3 step %c1 {
    scf.for %k = %c0 to %size step %c1 {
      %x = memref.load %a[%r, %k] : memref<3x?xi64>
      %y = memref.load %out[%k] : memref<?xi64>
      %s = arith.addi %x, %y : i64
      memref.store %s, %out[%k] : memref<?xi64>
    }
  }
  return %out : memref<?xi64>
}

// CHECK-LABEL: func.func @loaded_size
// CHECK:       %[[OUT:.*]] = memref.alloc(%{{.*}}) : memref<?xi64>
// CHECK:       scf.parallel
// CHECK-NOT:   memref.alloc
// CHECK:         memref.load %{{.*}}[] : memref<i64>
// CHECK-NOT:   memref.alloc
// CHECK:         memref.store %{{.*}}, %[[OUT]][%{{.*}}] : memref<?xi64>
// CHECK:       return %[[OUT]]
