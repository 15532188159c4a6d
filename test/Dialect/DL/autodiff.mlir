// RUN: dlc-opt %s --dl-autodiff="functions=f" --split-input-file -verify-diagnostics | FileCheck %s

// The gradient function takes the arguments and the result's cotangent and
// returns the result and one gradient per float argument. The broadcast
// bias gets its gradient summed over the broadcast dim.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:.*]]: tensor<3x4xf32>, %[[W:.*]]: tensor<4x2xf32>, %[[B:.*]]: tensor<2xf32>, %[[G:.*]]: tensor<3x2xf32>)
// CHECK-SAME: -> (tensor<3x2xf32>, tensor<3x4xf32>, tensor<4x2xf32>, tensor<2xf32>)
// CHECK: %[[MM:.*]] = dl.matmul %[[X]], %[[W]]
// CHECK: dl.add %[[MM]], %[[B]]
// CHECK: %[[SB:.*]] = dl.reduce_sum %[[G]] {axes = array<i64: 0>}
// CHECK: %[[GB:.*]] = dl.reshape %[[SB]] : (tensor<1x2xf32>) -> tensor<2xf32>
// CHECK: %[[WT:.*]] = dl.transpose %[[W]] {perm = array<i64: 1, 0>}
// CHECK: %[[GX:.*]] = dl.matmul %[[G]], %[[WT]]
// CHECK: return {{.*}}, %[[GX]], %{{.*}}, %[[GB]]
func.func @f(%x: tensor<3x4xf32>, %w: tensor<4x2xf32>, %b: tensor<2xf32>) -> tensor<3x2xf32> {
  %0 = dl.matmul %x, %w : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  %1 = dl.add %0, %b : (tensor<3x2xf32>, tensor<2xf32>) -> tensor<3x2xf32>
  return %1 : tensor<3x2xf32>
}

// -----

// A value used twice gets the sum of both contributions.
// CHECK-LABEL: func.func @f_grad(
// CHECK: %[[A:.*]] = dl.mul %arg1, %arg0
// CHECK: %[[B:.*]] = dl.mul %arg1, %arg0
// CHECK: %[[S:.*]] = dl.add %[[A]], %[[B]]
// CHECK: return %{{.*}}, %[[S]]
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dl.mul %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// ReLU's gradient reads its output (y > 0, as PyTorch's threshold_backward),
// not its input: x is then not kept for the backward pass.
// CHECK-LABEL: func.func @f_grad(
// CHECK: %[[Y:.*]] = dl.relu %arg0
// CHECK: %[[M:.*]] = dl.greater %[[Y]], %{{.*}}
// CHECK: %[[G:.*]] = dl.select %[[M]], %arg1, %{{.*}}
// CHECK: return %[[Y]], %[[G]]
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dl.relu %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// An op on the gradient's path without a rule is an error naming it.
func.func @f(%x: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{no gradient rule for 'dl.resize'}}
  %0 = dl.resize %x {scales = array<f64: 2.0>} : tensor<4xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// stop_gradient blocks its path: x * stop_gradient(x) has gradient
// g * stop_gradient(x) only, with nothing added from the second operand.
// CHECK-LABEL: func.func @f_grad(
// CHECK: %[[S:.*]] = dl.stop_gradient %arg0
// CHECK: %[[G:.*]] = dl.mul %arg1, %[[S]]
// CHECK-NOT: dl.add
// CHECK: return %{{.*}}, %[[G]]
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %s = dl.stop_gradient %x : tensor<4xf32>
  %0 = dl.mul %x, %s : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// dropout reuses the forward mask and scales by 1 / (1 - ratio); its i1
// mask result gets no zero gradient built for it.
// CHECK-LABEL: func.func @f_grad(
// CHECK: %{{.*}}, %[[M:.*]] = dl.dropout
// CHECK-NOT: dl.expand
// CHECK: %[[SC:.*]] = dl.constant dense<1.250000e+00> : tensor<f32>
// CHECK: %[[GS:.*]] = dl.mul %arg1, %[[SC]]
// CHECK: %[[G:.*]] = dl.select %[[M]], %[[GS]], %{{.*}} : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK: return %{{.*}}, %[[G]]
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %o, %m = dl.dropout %x {ratio = 0.2 : f64, seed = 3 : i64, training = true} : tensor<4xf32> -> tensor<4xf32>, tensor<4xi1>
  return %o : tensor<4xf32>
}

// -----

