// Contraction gradient rules: gemm with each trans_a / trans_b combination,
// alpha and beta, and C broadcast from a row or a scalar; numpy matmul with
// broadcast batch dims (a 2-D operand against a batched one, batch 1
// against 2) and 1-D operands on either or both sides. Each product is
// weighted by a sine of itself so every element's gradient differs.
func.func @loss(%a: tensor<2x3xf64>, %b: tensor<3x2xf64>, %c: tensor<2xf64>,
                %p: tensor<2x1x2x3xf64>, %q: tensor<2x3x2xf64>, %v: tensor<3xf64>)
    -> tensor<f64> {
  %g0 = dl.gemm %a, %b, %c {alpha = 0.5 : f64, beta = 2.0 : f64} : (tensor<2x3xf64>, tensor<3x2xf64>, tensor<2xf64>) -> tensor<2x2xf64>
  %g1 = dl.gemm %b, %a {trans_a = true, trans_b = true, alpha = -1.5 : f64} : (tensor<3x2xf64>, tensor<2x3xf64>) -> tensor<2x2xf64>
  %g2 = dl.gemm %a, %a, %c {trans_b = true, beta = -0.5 : f64} : (tensor<2x3xf64>, tensor<2x3xf64>, tensor<2xf64>) -> tensor<2x2xf64>
  %cs = dl.reduce_sum %c {keepdims = false} : tensor<2xf64> -> tensor<f64>
  %g3 = dl.gemm %b, %b, %cs {trans_a = true} : (tensor<3x2xf64>, tensor<3x2xf64>, tensor<f64>) -> tensor<2x2xf64>
  %m0 = dl.matmul %p, %q : (tensor<2x1x2x3xf64>, tensor<2x3x2xf64>) -> tensor<2x2x2x2xf64>
  %m1 = dl.matmul %a, %q : (tensor<2x3xf64>, tensor<2x3x2xf64>) -> tensor<2x2x2xf64>
  %m2 = dl.matmul %v, %q : (tensor<3xf64>, tensor<2x3x2xf64>) -> tensor<2x2xf64>
  %m3 = dl.matmul %p, %v : (tensor<2x1x2x3xf64>, tensor<3xf64>) -> tensor<2x1x2xf64>
  %m4 = dl.matmul %v, %v : (tensor<3xf64>, tensor<3xf64>) -> tensor<f64>

  %s0 = dl.add %g0, %g1 : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
  %s1 = dl.add %s0, %g2 : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
  %s2 = dl.add %s1, %g3 : (tensor<2x2xf64>, tensor<2x2xf64>) -> tensor<2x2xf64>
  %s3 = dl.add %m0, %m1 : (tensor<2x2x2x2xf64>, tensor<2x2x2xf64>) -> tensor<2x2x2x2xf64>
  %s4 = dl.add %s3, %m2 : (tensor<2x2x2x2xf64>, tensor<2x2xf64>) -> tensor<2x2x2x2xf64>
  %s5 = dl.add %s4, %m3 : (tensor<2x2x2x2xf64>, tensor<2x1x2xf64>) -> tensor<2x2x2x2xf64>
  %s6 = dl.add %s5, %s2 : (tensor<2x2x2x2xf64>, tensor<2x2xf64>) -> tensor<2x2x2x2xf64>
  %s7 = dl.add %s6, %m4 : (tensor<2x2x2x2xf64>, tensor<f64>) -> tensor<2x2x2x2xf64>
  %sin = dl.sin %s7 : tensor<2x2x2x2xf64>
  %sq = dl.mul %sin, %s7 : (tensor<2x2x2x2xf64>, tensor<2x2x2x2xf64>) -> tensor<2x2x2x2xf64>
  %loss = dl.reduce_sum %sq {keepdims = false} : tensor<2x2x2x2xf64> -> tensor<f64>
  return %loss : tensor<f64>
}
