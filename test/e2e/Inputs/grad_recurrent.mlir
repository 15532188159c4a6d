// Backprop through time: a bidirectional LSTM with sequence lengths (one
// sequence shorter than the input), peepholes, clip and initial states, and
// a reverse GRU without linear_before_reset over the same input, all in f64.
// The loss weighs every result (y, y_h, y_c) differently, so each reaches
// the gradients.
func.func @loss(%x: tensor<4x2x3xf64>, %w: tensor<2x16x3xf64>, %r: tensor<2x16x4xf64>,
                %b: tensor<2x32xf64>, %h: tensor<2x2x4xf64>, %c: tensor<2x2x4xf64>,
                %p: tensor<2x12xf64>, %gw: tensor<1x12x3xf64>, %gr: tensor<1x12x4xf64>,
                %gb: tensor<1x24xf64>) -> tensor<f64> {
  %len = dl.constant dense<[4, 2]> : tensor<2xi32>
  %glen = dl.constant dense<[3, 4]> : tensor<2xi32>
  %y, %yh, %yc = dl.lstm %x, %w, %r bias %b sequence_lens %len initial_h %h initial_c %c peepholes %p {
      hidden_size = 4 : i64, direction = #dl<rnn_direction bidirectional>,
      activations = ["sigmoid", "tanh", "tanh", "sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>,
      activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0, 0.0, 0.0>, clip = 5.0 : f64}
    : (tensor<4x2x3xf64>, tensor<2x16x3xf64>, tensor<2x16x4xf64>, tensor<2x32xf64>, tensor<2xi32>,
       tensor<2x2x4xf64>, tensor<2x2x4xf64>, tensor<2x12xf64>)
    -> (tensor<4x2x2x4xf64>, tensor<2x2x4xf64>, tensor<2x2x4xf64>)
  %gy, %gyh = dl.gru %x, %gw, %gr bias %gb sequence_lens %glen {hidden_size = 4 : i64,
      direction = #dl<rnn_direction reverse>, activations = ["sigmoid", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>}
    : (tensor<4x2x3xf64>, tensor<1x12x3xf64>, tensor<1x12x4xf64>, tensor<1x24xf64>, tensor<2xi32>)
    -> (tensor<4x1x2x4xf64>, tensor<1x2x4xf64>)
  %y2 = dl.mul %y, %y : (tensor<4x2x2x4xf64>, tensor<4x2x2x4xf64>) -> tensor<4x2x2x4xf64>
  %s0 = dl.reduce_sum %y2 {keepdims = false} : tensor<4x2x2x4xf64> -> tensor<f64>
  %s1 = dl.reduce_sum %yh {keepdims = false} : tensor<2x2x4xf64> -> tensor<f64>
  %yc3 = dl.mul %yc, %yc : (tensor<2x2x4xf64>, tensor<2x2x4xf64>) -> tensor<2x2x4xf64>
  %s2 = dl.reduce_sum %yc3 {keepdims = false} : tensor<2x2x4xf64> -> tensor<f64>
  %gy2 = dl.mul %gy, %gy : (tensor<4x1x2x4xf64>, tensor<4x1x2x4xf64>) -> tensor<4x1x2x4xf64>
  %s3 = dl.reduce_sum %gy2 {keepdims = false} : tensor<4x1x2x4xf64> -> tensor<f64>
  %s4 = dl.reduce_sum %gyh {keepdims = false} : tensor<1x2x4xf64> -> tensor<f64>
  %t0 = dl.add %s0, %s1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t1 = dl.add %t0, %s2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t2 = dl.add %t1, %s3 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %t3 = dl.add %t2, %s4 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %t3 : tensor<f64>
}
