
func.func @input_rank_too_large(%x: tensor<1x1x4x4x4x4xf32>, %w: tensor<1x1x2x2x2x2xf32>) {
  // expected-error @+2 {{input must be N x C x D1..Dk with 1 to 3 spatial dims, got rank 6}}
  // expected-error @+1 {{'dl.conv' op failed to infer returned types}}
  %0 = dl.conv %x, %w : (tensor<1x1x4x4x4x4xf32>, tensor<1x1x2x2x2x2xf32>) -> tensor<1x1x3x3x3x3xf32>
  return
}

