// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @matmul_inner_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{matmul contraction dims differ: lhs 2x3 has K = 3, rhs 4x5 has K = 4}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

func.func @matmul_vector_inner_mismatch(%a: tensor<3xf32>, %b: tensor<4x5xf32>) -> tensor<5xf32> {
  // expected-error @+2 {{matmul contraction dims differ: lhs 3 has K = 3, rhs 4x5 has K = 4}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<3xf32>, tensor<4x5xf32>) -> tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

func.func @matmul_batch_not_broadcastable(%a: tensor<2x2x3xf32>, %b: tensor<3x3x4xf32>) -> tensor<2x2x4xf32> {
  // expected-error @+2 {{matmul batch dims 2 and 3 are not broadcast-compatible}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<2x2x3xf32>, tensor<3x3x4xf32>) -> tensor<2x2x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

func.func @matmul_scalar_operand(%a: tensor<f32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{matmul operands must have rank >= 1, got 0 and 2}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<f32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @matmul_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dl.matmul' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A 1-D operand's dim is dropped from the result, not kept as 1.
func.func @matmul_vector_result_keeps_dim(%a: tensor<2x3xf32>, %v: tensor<3xf32>) -> tensor<2x1xf32> {
  // expected-error @+2 {{'dl.matmul' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<2x1xf32>'}}
  // expected-error @+1 {{'dl.matmul' op failed to infer returned types}}
  %0 = dl.matmul %a, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x1xf32>
  return %0 : tensor<2x1xf32>
}

// -----

func.func @matmul_element_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'dl.matmul' op requires the same element type for all operands and results}}
  %0 = dl.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_a_not_2d(%a: tensor<5x2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{gemm operands A and B must be 2-D, got rank 3 and 2 (use dl.matmul for batched products)}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b : (tensor<5x2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_b_not_2d(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2xf32> {
  // expected-error @+2 {{gemm operands A and B must be 2-D, got rank 2 and 1}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @gemm_inner_mismatch(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{gemm contraction dims differ: op(A) has K = 3, op(B) has K = 4 (check trans_a / trans_b)}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// trans_a makes A's inner dim its first: 2, against B's 3.
func.func @gemm_trans_a_inner_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+2 {{gemm contraction dims differ: op(A) has K = 2, op(B) has K = 3 (check trans_a / trans_b)}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b {trans_a = true} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @gemm_trans_b_wrong_result(%a: tensor<2x3xf32>, %b: tensor<4x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+2 {{'dl.gemm' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x3xf32>'}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b {trans_b = true} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @gemm_c_not_broadcastable(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<3xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{gemm C of shape 3 does not broadcast to the result 2x4}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// C may broadcast to the result, but must not grow it.
func.func @gemm_c_grows_result(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<5x2x4xf32>) -> tensor<5x2x4xf32> {
  // expected-error @+2 {{gemm C of shape 5x2x4 does not broadcast to the result 2x4}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<5x2x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// -----

func.func @gemm_c_element_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf16>) -> tensor<2x4xf32> {
  // expected-error @+2 {{gemm C element type 'f16' differs from A's 'f32'}}
  // expected-error @+1 {{'dl.gemm' op failed to infer returned types}}
  %0 = dl.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf16>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_element_mismatch(%a: tensor<2x3xf32>, %b: tensor<3x4xi32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'dl.gemm' op failed to verify that all of {a, b, result} have same element type}}
  %0 = dl.gemm %a, %b : (tensor<2x3xf32>, tensor<3x4xi32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_trans_a_not_bool(%a: tensor<3x2xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'dl.gemm' op attribute 'trans_a' failed to satisfy constraint: bool attribute}}
  %0 = dl.gemm %a, %b {trans_a = 1 : i64} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gemm_alpha_not_f64(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'dl.gemm' op attribute 'alpha' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dl.gemm %a, %b {alpha = 2 : i64} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}
