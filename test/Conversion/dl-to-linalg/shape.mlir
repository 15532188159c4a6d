// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dl-to-linalg="reshape-views=true" --split-input-file | FileCheck %s --check-prefix=VIEWS

// Transposes are linalg.transpose.
// CHECK-LABEL: func.func @transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<3x2xf32>
// CHECK: linalg.transpose ins(%arg0 : tensor<2x3xf32>) outs(%[[E]] : tensor<3x2xf32>) permutation = [1, 0]
func.func @transpose(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %t = dl.transpose %a {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %t : tensor<3x2xf32>
}

// -----

// Constants become arith.constant (a dl op on a constant folds first).
// CHECK-LABEL: func.func @constant
// CHECK: arith.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NOT: dl.constant
func.func @constant() -> tensor<2xf32> {
  %c = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %c : tensor<2xf32>
}

// -----

// A reshape with one dynamic dim finds it from the element count.
// CHECK-LABEL: func.func @reshape_dynamic
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[N:.*]] = arith.muli
// CHECK: %[[Q:.*]] = arith.divui %{{.*}}, %c784
// CHECK: %[[S:.*]] = tensor.from_elements %[[Q]], %c784 : tensor<2xindex>
// CHECK: tensor.reshape %arg0(%[[S]])
func.func @reshape_dynamic(%a: tensor<?x1x28x28xf32>) -> tensor<?x784xf32> {
  %0 = dl.reshape %a : (tensor<?x1x28x28xf32>) -> tensor<?x784xf32>
  return %0 : tensor<?x784xf32>
}

// -----

