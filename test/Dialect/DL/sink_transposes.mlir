// RUN: dlc-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(dl-sink-transposes))' | FileCheck %s

// A batch-first Transformer's input projection (as dl-attention-heads
// leaves it): the [1, 0, 2] transpose of the input moves below the matmul,
// its bias, the slice and the head split, and composes with the transposes
// at the ends. The product is [?, 64, 384], the batch outermost; the
// transpose stays for its shape_of only.
// CHECK-LABEL: func.func @projection(
// CHECK: %[[T:.*]] = dl.transpose %arg0 {perm = array<i64: 1, 0, 2>}
// CHECK: dl.shape_of %[[T]]
// CHECK: %[[M:.*]] = dl.matmul %arg0, %arg1 : (tensor<?x64x128xf32>, tensor<128x384xf32>) -> tensor<?x64x384xf32>
// CHECK: %[[B:.*]] = dl.add %[[M]], %arg2 : (tensor<?x64x384xf32>, tensor<384xf32>) -> tensor<?x64x384xf32>
// CHECK: %[[S:.*]] = dl.slice %[[B]] {axes = array<i64: 2>, ends = array<i64: 256>, starts = array<i64: 128>} : tensor<?x64x384xf32> -> tensor<?x64x128xf32>
// CHECK: %[[R:.*]] = dl.reshape %[[S]] : (tensor<?x64x128xf32>) -> tensor<?x64x4x32xf32>
// CHECK: %[[K:.*]] = dl.transpose %[[R]] {perm = array<i64: 0, 2, 3, 1>} : tensor<?x64x4x32xf32> -> tensor<?x4x32x64xf32>
// CHECK: return %[[K]]
func.func @projection(%x: tensor<?x64x128xf32>, %w: tensor<128x384xf32>, %b: tensor<384xf32>) -> (tensor<?x4x32x64xf32>, tensor<3xi64>) {
  %t = dl.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<?x64x128xf32> -> tensor<64x?x128xf32>
  %shape = dl.shape_of %t : tensor<64x?x128xf32> -> tensor<3xi64>
  %m = dl.matmul %t, %w : (tensor<64x?x128xf32>, tensor<128x384xf32>) -> tensor<64x?x384xf32>
  %a = dl.add %m, %b : (tensor<64x?x384xf32>, tensor<384xf32>) -> tensor<64x?x384xf32>
  %s = dl.slice %a {axes = array<i64: -1>, ends = array<i64: 256>, starts = array<i64: 128>} : tensor<64x?x384xf32> -> tensor<64x?x128xf32>
  %r = dl.reshape %s : (tensor<64x?x128xf32>) -> tensor<64x?x4x32xf32>
  %k = dl.transpose %r {perm = array<i64: 1, 2, 3, 0>} : tensor<64x?x4x32xf32> -> tensor<?x4x32x64xf32>
  return %k, %shape : tensor<?x4x32x64xf32>, tensor<3xi64>
}

// -----

// Where the ends cancel, no transpose is left; a shape_of of a value in
// between reads a transpose of the new value (never computed, only its
// dims are read).
// CHECK-LABEL: func.func @cancel(
// CHECK: %[[M:.*]] = dl.mul %arg0, %arg1 : (tensor<?x3x4xf32>, tensor<f32>) -> tensor<?x3x4xf32>
// CHECK: %[[V:.*]] = dl.transpose %[[M]] {perm = array<i64: 2, 0, 1>}
// CHECK: dl.shape_of %[[V]] : tensor<4x?x3xf32>
// CHECK: return %[[M]]
func.func @cancel(%x: tensor<?x3x4xf32>, %c: tensor<f32>) -> (tensor<?x3x4xf32>, tensor<3xi64>) {
  %t = dl.transpose %x {perm = array<i64: 2, 0, 1>} : tensor<?x3x4xf32> -> tensor<4x?x3xf32>
  %m = dl.mul %t, %c : (tensor<4x?x3xf32>, tensor<f32>) -> tensor<4x?x3xf32>
  %shape = dl.shape_of %m : tensor<4x?x3xf32> -> tensor<3xi64>
  %u = dl.transpose %m {perm = array<i64: 1, 2, 0>} : tensor<4x?x3xf32> -> tensor<?x3x4xf32>
  return %u, %shape : tensor<?x3x4xf32>, tensor<3xi64>
}

// -----

