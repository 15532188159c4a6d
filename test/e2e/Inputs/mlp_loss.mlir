// A two-layer network with a mean-squared loss, for the gradient check:
// every rule dl-autodiff has so far sits on the path (matmul, broadcasting
// add and sub, relu, sigmoid, tanh, exp, log, div, neg, transpose, reshape,
// reduce_sum, reduce_mean), and %x feeds two branches (fan-out).
func.func @loss(%x: tensor<3x4xf64>, %w1: tensor<4x5xf64>, %b1: tensor<5xf64>,
                %w2: tensor<5x2xf64>, %t: tensor<3x2xf64>) -> tensor<f64> {
  %h = dl.matmul %x, %w1 : (tensor<3x4xf64>, tensor<4x5xf64>) -> tensor<3x5xf64>
  %hb = dl.add %h, %b1 : (tensor<3x5xf64>, tensor<5xf64>) -> tensor<3x5xf64>
  %r = dl.relu %hb : tensor<3x5xf64>
  %s = dl.sigmoid %hb : tensor<3x5xf64>
  %m = dl.mul %r, %s : (tensor<3x5xf64>, tensor<3x5xf64>) -> tensor<3x5xf64>
  %o = dl.matmul %m, %w2 : (tensor<3x5xf64>, tensor<5x2xf64>) -> tensor<3x2xf64>
  %th = dl.tanh %o : tensor<3x2xf64>
  %xt = dl.transpose %x {perm = array<i64: 1, 0>} : tensor<3x4xf64> -> tensor<4x3xf64>
  %xr = dl.reshape %xt : (tensor<4x3xf64>) -> tensor<12xf64>
  %xs = dl.reduce_sum %xr {keepdims = false} : tensor<12xf64> -> tensor<f64>
  %e = dl.exp %xs : tensor<f64>
  %one = dl.constant dense<1.0> : tensor<f64>
  %e1 = dl.add %e, %one : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %l = dl.log %e1 : tensor<f64>
  %sc = dl.div %th, %e1 : (tensor<3x2xf64>, tensor<f64>) -> tensor<3x2xf64>
  %d = dl.sub %sc, %t : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
  %sq = dl.mul %d, %d : (tensor<3x2xf64>, tensor<3x2xf64>) -> tensor<3x2xf64>
  %mse = dl.reduce_mean %sq {keepdims = false} : tensor<3x2xf64> -> tensor<f64>
  %nl = dl.neg %l : tensor<f64>
  %total = dl.sub %mse, %nl : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %total : tensor<f64>
}