// A reshape to a shape known at run time only checks it before the view:
// entries >= -1, one -1 at most, the product equal to the input's count.
// CHECK-LABEL: func.func @reshape_runtime_shape
// CHECK: tensor.extract %arg1
// CHECK: arith.cmpi sge
// CHECK: arith.divui
// CHECK: cf.assert %{{.*}}, "reshape shape does not fit the input's element count
// CHECK: tensor.reshape %arg0
func.func @reshape_runtime_shape(%a: tensor<0x3x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x?xf32> {
  %0 = dl.reshape %a, %s : (tensor<0x3x4xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// expand broadcasts with a generic whose input map drops the new dims.
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @expand
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #{{.*}}]
func.func @expand(%a: tensor<3xf32>) -> tensor<4x3xf32> {
  %0 = dl.expand %a : (tensor<3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// A reshape between static shapes is a collapse then an expand over the
// smallest groups of dims whose sizes agree (views, even of a slice: a
// head split [64, 1, 128] -> [64, 4, 32] is {64} {1, 128} -> {64} {4, 32}).
// Without the option (the GPU's), a tensor.reshape.
// CHECK-LABEL: func.func @reshape_static_groups
// CHECK: tensor.reshape %arg0
// VIEWS-LABEL: func.func @reshape_static_groups
// VIEWS: %[[C:.*]] = tensor.collapse_shape %arg0 {{\[}}[0], [1, 2]] : tensor<64x1x128xf32> into tensor<64x128xf32>
// VIEWS: %[[E:.*]] = tensor.expand_shape %[[C]] {{\[}}[0], [1, 2]] output_shape [64, 4, 32] : tensor<64x128xf32> into tensor<64x4x32xf32>
// VIEWS-NOT: tensor.reshape
// VIEWS: return %[[E]]
func.func @reshape_static_groups(%a: tensor<64x1x128xf32>) -> tensor<64x4x32xf32> {
  %0 = dl.reshape %a : (tensor<64x1x128xf32>) -> tensor<64x4x32xf32>
  return %0 : tensor<64x4x32xf32>
}

// -----

// Only a collapse (or only an expand) where one side has the finer dims;
// trailing 1s join the last group.
// VIEWS-LABEL: func.func @reshape_static_collapse
// VIEWS: %[[C:.*]] = tensor.collapse_shape %arg0 {{\[}}[0], [1, 2, 3]] : tensor<2x3x4x1xf32> into tensor<2x12xf32>
// VIEWS-NOT: tensor.expand_shape
// VIEWS: return %[[C]]
func.func @reshape_static_collapse(%a: tensor<2x3x4x1xf32>) -> tensor<2x12xf32> {
  %0 = dl.reshape %a : (tensor<2x3x4x1xf32>) -> tensor<2x12xf32>
  return %0 : tensor<2x12xf32>
}

// -----

// One dynamic dim on each side (a batch): static groups from the front and
// the back, and the dims left between them one group. The head split of a
// batch-first projection's slice, [?, 64, 128] -> [?, 64, 4, 32], is an
// expand_shape (its dim taken from the input); merging the batch with the
// heads, [64, ?, 128] -> [64, ?, 32], collapses {?, 128} and expands it to
// {?, 32}; both are views. Two dynamic dims stay a tensor.reshape.
// VIEWS-LABEL: func.func @reshape_dynamic_batch
// VIEWS: %[[D:.*]] = tensor.dim %arg0, %c0
// VIEWS: tensor.expand_shape %arg0 {{\[}}[0], [1], [2, 3]] output_shape [%[[D]], 64, 4, 32] : tensor<?x64x128xf32> into tensor<?x64x4x32xf32>
// VIEWS: %[[C:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2]] : tensor<64x?x128xf32> into tensor<64x?xf32>
// VIEWS: tensor.expand_shape %[[C]] {{\[}}[0], [1, 2]] output_shape [64, %{{.*}}, 32] : tensor<64x?xf32> into tensor<64x?x32xf32>
// VIEWS-NOT: tensor.reshape %arg0
// VIEWS-NOT: tensor.reshape %arg1
// VIEWS: tensor.reshape %arg2
func.func @reshape_dynamic_batch(%a: tensor<?x64x128xf32>, %b: tensor<64x?x128xf32>, %c: tensor<?x?x128xf32>) -> (tensor<?x64x4x32xf32>, tensor<64x?x32xf32>, tensor<?x?x4x32xf32>) {
  %0 = dl.reshape %a : (tensor<?x64x128xf32>) -> tensor<?x64x4x32xf32>
  %1 = dl.reshape %b : (tensor<64x?x128xf32>) -> tensor<64x?x32xf32>
  %s = dl.constant dense<[0, 0, 4, 32]> : tensor<4xi64>
  %2 = dl.reshape %c, %s : (tensor<?x?x128xf32>, tensor<4xi64>) -> tensor<?x?x4x32xf32>
  return %0, %1, %2 : tensor<?x64x4x32xf32>, tensor<64x?x32xf32>, tensor<?x?x4x32xf32>
}

// -----

// A transpose that only moves size-1 dims (batch-first to sequence-first at
// batch 1) moves no data: a reshape. One that reorders two real dims stays
// a linalg.transpose.
// CHECK-LABEL: func.func @transpose_unit_dims
// CHECK: linalg.transpose
// VIEWS-LABEL: func.func @transpose_unit_dims
// VIEWS: %[[C:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<1x64x128xf32> into tensor<64x128xf32>
// VIEWS: %[[E:.*]] = tensor.expand_shape %[[C]] {{\[}}[0], [1, 2]] output_shape [64, 1, 128]
// VIEWS-NOT: linalg.transpose
// VIEWS: return %[[E]]
func.func @transpose_unit_dims(%a: tensor<1x64x128xf32>) -> tensor<64x1x128xf32> {
  %0 = dl.transpose %a {perm = array<i64: 1, 0, 2>} : tensor<1x64x128xf32> -> tensor<64x1x128xf32>
  return %0 : tensor<64x1x128xf32>
}

// VIEWS-LABEL: func.func @transpose_real_dims
// VIEWS: linalg.transpose ins(%arg0 : tensor<64x4x32xf32>) outs(%{{.*}} : tensor<4x64x32xf32>) permutation = [1, 0, 2]
func.func @transpose_real_dims(%a: tensor<64x4x32xf32>) -> tensor<4x64x32xf32> {
  %0 = dl.transpose %a {perm = array<i64: 1, 0, 2>} : tensor<64x4x32xf32> -> tensor<4x64x32xf32>
  return %0 : tensor<4x64x32xf32>
}
