// RUN: dlc-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// gather / gather_elements
//===----------------------------------------------------------------------===//

func.func @gather_float_indices(%x: tensor<5x4xf32>, %i: tensor<3xf32>) {
  // expected-error @+1 {{'dl.gather' op operand #1 must be ranked tensor of 32-bit signless integer or 64-bit signless integer values, but got 'tensor<3xf32>'}}
  %0 = dl.gather %x, %i : (tensor<5x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>
  return
}

