
func.func @incompatible_broadcast_compare(%a: tensor<5xf32>, %b: tensor<3xf32>) -> tensor<5xi1> {
  // expected-error @+2 {{operands are not broadcast-compatible: 5 and 3}}
  // expected-error @+1 {{'dl.less' op failed to infer returned types}}
  %0 = dl.less %a, %b : (tensor<5xf32>, tensor<3xf32>) -> tensor<5xi1>
  return %0 : tensor<5xi1>
}

