
func.func @axis_on_scalar(%a: tensor<f32>) -> tensor<f32> {
  // expected-error @+2 {{axes value 0 is out of range for rank 0}}
  // expected-error @+1 {{'dl.reduce_mean' op failed to infer returned types}}
  %0 = dl.reduce_mean %a {axes = array<i64: 0>} : tensor<f32> -> tensor<f32>
  return %0 : tensor<f32>
}

