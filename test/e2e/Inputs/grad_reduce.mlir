// Reduction gradient rules, each result weighted by an argument so the
// routing shows. reduce_max / reduce_min run on [x, x] (every value twice),
// so the maxima are ties whose gradient splits in half. reduce_prod sees
// x^2 + 0.5 (no zeros). keepdims true and false, negative and empty axes.
func.func @loss(%x: tensor<2x3xf64>, %w3: tensor<3xf64>, %w2: tensor<2x1xf64>,
                %t: tensor<2x2x3xf64>) -> tensor<f64> {
  %xx = dl.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<4x3xf64>
  %mx = dl.reduce_max %xx {axes = array<i64: 0>, keepdims = false} : tensor<4x3xf64> -> tensor<3xf64>
  %mn = dl.reduce_min %xx {axes = array<i64: -1>} : tensor<4x3xf64> -> tensor<4x1xf64>
  %half = dl.constant dense<0.5> : tensor<f64>
  %sq = dl.mul %x, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %pos = dl.add %sq, %half : (tensor<2x3xf64>, tensor<f64>) -> tensor<2x3xf64>
  %pr = dl.reduce_prod %pos {axes = array<i64: 1>} : tensor<2x3xf64> -> tensor<2x1xf64>
  %l1 = dl.reduce_l1 %t {axes = array<i64: 0, 2>, keepdims = false} : tensor<2x2x3xf64> -> tensor<2xf64>
  %l2 = dl.reduce_l2 %t {axes = array<i64: 1>, keepdims = false} : tensor<2x2x3xf64> -> tensor<2x3xf64>
  %ss = dl.reduce_sum_square %x {axes = array<i64: 0>, keepdims = false} : tensor<2x3xf64> -> tensor<3xf64>
  %lse = dl.reduce_log_sum_exp %t {axes = array<i64: -1>} : tensor<2x2x3xf64> -> tensor<2x2x1xf64>
  %mean = dl.reduce_mean %t {keepdims = false} : tensor<2x2x3xf64> -> tensor<f64>
  %all = dl.reduce_max %t {keepdims = false} : tensor<2x2x3xf64> -> tensor<f64>

  %e0 = dl.mul %mx, %w3 : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %e1 = dl.mul %ss, %w3 : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %e2 = dl.add %e0, %e1 : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %r0 = dl.reduce_sum %e2 {keepdims = false} : tensor<3xf64> -> tensor<f64>
  %mn2 = dl.reshape %mn : (tensor<4x1xf64>) -> tensor<2x2xf64>
  %e3 = dl.mul %mn2, %w2 : (tensor<2x2xf64>, tensor<2x1xf64>) -> tensor<2x2xf64>
  %r1 = dl.reduce_sum %e3 {keepdims = false} : tensor<2x2xf64> -> tensor<f64>
  %e4 = dl.mul %pr, %w2 : (tensor<2x1xf64>, tensor<2x1xf64>) -> tensor<2x1xf64>
  %r2 = dl.reduce_sum %e4 {keepdims = false} : tensor<2x1xf64> -> tensor<f64>
  %e5 = dl.mul %l2, %x : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %r3 = dl.reduce_sum %e5 {keepdims = false} : tensor<2x3xf64> -> tensor<f64>
  %e6 = dl.mul %lse, %w2 : (tensor<2x2x1xf64>, tensor<2x1xf64>) -> tensor<2x2x1xf64>
  %r4 = dl.reduce_sum %e6 {keepdims = false} : tensor<2x2x1xf64> -> tensor<f64>
  %e7 = dl.mul %l1, %l1 : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  %r5 = dl.reduce_sum %e7 {keepdims = false} : tensor<2xf64> -> tensor<f64>
  %m2 = dl.mul %mean, %all : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q0 = dl.add %r0, %r1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q1 = dl.add %q0, %r2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q2 = dl.add %q1, %r3 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q3 = dl.add %q2, %r4 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %q4 = dl.add %q3, %r5 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %loss = dl.add %q4, %m2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %loss : tensor<f64>
}
