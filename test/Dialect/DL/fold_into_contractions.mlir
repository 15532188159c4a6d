// RUN: dlc-opt %s --split-input-file --dl-fold-into-contractions | FileCheck %s

// Batch norm after a conv with a bias: k = scale / sqrt(var + eps) =
// [3 / 2, 1 / 1]; W' = W * k = [3, 4]; b' = (b - mean) * k + bias =
// [(1 - 1) * 1.5 + 0.5, (2 - 0) * 1 - 1] = [0.5, 1].
// CHECK-LABEL: func.func @conv_bn(
// CHECK-DAG: %[[W:.*]] = dl.constant dense<{{\[\[\[\[}}3.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = dl.constant dense<[5.000000e-01, 1.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = dl.conv %arg0, %[[W]], %[[B]] : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK-NEXT: return %[[Y]]
func.func @conv_bn(%x: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = dl.constant dense<[[[[2.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %b = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %s = dl.constant dense<[3.0, 1.0]> : tensor<2xf32>
  %bb = dl.constant dense<[0.5, -1.0]> : tensor<2xf32>
  %m = dl.constant dense<[1.0, 0.0]> : tensor<2xf32>
  %v = dl.constant dense<[3.0, 0.0]> : tensor<2xf32>
  %c = dl.conv %x, %w, %b : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %y = dl.batch_norm %c, %s, %bb, %m, %v {epsilon = 1.0 : f64} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// A conv without a bias, scaled per channel ([1, 2, 1, 1], right aligned to
// the result) and shifted per channel ([2, 1, 1]) and by a scalar: the three
// fold one after another into one conv with a bias.
// W' = [1 * 1, 1 * 3] = [1, 3]; b' = [0 + 10 - 1, 0 + 20 - 1] = [9, 19].
// CHECK-LABEL: func.func @conv_mul_add_sub(
// CHECK-DAG: %[[W:.*]] = dl.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}3.000000e+00]]]]> : tensor<2x1x1x1xf32>
// CHECK-DAG: %[[B:.*]] = dl.constant dense<[9.000000e+00, 1.900000e+01]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = dl.conv %arg0, %[[W]], %[[B]]
// CHECK-NOT: dl.mul
// CHECK-NOT: dl.add
// CHECK-NOT: dl.sub
// CHECK: return %[[Y]]
func.func @conv_mul_add_sub(%x: tensor<?x1x3x3xf32>) -> tensor<?x2x3x3xf32> {
  %w = dl.constant dense<1.0> : tensor<2x1x1x1xf32>
  %k = dl.constant dense<[[[[1.0]], [[3.0]]]]> : tensor<1x2x1x1xf32>
  %s = dl.constant dense<[[[10.0]], [[20.0]]]> : tensor<2x1x1xf32>
  %one = dl.constant dense<1.0> : tensor<f32>
  %c = dl.conv %x, %w : (tensor<?x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<?x2x3x3xf32>
  %0 = dl.mul %k, %c : (tensor<1x2x1x1xf32>, tensor<?x2x3x3xf32>) -> tensor<?x2x3x3xf32>
  %1 = dl.add %0, %s : (tensor<?x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<?x2x3x3xf32>
  %2 = dl.sub %1, %one : (tensor<?x2x3x3xf32>, tensor<f32>) -> tensor<?x2x3x3xf32>
  return %2 : tensor<?x2x3x3xf32>
}

// -----

// A Linear layer (gemm, transB, beta 2) then batch norm: rows of W scale by
// k = [2, 0.5]; C becomes beta * c * k + shift = [2 * 1 * 2 + 0, 2 * 2 *
// 0.5 + 1] = [4, 3] with beta 1 (the default, not printed); alpha stays.
// CHECK-LABEL: func.func @gemm_bn(
// CHECK-DAG: %[[W:.*]] = dl.constant dense<{{\[\[}}2.000000e+00, 4.000000e+00], [1.500000e+00, 2.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG: %[[C:.*]] = dl.constant dense<[4.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK: %[[Y:.*]] = dl.gemm %arg0, %[[W]], %[[C]] {alpha = 3.000000e+00 : f64, trans_b = true}
// CHECK-NEXT: return %[[Y]]
func.func @gemm_bn(%x: tensor<5x2xf32>) -> tensor<5x2xf32> {
  %w = dl.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %c = dl.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %s = dl.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %bb = dl.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %m = dl.constant dense<0.0> : tensor<2xf32>
  %v = dl.constant dense<[1.0, 1.0]> : tensor<2xf32>
  %g = dl.gemm %x, %w, %c {alpha = 3.0 : f64, beta = 2.0 : f64, trans_b = true} : (tensor<5x2xf32>, tensor<2x2xf32>, tensor<1x2xf32>) -> tensor<5x2xf32>
  %y = dl.batch_norm %g, %s, %bb, %m, %v {epsilon = 0.0 : f64} : (tensor<5x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<5x2xf32>
  return %y : tensor<5x2xf32>
}

// -----

// A gemm without transB scales W's columns; a scale alone adds no bias.
// CHECK-LABEL: func.func @gemm_columns(
// CHECK: %[[W:.*]] = dl.constant dense<{{\[\[}}2.000000e+00, -2.000000e+00], [6.000000e+00, -4.000000e+00]]> : tensor<2x2xf32>
// CHECK-NEXT: %[[Y:.*]] = dl.gemm %arg0, %[[W]] : (tensor<5x2xf32>, tensor<2x2xf32>) -> tensor<5x2xf32>
// CHECK-NEXT: return %[[Y]]
func.func @gemm_columns(%x: tensor<5x2xf32>) -> tensor<5x2xf32> {
  %w = dl.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %k = dl.constant dense<[2.0, -1.0]> : tensor<2xf32>
  %g = dl.gemm %x, %w : (tensor<5x2xf32>, tensor<2x2xf32>) -> tensor<5x2xf32>
  %y = dl.mul %g, %k : (tensor<5x2xf32>, tensor<2xf32>) -> tensor<5x2xf32>
  return %y : tensor<5x2xf32>
}

// -----

// Not folded: the conv's result has a second user; the statistics are not
// constants; the weight is not a constant; the scale varies along a spatial
// dim; the constant is subtracted from (c - conv); the constant would
// broadcast the result to a larger shape.
// CHECK-LABEL: func.func @negative(
// CHECK: dl.conv
// CHECK: dl.batch_norm
// CHECK: dl.conv
// CHECK: dl.batch_norm
// CHECK: dl.conv
// CHECK: dl.mul
// CHECK: dl.conv
// CHECK: dl.mul
// CHECK: dl.conv
// CHECK: dl.sub
// CHECK: dl.conv
// CHECK: dl.add
func.func @negative(%x: tensor<1x1x3x3xf32>, %mean: tensor<2xf32>, %wa: tensor<2x1x1x1xf32>)
    -> (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>) {
  %w = dl.constant dense<1.0> : tensor<2x1x1x1xf32>
  %p = dl.constant dense<1.0> : tensor<2xf32>
  %pc = dl.constant dense<2.0> : tensor<2x1x1xf32>
  %one = dl.constant dense<1.0> : tensor<f32>
  %row = dl.constant dense<[[1.0], [2.0], [3.0]]> : tensor<3x1xf32>
  %wide = dl.constant dense<1.0> : tensor<2x1x1x1xf32>
  %c0 = dl.conv %x, %w : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y0 = dl.batch_norm %c0, %p, %p, %p, %p : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %c1 = dl.conv %x, %w {strides = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y1 = dl.batch_norm %c1, %p, %p, %mean, %p : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %c2 = dl.conv %x, %wa : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y2 = dl.mul %c2, %pc : (tensor<1x2x3x3xf32>, tensor<2x1x1xf32>) -> tensor<1x2x3x3xf32>
  %c3 = dl.conv %x, %w {dilations = array<i64: 1, 1>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y3 = dl.mul %c3, %row : (tensor<1x2x3x3xf32>, tensor<3x1xf32>) -> tensor<1x2x3x3xf32>
  %c4 = dl.conv %x, %w {pads = array<i64: 0, 0, 0, 0>} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y4 = dl.sub %one, %c4 : (tensor<f32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  %c5 = dl.conv %x, %w {groups = 1 : i64} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y5 = dl.add %c5, %wide : (tensor<1x2x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<2x2x3x3xf32>
  return %c0, %y0, %y1, %y2, %y3, %y4, %y5 : tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>
}

// -----

// Empty weights (no output channels) are left alone.
// CHECK-LABEL: func.func @empty(
// CHECK: dl.conv
// CHECK: dl.batch_norm
func.func @empty(%x: tensor<1x1x3x3xf32>) -> tensor<1x0x3x3xf32> {
  %w = dl.constant dense<> : tensor<0x1x1x1xf32>
  %p = dl.constant dense<> : tensor<0xf32>
  %c = dl.conv %x, %w : (tensor<1x1x3x3xf32>, tensor<0x1x1x1xf32>) -> tensor<1x0x3x3xf32>
  %y = dl.batch_norm %c, %p, %p, %p, %p : (tensor<1x0x3x3xf32>, tensor<0xf32>, tensor<0xf32>, tensor<0xf32>, tensor<0xf32>) -> tensor<1x0x3x3xf32>
  return %y : tensor<1x0x3x3xf32>
}

// -----

// A residual block's conv plus its downsample conv, both with constant
// biases: one bias, the sum [1 + 10, 2 + 20], on the first; the downsample
// drops its own and moves before the first conv (both are pure; its input
// exists there), so its result is there for the first conv's epilogue.
// CHECK-LABEL: func.func @merge_biases(
// CHECK-SAME: %[[X:[^:]*]]: tensor<1x1x3x3xf32>, %[[Z:[^:]*]]: tensor<1x1x3x3xf32>)
// CHECK-DAG: %[[SUM:.*]] = dl.constant dense<[1.100000e+01, 2.200000e+01]> : tensor<2xf32>
// CHECK: %[[D:.*]] = dl.conv %[[X]], %{{[^,]*}} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
// CHECK: %[[C:.*]] = dl.conv %[[Z]], %{{.*}}, %[[SUM]] : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
// CHECK: dl.add %[[C]], %[[D]]
func.func @merge_biases(%x: tensor<1x1x3x3xf32>, %z: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = dl.constant dense<[[[[2.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %b = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wd = dl.constant dense<[[[[3.0]]], [[[5.0]]]]> : tensor<2x1x1x1xf32>
  %bd = dl.constant dense<[10.0, 20.0]> : tensor<2xf32>
  %c = dl.conv %z, %w, %b : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %d = dl.conv %x, %wd, %bd : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %y = dl.add %c, %d : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Only one of the two convs has a bias: nothing to merge.
// CHECK-LABEL: func.func @one_bias(
// CHECK: dl.conv %{{.*}}, %{{.*}}, %{{.*}} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>)
// CHECK: dl.conv %{{[^,]*}}, %{{[^,]*}} : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) ->
func.func @one_bias(%x: tensor<1x1x3x3xf32>, %z: tensor<1x1x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = dl.constant dense<[[[[2.0]]], [[[4.0]]]]> : tensor<2x1x1x1xf32>
  %b = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %wd = dl.constant dense<[[[[3.0]]], [[[5.0]]]]> : tensor<2x1x1x1xf32>
  %c = dl.conv %z, %w, %b : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %d = dl.conv %x, %wd : (tensor<1x1x3x3xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x3x3xf32>
  %y = dl.add %c, %d : (tensor<1x2x3x3xf32>, tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}
