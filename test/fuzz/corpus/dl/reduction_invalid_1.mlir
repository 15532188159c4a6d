
func.func @negative_axis_out_of_range(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{axes value -3 is out of range for rank 2}}
  // expected-error @+1 {{'dl.reduce_max' op failed to infer returned types}}
  %0 = dl.reduce_max %a {axes = array<i64: -3>} : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

