// Training-time ops: dropout's gradient reuses the forward mask (the same
// seed gives the same mask on every call, so finite differences see it) and
// scales by 1 / (1 - ratio); outside training it is the identity.
// stop_gradient forwards its value (here a constant's, so x's gradient is
// that constant; its own gradient rule is checked in autodiff.mlir).
func.func @loss(%x: tensor<3x4xf64>, %w: tensor<3x4xf64>) -> tensor<f64> {
  %o, %m = dl.dropout %x {ratio = 0.3 : f64, seed = 7 : i64, training = true} : tensor<3x4xf64> -> tensor<3x4xf64>, tensor<3x4xi1>
  %i, %im = dl.dropout %x {ratio = 0.3 : f64} : tensor<3x4xf64> -> tensor<3x4xf64>, tensor<3x4xi1>
  %k = dl.constant dense<[[1.0, -2.0, 0.5, 3.0], [0.0, 1.5, -1.0, 2.0], [4.0, -0.5, 0.25, 1.0]]> : tensor<3x4xf64>
  %sk = dl.stop_gradient %k : tensor<3x4xf64>
  %s = dl.sin %o : tensor<3x4xf64>
  %a = dl.mul %s, %w : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %b = dl.mul %i, %sk : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %c = dl.add %a, %b : (tensor<3x4xf64>, tensor<3x4xf64>) -> tensor<3x4xf64>
  %loss = dl.reduce_sum %c {keepdims = false} : tensor<3x4xf64> -> tensor<f64>
  return %loss : tensor<f64>
}
