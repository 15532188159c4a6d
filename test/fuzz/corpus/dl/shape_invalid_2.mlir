
// 24 elements do not split into rows of 5.
func.func @reshape_dynamic_not_divisible(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'dl.reshape' op cannot reshape 'tensor<2x3x4xf32>' (24 elements) to 'tensor<?x5xf32>'}}
  %0 = dl.reshape %x : (tensor<2x3x4xf32>) -> tensor<?x5xf32>
  return
}

