// dl.max_pool with overlapping windows (kernel 3x2, stride 2), asymmetric
// pads, dilation 2 along W and ceil_mode. The batch dim is dynamic; the
// result is a tensor, so gradcheck differentiates sum(result * r) for a
// fixed random r.
func.func @loss(%x: tensor<?x2x8x7xf64>) -> tensor<?x2x5x4xf64> {
  %y = dl.max_pool %x {kernel_shape = array<i64: 3, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 1>, dilations = array<i64: 1, 2>, ceil_mode = true} : tensor<?x2x8x7xf64> -> tensor<?x2x5x4xf64>
  %sq = dl.mul %y, %y : (tensor<?x2x5x4xf64>, tensor<?x2x5x4xf64>) -> tensor<?x2x5x4xf64>
  return %sq : tensor<?x2x5x4xf64>
}
