// Indexing gradient rules (scatter-add), run with --index-high 3 so the
// i64 indices are in [-3, 3): negative ones count from the end, and repeats
// accumulate. An embedding lookup (a [5, 3] table by [2, 3] token ids),
// gather along axis 1 with a scalar index, gather_elements, and
// scatter_add itself (its data and updates get gradients).
func.func @loss(%table: tensor<5x3xf64>, %ids: tensor<2x3xi64>, %x: tensor<2x4xf64>,
                %k: tensor<i64>, %e: tensor<3x4xf64>, %ei: tensor<2x4xi64>,
                %u: tensor<2x3x3xf64>) -> tensor<f64> {
  %emb = dl.gather %table, %ids : (tensor<5x3xf64>, tensor<2x3xi64>) -> tensor<2x3x3xf64>
  %col = dl.gather %x, %k {axis = 1 : i64} : (tensor<2x4xf64>, tensor<i64>) -> tensor<2xf64>
  %ge = dl.gather_elements %e, %ei {axis = 0 : i64} : (tensor<3x4xf64>, tensor<2x4xi64>) -> tensor<2x4xf64>
  %sc = dl.scatter_add %table, %ids, %u : (tensor<5x3xf64>, tensor<2x3xi64>, tensor<2x3x3xf64>) -> tensor<5x3xf64>
  %sin = dl.sin %emb : tensor<2x3x3xf64>
  %m0 = dl.mul %sin, %u : (tensor<2x3x3xf64>, tensor<2x3x3xf64>) -> tensor<2x3x3xf64>
  %r0 = dl.reduce_sum %m0 {keepdims = false} : tensor<2x3x3xf64> -> tensor<f64>
  %m1 = dl.mul %col, %col : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xf64>
  %r1 = dl.reduce_sum %m1 {keepdims = false} : tensor<2xf64> -> tensor<f64>
  %m2 = dl.mul %ge, %x : (tensor<2x4xf64>, tensor<2x4xf64>) -> tensor<2x4xf64>
  %r2 = dl.reduce_sum %m2 {keepdims = false} : tensor<2x4xf64> -> tensor<f64>
  %m3 = dl.mul %sc, %sc : (tensor<5x3xf64>, tensor<5x3xf64>) -> tensor<5x3xf64>
  %r3 = dl.reduce_sum %m3 {keepdims = false} : tensor<5x3xf64> -> tensor<f64>
  %a0 = dl.add %r0, %r1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %a1 = dl.add %a0, %r2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %loss = dl.add %a1, %r3 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %loss : tensor<f64>
}
