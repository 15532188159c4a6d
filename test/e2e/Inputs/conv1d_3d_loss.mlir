// A 1-D conv with stride 3 and dilation 2 (conv_transpose path), and a
// 3-D conv with unit strides and pads (flipped-kernel path).
func.func @loss(%x: tensor<2x3x11xf64>, %w: tensor<2x3x3xf64>, %b: tensor<2xf64>, %v: tensor<1x2x3x4x3xf64>, %k: tensor<2x2x2x3x2xf64>) -> tensor<f64> {
  %y = dl.conv %x, %w, %b {strides = array<i64: 3>, pads = array<i64: 2, 2>, dilations = array<i64: 2>} : (tensor<2x3x11xf64>, tensor<2x3x3xf64>, tensor<2xf64>) -> tensor<2x2x4xf64>
  %sq = dl.mul %y, %y : (tensor<2x2x4xf64>, tensor<2x2x4xf64>) -> tensor<2x2x4xf64>
  %l1 = dl.reduce_sum %sq {keepdims = false} : tensor<2x2x4xf64> -> tensor<f64>
  %z = dl.conv %v, %k {pads = array<i64: 1, 0, 1, 0, 1, 1>} : (tensor<1x2x3x4x3xf64>, tensor<2x2x2x3x2xf64>) -> tensor<1x2x3x3x4xf64>
  %zq = dl.mul %z, %z : (tensor<1x2x3x3x4xf64>, tensor<1x2x3x3x4xf64>) -> tensor<1x2x3x3x4xf64>
  %l2 = dl.reduce_sum %zq {keepdims = false} : tensor<1x2x3x3x4xf64> -> tensor<f64>
  %loss = dl.add %l1, %l2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %loss : tensor<f64>
}
