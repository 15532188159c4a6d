// RUN: dlc-opt %s --dl-autodiff="functions=branchy" | FileCheck %s --check-prefix=GRAD

// The gradient of scf.if is an scf.if on the same condition whose branches
// rebuild their forward ops and give the gradient of each value captured
// from outside (x and w here; zeros where a branch does not use one).
// GRAD-LABEL: func.func @branchy_grad(
// GRAD-SAME: -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// GRAD: %[[F:.*]] = scf.if %{{.*}} -> (tensor<3xf32>) {
// GRAD: %[[G:.*]]:2 = scf.if %{{.*}} -> (tensor<3xf32>, tensor<3xf32>) {
// GRAD: dl.mul %arg0, %arg1
// GRAD: scf.yield
// GRAD: } else {
// GRAD: dl.tanh %arg0
// GRAD: scf.yield
// GRAD: return %[[F]], %[[G]]#0, %[[G]]#1
func.func @branchy(%x: tensor<3xf32>, %w: tensor<3xf32>, %c: tensor<i1>) -> tensor<3xf32> {
  %b = tensor.extract %c[] : tensor<i1>
  %r = scf.if %b -> (tensor<3xf32>) {
    %0 = dl.mul %x, %w : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  } else {
    %0 = dl.tanh %x : tensor<3xf32>
    scf.yield %0 : tensor<3xf32>
  }
  return %r : tensor<3xf32>
}
