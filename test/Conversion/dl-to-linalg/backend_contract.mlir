// RUN: dlc-opt %s --dl-verify-backend-contract --split-input-file -verify-diagnostics

// The contract names the first op the CPU backend cannot take, and why, at
// its location (the ONNX node), before any lowering starts.
func.func @dynamic_spatial(%x: tensor<1x3x?x?xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x?x?xf32> {
  // expected-error @+1 {{'dl.conv' cannot be compiled yet: the CPU backend needs static spatial dims for it (pin them with --input-shape)}}
  %0 = dl.conv %x, %w : (tensor<1x3x?x?xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x?x?xf32>
  return %0 : tensor<1x8x?x?xf32>
}

// -----

// Everything here lowers: no diagnostic.
func.func @supported(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = dl.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = dl.relu %0 : tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}

// -----

// The gradient ops share the windowed ops' limit.
func.func @pool_grad_dynamic_spatial(%x: tensor<1x3x?x8xf32>, %g: tensor<1x3x?x4xf32>) -> tensor<1x3x?x8xf32> {
  // expected-error @+1 {{'dl.max_pool_grad' cannot be compiled yet: the CPU backend needs static spatial dims for it (pin them with --input-shape)}}
  %0 = dl.max_pool_grad %x, %g {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x?x8xf32>, tensor<1x3x?x4xf32>) -> tensor<1x3x?x8xf32>
  return %0 : tensor<1x3x?x8xf32>
}

// -----

// The gradient ops lower too: no diagnostic.
func.func @gradient_ops(%t: tensor<10x4xf32>, %i: tensor<3xi64>, %u: tensor<3x4xf32>) -> tensor<10x4xf32> {
  %0 = dl.scatter_add %t, %i, %u : (tensor<10x4xf32>, tensor<3xi64>, tensor<3x4xf32>) -> tensor<10x4xf32>
  %1 = dl.stop_gradient %0 : tensor<10x4xf32>
  return %1 : tensor<10x4xf32>
}
