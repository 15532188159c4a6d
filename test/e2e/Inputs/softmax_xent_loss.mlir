// dl.softmax_cross_entropy (with label smoothing) and the
// dl.softmax_cross_entropy_grad that dl-autodiff makes of it, for the
// gradient check. The result is the per-sample loss, so each row's gradient
// is scaled by its own cotangent; every class is some row's label or not.
func.func @loss(%x: tensor<4x3xf64>, %w: tensor<3x5xf64>) -> tensor<4xf64> {
  %z = dl.matmul %x, %w : (tensor<4x3xf64>, tensor<3x5xf64>) -> tensor<4x5xf64>
  %labels = dl.constant dense<[4, 0, 2, 0]> : tensor<4xi64>
  %l = dl.softmax_cross_entropy %z, %labels {label_smoothing = 1.000000e-01 : f64} : (tensor<4x5xf64>, tensor<4xi64>) -> tensor<4xf64>
  return %l : tensor<4xf64>
}
