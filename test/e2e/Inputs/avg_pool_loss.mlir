// dl.avg_pool with ceil_mode and pads, without and with count_include_pad
// (the windows at the edges and the ceil-mode window have smaller divisors).
func.func @loss(%x: tensor<2x2x8x6xf64>) -> tensor<f64> {
  %a = dl.avg_pool %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>, ceil_mode = true} : tensor<2x2x8x6xf64> -> tensor<2x2x5x3xf64>
  %aq = dl.mul %a, %a : (tensor<2x2x5x3xf64>, tensor<2x2x5x3xf64>) -> tensor<2x2x5x3xf64>
  %la = dl.reduce_sum %aq {keepdims = false} : tensor<2x2x5x3xf64> -> tensor<f64>
  %c = dl.avg_pool %x {kernel_shape = array<i64: 2, 3>, strides = array<i64: 2, 1>, pads = array<i64: 1, 2, 0, 1>, ceil_mode = true, count_include_pad = true} : tensor<2x2x8x6xf64> -> tensor<2x2x5x7xf64>
  %t = dl.tanh %c : tensor<2x2x5x7xf64>
  %lc = dl.reduce_sum %t {keepdims = false} : tensor<2x2x5x7xf64> -> tensor<f64>
  %loss = dl.add %la, %lc : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %loss : tensor<f64>
}
