// dl.conv 2-D with unit strides, two groups with 3 output and 2 input
// channels each, and pads larger than the kernel extent on one side: the
// input gradient is a conv of the cropped gradient with the flipped,
// per-group transposed kernel.
func.func @loss(%x: tensor<2x4x5x5xf64>, %w: tensor<6x2x3x2xf64>) -> tensor<f64> {
  %y = dl.conv %x, %w {pads = array<i64: 3, 0, 0, 3>, groups = 2 : i64} : (tensor<2x4x5x5xf64>, tensor<6x2x3x2xf64>) -> tensor<2x6x6x7xf64>
  %t = dl.tanh %y : tensor<2x6x6x7xf64>
  %sq = dl.mul %t, %y : (tensor<2x6x6x7xf64>, tensor<2x6x6x7xf64>) -> tensor<2x6x6x7xf64>
  %loss = dl.reduce_sum %sq {keepdims = false} : tensor<2x6x6x7xf64> -> tensor<f64>
  return %loss : tensor<f64>
}
