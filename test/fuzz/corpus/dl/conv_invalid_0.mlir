// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @input_rank_too_small(%x: tensor<1x3xf32>, %w: tensor<4x3xf32>) {
  // expected-error @+2 {{input must be N x C x D1..Dk with 1 to 3 spatial dims, got rank 2}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x3xf32>, tensor<4x3xf32>) -> tensor<1x4xf32>
  return
}

