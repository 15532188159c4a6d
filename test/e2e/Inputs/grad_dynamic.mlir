// Gradients with a dynamic batch dim (run with --dynamic-dim 3): shapes the
// rules need come from dl.shape_of, and mean counts over the batch are
// computed at run time.
func.func @loss(%x: tensor<?x4xf64>, %w: tensor<4x3xf64>, %b: tensor<3xf64>,
                %s: tensor<4xf64>) -> tensor<f64> {
  %n = dl.layer_norm %x scale %s : (tensor<?x4xf64>, tensor<4xf64>) -> tensor<?x4xf64>
  %bn, %bm, %bv = dl.batch_norm_train %x, %s, %s : (tensor<?x4xf64>, tensor<4xf64>, tensor<4xf64>) -> (tensor<?x4xf64>, tensor<4xf64>, tensor<4xf64>)
  %h0 = dl.add %n, %bn : (tensor<?x4xf64>, tensor<?x4xf64>) -> tensor<?x4xf64>
  %u = dl.unsqueeze %h0 {axes = array<i64: 1>} : tensor<?x4xf64> -> tensor<?x1x4xf64>
  %f = dl.flatten %u {axis = 1 : i64} : tensor<?x1x4xf64> -> tensor<?x4xf64>
  %r = dl.reshape %f : (tensor<?x4xf64>) -> tensor<?x2x2xf64>
  %r2 = dl.reshape %r : (tensor<?x2x2xf64>) -> tensor<?x4xf64>
  %h = dl.matmul %r2, %w : (tensor<?x4xf64>, tensor<4x3xf64>) -> tensor<?x3xf64>
  %hb = dl.add %h, %b : (tensor<?x3xf64>, tensor<3xf64>) -> tensor<?x3xf64>
  %sm = dl.softmax %hb : tensor<?x3xf64>
  %st = dl.slice %sm {starts = array<i64: 2>, ends = array<i64: -100>, axes = array<i64: 1>, steps = array<i64: -2>} : tensor<?x3xf64> -> tensor<?x2xf64>
  %cat = dl.concat %st, %hb {axis = 1 : i64} : (tensor<?x2xf64>, tensor<?x3xf64>) -> tensor<?x5xf64>
  %sq = dl.mul %cat, %cat : (tensor<?x5xf64>, tensor<?x5xf64>) -> tensor<?x5xf64>
  %rows = dl.reduce_sum %sq {axes = array<i64: 1>, keepdims = false} : tensor<?x5xf64> -> tensor<?xf64>
  %mx = dl.reduce_max %hb {axes = array<i64: 0>, keepdims = false} : tensor<?x3xf64> -> tensor<3xf64>
  %m0 = dl.reduce_mean %rows {keepdims = false} : tensor<?xf64> -> tensor<f64>
  %m1 = dl.reduce_sum %mx {keepdims = false} : tensor<3xf64> -> tensor<f64>
  %stats = dl.mul %bm, %bv : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %m2 = dl.reduce_sum %stats {keepdims = false} : tensor<4xf64> -> tensor<f64>
  %a = dl.add %m0, %m1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %loss = dl.add %a, %m2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %loss : tensor<f64>
}
