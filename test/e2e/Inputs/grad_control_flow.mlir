// The scf.if rule (ONNX If): a data-dependent branch on sum(x) > 0 whose
// branches use the outer values differently (x twice and w in one, x in the
// other). The gradient function takes the branch the forward took;
// gradcheck.py's inputs have sum(x) > 0, so @loss takes the then branch and
// @loss_else (the condition negated) the else branch.
func.func @loss(%x: tensor<3xf64>, %w: tensor<3xf64>) -> tensor<f64> {
  %zero = dl.constant dense<0.0> : tensor<f64>
  %s = dl.reduce_sum %x {keepdims = false} : tensor<3xf64> -> tensor<f64>
  %pos = dl.greater %s, %zero : (tensor<f64>, tensor<f64>) -> tensor<i1>
  %cond = tensor.extract %pos[] : tensor<i1>
  %r = scf.if %cond -> (tensor<3xf64>) {
    %0 = dl.mul %x, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %1 = dl.tanh %0 : tensor<3xf64>
    %2 = dl.mul %1, %x : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    scf.yield %2 : tensor<3xf64>
  } else {
    %0 = dl.sigmoid %x : tensor<3xf64>
    scf.yield %0 : tensor<3xf64>
  }
  %t = dl.mul %r, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %l = dl.reduce_sum %t {keepdims = false} : tensor<3xf64> -> tensor<f64>
  return %l : tensor<f64>
}

func.func @loss_else(%x: tensor<3xf64>, %w: tensor<3xf64>) -> tensor<f64> {
  %zero = dl.constant dense<0.0> : tensor<f64>
  %s = dl.reduce_sum %x {keepdims = false} : tensor<3xf64> -> tensor<f64>
  %pos = dl.less %s, %zero : (tensor<f64>, tensor<f64>) -> tensor<i1>
  %cond = tensor.extract %pos[] : tensor<i1>
  %r = scf.if %cond -> (tensor<3xf64>) {
    %0 = dl.mul %x, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    %1 = dl.tanh %0 : tensor<3xf64>
    %2 = dl.mul %1, %x : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
    scf.yield %2 : tensor<3xf64>
  } else {
    %0 = dl.sigmoid %x : tensor<3xf64>
    scf.yield %0 : tensor<3xf64>
  }
  %t = dl.mul %r, %w : (tensor<3xf64>, tensor<3xf64>) -> tensor<3xf64>
  %l = dl.reduce_sum %t {keepdims = false} : tensor<3xf64> -> tensor<f64>
  return %l : tensor<f64>
}
