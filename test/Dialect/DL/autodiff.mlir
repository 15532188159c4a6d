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

// An op on the gradient's path without a rule is an error naming it.
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{dl-autodiff: no gradient rule for 'dl.floor'}}
  %0 = dl.floor %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
