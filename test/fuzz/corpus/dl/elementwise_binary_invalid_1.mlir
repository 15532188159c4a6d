
func.func @incompatible_broadcast_leading(%a: tensor<2x3xi32>, %b: tensor<4x1xi32>) -> tensor<4x3xi32> {
  // expected-error @+2 {{operands are not broadcast-compatible: 2x3 and 4x1}}
  // expected-error @+1 {{'dl.mul' op failed to infer returned types}}
  %0 = dl.mul %a, %b : (tensor<2x3xi32>, tensor<4x1xi32>) -> tensor<4x3xi32>
  return %0 : tensor<4x3xi32>
}

