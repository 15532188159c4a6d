// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape_identity
// CHECK-NOT: dl.reshape
// CHECK: return %arg0
func.func @reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.reshape %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A reshape to a type with a dynamic dim is not an identity.
// CHECK-LABEL: func.func @reshape_to_dynamic_kept
// CHECK: dl.reshape %arg0 : (tensor<2x3xf32>) -> tensor<?x3xf32>
func.func @reshape_to_dynamic_kept(%x: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %0 = dl.reshape %x : (tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_reshape
// CHECK-NEXT: %[[R:.*]] = dl.reshape %arg0 : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[R]]
func.func @reshape_reshape(%x: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = dl.reshape %x : (tensor<2x3x4xf32>) -> tensor<24xf32>
  %1 = dl.reshape %0 : (tensor<24xf32>) -> tensor<4x6xf32>
  return %1 : tensor<4x6xf32>
}

// -----

// Back to the original shape: both reshapes go.
// CHECK-LABEL: func.func @reshape_reshape_identity
// CHECK-NOT: dl.reshape
// CHECK: return %arg0
func.func @reshape_reshape_identity(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = dl.reshape %0 : (tensor<6xf32>) -> tensor<2x3xf32>
  return %1 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_constant
// CHECK-NEXT: %[[C:.*]] = dl.constant dense<{{\[}}[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_constant() -> tensor<2x3xi32> {
  %c = dl.constant dense<[1, 2, 3, 4, 5, 6]> : tensor<6xi32>
  %0 = dl.reshape %c : (tensor<6xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

// -----

// CHECK-LABEL: func.func @reshape_splat_constant
// CHECK-NEXT: %[[C:.*]] = dl.constant dense<1.500000e+00> : tensor<3x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_splat_constant() -> tensor<3x2xf32> {
  %c = dl.constant dense<1.5> : tensor<2x3xf32>
  %0 = dl.reshape %c : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @transpose_identity
// CHECK-NOT: dl.transpose
// CHECK: return %arg0
func.func @transpose_identity(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.transpose %x {perm = array<i64: 0, 1, 2>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// A swap of two equal dims keeps the type but is not an identity.
// CHECK-LABEL: func.func @transpose_same_type_kept
// CHECK: dl.transpose %arg0 {perm = array<i64: 1, 0>} : tensor<3x3xf32> -> tensor<3x3xf32>
func.func @transpose_same_type_kept(%x: tensor<3x3xf32>) -> tensor<3x3xf32> {
  %0 = dl.transpose %x {perm = array<i64: 1, 0>} : tensor<3x3xf32> -> tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// [1, 2, 0] after [1, 2, 0] is one transpose by [2, 0, 1].
// CHECK-LABEL: func.func @transpose_transpose
// CHECK-NEXT: %[[T:.*]] = dl.transpose %arg0 {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
// CHECK-NEXT: return %[[T]]
func.func @transpose_transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = dl.transpose %x {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = dl.transpose %0 {perm = array<i64: 1, 2, 0>} : tensor<3x4x2xf32> -> tensor<4x2x3xf32>
  return %1 : tensor<4x2x3xf32>
}

// -----

// A permutation followed by its inverse disappears.
// CHECK-LABEL: func.func @transpose_inverse
// CHECK-NOT: dl.transpose
// CHECK: return %arg0
func.func @transpose_inverse(%x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.transpose %x {perm = array<i64: 1, 2, 0>} : tensor<2x3x4xf32> -> tensor<3x4x2xf32>
  %1 = dl.transpose %0 {perm = array<i64: 2, 0, 1>} : tensor<3x4x2xf32> -> tensor<2x3x4xf32>
  return %1 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_constant
// CHECK-NEXT: %[[C:.*]] = dl.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK-NEXT: return %[[C]]
func.func @transpose_constant() -> tensor<3x2xf32> {
  %c = dl.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = dl.transpose %c {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// 3-D with perm [2, 0, 1]: result[i][j][k] = input[j][k][i] = 4j + 2k + i.
// CHECK-LABEL: func.func @transpose_constant_3d
// CHECK-NEXT: %[[C:.*]] = dl.constant dense<{{\[}}{{\[}}[0, 2], [4, 6]], {{\[}}[1, 3], [5, 7]]]> : tensor<2x2x2xi64>
// CHECK-NEXT: return %[[C]]
func.func @transpose_constant_3d() -> tensor<2x2x2xi64> {
  %c = dl.constant dense<[[[0, 1], [2, 3]], [[4, 5], [6, 7]]]> : tensor<2x2x2xi64>
  %0 = dl.transpose %c {perm = array<i64: 2, 0, 1>} : tensor<2x2x2xi64> -> tensor<2x2x2xi64>
  return %0 : tensor<2x2x2xi64>
}

//===----------------------------------------------------------------------===//
// concat / slice
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @concat_single
// CHECK-NOT: dl.concat
// CHECK: return %arg0
func.func @concat_single(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.concat %x {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_two_kept
// CHECK: dl.concat %arg0, %arg0
func.func @concat_two_kept(%x: tensor<2x3xf32>) -> tensor<4x3xf32> {
  %0 = dl.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0 : tensor<4x3xf32>
}

// -----

// CHECK-LABEL: func.func @slice_full
// CHECK-NOT: dl.slice
// CHECK: return %arg0
func.func @slice_full(%x: tensor<10x20xf32>) -> tensor<10x20xf32> {
  %0 = dl.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 10, 9223372036854775807>} : tensor<10x20xf32> -> tensor<10x20xf32>
  return %0 : tensor<10x20xf32>
}

// -----

// A reverse keeps the type but moves the data.
// CHECK-LABEL: func.func @slice_reverse_kept
// CHECK: dl.slice %arg0
func.func @slice_reverse_kept(%x: tensor<10xf32>) -> tensor<10xf32> {
  %0 = dl.slice %x {starts = array<i64: -1>, ends = array<i64: -9223372036854775808>, steps = array<i64: -1>} : tensor<10xf32> -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// On a dynamic dim, [0, 5) might not be the whole dim.
// CHECK-LABEL: func.func @slice_dynamic_kept
// CHECK: dl.slice %arg0
func.func @slice_dynamic_kept(%x: tensor<?xf32>) -> tensor<?xf32> {
  %0 = dl.slice %x {starts = array<i64: 0>, ends = array<i64: 5>} : tensor<?xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

//===----------------------------------------------------------------------===//
// squeeze / unsqueeze / expand / pad / tile
//===----------------------------------------------------------------------===//

// -----

// No size-1 dims: nothing to squeeze.
// CHECK-LABEL: func.func @squeeze_noop
// CHECK-NOT: dl.squeeze
// CHECK: return %arg0
func.func @squeeze_noop(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.squeeze %x : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze_noop
// CHECK-NOT: dl.unsqueeze
// CHECK: return %arg0
func.func @unsqueeze_noop(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.unsqueeze %x {axes = array<i64>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze_kept
// CHECK: dl.squeeze %arg0
func.func @squeeze_kept(%x: tensor<1x3xf32>) -> tensor<3xf32> {
  %0 = dl.squeeze %x : tensor<1x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// CHECK-LABEL: func.func @expand_same_type
// CHECK-NOT: dl.expand
// CHECK: return %arg0
func.func @expand_same_type(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.expand %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A dynamic dim could still be broadcast from 1 at run time by the shape
// operand, so equal types alone do not make it a no-op.
// CHECK-LABEL: func.func @expand_dynamic_shape_operand_kept
// CHECK: dl.expand %arg0, %arg1
func.func @expand_dynamic_shape_operand_kept(%x: tensor<?xf32>, %s: tensor<1xi64>) -> tensor<?xf32> {
  %0 = dl.expand %x, %s : (tensor<?xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @expand_kept
// CHECK: dl.expand %arg0 : (tensor<1x3xf32>) -> tensor<2x3xf32>
func.func @expand_kept(%x: tensor<1x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.expand %x : (tensor<1x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @pad_zero
// CHECK-NOT: dl.pad
// CHECK: return %arg0
func.func @pad_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.pad %x {pads = array<i64: 0, 0, 0, 0>, mode = #dl<pad_mode reflect>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Pads that cancel (1 in, 1 cropped) keep the type but shift the data.
// CHECK-LABEL: func.func @pad_shift_kept
// CHECK: dl.pad %arg0
func.func @pad_shift_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dl.pad %x {pads = array<i64: 1, -1>} : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @tile_ones
// CHECK-NOT: dl.tile
// CHECK: return %arg0
func.func @tile_ones(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = dl.tile %x {repeats = array<i64: 1, 1>} : tensor<?x3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @tile_kept
// CHECK: dl.tile %arg0
func.func @tile_kept(%x: tensor<2x3xf32>) -> tensor<2x6xf32> {
  %0 = dl.tile %x {repeats = array<i64: 1, 2>} : tensor<2x3xf32> -> tensor<2x6xf32>
  return %0 : tensor<2x6xf32>
}

//===----------------------------------------------------------------------===//
// shape_of
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @shape_of_static
// CHECK-NEXT: %[[C:.*]] = dl.constant dense<[2, 3, 4]> : tensor<3xi64>
// CHECK-NEXT: return %[[C]]
func.func @shape_of_static(%x: tensor<2x3x4xf32>) -> tensor<3xi64> {
  %0 = dl.shape_of %x : tensor<2x3x4xf32> -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @shape_of_dynamic_kept
// CHECK: dl.shape_of %arg0 : tensor<2x?xf32> -> tensor<2xi64>
// CHECK-NOT: dl.constant
func.func @shape_of_dynamic_kept(%x: tensor<2x?xf32>) -> tensor<2xi64> {
  %0 = dl.shape_of %x : tensor<2x?xf32> -> tensor<2xi64>
  return %0 : tensor<2xi64>
}

//===----------------------------------------------------------------------===//
// A no-op whose declared result type is more precise than its input cannot
// simply be replaced by the input: the IR must stay valid.
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @tile_ones_refined_type
// CHECK-NOT: return %arg0
// CHECK: return %{{.*}} : tensor<4xf32>
func.func @tile_ones_refined_type(%x: tensor<?xf32>) -> tensor<4xf32> {
  %0 = dl.tile %x {repeats = array<i64: 1>} : tensor<?xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @pad_zero_refined_type
// CHECK-NOT: return %arg0
// CHECK: return %{{.*}} : tensor<4xf32>
func.func @pad_zero_refined_type(%x: tensor<?xf32>) -> tensor<4xf32> {
  %0 = dl.pad %x {pads = array<i64: 0, 0>} : tensor<?xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_single_refined_type
// CHECK-NOT: return %arg0
// CHECK: return %{{.*}} : tensor<2x3xf32>
func.func @concat_single_refined_type(%x: tensor<?x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.concat %x {axis = 0 : i64} : (tensor<?x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_identity_refined_type
// CHECK-NOT: return %arg0
// CHECK: return %{{.*}} : tensor<2x3xf32>
func.func @transpose_identity_refined_type(%x: tensor<?x3xf32>) -> tensor<2x3xf32> {
  %0 = dl.transpose %x {perm = array<i64: 0, 1>} : tensor<?x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The composition of two transposes is an identity, but the declared types
// differ from the input's: the result keeps its type.
// CHECK-LABEL: func.func @transpose_inverse_refined_type
// CHECK-NOT: return %arg0
// CHECK: return %{{.*}} : tensor<?x?xf32>
func.func @transpose_inverse_refined_type(%x: tensor<2x3xf32>) -> tensor<?x?xf32> {
  %0 = dl.transpose %x {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<?x?xf32>
  %1 = dl.transpose %0 {perm = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %1 : tensor<?x?xf32>
}