// Left: a path that ends in a return (the transpose would be computed
// there instead), an addend of the full shape, a matmul whose transpose
// moves the reduced dim, and a reshape that merges dims.
// CHECK-LABEL: func.func @stays(
// CHECK: dl.matmul %[[T0:.*]], %arg1 : (tensor<64x?x128xf32>
// CHECK: dl.add %{{.*}}, %arg2 : (tensor<64x?x128xf32>, tensor<64x?x128xf32>)
// CHECK: dl.matmul %{{.*}}, %arg3 : (tensor<3x2xf32>, tensor<2x5xf32>)
// CHECK: dl.reshape %{{.*}} : (tensor<4x2x3xf32>) -> tensor<8x3xf32>
func.func @stays(%x: tensor<?x64x128xf32>, %w: tensor<128x128xf32>, %y: tensor<64x?x128xf32>, %w2: tensor<2x5xf32>, %z: tensor<2x3xf32>, %v: tensor<2x4x3xf32>) -> (tensor<64x?x128xf32>, tensor<?x64x128xf32>, tensor<3x5xf32>, tensor<3x8xf32>) {
  %t = dl.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<?x64x128xf32> -> tensor<64x?x128xf32>
  %m = dl.matmul %t, %w : (tensor<64x?x128xf32>, tensor<128x128xf32>) -> tensor<64x?x128xf32>
  %t2 = dl.transpose %x {perm = array<i64: 1, 0, 2>} : tensor<?x64x128xf32> -> tensor<64x?x128xf32>
  %a = dl.add %t2, %y : (tensor<64x?x128xf32>, tensor<64x?x128xf32>) -> tensor<64x?x128xf32>
  %a2 = dl.transpose %a {perm = array<i64: 1, 0, 2>} : tensor<64x?x128xf32> -> tensor<?x64x128xf32>
  %tz = dl.transpose %z {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %mz = dl.matmul %tz, %w2 : (tensor<3x2xf32>, tensor<2x5xf32>) -> tensor<3x5xf32>
  %tv = dl.transpose %v {perm = array<i64: 1, 0, 2>} : tensor<2x4x3xf32> -> tensor<4x2x3xf32>
  %rv = dl.reshape %tv : (tensor<4x2x3xf32>) -> tensor<8x3xf32>
  %rt = dl.transpose %rv {perm = array<i64: 1, 0>} : tensor<8x3xf32> -> tensor<3x8xf32>
  return %m, %a2, %mz, %rt : tensor<64x?x128xf32>, tensor<?x64x128xf32>, tensor<3x5xf32>, tensor<3x8xf32>
}

// -----

// An attention's output projection in a batch-first Transformer: the
// result [L, B, H, D] is merged to rows (l, b), projected, split to [L, B,
// N] and transposed batch-first for the residual add. The product now runs
// on rows (b, l): the transpose moves above it and composes with the
// attention's, and the result needs no transpose.
// CHECK-LABEL: func.func @projection_rows(
// CHECK: %[[T:.*]] = dl.transpose %arg0 {perm = array<i64: 0, 2, 1, 3>} : tensor<?x4x64x32xf32> -> tensor<?x64x4x32xf32>
// CHECK: %[[A:.*]] = dl.reshape %[[T]] : (tensor<?x64x4x32xf32>) -> tensor<?x128xf32>
// CHECK: %[[G:.*]] = dl.gemm %[[A]], %arg1, %arg2 {trans_b = true} : (tensor<?x128xf32>, tensor<128x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
// CHECK: %[[R:.*]] = dl.reshape %[[G]] : (tensor<?x128xf32>) -> tensor<?x64x128xf32>
// CHECK: dl.add %arg3, %[[R]]
func.func @projection_rows(%o: tensor<?x4x64x32xf32>, %w: tensor<128x128xf32>, %b: tensor<128xf32>, %x: tensor<?x64x128xf32>, %s1: tensor<2xi64>, %s2: tensor<3xi64>) -> tensor<?x64x128xf32> {
  %t = dl.transpose %o {perm = array<i64: 2, 0, 1, 3>} : tensor<?x4x64x32xf32> -> tensor<64x?x4x32xf32>
  %a = dl.reshape %t, %s1 : (tensor<64x?x4x32xf32>, tensor<2xi64>) -> tensor<?x128xf32>
  %g = dl.gemm %a, %w, %b {trans_b = true} : (tensor<?x128xf32>, tensor<128x128xf32>, tensor<128xf32>) -> tensor<?x128xf32>
  %r = dl.reshape %g, %s2 : (tensor<?x128xf32>, tensor<3xi64>) -> tensor<64x?x128xf32>
  %e = dl.transpose %r {perm = array<i64: 1, 0, 2>} : tensor<64x?x128xf32> -> tensor<?x64x128xf32>
  %y = dl.add %x, %e : (tensor<?x64x128xf32>, tensor<?x64x128xf32>) -> tensor<?x64x128xf32>
  return %y : tensor<?x64x128xf32>
}

// -----

// Left: a bias per row and column (its rows would have to move too), and
// rows that are no transposed tensor.
// CHECK-LABEL: func.func @rows_stay(
// CHECK: dl.gemm %{{.*}}, %arg1, %arg2 : (tensor<8x4xf32>, tensor<4x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
// CHECK: dl.transpose %{{.*}} {perm = array<i64: 1, 0, 2>} : tensor<2x4x4xf32> -> tensor<4x2x4xf32>
// CHECK: dl.matmul %{{.*}}, %arg1 : (tensor<8x4xf32>, tensor<4x4xf32>)
// CHECK: dl.transpose %{{.*}} {perm = array<i64: 1, 0, 2>} : tensor<2x4x4xf32> -> tensor<4x2x4xf32>
func.func @rows_stay(%o: tensor<4x2x4xf32>, %w: tensor<4x4xf32>, %c: tensor<8x4xf32>, %p: tensor<8x4xf32>) -> (tensor<4x2x4xf32>, tensor<4x2x4xf32>) {
  %t = dl.transpose %o {perm = array<i64: 1, 0, 2>} : tensor<4x2x4xf32> -> tensor<2x4x4xf32>
  %a = dl.reshape %t : (tensor<2x4x4xf32>) -> tensor<8x4xf32>
  %g = dl.gemm %a, %w, %c : (tensor<8x4xf32>, tensor<4x4xf32>, tensor<8x4xf32>) -> tensor<8x4xf32>
  %r = dl.reshape %g : (tensor<8x4xf32>) -> tensor<2x4x4xf32>
  %e = dl.transpose %r {perm = array<i64: 1, 0, 2>} : tensor<2x4x4xf32> -> tensor<4x2x4xf32>
  %m = dl.matmul %p, %w : (tensor<8x4xf32>, tensor<4x4xf32>) -> tensor<8x4xf32>
  %r2 = dl.reshape %m : (tensor<8x4xf32>) -> tensor<2x4x4xf32>
  %e2 = dl.transpose %r2 {perm = array<i64: 1, 0, 2>} : tensor<2x4x4xf32> -> tensor<4x2x4xf32>
  return %e, %e2 : tensor<4x2x4xf32>, tensor<4x2x4xf32>
}
