// dl.conv_transpose with stride 2, output_padding, asymmetric pads,
// dilation 2 along W, two groups and a bias. Along H the end pad (0) is
// smaller than output_padding (1), so the gradient is cropped there.
func.func @loss(%x: tensor<2x4x3x3xf64>, %w: tensor<4x3x3x2xf64>, %b: tensor<6xf64>) -> tensor<f64> {
  %y = dl.conv_transpose %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, output_padding = array<i64: 1, 1>, groups = 2 : i64} : (tensor<2x4x3x3xf64>, tensor<4x3x3x2xf64>, tensor<6xf64>) -> tensor<2x6x7x7xf64>
  %sq = dl.mul %y, %y : (tensor<2x6x7x7xf64>, tensor<2x6x7x7xf64>) -> tensor<2x6x7x7xf64>
  %loss = dl.reduce_sum %sq {keepdims = false} : tensor<2x6x7x7xf64> -> tensor<f64>
  return %loss : tensor<f64>
}