// gather (an embedding lookup): the table's gradient scatter-adds g into
// zeros; the indices get none.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: -> (tensor<2x3x4xf32>, tensor<10x4xf32>)
// CHECK: %[[Z:.*]] = dl.expand %{{.*}} : (tensor<f32>) -> tensor<10x4xf32>
// CHECK: %[[G:.*]] = dl.scatter_add %[[Z]], %arg1, %arg2 : (tensor<10x4xf32>, tensor<2x3xi64>, tensor<2x3x4xf32>) -> tensor<10x4xf32>
// CHECK: return %{{.*}}, %[[G]]
func.func @f(%t: tensor<10x4xf32>, %ids: tensor<2x3xi64>) -> tensor<2x3x4xf32> {
  %0 = dl.gather %t, %ids : (tensor<10x4xf32>, tensor<2x3xi64>) -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

// -----

// slice: a step other than 1 scatters g's columns back to the ones read
// (here 3 and 1 for step -2); step-1 axes pad with zeros.
// CHECK-LABEL: func.func @f_grad(
// CHECK: %[[ROWS:.*]] = dl.constant dense<[3, 1]> : tensor<2xi64>
// CHECK: %[[S:.*]] = dl.scatter_add %{{.*}}, %[[ROWS]], %arg1 {axis = 1 : i64} : (tensor<2x4xf32>, tensor<2xi64>, tensor<2x2xf32>) -> tensor<2x4xf32>
// CHECK: %[[G:.*]] = dl.pad %[[S]] {pads = array<i64: 1, 0, 3, 0>} : tensor<2x4xf32> -> tensor<6x4xf32>
// CHECK: return %{{.*}}, %[[G]]
func.func @f(%x: tensor<6x4xf32>) -> tensor<2x2xf32> {
  %0 = dl.slice %x {starts = array<i64: 1, 3>, ends = array<i64: 3, -100>, steps = array<i64: 1, -2>} : tensor<6x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// A dynamic batch dim: the mean's count is computed from dl.shape_of at run
// time, and the gradient is expanded to the input's run-time shape.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: %[[X:.*]]: tensor<?x4xf32>, %[[G:.*]]: tensor<f32>) -> (tensor<f32>, tensor<?x4xf32>)
// CHECK: %[[GK:.*]] = dl.unsqueeze %[[G]] {axes = array<i64: 0, 1>}
// CHECK: %[[SHAPE:.*]] = dl.shape_of %[[X]]
// CHECK: %[[DIMS:.*]] = dl.cast %[[SHAPE]] : tensor<2xi64> -> tensor<2xf32>
// CHECK: %[[PICK:.*]] = dl.gather %[[DIMS]]
// CHECK: %[[N:.*]] = dl.reduce_prod %[[PICK]] {keepdims = false} : tensor<2xf32> -> tensor<f32>
// CHECK: %[[D:.*]] = dl.div %[[GK]], %[[N]]
// CHECK: %[[S2:.*]] = dl.shape_of %[[X]]
// CHECK: %[[DX:.*]] = dl.expand %[[D]], %[[S2]] : (tensor<1x1xf32>, tensor<2xi64>) -> tensor<?x4xf32>
// CHECK: return %{{.*}}, %[[DX]]
func.func @f(%x: tensor<?x4xf32>) -> tensor<f32> {
  %0 = dl.reduce_mean %x {keepdims = false} : tensor<?x4xf32> -> tensor<f32>
  return %0 : tensor<f32>
}

// -----

// A cast between float types casts the gradient back; through an integer
// type nothing flows (x's gradient is zeros).
// CHECK-LABEL: func.func @f_grad(
// CHECK: %[[G:.*]] = dl.cast %arg1 : tensor<4xf16> -> tensor<4xf32>
// CHECK: return %{{.*}}, %[[G]]
func.func @f(%x: tensor<4xf32>) -> tensor<4xf16> {
  %0 = dl.cast %x : tensor<4xf32> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// batch_norm_train normalizes with its own batch statistics, so the
// gradient needs only two per-channel sums, s1 = sum(g) (the bias's
// gradient) and s2 = sum(g * (x - mean)); then dx = a g + b (x - mean) + c
// with per-channel a, b, c. With the statistics unused no terms are built
// for their (zero) gradients.
// CHECK-LABEL: func.func @f_grad(
// CHECK: %{{.*}}, %[[MEAN:.*]], %[[VAR:.*]] = dl.batch_norm_train
// CHECK: dl.unsqueeze %[[MEAN]] {axes = array<i64: 0>}
// CHECK: dl.unsqueeze %[[VAR]] {axes = array<i64: 0>}
// CHECK: %[[C:.*]] = dl.sub %arg0, %{{.*}} : (tensor<8x3xf32>, tensor<1x3xf32>) -> tensor<8x3xf32>
// CHECK: %[[S1:.*]] = dl.reduce_sum %{{.*}} {axes = array<i64: 0>, keepdims = false} : tensor<8x3xf32> -> tensor<3xf32>
// CHECK: %[[GC:.*]] = dl.mul %{{.*}}, %[[C]]
// CHECK: dl.reduce_sum %[[GC]] {axes = array<i64: 0>, keepdims = false} : tensor<8x3xf32> -> tensor<3xf32>
// CHECK-NOT: dl.reduce_
// CHECK-NOT: dl.expand
// CHECK: return
func.func @f(%x: tensor<8x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<8x3xf32> {
  %y, %m, %v = dl.batch_norm_train %x, %s, %b : (tensor<8x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<8x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return %y : tensor<8x3xf32>
}
