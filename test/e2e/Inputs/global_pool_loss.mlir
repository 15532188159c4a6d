// dl.global_avg_pool and dl.global_max_pool on the same input.
func.func @loss(%x: tensor<2x3x4x5xf64>) -> tensor<f64> {
  %a = dl.global_avg_pool %x : tensor<2x3x4x5xf64> -> tensor<2x3x1x1xf64>
  %m = dl.global_max_pool %x : tensor<2x3x4x5xf64> -> tensor<2x3x1x1xf64>
  %p = dl.mul %a, %m : (tensor<2x3x1x1xf64>, tensor<2x3x1x1xf64>) -> tensor<2x3x1x1xf64>
  %t = dl.tanh %p : tensor<2x3x1x1xf64>
  %loss = dl.reduce_sum %t {keepdims = false} : tensor<2x3x1x1xf64> -> tensor<f64>
  return %loss : tensor<f64>
}
