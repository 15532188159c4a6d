// Depthwise dl.conv (groups = channels, 2 outputs per channel), pads 1,
// unit strides, dilation 2 along W, with bias.
func.func @loss(%x: tensor<2x3x5x6xf64>, %w: tensor<6x1x3x3xf64>, %b: tensor<6xf64>) -> tensor<f64> {
  %y = dl.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 2>, groups = 3 : i64} : (tensor<2x3x5x6xf64>, tensor<6x1x3x3xf64>, tensor<6xf64>) -> tensor<2x6x5x4xf64>
  %sq = dl.mul %y, %y : (tensor<2x6x5x4xf64>, tensor<2x6x5x4xf64>) -> tensor<2x6x5x4xf64>
  %loss = dl.reduce_sum %sq {keepdims = false} : tensor<2x6x5x4xf64> -> tensor<f64>
  return %loss : tensor<f64>
}
