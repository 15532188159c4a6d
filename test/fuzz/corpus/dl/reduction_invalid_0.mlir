// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @axis_out_of_range(%a: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  // expected-error @+2 {{axes value 3 is out of range for rank 3}}
  // expected-error @+1 {{'dl.reduce_sum' op failed to infer returned types}}
  %0 = dl.reduce_sum %a {axes = array<i64: 3>} : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  return %0 : tensor<2x3x4xf32>
}

