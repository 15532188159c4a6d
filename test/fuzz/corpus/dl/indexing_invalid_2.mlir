
func.func @gather_scalar_input(%x: tensor<f32>, %i: tensor<i64>) {
  // expected-error @+2 {{gather input must have rank >= 1}}
  // expected-error @+1 {{'dl.gather' op failed to infer returned types}}
  %0 = dl.gather %x, %i : (tensor<f32>, tensor<i64>) -> tensor<f32>
  return
}

