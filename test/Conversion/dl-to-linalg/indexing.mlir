// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// gather_elements reads the input at the index from `indices`, in a generic
// over the indices' shape.
// CHECK-LABEL: func.func @gather_elements
// CHECK: linalg.generic
// CHECK: %[[K:.*]] = tensor.extract %arg1
// CHECK: arith.index_cast %[[K]]
// CHECK: tensor.extract %arg0
func.func @gather_elements(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>) -> tensor<3x2xf32> {
  %0 = dl.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

// Edge padding clamps the read position into the input.
// CHECK-LABEL: func.func @pad_edge
// CHECK: linalg.generic
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @pad_edge(%x: tensor<4x6xf32>) -> tensor<4x8xf32> {
  %0 = dl.pad %x {mode = #dl<pad_mode edge>, pads = array<i64: 0, 1, 0, 1>} : tensor<4x6xf32> -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

// Quantize rounds half to even, adds the zero point and saturates.
// CHECK-LABEL: func.func @quantize
// CHECK-DAG: %[[HI:.*]] = arith.constant 1.270000e+02 : f32
// CHECK-DAG: %[[LO:.*]] = arith.constant -1.280000e+02 : f32
// CHECK: %[[R:.*]] = math.roundeven
// CHECK: %[[Z:.*]] = arith.addf %[[R]]
// CHECK: %[[A:.*]] = arith.maximumf %[[Z]], %[[LO]]
// CHECK: %[[B:.*]] = arith.minimumf %[[A]], %[[HI]]
// CHECK: arith.fptosi %[[B]] : f32 to i8
func.func @quantize(%x: tensor<8xf32>) -> tensor<8xi8> {
  %0 = dl.quantize %x {scale = array<f64: 0.5>, zero_point = array<i64: 3>} : tensor<8xf32> -> tensor<8xi8>
  return %0 : tensor<8xi8>
}

// -----

// conv_transpose gathers the input positions that reach each output, with
// the group's weight read in the body.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]
// CHECK: arith.remsi
// CHECK: tensor.extract %arg0
// CHECK: tensor.extract %arg1
func.func @conv_transpose(%x: tensor<1x2x3x3xf32>, %w: tensor<2x4x3x3xf32>) -> tensor<1x4x7x7xf32> {
  %0 = dl.conv_transpose %x, %w {strides = array<i64: 2, 2>} : (tensor<1x2x3x3xf32>, tensor<2x4x3x3xf32>) -> tensor<1x4x7x7xf32>
  return %0 : tensor<1x4x7x7xf32>
}

// -----

// scatter_add: a loop nest over the updates carries the result, starting
// from zeros; with zero data (as in gradients) nothing is added afterwards.
// The index wraps when negative.
// CHECK-LABEL: func.func @scatter_add_zeros
// CHECK: %[[Z:.*]] = linalg.fill
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[Z]])
// CHECK: scf.for
// CHECK: scf.for
// CHECK: %[[K:.*]] = tensor.extract %arg0
// CHECK: arith.cmpi slt
// CHECK: tensor.extract %arg1
// CHECK: arith.addf
// CHECK: tensor.insert
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @scatter_add_zeros(%i: tensor<2x3xi64>, %u: tensor<2x3x4xf32>) -> tensor<10x4xf32> {
  %z = dl.constant dense<0.0> : tensor<10x4xf32>
  %0 = dl.scatter_add %z, %i, %u : (tensor<10x4xf32>, tensor<2x3xi64>, tensor<2x3x4xf32>) -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// Other data is added after the loops: the loops never write into it (it
// may be a function argument).
// CHECK-LABEL: func.func @scatter_elements_add
// CHECK: linalg.fill
// CHECK: scf.for
// CHECK: tensor.insert
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %arg0 :
// CHECK: arith.addf
func.func @scatter_elements_add(%x: tensor<3x4xf32>, %i: tensor<3x2xi64>, %u: tensor<3x2xf32>) -> tensor<3x4xf32> {
  %0 = dl.scatter_elements_add %x, %i, %u {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi64>, tensor<3x2xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}
