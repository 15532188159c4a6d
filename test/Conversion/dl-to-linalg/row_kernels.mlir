// RUN: dlc-opt %s --dl-to-linalg="row-kernels=true" --split-input-file | FileCheck %s

// Softmax over the last axis: one scf.forall over the rows; the row's max
// and sum of exp are scalars carried by scf.for (the sum reassociable), then
// the row is written in place into the forall's output.
// CHECK-LABEL: func.func @softmax
// CHECK-DAG: %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<2x3x10xf32>
// CHECK: %[[R:.*]] = scf.forall (%[[I:.*]], %[[J:.*]]) in (2, 3) shared_outs(%[[OUT:.*]] = %[[EMPTY]])
// CHECK:   %[[ROW:.*]] = tensor.extract_slice %{{.*}}[%[[I]], %[[J]], 0] [1, 1, 10] [1, 1, 1] : tensor<2x3x10xf32> to tensor<10xf32>
// CHECK:   %[[OUTROW:.*]] = tensor.extract_slice %[[OUT]][%[[I]], %[[J]], 0] [1, 1, 10] [1, 1, 1]
// CHECK:   %[[MAX:.*]] = scf.for %{{.*}} = %{{.*}} to %[[C10]] {{.*}} iter_args(%[[M:.*]] = %[[NEGINF]]) -> (f32)
// CHECK:     tensor.extract %[[ROW]]
// CHECK:     arith.maximumf %[[M]]
// CHECK:   %[[SUM:.*]] = scf.for %{{.*}} iter_args(%[[S:.*]] = %[[ZERO]]) -> (f32)
// CHECK:     arith.subf %{{.*}}, %[[MAX]]
// CHECK:     math.exp
// CHECK:     arith.addf %[[S]], %{{.*}} fastmath<reassoc>
// CHECK:   %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[ROW]] : tensor<10xf32>) outs(%[[OUTROW]] : tensor<10xf32>)
// CHECK:     arith.subf %{{.*}}, %[[MAX]]
// CHECK:     math.exp
// CHECK:     arith.divf %{{.*}}, %[[SUM]]
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %[[Y]] into %[[OUT]][%[[I]], %[[J]], 0] [1, 1, 10] [1, 1, 1]
// CHECK: return %[[R]]
func.func @softmax(%a: tensor<2x3x10xf32>) -> tensor<2x3x10xf32> {
  %0 = dl.softmax %a : tensor<2x3x10xf32>
  return %0 : tensor<2x3x10xf32>
}

// -----

