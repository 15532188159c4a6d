// dl.conv 2-D with stride 2, asymmetric pads, dilation 2, two groups and a
// bias: the input gradient takes the conv_transpose path (output_padding 1
// along H, 0 along W). The batch dim is dynamic; the result is a tensor, so
// gradcheck differentiates sum(result * r) for a fixed random r.
func.func @loss(%x: tensor<?x4x7x6xf64>, %w: tensor<4x2x3x2xf64>, %b: tensor<4xf64>) -> tensor<?x4x3x3xf64> {
  %y = dl.conv %x, %w, %b {strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 2, 1>, dilations = array<i64: 2, 2>, groups = 2 : i64} : (tensor<?x4x7x6xf64>, tensor<4x2x3x2xf64>, tensor<4xf64>) -> tensor<?x4x3x3xf64>
  %t = dl.tanh %y : tensor<?x4x3x3xf64>
  return %t : tensor<?x4x3x3xf64>
}
