// A classifier head with a cross-entropy-style loss, for the gradient
// check of the second batch of rules: softmax, log_softmax, sqrt,
// reciprocal, silu, squeeze, unsqueeze, flatten and expand.
func.func @loss(%x: tensor<2x3x2xf64>, %w: tensor<6x4xf64>, %s: tensor<4xf64>) -> tensor<f64> {
  %f = dl.flatten %x : tensor<2x3x2xf64> -> tensor<2x6xf64>
  %h = dl.matmul %f, %w : (tensor<2x6xf64>, tensor<6x4xf64>) -> tensor<2x4xf64>
  %a = dl.silu %h : tensor<2x4xf64>
  %su = dl.unsqueeze %s {axes = array<i64: 0>} : tensor<4xf64> -> tensor<1x4xf64>
  %se = dl.expand %su : (tensor<1x4xf64>) -> tensor<2x4xf64>
  %sq = dl.mul %se, %se : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %one = dl.constant dense<1.0> : tensor<f64>
  %den = dl.add %sq, %one : (tensor<2x4xf64>, tensor<f64>) -> tensor<2x4xf64>
  %r = dl.sqrt %den : tensor<2x4xf64>
  %inv = dl.reciprocal %r : tensor<2x4xf64>
  %z = dl.mul %a, %inv : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %p = dl.softmax %z : tensor<2x4xf64>
  %lp = dl.log_softmax %z : tensor<2x4xf64>
  %pl = dl.mul %p, %lp : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %col = dl.unsqueeze %pl {axes = array<i64: 2>} : tensor<2x4xf64> -> tensor<2x4x1xf64>
  %back = dl.squeeze %col {axes = array<i64: 2>} : tensor<2x4x1xf64> -> tensor<2x4xf64>
  %sum = dl.reduce_sum %back {keepdims = false} : tensor<2x4xf64> -> tensor<f64>
  %loss = dl.neg %sum : tensor<f64>
  return %loss : tensor<f64>
}