// A dynamic batch: the forall runs over the input's dim 0; log-softmax
// subtracts the log of the sum, computed once per row.
// CHECK-LABEL: func.func @log_softmax_dynamic
// CHECK: %[[N:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: scf.forall (%{{.*}}) in (%[[N]])
// CHECK: scf.for
// CHECK: %[[SUM:.*]] = scf.for
// CHECK: %[[LOG:.*]] = math.log %[[SUM]] : f32
// CHECK: linalg.generic
// CHECK-NOT: math.exp
// CHECK: arith.subf %{{.*}}, %[[LOG]]
// CHECK: tensor.parallel_insert_slice
func.func @log_softmax_dynamic(%a: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = dl.log_softmax %a : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// Layer norm over the last two dims: mean, then variance (two passes), then
// the normalized row with scale and bias read with broadcast maps.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-DAG: %[[EPS:.*]] = arith.constant 1.000000e-03 : f32
// CHECK-DAG: %[[N:.*]] = arith.constant 3.200000e+01 : f32
// CHECK: scf.forall (%[[I:.*]]) in (%{{.*}})
// CHECK:   %[[ROW:.*]] = tensor.extract_slice %{{.*}}[%[[I]], 0, 0] [1, 4, 8] [1, 1, 1] : tensor<?x4x8xf32> to tensor<4x8xf32>
// CHECK:   %[[SUM:.*]] = scf.for
// CHECK:     scf.for
// CHECK:       arith.addf {{.*}} fastmath<reassoc>
// CHECK:   %[[MEAN:.*]] = arith.divf %[[SUM]], %[[N]] : f32
// CHECK:   %[[SQ:.*]] = scf.for
// CHECK:     scf.for
// CHECK:       %[[C:.*]] = arith.subf %{{.*}}, %[[MEAN]]
// CHECK:       arith.mulf %[[C]], %[[C]]
// CHECK:   %[[VAR:.*]] = arith.divf %[[SQ]], %[[N]] : f32
// CHECK:   %[[VE:.*]] = arith.addf %[[VAR]], %[[EPS]]
// CHECK:   %[[INV:.*]] = math.rsqrt %[[VE]]
// CHECK:   linalg.generic {indexing_maps = [#[[ID]], #[[LAST]], #[[ID]], #[[ID]]], iterator_types = ["parallel", "parallel"]} ins(%[[ROW]], %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>)
// CHECK:     arith.subf %{{.*}}, %[[MEAN]]
// CHECK:     arith.mulf %{{.*}}, %[[INV]]
// CHECK:     arith.mulf
// CHECK:     arith.addf
// CHECK:   tensor.parallel_insert_slice
func.func @layer_norm(%x: tensor<?x4x8xf32>, %s: tensor<8xf32>, %b: tensor<4x8xf32>) -> tensor<?x4x8xf32> {
  %0 = dl.layer_norm %x scale %s bias %b {axis = 1 : i64, epsilon = 1.0e-3 : f64} : (tensor<?x4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<?x4x8xf32>
  return %0 : tensor<?x4x8xf32>
}

// -----

// Instance norm: a row is one (sample, channel); its scale and bias are
// scalars read at the channel's index.
// CHECK-LABEL: func.func @instance_norm
// CHECK: scf.forall (%{{.*}}, %[[C:.*]]) in (2, 3)
// CHECK:   %[[ROW:.*]] = tensor.extract_slice {{.*}} to tensor<5x5xf32>
// CHECK:   math.rsqrt
// CHECK:   %[[SCALE:.*]] = tensor.extract %{{.*}}[%[[C]]] : tensor<3xf32>
// CHECK:   %[[BIAS:.*]] = tensor.extract %{{.*}}[%[[C]]] : tensor<3xf32>
// CHECK:   linalg.generic {{.*}} ins(%[[ROW]] : tensor<5x5xf32>)
// CHECK:     arith.mulf %{{.*}}, %[[SCALE]]
// CHECK:     arith.addf %{{.*}}, %[[BIAS]]
func.func @instance_norm(%x: tensor<2x3x5x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x5x5xf32> {
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5x5xf32>
  return %0 : tensor<2x3x5x5xf32>
}

// -----

// A scalar scale of the logits is the row kernel's: softmax(x / c) reads
// x and divides as it goes (no generic of its own) ...
// CHECK-LABEL: func.func @softmax_scaled
// CHECK-DAG: %[[C:.*]] = arith.constant 2.500000e+00 : f32
// CHECK-NOT: linalg.generic
// CHECK: scf.forall
// CHECK: scf.for
// CHECK:   %[[X:.*]] = tensor.extract
// CHECK:   %[[S:.*]] = arith.divf %[[X]], %[[C]]
// CHECK:   arith.maximumf %{{.*}}, %[[S]]
// CHECK: scf.for
// CHECK:   arith.divf %{{.*}}, %[[C]]
// CHECK: linalg.generic
// CHECK:   arith.divf %{{.*}}, %[[C]]
func.func @softmax_scaled(%a: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %c = dl.constant dense<2.5> : tensor<f32>
  %0 = dl.div %a, %c : (tensor<2x10xf32>, tensor<f32>) -> tensor<2x10xf32>
  %1 = dl.softmax %0 : tensor<2x10xf32>
  return %1 : tensor<2x10xf32>
}

// -----

// A scale of a matmul's operand stays its own op: moved past the matmul
// it would round differently.
// CHECK-LABEL: func.func @attention_scaled
// CHECK: linalg.generic
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: scf.forall
// CHECK-NOT: arith.mulf %{{.*}}, %cst
func.func @attention_scaled(%q: tensor<4x8x16xf32>, %k: tensor<4x16x8xf32>) -> tensor<4x8x8xf32> {
  %c = dl.constant dense<0.176776695> : tensor<f32>
  %0 = dl.mul %q, %c : (tensor<4x8x16xf32>, tensor<f32>) -> tensor<4x8x16xf32>
  %1 = dl.matmul %0, %k : (tensor<4x8x16xf32>, tensor<4x16x8xf32>) -> tensor<4x8x8xf32>
  %2 = dl.softmax %1 : tensor<4x8x8xf32>
  return %2 : tensor<4x8x8xf32>
}

// -----

// A scale with another user stays its own op.
// CHECK-LABEL: func.func @softmax_scale_two_users
// CHECK: linalg.generic
// CHECK: arith.divf
// CHECK: scf.forall
func.func @softmax_scale_two_users(%a: tensor<2x10xf32>) -> (tensor<2x10xf32>, tensor<2x10xf32>) {
  %c = dl.constant dense<2.5> : tensor<f32>
  %0 = dl.div %a, %c : (tensor<2x10xf32>, tensor<f32>) -> tensor<2x10xf32>
  %1 = dl.softmax %0 : tensor<2x10xf32>
  return %1, %0 : tensor<2x10xf32>, tensor<2x10xf32>
}

// -----

// Not row kernels: softmax over a leading axis, layer norm over every dim
// (no leading dim to run rows on). They keep the separate reductions.
// CHECK-LABEL: func.func @softmax_axis0
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
func.func @softmax_axis0(%a: tensor<2x10xf32>) -> tensor<2x10xf32> {
  %0 = dl.softmax %a {axis = 0 : i64} : tensor<2x10xf32>
  return %0 : tensor<2x10xf32>
}

// -----

// CHECK-LABEL: func.func @layer_norm_all
// CHECK-NOT: scf.forall
// CHECK: linalg.generic
func.func @layer_norm_all(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = dl.layer_norm %x {axis = 0 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// A global average pool: the (N, C) planes flattened to rows, one 1-D
// scf.forall over them (threaded at batch 1 too), each plane summed by an
// scf.for into a register (reassociable, so it vectorizes) and divided by
// the plane's size; the result reshaped to N x C x 1 x 1.
// CHECK-LABEL: func.func @global_avg_pool
// CHECK-DAG: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[N49:.*]] = arith.constant 4.900000e+01 : f32
// CHECK-DAG: %[[C49:.*]] = arith.constant 49 : index
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2, 3]] : tensor<?x8x7x7xf32> into tensor<?x49xf32>
// CHECK: %[[ROWS:.*]] = tensor.dim %[[FLAT]], %{{.*}} : tensor<?x49xf32>
// CHECK: %[[EMPTY:.*]] = tensor.empty(%[[ROWS]]) : tensor<?xf32>
// CHECK: %[[R:.*]] = scf.forall (%[[I:.*]]) in (%[[ROWS]]) shared_outs(%[[OUT:.*]] = %[[EMPTY]])
// CHECK:   %[[ROW:.*]] = tensor.extract_slice %[[FLAT]][%[[I]], 0] [1, 49] [1, 1] : tensor<?x49xf32> to tensor<49xf32>
// CHECK:   %[[SUM:.*]] = scf.for %{{.*}} = %{{.*}} to %[[C49]] {{.*}} iter_args(%[[S:.*]] = %[[ZERO]]) -> (f32)
// CHECK:     %[[X:.*]] = tensor.extract %[[ROW]]
// CHECK:     arith.addf %[[S]], %[[X]] fastmath<reassoc>
// CHECK:   %[[MEAN:.*]] = arith.divf %[[SUM]], %[[N49]]
// CHECK:   %[[SLOT:.*]] = tensor.extract_slice %[[OUT]][%[[I]]] [1] [1]
// CHECK:   %[[W:.*]] = tensor.insert %[[MEAN]] into %[[SLOT]]
// CHECK:   scf.forall.in_parallel
// CHECK:     tensor.parallel_insert_slice %[[W]] into %[[OUT]][%[[I]]] [1] [1]
// CHECK: %[[Y:.*]] = tensor.reshape %[[R]]
// CHECK-SAME: -> tensor<?x8x1x1xf32>
// CHECK: return %[[Y]]
func.func @global_avg_pool(%x: tensor<?x8x7x7xf32>) -> tensor<?x8x1x1xf32> {
  %0 = dl.global_avg_pool %x : tensor<?x8x7x7xf32> -> tensor<?x8x1x1xf32>
  return %0 : tensor<?x8x1x1xf32>
}

// -----

// Over a 1-D signal ([N, C, L]) the rows are N and C together.
// CHECK-LABEL: func.func @global_avg_pool_1d
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x5xf32> into tensor<6x5xf32>
// CHECK: scf.forall (%{{.*}}) in (6)
func.func @global_avg_pool_1d(%x: tensor<2x3x5xf32>) -> tensor<2x3x1xf32> {
  %0 = dl.global_avg_pool %x : tensor<2x3x5xf32> -> tensor<2x3x1xf32>
  return %0 : tensor<2x3x1xf32>
}
