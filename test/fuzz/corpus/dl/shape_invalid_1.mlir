
func.func @reshape_two_dynamic_without_shape(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{'dl.reshape' op result 'tensor<?x?xf32>' has 2 dynamic dims; without a shape operand at most one dim can be found from the element count}}
  %0 = dl.reshape %x : (tensor<2x3x4xf32>) -> tensor<?x?xf32>
  return
}

