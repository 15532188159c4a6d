// Normalization gradient rules. Outputs are weighted by %w (a plain sum of
// a normalized tensor has zero gradient); batch_norm_train's batch mean and
// variance feed the loss too, and batch_norm's running variance is kept
// positive as v^2 + 0.5.
func.func @loss(%x: tensor<2x4x3xf64>, %scale: tensor<4xf64>, %bias: tensor<4xf64>,
                %w: tensor<2x4x3xf64>, %ls: tensor<3xf64>, %mean: tensor<4xf64>,
                %v: tensor<4xf64>) -> tensor<f64> {
  %y0, %bm, %bv = dl.batch_norm_train %x, %scale, %bias {epsilon = 1.0e-3 : f64} : (tensor<2x4x3xf64>, tensor<4xf64>, tensor<4xf64>) -> (tensor<2x4x3xf64>, tensor<4xf64>, tensor<4xf64>)
  %half = dl.constant dense<0.5> : tensor<f64>
  %vv = dl.mul %v, %v : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %var = dl.add %vv, %half : (tensor<4xf64>, tensor<f64>) -> tensor<4xf64>
  %y1 = dl.batch_norm %x, %scale, %bias, %mean, %var : (tensor<2x4x3xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<2x4x3xf64>
  %y2 = dl.layer_norm %x scale %ls bias %ls : (tensor<2x4x3xf64>, tensor<3xf64>, tensor<3xf64>) -> tensor<2x4x3xf64>
  %y3 = dl.layer_norm %x {axis = 1 : i64} : (tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %y4 = dl.instance_norm %x, %scale, %bias : (tensor<2x4x3xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<2x4x3xf64>
  %y5 = dl.group_norm %x, %scale, %bias {num_groups = 2 : i64} : (tensor<2x4x3xf64>, tensor<4xf64>, tensor<4xf64>) -> tensor<2x4x3xf64>
  %s0 = dl.add %y0, %y1 : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %s1 = dl.add %s0, %y2 : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %s2 = dl.add %s1, %y3 : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %s3 = dl.add %s2, %y4 : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %s4 = dl.add %s3, %y5 : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %ws = dl.mul %s4, %w : (tensor<2x4x3xf64>, tensor<2x4x3xf64>) -> tensor<2x4x3xf64>
  %r0 = dl.reduce_sum %ws {keepdims = false} : tensor<2x4x3xf64> -> tensor<f64>
  %stats = dl.mul %bm, %bv : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %sw = dl.mul %stats, %scale : (tensor<4xf64>, tensor<4xf64>) -> tensor<4xf64>
  %r1 = dl.reduce_sum %sw {keepdims = false} : tensor<4xf64> -> tensor<f64>
  %loss = dl.add %r0, %r1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %loss : tensor<f64>
}
