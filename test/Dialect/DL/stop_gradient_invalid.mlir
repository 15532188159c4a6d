// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @type_changes(%x: tensor<4xf32>) {
  // expected-error @+1 {{'dl.stop_gradient' op failed to verify that all of {input, result} have same type}}
  %0 = "dl.stop_gradient"(%x) : (tensor<4xf32>) -> tensor<4xf64>
  return
}

// -----

func.func @unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{'dl.stop_gradient' op operand #0 must be ranked tensor}}
  %0 = "dl.stop_gradient"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}
