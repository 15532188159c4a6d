// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @empty_range(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.random_uniform' op needs low < high, got [1.000000e+00, 1.000000e+00)}}
  %u = dl.random_uniform %x {low = 1.0 : f64, high = 1.0 : f64} : tensor<4xf32>
  return %u : tensor<4xf32>
}

// -----

func.func @integer(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.random_uniform' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %u = dl.random_uniform %x : tensor<4xi32>
  return %u : tensor<4xi32>
}

// -----

func.func @result_type(%x: tensor<4xf32>) -> tensor<5xf32> {
  // expected-error @+1 {{'dl.random_uniform' op failed to verify that all of {input, result} have same type}}
  %u = "dl.random_uniform"(%x) : (tensor<4xf32>) -> tensor<5xf32>
  return %u : tensor<5xf32>
}
