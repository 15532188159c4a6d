// RUN: dlc-opt %s --dl-verify-backend-contract --split-input-file -verify-diagnostics

// The contract names the first op the CPU backend cannot take, at its
// location (the ONNX node), before any lowering starts.
func.func @unsupported(%x: tensor<1x3x8x8xf32>) -> tensor<1x3x16x16xf32> {
  // expected-error @+1 {{'dl.resize' cannot be compiled yet: the CPU backend has no lowering for it}}
  %0 = dl.resize %x {scales = array<f64: 1.0, 1.0, 2.0, 2.0>} : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
  return %0 : tensor<1x3x16x16xf32>
}

// -----

// Everything here lowers: no diagnostic.
func.func @supported(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = dl.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = dl.relu %0 : tensor<2x4xf32>
  return %1 : tensor<2x4xf32>
}
