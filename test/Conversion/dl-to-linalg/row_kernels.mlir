// RUN: dlc-opt %s --dl-to-linalg="row-kernels=true" --split-input-file | FileCheck %s

// Softmax over the last axis: one scf.forall over the rows; the row's max
// and sum of exp are scalars carried by scf.for (the sum reassociable), then
// the row is written in place into the forall's output.
// CHECK-LABEL: func.func @softmax
func.func @softmax(%a: tensor<2x3x10xf32>) -> tensor<2x3x10xf32> {
  %0 = dl.softmax %a : tensor<2x3x10xf32>
  return %0 : tensor<2x3x10xf32>
}

// -----

// CHECK-LABEL: func.func @log_softmax_dynamic
func.func @log_softmax_dynamic(%a: tensor<?x10xf32>) -> tensor<?x10xf32> {
  %0 = dl.log_softmax %a : tensor<?x10xf32>
  return %0 : tensor<?x10xf32>
}

// -----

// Layer norm over the last two dims: mean, then variance (two passes), then
// the normalized row with scale and bias read with broadcast maps.
// CHECK-LABEL: func.func @layer_norm
func.func @layer_norm(%x: tensor<?x4x8xf32>, %s: tensor<8xf32>, %b: tensor<4x8xf32>) -> tensor<?x4x8xf32> {
  %0 = dl.layer_norm %x scale %s bias %b {axis = 1 : i64, epsilon = 1.0e-3 : f64} : (tensor<?x4x8xf32>, tensor<8xf32>, tensor<4x8xf32>) -> tensor<?x4x8xf32>
  return %0 : tensor<?x4x8xf32>
}

// -----

// Instance norm: a row is one (sample, channel); its scale and bias are
// scalars read at the channel's index.
// CHECK-LABEL: func.func @instance_norm
func.func @instance_norm(%x: tensor<2x3x5x5xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<2x3x5x5xf32> {
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3x5x5xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x5x5xf32>
  return %0 : tensor<2x3x5x5xf32>
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
