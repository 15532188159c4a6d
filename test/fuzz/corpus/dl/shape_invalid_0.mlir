// RUN: dlc-opt %s -split-input-file -verify-diagnostics

//===----------------------------------------------------------------------===//
// reshape
//===----------------------------------------------------------------------===//

func.func @reshape_count_mismatch(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'dl.reshape' op cannot reshape 'tensor<2x3xf32>' (6 elements) to 'tensor<7xf32>'}}
  %0 = dl.reshape %x : (tensor<2x3xf32>) -> tensor<7xf32>
  return
}

