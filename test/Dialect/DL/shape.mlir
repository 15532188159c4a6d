// RUN: dlc-opt %s | dlc-opt | FileCheck %s

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape_static
// CHECK: dl.reshape %{{[^ ]*}} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
func.func @reshape_static(%x: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = dl.reshape %x : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// One dynamic result dim is found from the element count.
// CHECK-LABEL: func.func @reshape_one_dynamic
// CHECK: dl.reshape %{{[^ ]*}} : (tensor<2x3x4xf32>) -> tensor<?x4xf32>
func.func @reshape_one_dynamic(%x: tensor<2x3x4xf32>) -> tensor<?x4xf32> {
  %0 = dl.reshape %x : (tensor<2x3x4xf32>) -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_dynamic_input
// CHECK: dl.reshape %{{[^ ]*}} : (tensor<?x4xi64>) -> tensor<?x2x2xi64>
func.func @reshape_dynamic_input(%x: tensor<?x4xi64>) -> tensor<?x2x2xi64> {
  %0 = dl.reshape %x : (tensor<?x4xi64>) -> tensor<?x2x2xi64>
  return %0 : tensor<?x2x2xi64>
}

// -----

// CHECK-LABEL: func.func @reshape_to_scalar
// CHECK: dl.reshape %{{[^ ]*}} : (tensor<1x1xf32>) -> tensor<f32>
func.func @reshape_to_scalar(%x: tensor<1x1xf32>) -> tensor<f32> {
  %0 = dl.reshape %x : (tensor<1x1xf32>) -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// With a shape operand any number of dims may be dynamic.
// CHECK-LABEL: func.func @reshape_shape_operand
// CHECK: dl.reshape %{{.*}}, %{{.*}} : (tensor<?x4xf32>, tensor<3xi64>) -> tensor<?x?x4xf32>
func.func @reshape_shape_operand(%x: tensor<?x4xf32>, %s: tensor<3xi64>) -> tensor<?x?x4xf32> {
  %0 = dl.reshape %x, %s : (tensor<?x4xf32>, tensor<3xi64>) -> tensor<?x?x4xf32>
  return %0 : tensor<?x?x4xf32>
}

//===----------------------------------------------------------------------===//
// transpose
//===----------------------------------------------------------------------===//

// -----

// Result dim i is input dim perm[i].
// CHECK-LABEL: func.func @transpose
// CHECK: dl.transpose %{{.*}} {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
func.func @transpose(%x: tensor<2x3x4xf32>) -> tensor<4x2x3xf32> {
  %0 = dl.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  return %0 : tensor<4x2x3xf32>
}

// -----

// CHECK-LABEL: func.func @transpose_dynamic
// CHECK: dl.transpose %{{.*}} {perm = array<i64: 1, 0>} : tensor<?x3xi1> -> tensor<3x?xi1>
func.func @transpose_dynamic(%x: tensor<?x3xi1>) -> tensor<3x?xi1> {
  %0 = dl.transpose %x {perm = array<i64: 1, 0>} : tensor<?x3xi1> -> tensor<3x?xi1>
  return %0 : tensor<3x?xi1>
}

//===----------------------------------------------------------------------===//
// concat
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @concat
// CHECK: dl.concat %{{.*}}, %{{.*}}, %{{.*}} {axis = 0 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<7x3xf32>
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>, %c: tensor<1x3xf32>) -> tensor<7x3xf32> {
  %0 = dl.concat %a, %b, %c {axis = 0 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>, tensor<1x3xf32>) -> tensor<7x3xf32>
  return %0 : tensor<7x3xf32>
}

// -----

// CHECK-LABEL: func.func @concat_negative_axis
// CHECK: dl.concat %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
func.func @concat_negative_axis(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = dl.concat %a, %b {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// A dynamic dim along the axis makes the sum dynamic.
// CHECK-LABEL: func.func @concat_dynamic_along_axis
// CHECK: dl.concat {{.*}} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
func.func @concat_dynamic_along_axis(%a: tensor<?x3xf32>, %b: tensor<2x3xf32>) -> tensor<?x3xf32> {
  %0 = dl.concat %a, %b {axis = 0 : i64} : (tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A dynamic dim across the axis takes its size from another input.
// CHECK-LABEL: func.func @concat_dynamic_across_axis
// CHECK: dl.concat {{.*}} : (tensor<2x?xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
func.func @concat_dynamic_across_axis(%a: tensor<2x?xf32>, %b: tensor<3x4xf32>) -> tensor<5x4xf32> {
  %0 = dl.concat %a, %b {axis = 0 : i64} : (tensor<2x?xf32>, tensor<3x4xf32>) -> tensor<5x4xf32>
  return %0 : tensor<5x4xf32>
}

// -----

// CHECK-LABEL: func.func @concat_single
// CHECK: dl.concat %{{[^ ]*}} {axis = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi32>
func.func @concat_single(%a: tensor<2x3xi32>) -> tensor<2x3xi32> {
  %0 = dl.concat %a {axis = 1 : i64} : (tensor<2x3xi32>) -> tensor<2x3xi32>
  return %0 : tensor<2x3xi32>
}

//===----------------------------------------------------------------------===//
// slice
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @slice
// CHECK: dl.slice %{{.*}} {ends = array<i64: 5, 12>, starts = array<i64: 1, 2>} : tensor<10x20xf32> -> tensor<4x10xf32>
func.func @slice(%x: tensor<10x20xf32>) -> tensor<4x10xf32> {
  %0 = dl.slice %x {starts = array<i64: 1, 2>, ends = array<i64: 5, 12>} : tensor<10x20xf32> -> tensor<4x10xf32>
  return %0 : tensor<4x10xf32>
}

// -----

// Only axis 1, every other element: ceil(20 / 2) = 10.
// CHECK-LABEL: func.func @slice_axes_steps
// CHECK: dl.slice %{{.*}} {axes = array<i64: 1>, ends = array<i64: 20>, starts = array<i64: 0>, steps = array<i64: 2>} : tensor<10x20xf32> -> tensor<10x10xf32>
func.func @slice_axes_steps(%x: tensor<10x20xf32>) -> tensor<10x10xf32> {
  %0 = dl.slice %x {starts = array<i64: 0>, ends = array<i64: 20>, axes = array<i64: 1>, steps = array<i64: 2>} : tensor<10x20xf32> -> tensor<10x10xf32>
  return %0 : tensor<10x10xf32>
}

// -----

// A step that does not divide the length rounds up: ceil(7 / 3) = 3.
// CHECK-LABEL: func.func @slice_step_rounds_up
// CHECK: dl.slice {{.*}} -> tensor<3xf32>
func.func @slice_step_rounds_up(%x: tensor<10xf32>) -> tensor<3xf32> {
  %0 = dl.slice %x {starts = array<i64: 1>, ends = array<i64: 8>, steps = array<i64: 3>} : tensor<10xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Negative starts and ends count from the end: [-3, -1) is [7, 9).
// CHECK-LABEL: func.func @slice_negative_bounds
// CHECK: dl.slice {{.*}} -> tensor<2xf32>
func.func @slice_negative_bounds(%x: tensor<10xf32>) -> tensor<2xf32> {
  %0 = dl.slice %x {starts = array<i64: -3>, ends = array<i64: -1>} : tensor<10xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Out-of-range bounds clamp: [-100, 100) is the whole dim, [3, 100) is 7.
// CHECK-LABEL: func.func @slice_clamped
// CHECK: dl.slice {{.*}} : tensor<10x10xf32> -> tensor<10x7xf32>
func.func @slice_clamped(%x: tensor<10x10xf32>) -> tensor<10x7xf32> {
  %0 = dl.slice %x {starts = array<i64: -100, 3>, ends = array<i64: 100, 9223372036854775807>} : tensor<10x10xf32> -> tensor<10x7xf32>
  return %0 : tensor<10x7xf32>
}

// -----

// Reverse: from 9 down past the start (end clamps to -1): all 10.
// CHECK-LABEL: func.func @slice_reverse
// CHECK: dl.slice
// CHECK-SAME: steps = array<i64: -1>
// CHECK-SAME: -> tensor<10xf32>
func.func @slice_reverse(%x: tensor<10xf32>) -> tensor<10xf32> {
  %0 = dl.slice %x {starts = array<i64: -1>, ends = array<i64: -9223372036854775808>, steps = array<i64: -1>} : tensor<10xf32> -> tensor<10xf32>
  return %0 : tensor<10xf32>
}

// -----

// Negative step: 8, 5, 2 (stops before 1): 3 elements.
// CHECK-LABEL: func.func @slice_negative_step
// CHECK: dl.slice
// CHECK-SAME: steps = array<i64: -3>
// CHECK-SAME: -> tensor<3xf32>
func.func @slice_negative_step(%x: tensor<10xf32>) -> tensor<3xf32> {
  %0 = dl.slice %x {starts = array<i64: 8>, ends = array<i64: 1>, steps = array<i64: -3>} : tensor<10xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Negative step with a start past the end: it clamps to dim - 1 = 9;
// 9, 7, 5, 3, 1 down to the clamped end -1.
// CHECK-LABEL: func.func @slice_negative_step_clamped
// CHECK: dl.slice {{.*}} -> tensor<5xf32>
func.func @slice_negative_step_clamped(%x: tensor<10xf32>) -> tensor<5xf32> {
  %0 = dl.slice %x {starts = array<i64: 100>, ends = array<i64: -100>, steps = array<i64: -2>} : tensor<10xf32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// An empty range gives a zero-size dim.
// CHECK-LABEL: func.func @slice_empty
// CHECK: dl.slice {{.*}} -> tensor<0x4xf32>
func.func @slice_empty(%x: tensor<10x4xf32>) -> tensor<0x4xf32> {
  %0 = dl.slice %x {starts = array<i64: 5>, ends = array<i64: 2>, axes = array<i64: 0>} : tensor<10x4xf32> -> tensor<0x4xf32>
  return %0 : tensor<0x4xf32>
}

// -----

// Negative axes count from the end; a dynamic dim that is not sliced stays.
// CHECK-LABEL: func.func @slice_negative_axis_dynamic
// CHECK: dl.slice {{.*}} : tensor<?x10xf32> -> tensor<?x4xf32>
func.func @slice_negative_axis_dynamic(%x: tensor<?x10xf32>) -> tensor<?x4xf32> {
  %0 = dl.slice %x {starts = array<i64: 2>, ends = array<i64: 6>, axes = array<i64: -1>} : tensor<?x10xf32> -> tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// CHECK-LABEL: func.func @slice_dynamic_dim
// CHECK: dl.slice {{.*}} : tensor<?x10xf32> -> tensor<?x10xf32>
func.func @slice_dynamic_dim(%x: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = dl.slice %x {starts = array<i64: 1>, ends = array<i64: -1>, axes = array<i64: 0>} : tensor<?x10xf32> -> tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

//===----------------------------------------------------------------------===//
// split
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @split
// CHECK: %{{.*}}:2 = dl.split %{{.*}} {axis = 0 : i64, sizes = array<i64: 3, 7>} : tensor<10x4xf32> -> tensor<3x4xf32>, tensor<7x4xf32>
func.func @split(%x: tensor<10x4xf32>) -> (tensor<3x4xf32>, tensor<7x4xf32>) {
  %0:2 = dl.split %x {axis = 0 : i64, sizes = array<i64: 3, 7>} : tensor<10x4xf32> -> tensor<3x4xf32>, tensor<7x4xf32>
  return %0#0, %0#1 : tensor<3x4xf32>, tensor<7x4xf32>
}

// -----

// CHECK-LABEL: func.func @split_negative_axis
// CHECK: %{{.*}}:3 = dl.split %{{.*}} {axis = -1 : i64, sizes = array<i64: 2, 2, 2>} : tensor<?x6xf32> -> tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
func.func @split_negative_axis(%x: tensor<?x6xf32>) -> (tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>) {
  %0:3 = dl.split %x {axis = -1 : i64, sizes = array<i64: 2, 2, 2>} : tensor<?x6xf32> -> tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
  return %0#0, %0#1, %0#2 : tensor<?x2xf32>, tensor<?x2xf32>, tensor<?x2xf32>
}

// -----

// Along a dynamic dim the sizes cannot be checked against it.
// CHECK-LABEL: func.func @split_dynamic_axis
// CHECK: dl.split {{.*}} : tensor<?x4xf32> -> tensor<1x4xf32>, tensor<5x4xf32>
func.func @split_dynamic_axis(%x: tensor<?x4xf32>) -> (tensor<1x4xf32>, tensor<5x4xf32>) {
  %0:2 = dl.split %x {axis = 0 : i64, sizes = array<i64: 1, 5>} : tensor<?x4xf32> -> tensor<1x4xf32>, tensor<5x4xf32>
  return %0#0, %0#1 : tensor<1x4xf32>, tensor<5x4xf32>
}

//===----------------------------------------------------------------------===//
// squeeze / unsqueeze / flatten
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @squeeze_axes
// CHECK: dl.squeeze %{{.*}} {axes = array<i64: 0>} : tensor<1x3x1x4xf32> -> tensor<3x1x4xf32>
// CHECK: dl.squeeze %{{.*}} {axes = array<i64: -2>} : tensor<1x3x1x4xf32> -> tensor<1x3x4xf32>
func.func @squeeze_axes(%x: tensor<1x3x1x4xf32>) -> (tensor<3x1x4xf32>, tensor<1x3x4xf32>) {
  %0 = dl.squeeze %x {axes = array<i64: 0>} : tensor<1x3x1x4xf32> -> tensor<3x1x4xf32>
  %1 = dl.squeeze %x {axes = array<i64: -2>} : tensor<1x3x1x4xf32> -> tensor<1x3x4xf32>
  return %0, %1 : tensor<3x1x4xf32>, tensor<1x3x4xf32>
}

// -----

// Empty axes remove every static 1 (and print as nothing).
// CHECK-LABEL: func.func @squeeze_all
// CHECK: dl.squeeze %{{[^ ]*}} : tensor<1x3x1x4xf32> -> tensor<3x4xf32>
func.func @squeeze_all(%x: tensor<1x3x1x4xf32>) -> tensor<3x4xf32> {
  %0 = dl.squeeze %x : tensor<1x3x1x4xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// A dynamic dim might not be 1: squeezing all keeps it.
// CHECK-LABEL: func.func @squeeze_all_dynamic
// CHECK: dl.squeeze %{{[^ ]*}} : tensor<1x?x1xf32> -> tensor<?xf32>
func.func @squeeze_all_dynamic(%x: tensor<1x?x1xf32>) -> tensor<?xf32> {
  %0 = dl.squeeze %x : tensor<1x?x1xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze_to_scalar
// CHECK: dl.squeeze %{{[^ ]*}} : tensor<1x1xi64> -> tensor<i64>
func.func @squeeze_to_scalar(%x: tensor<1x1xi64>) -> tensor<i64> {
  %0 = dl.squeeze %x : tensor<1x1xi64> -> tensor<i64>
  return %0 : tensor<i64>
}

// -----

// Axes are positions in the result.
// CHECK-LABEL: func.func @unsqueeze
// CHECK: dl.unsqueeze %{{.*}} {axes = array<i64: 0, 3>} : tensor<3x4xf32> -> tensor<1x3x4x1xf32>
// CHECK: dl.unsqueeze %{{.*}} {axes = array<i64: -1>} : tensor<3x4xf32> -> tensor<3x4x1xf32>
// CHECK: dl.unsqueeze %{{.*}} {axes = array<i64: 1, 2>} : tensor<3x4xf32> -> tensor<3x1x1x4xf32>
func.func @unsqueeze(%x: tensor<3x4xf32>) -> (tensor<1x3x4x1xf32>, tensor<3x4x1xf32>, tensor<3x1x1x4xf32>) {
  %0 = dl.unsqueeze %x {axes = array<i64: 0, 3>} : tensor<3x4xf32> -> tensor<1x3x4x1xf32>
  %1 = dl.unsqueeze %x {axes = array<i64: -1>} : tensor<3x4xf32> -> tensor<3x4x1xf32>
  %2 = dl.unsqueeze %x {axes = array<i64: 1, 2>} : tensor<3x4xf32> -> tensor<3x1x1x4xf32>
  return %0, %1, %2 : tensor<1x3x4x1xf32>, tensor<3x4x1xf32>, tensor<3x1x1x4xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze_scalar_dynamic
// CHECK: dl.unsqueeze %{{.*}} {axes = array<i64: 0>} : tensor<f32> -> tensor<1xf32>
// CHECK: dl.unsqueeze %{{.*}} {axes = array<i64: 1>} : tensor<?xf32> -> tensor<?x1xf32>
func.func @unsqueeze_scalar_dynamic(%x: tensor<f32>, %y: tensor<?xf32>) -> (tensor<1xf32>, tensor<?x1xf32>) {
  %0 = dl.unsqueeze %x {axes = array<i64: 0>} : tensor<f32> -> tensor<1xf32>
  %1 = dl.unsqueeze %y {axes = array<i64: 1>} : tensor<?xf32> -> tensor<?x1xf32>
  return %0, %1 : tensor<1xf32>, tensor<?x1xf32>
}

// -----

// CHECK-LABEL: func.func @flatten
// CHECK: dl.flatten %{{[^ ]*}} : tensor<2x3x4x5xf32> -> tensor<2x60xf32>
// CHECK: dl.flatten %{{.*}} {axis = 0 : i64} : tensor<2x3x4x5xf32> -> tensor<1x120xf32>
// CHECK: dl.flatten %{{.*}} {axis = 4 : i64} : tensor<2x3x4x5xf32> -> tensor<120x1xf32>
// CHECK: dl.flatten %{{.*}} {axis = -2 : i64} : tensor<2x3x4x5xf32> -> tensor<6x20xf32>
func.func @flatten(%x: tensor<2x3x4x5xf32>) -> (tensor<2x60xf32>, tensor<1x120xf32>, tensor<120x1xf32>, tensor<6x20xf32>) {
  %0 = dl.flatten %x : tensor<2x3x4x5xf32> -> tensor<2x60xf32>
  %1 = dl.flatten %x {axis = 0 : i64} : tensor<2x3x4x5xf32> -> tensor<1x120xf32>
  %2 = dl.flatten %x {axis = 4 : i64} : tensor<2x3x4x5xf32> -> tensor<120x1xf32>
  %3 = dl.flatten %x {axis = -2 : i64} : tensor<2x3x4x5xf32> -> tensor<6x20xf32>
  return %0, %1, %2, %3 : tensor<2x60xf32>, tensor<1x120xf32>, tensor<120x1xf32>, tensor<6x20xf32>
}

// -----

// A dynamic dim makes only its own side dynamic.
// CHECK-LABEL: func.func @flatten_dynamic
// CHECK: dl.flatten %{{[^ ]*}} : tensor<?x3x4xf32> -> tensor<?x12xf32>
func.func @flatten_dynamic(%x: tensor<?x3x4xf32>) -> tensor<?x12xf32> {
  %0 = dl.flatten %x : tensor<?x3x4xf32> -> tensor<?x12xf32>
  return %0 : tensor<?x12xf32>
}

//===----------------------------------------------------------------------===//
// expand
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @expand
// CHECK: dl.expand %{{[^ ]*}} : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
func.func @expand(%x: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
  %0 = dl.expand %x : (tensor<3x1xf32>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// CHECK-LABEL: func.func @expand_shape_operand
// CHECK: dl.expand %{{.*}}, %{{.*}} : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
func.func @expand_shape_operand(%x: tensor<3x1xf32>, %s: tensor<3xi64>) -> tensor<?x3x?xf32> {
  %0 = dl.expand %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
  return %0 : tensor<?x3x?xf32>
}

// -----

// Without a shape operand, a dynamic result dim takes its size from the input.
// CHECK-LABEL: func.func @expand_dynamic_from_input
// CHECK: dl.expand %{{[^ ]*}} : (tensor<?x1xf32>) -> tensor<5x?x8xf32>
func.func @expand_dynamic_from_input(%x: tensor<?x1xf32>) -> tensor<5x?x8xf32> {
  %0 = dl.expand %x : (tensor<?x1xf32>) -> tensor<5x?x8xf32>
  return %0 : tensor<5x?x8xf32>
}

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

// -----

// pads = [begin..., end...]: 2 + 1 + 0 = 3 rows, 3 + 2 + 1 = 6 columns.
// CHECK-LABEL: func.func @pad_constant
// CHECK: dl.pad %{{.*}} {pads = array<i64: 1, 2, 0, 1>} : tensor<2x3xf32> -> tensor<3x6xf32>
func.func @pad_constant(%x: tensor<2x3xf32>) -> tensor<3x6xf32> {
  %0 = dl.pad %x {pads = array<i64: 1, 2, 0, 1>} : tensor<2x3xf32> -> tensor<3x6xf32>
  return %0 : tensor<3x6xf32>
}

// -----

// CHECK-LABEL: func.func @pad_constant_value
// CHECK: dl.pad %{{.*}} {pads = array<i64: 1, 1>, value = -1.000000e+00 : f64} : tensor<4xf32> -> tensor<6xf32>
func.func @pad_constant_value(%x: tensor<4xf32>) -> tensor<6xf32> {
  %0 = dl.pad %x {pads = array<i64: 1, 1>, value = -1.0 : f64} : tensor<4xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// CHECK-LABEL: func.func @pad_reflect
// CHECK: dl.pad %{{.*}} {mode = #dl<pad_mode reflect>, pads = array<i64: 0, 0, 2, 2, 0, 0, 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x12x12xf32>
func.func @pad_reflect(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x12x12xf32> {
  %0 = dl.pad %x {mode = #dl<pad_mode reflect>, pads = array<i64: 0, 0, 2, 2, 0, 0, 2, 2>} : tensor<1x3x8x8xf32> -> tensor<1x3x12x12xf32>
  return %0 : tensor<1x3x12x12xf32>
}

// -----

// CHECK-LABEL: func.func @pad_edge
// CHECK: dl.pad %{{.*}} {mode = #dl<pad_mode edge>, pads = array<i64: 3, 0>} : tensor<2xf32> -> tensor<5xf32>
func.func @pad_edge(%x: tensor<2xf32>) -> tensor<5xf32> {
  %0 = dl.pad %x {mode = #dl<pad_mode edge>, pads = array<i64: 3, 0>} : tensor<2xf32> -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// The default mode (constant) is not printed.
// CHECK-LABEL: func.func @pad_default_mode_elided
// CHECK: dl.pad
// CHECK-NOT: mode
// CHECK-SAME: -> tensor<6xf32>
func.func @pad_default_mode_elided(%x: tensor<4xf32>) -> tensor<6xf32> {
  %0 = dl.pad %x {mode = #dl<pad_mode constant>, pads = array<i64: 1, 1>} : tensor<4xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Negative pads crop: 4 - 1 + 0 = 3 rows, 5 + 1 - 2 = 4 columns.
// CHECK-LABEL: func.func @pad_negative
// CHECK: dl.pad %{{.*}} {pads = array<i64: -1, 1, 0, -2>} : tensor<4x5xf32> -> tensor<3x4xf32>
func.func @pad_negative(%x: tensor<4x5xf32>) -> tensor<3x4xf32> {
  %0 = dl.pad %x {pads = array<i64: -1, 1, 0, -2>} : tensor<4x5xf32> -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @pad_dynamic
// CHECK: dl.pad %{{.*}} : tensor<?x3xi32> -> tensor<?x5xi32>
func.func @pad_dynamic(%x: tensor<?x3xi32>) -> tensor<?x5xi32> {
  %0 = dl.pad %x {pads = array<i64: 1, 1, 1, 1>} : tensor<?x3xi32> -> tensor<?x5xi32>
  return %0 : tensor<?x5xi32>
}

//===----------------------------------------------------------------------===//
// tile / shape_of
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @tile
// CHECK: dl.tile %{{.*}} {repeats = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<4x9xf32>
func.func @tile(%x: tensor<2x3xf32>) -> tensor<4x9xf32> {
  %0 = dl.tile %x {repeats = array<i64: 2, 3>} : tensor<2x3xf32> -> tensor<4x9xf32>
  return %0 : tensor<4x9xf32>
}

// -----

// CHECK-LABEL: func.func @tile_dynamic
// CHECK: dl.tile %{{.*}} {repeats = array<i64: 2, 1>} : tensor<?x3xf32> -> tensor<?x3xf32>
func.func @tile_dynamic(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = dl.tile %x {repeats = array<i64: 2, 1>} : tensor<?x3xf32> -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// CHECK-LABEL: func.func @shape_of
// CHECK: dl.shape_of %{{.*}} : tensor<2x?x3xf32> -> tensor<3xi64>
// CHECK: dl.shape_of %{{.*}} : tensor<f32> -> tensor<0xi64>
func.func @shape_of(%x: tensor<2x?x3xf32>, %y: tensor<f32>) -> (tensor<3xi64>, tensor<0xi64>) {
  %0 = dl.shape_of %x : tensor<2x?x3xf32> -> tensor<3xi64>
  %1 = dl.shape_of %y : tensor<f32> -> tensor<0xi64>
  return %0, %1 : tensor<3xi64>, tensor<0xi64>
}
