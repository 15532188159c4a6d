
func.func @matmul_vector_inner_mismatch(%a: tensor<3xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  // expected-error @+2 {{matmul contraction dims differ: lhs 3 has K = 3, rhs 4x5 has K = 4}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<3xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

