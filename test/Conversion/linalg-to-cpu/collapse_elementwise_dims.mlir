// RUN: dlc-opt %s --split-input-file --dl-collapse-elementwise-dims | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-collapse-elementwise-dims=min-inner=4 | FileCheck %s --check-prefix=SHORT

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#chan = affine_map<(d0, d1, d2, d3) -> (d1)>

// A 14 x 14 map's requantize with a per-channel bias: rows and columns
// (196 >= 64) become one loop, the channels stay in front of it, and the
// bias (which reads none of the merged dims) is used as it is.
// CHECK-LABEL: func.func @rows_of_14(
// CHECK-SAME: %[[X:.*]]: memref<1x8x14x14xi8>, %[[B:.*]]: memref<8xf32>, %[[Y:.*]]: memref<1x8x14x14xi8>
// CHECK-DAG: %[[XC:.*]] = memref.collapse_shape %[[X]] {{\[}}[0], [1], [2, 3]] : memref<1x8x14x14xi8> into memref<1x8x196xi8>
// CHECK-DAG: %[[YC:.*]] = memref.collapse_shape %[[Y]] {{\[}}[0], [1], [2, 3]] : memref<1x8x14x14xi8> into memref<1x8x196xi8>
// CHECK: linalg.generic {{{.*}}iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[XC]], %[[B]] : memref<1x8x196xi8>, memref<8xf32>) outs(%[[YC]] : memref<1x8x196xi8>)
// CHECK: arith.fptoui
// SHORT-LABEL: func.func @rows_of_14(
// SHORT-NOT: collapse_shape
// SHORT: linalg.generic
func.func @rows_of_14(%x: memref<1x8x14x14xi8>, %b: memref<8xf32>, %y: memref<1x8x14x14xi8>) {
  linalg.generic {indexing_maps = [#id, #chan, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : memref<1x8x14x14xi8>, memref<8xf32>) outs(%y : memref<1x8x14x14xi8>) {
  ^bb0(%in: i8, %bias: f32, %out: i8):
    %f = arith.uitofp %in : i8 to f32
    %a = arith.addf %f, %bias : f32
    %r = math.roundeven %a : f32
    %c = arith.fptoui %r : f32 to i8
    linalg.yield %c : i8
  }
  return
}

// -----

#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>

// 7 x 7 maps (49 < 64): the channels join the rows and columns.
// CHECK-LABEL: func.func @rows_of_7(
// CHECK: memref.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : memref<1x16x7x7xf32> into memref<1x784xf32>
// CHECK: linalg.generic {{{.*}}iterator_types = ["parallel", "parallel"]}
func.func @rows_of_7(%x: memref<1x16x7x7xf32>, %y: memref<1x16x7x7xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : memref<1x16x7x7xf32>) outs(%y : memref<1x16x7x7xf32>) {
  ^bb0(%in: f32, %out: f32):
    %m = arith.maximumf %in, %out : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// Left as they are: a long inner dim already, a transposed operand, a
// strided view, a reduction, linalg.index, a dynamic size, a broadcast
// through a unit dim.
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: collapse_shape
// CHECK: return
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#tr = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
#red = affine_map<(d0, d1, d2) -> (d0, d1)>
#unit = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
func.func @left_alone(%u: memref<4x1x8xf32>, %long: memref<4x8x128xf32>, %a: memref<4x8x8xf32>,
                      %b: memref<4x8x8xf32>, %big: memref<4x8x16xf32>,
                      %r: memref<4x8xf32>, %d: memref<?x8x8xf32>) {
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%long : memref<4x8x128xf32>) outs(%long : memref<4x8x128xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%a : memref<4x8x8xf32>) outs(%b : memref<4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  %view = memref.subview %big[0, 0, 0] [4, 8, 8] [1, 1, 1] : memref<4x8x16xf32> to memref<4x8x8xf32, strided<[128, 16, 1]>>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%view : memref<4x8x8xf32, strided<[128, 16, 1]>>) outs(%b : memref<4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#id, #red], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a : memref<4x8x8xf32>) outs(%r : memref<4x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %out : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel", "parallel"]}
      outs(%b : memref<4x8x8xf32>) {
  ^bb0(%out: f32):
    %i = linalg.index 2 : index
    %c = arith.index_cast %i : index to i32
    %f = arith.sitofp %c : i32 to f32
    linalg.yield %f : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%d : memref<?x8x8xf32>) outs(%d : memref<?x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  linalg.generic {indexing_maps = [#unit, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%u : memref<4x1x8xf32>) outs(%a : memref<4x8x8xf32>) {
  ^bb0(%in: f32, %out: f32):
    linalg.yield %in : f32
  }
  return
}
