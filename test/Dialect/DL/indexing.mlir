// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s -canonicalize | FileCheck %s --check-prefix=FOLD

//===----------------------------------------------------------------------===//
// gather: result shape is input[:axis] ++ indices ++ input[axis+1:]
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @gather_axis0
// CHECK: dl.gather %{{.*}}, %{{[^ ]*}} : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
func.func @gather_axis0(%x: tensor<5x4xf32>, %i: tensor<3xi64>) -> tensor<3x4xf32> {
  %0 = dl.gather %x, %i : (tensor<5x4xf32>, tensor<3xi64>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

// CHECK-LABEL: func.func @gather_axis1_2d_indices
// CHECK: dl.gather %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x6xi32>) -> tensor<5x2x6x3xf32>
func.func @gather_axis1_2d_indices(%x: tensor<5x4x3xf32>, %i: tensor<2x6xi32>) -> tensor<5x2x6x3xf32> {
  %0 = dl.gather %x, %i {axis = 1 : i64} : (tensor<5x4x3xf32>, tensor<2x6xi32>) -> tensor<5x2x6x3xf32>
  return %0 : tensor<5x2x6x3xf32>
}

// -----

// A scalar index drops the gathered dim.
// CHECK-LABEL: func.func @gather_scalar_index
// CHECK: dl.gather %{{.*}}, %{{[^ ]*}} : (tensor<5x4xf32>, tensor<i64>) -> tensor<4xf32>
func.func @gather_scalar_index(%x: tensor<5x4xf32>, %i: tensor<i64>) -> tensor<4xf32> {
  %0 = dl.gather %x, %i : (tensor<5x4xf32>, tensor<i64>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @gather_negative_axis_dynamic
// CHECK: dl.gather %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<?x4xf16>, tensor<?xi64>) -> tensor<?x?xf16>
func.func @gather_negative_axis_dynamic(%x: tensor<?x4xf16>, %i: tensor<?xi64>) -> tensor<?x?xf16> {
  %0 = dl.gather %x, %i {axis = -1 : i64} : (tensor<?x4xf16>, tensor<?xi64>) -> tensor<?x?xf16>
  return %0 : tensor<?x?xf16>
}

// -----

// Embedding lookup: integer data, 2-D token ids.
// CHECK-LABEL: func.func @gather_embedding
// CHECK: dl.gather {{.*}} : (tensor<1000x64xbf16>, tensor<?x128xi64>) -> tensor<?x128x64xbf16>
func.func @gather_embedding(%x: tensor<1000x64xbf16>, %i: tensor<?x128xi64>) -> tensor<?x128x64xbf16> {
  %0 = dl.gather %x, %i : (tensor<1000x64xbf16>, tensor<?x128xi64>) -> tensor<?x128x64xbf16>
  return %0 : tensor<?x128x64xbf16>
}

// -----

// CHECK-LABEL: func.func @gather_elements
// CHECK: dl.gather_elements %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
func.func @gather_elements(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = dl.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// The result has the indices' shape, dynamic dims included.
// CHECK-LABEL: func.func @gather_elements_default_axis
// CHECK: dl.gather_elements %{{.*}}, %{{[^ ]*}} : (tensor<3x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi32>
func.func @gather_elements_default_axis(%x: tensor<3x4xi32>, %i: tensor<?x4xi32>) -> tensor<?x4xi32> {
  %0 = dl.gather_elements %x, %i {axis = 0 : i64} : (tensor<3x4xi32>, tensor<?x4xi32>) -> tensor<?x4xi32>
  return %0 : tensor<?x4xi32>
}

//===----------------------------------------------------------------------===//
// scatter_add / scatter_elements_add: the inverses of gather / gather_elements
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scatter_add_embedding
// CHECK: dl.scatter_add %{{.*}}, %{{.*}}, %{{[^ ]*}} : (tensor<10x4xf32>, tensor<2x3xi64>, tensor<2x3x4xf32>) -> tensor<10x4xf32>
func.func @scatter_add_embedding(%t: tensor<10x4xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3x4xf32>) -> tensor<10x4xf32> {
  %0 = dl.scatter_add %t, %i, %u : (tensor<10x4xf32>, tensor<2x3xi64>, tensor<2x3x4xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Along axis 1 with a scalar index and a dynamic batch.
// CHECK-LABEL: func.func @scatter_add_axis1
// CHECK: dl.scatter_add %{{.*}}, %{{.*}}, %{{.*}} {axis = 1 : i64} : (tensor<?x5xf64>, tensor<i32>, tensor<?xf64>) -> tensor<?x5xf64>
func.func @scatter_add_axis1(%x: tensor<?x5xf64>, %i: tensor<i32>, %u: tensor<?xf64>) -> tensor<?x5xf64> {
  %0 = dl.scatter_add %x, %i, %u {axis = 1 : i64} : (tensor<?x5xf64>, tensor<i32>, tensor<?xf64>) -> tensor<?x5xf64>
  return %0 : tensor<?x5xf64>
}

// -----

// CHECK-LABEL: func.func @scatter_elements_add
// CHECK: dl.scatter_elements_add %{{.*}}, %{{.*}}, %{{.*}} {axis = -1 : i64} : (tensor<3x4xi32>, tensor<3x2xi64>, tensor<3x2xi32>) -> tensor<3x4xi32>
func.func @scatter_elements_add(%x: tensor<3x4xi32>, %i: tensor<3x2xi64>, %u: tensor<3x2xi32>) -> tensor<3x4xi32> {
  %0 = dl.scatter_elements_add %x, %i, %u {axis = -1 : i64} : (tensor<3x4xi32>, tensor<3x2xi64>, tensor<3x2xi32>) -> tensor<3x4xi32>
  return %0 : tensor<3x4xi32>
}

//===----------------------------------------------------------------------===//
// range
//===----------------------------------------------------------------------===//

// -----

// CHECK-LABEL: func.func @range_dynamic
// CHECK: dl.range %{{.*}}, %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
func.func @range_dynamic(%s: tensor<f32>, %l: tensor<f32>, %d: tensor<f32>) -> tensor<?xf32> {
  %0 = dl.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// ceil((10 - 0) / 3) = 4 elements: 0, 3, 6, 9.
// CHECK-LABEL: func.func @range_constant_i64
// CHECK: dl.range {{.*}} -> tensor<4xi64>
// FOLD-LABEL: func.func @range_constant_i64
// FOLD-NEXT: %[[C:.*]] = dl.constant dense<[0, 3, 6, 9]> : tensor<4xi64>
// FOLD-NEXT: return %[[C]]
func.func @range_constant_i64() -> tensor<4xi64> {
  %s = dl.constant dense<0> : tensor<i64>
  %l = dl.constant dense<10> : tensor<i64>
  %d = dl.constant dense<3> : tensor<i64>
  %0 = dl.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @range_constant_f32
// CHECK: dl.range {{.*}} -> tensor<4xf32>
// FOLD-LABEL: func.func @range_constant_f32
// FOLD-NEXT: %[[C:.*]] = dl.constant dense<[1.000000e+00, 1.250000e+00, 1.500000e+00, 1.750000e+00]> : tensor<4xf32>
// FOLD-NEXT: return %[[C]]
func.func @range_constant_f32() -> tensor<4xf32> {
  %s = dl.constant dense<1.0> : tensor<f32>
  %l = dl.constant dense<2.0> : tensor<f32>
  %d = dl.constant dense<0.25> : tensor<f32>
  %0 = dl.range %s, %l, %d : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A negative delta counts down: 10, 7, 4, 1.
// CHECK-LABEL: func.func @range_constant_negative_delta
// CHECK: dl.range {{.*}} -> tensor<4xi32>
// FOLD-LABEL: func.func @range_constant_negative_delta
// FOLD-NEXT: %[[C:.*]] = dl.constant dense<[10, 7, 4, 1]> : tensor<4xi32>
// FOLD-NEXT: return %[[C]]
func.func @range_constant_negative_delta() -> tensor<4xi32> {
  %s = dl.constant dense<10> : tensor<i32>
  %l = dl.constant dense<0> : tensor<i32>
  %d = dl.constant dense<-3> : tensor<i32>
  %0 = dl.range %s, %l, %d : (tensor<i32>, tensor<i32>, tensor<i32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A limit on the wrong side of start gives an empty range.
// CHECK-LABEL: func.func @range_constant_empty
// CHECK: dl.range {{.*}} -> tensor<0xi64>
// FOLD-LABEL: func.func @range_constant_empty
// FOLD-NEXT: %[[C:.*]] = dl.constant dense<> : tensor<0xi64>
// FOLD-NEXT: return %[[C]]
func.func @range_constant_empty() -> tensor<0xi64> {
  %s = dl.constant dense<5> : tensor<i64>
  %l = dl.constant dense<0> : tensor<i64>
  %d = dl.constant dense<1> : tensor<i64>
  %0 = dl.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<0xi64>
  return %0 : tensor<0xi64>
}

// -----

// Non-constant operands cannot fold.
// FOLD-LABEL: func.func @range_not_constant
// FOLD: dl.range
func.func @range_not_constant(%l: tensor<i64>) -> tensor<?xi64> {
  %s = dl.constant dense<0> : tensor<i64>
  %d = dl.constant dense<1> : tensor<i64>
  %0 = dl.range %s, %l, %d : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  return %0 : tensor<?xi64>
}

//===----------------------------------------------------------------------===//
// one_hot
//===----------------------------------------------------------------------===//

// -----

// The new dim of size depth goes last (axis = -1, the default, not printed).
// CHECK-LABEL: func.func @one_hot
// CHECK: dl.one_hot %{{.*}} {depth = 5 : i64, element_type = f32} : tensor<3xi64> -> tensor<3x5xf32>
func.func @one_hot(%i: tensor<3xi64>) -> tensor<3x5xf32> {
  %0 = dl.one_hot %i {depth = 5 : i64, element_type = f32} : tensor<3xi64> -> tensor<3x5xf32>
  return %0 : tensor<3x5xf32>
}

// -----

// CHECK-LABEL: func.func @one_hot_axis
// CHECK: dl.one_hot %{{.*}} {axis = 0 : i64, depth = 5 : i64, element_type = f32} : tensor<3xi64> -> tensor<5x3xf32>
// CHECK: dl.one_hot %{{.*}} {axis = 1 : i64, depth = 4 : i64, element_type = i32} : tensor<2x3xi32> -> tensor<2x4x3xi32>
// CHECK: dl.one_hot %{{.*}} {axis = -2 : i64, depth = 4 : i64, element_type = i64} : tensor<2x3xi32> -> tensor<2x4x3xi64>
func.func @one_hot_axis(%i: tensor<3xi64>, %j: tensor<2x3xi32>) -> (tensor<5x3xf32>, tensor<2x4x3xi32>, tensor<2x4x3xi64>) {
  %0 = dl.one_hot %i {axis = 0 : i64, depth = 5 : i64, element_type = f32} : tensor<3xi64> -> tensor<5x3xf32>
  %1 = dl.one_hot %j {axis = 1 : i64, depth = 4 : i64, element_type = i32} : tensor<2x3xi32> -> tensor<2x4x3xi32>
  %2 = dl.one_hot %j {axis = -2 : i64, depth = 4 : i64, element_type = i64} : tensor<2x3xi32> -> tensor<2x4x3xi64>
  return %0, %1, %2 : tensor<5x3xf32>, tensor<2x4x3xi32>, tensor<2x4x3xi64>
}

// -----

// CHECK-LABEL: func.func @one_hot_values
// CHECK: dl.one_hot %{{.*}} {depth = 10 : i64, element_type = f16, off_value = -1.000000e+00 : f64, on_value = 3.000000e+00 : f64} : tensor<?xi64> -> tensor<?x10xf16>
func.func @one_hot_values(%i: tensor<?xi64>) -> tensor<?x10xf16> {
  %0 = dl.one_hot %i {depth = 10 : i64, element_type = f16, on_value = 3.0 : f64, off_value = -1.0 : f64} : tensor<?xi64> -> tensor<?x10xf16>
  return %0 : tensor<?x10xf16>
}

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

// -----

// The defaults (nearest, half_pixel, round_prefer_floor) are not printed.
// CHECK-LABEL: func.func @resize_scales_nearest
// CHECK: dl.resize %{{.*}} {scales = array<f64: 1.000000e+00, 1.000000e+00, 2.000000e+00, 2.000000e+00>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
func.func @resize_scales_nearest(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x8x8xf32> {
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>, mode = #dl<resize_mode nearest>, coordinate_transform = #dl<coordinate_transform half_pixel>, nearest_mode = #dl<nearest_mode round_prefer_floor>} : tensor<1x3x4x4xf32> -> tensor<1x3x8x8xf32>
  return %0 : tensor<1x3x8x8xf32>
}

// -----

// Scaled sizes round down: floor(5 * 1.5) = 7, floor(5 * 0.5) = 2.
// CHECK-LABEL: func.func @resize_scales_floor
// CHECK: dl.resize {{.*}} : tensor<1x3x5x5xf32> -> tensor<1x3x7x2xf32>
func.func @resize_scales_floor(%x: tensor<1x3x5x5xf32>) -> tensor<1x3x7x2xf32> {
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 1.5, 0.5>} : tensor<1x3x5x5xf32> -> tensor<1x3x7x2xf32>
  return %0 : tensor<1x3x7x2xf32>
}

// -----

// CHECK-LABEL: func.func @resize_sizes_linear
// CHECK: dl.resize %{{.*}} {coordinate_transform = #dl<coordinate_transform align_corners>, mode = #dl<resize_mode linear>, sizes = array<i64: 1, 3, 7, 9>} : tensor<1x3x4x4xf32> -> tensor<1x3x7x9xf32>
func.func @resize_sizes_linear(%x: tensor<1x3x4x4xf32>) -> tensor<1x3x7x9xf32> {
  %0 = dl.resize %x {sizes = array<i64: 1, 3, 7, 9>, mode = #dl<resize_mode linear>, coordinate_transform = #dl<coordinate_transform align_corners>} : tensor<1x3x4x4xf32> -> tensor<1x3x7x9xf32>
  return %0 : tensor<1x3x7x9xf32>
}

// -----

// CHECK-LABEL: func.func @resize_nearest_modes
// CHECK: dl.resize {{.*}}coordinate_transform = #dl<coordinate_transform asymmetric>{{.*}}nearest_mode = #dl<nearest_mode floor>
// CHECK: dl.resize {{.*}}coordinate_transform = #dl<coordinate_transform pytorch_half_pixel>{{.*}}nearest_mode = #dl<nearest_mode round_prefer_ceil>
// CHECK: dl.resize {{.*}}nearest_mode = #dl<nearest_mode ceil>
func.func @resize_nearest_modes(%x: tensor<1x1x4xf32>) -> (tensor<1x1x8xf32>, tensor<1x1x8xf32>, tensor<1x1x8xf32>) {
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0>, coordinate_transform = #dl<coordinate_transform asymmetric>, nearest_mode = #dl<nearest_mode floor>} : tensor<1x1x4xf32> -> tensor<1x1x8xf32>
  %1 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0>, coordinate_transform = #dl<coordinate_transform pytorch_half_pixel>, nearest_mode = #dl<nearest_mode round_prefer_ceil>} : tensor<1x1x4xf32> -> tensor<1x1x8xf32>
  %2 = dl.resize %x {sizes = array<i64: 1, 1, 8>, nearest_mode = #dl<nearest_mode ceil>} : tensor<1x1x4xf32> -> tensor<1x1x8xf32>
  return %0, %1, %2 : tensor<1x1x8xf32>, tensor<1x1x8xf32>, tensor<1x1x8xf32>
}

// -----

// A dynamic dim scaled stays dynamic; sizes fix any dim.
// CHECK-LABEL: func.func @resize_dynamic
// CHECK: dl.resize {{.*}} : tensor<?x3x?x4xf32> -> tensor<?x3x?x8xf32>
// CHECK: dl.resize {{.*}} : tensor<?x3x?x4xf32> -> tensor<2x3x6x6xf32>
func.func @resize_dynamic(%x: tensor<?x3x?x4xf32>) -> (tensor<?x3x?x8xf32>, tensor<2x3x6x6xf32>) {
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<?x3x?x4xf32> -> tensor<?x3x?x8xf32>
  %1 = dl.resize %x {sizes = array<i64: 2, 3, 6, 6>, mode = #dl<resize_mode linear>} : tensor<?x3x?x4xf32> -> tensor<2x3x6x6xf32>
  return %0, %1 : tensor<?x3x?x8xf32>, tensor<2x3x6x6xf32>
}
