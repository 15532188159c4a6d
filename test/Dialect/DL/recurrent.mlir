// RUN: dlc-opt %s -split-input-file | dlc-opt -split-input-file | FileCheck %s
// RUN: dlc-opt %s -split-input-file --dl-shape-inference | FileCheck %s --check-prefix=INFER

// Round trip of the three recurrent ops with every optional operand.
// CHECK-LABEL: func.func @lstm_full(
// CHECK: dl.lstm %arg0, %arg1, %arg2 bias %arg3 sequence_lens %arg4 initial_h %arg5 initial_c %arg6 peepholes %arg7
// CHECK-SAME: activations = ["sigmoid", "tanh", "tanh"]
// CHECK-SAME: clip = 3.000000e+00 : f64
// CHECK-SAME: hidden_size = 5 : i64
// CHECK-SAME: input_forget = true
// CHECK-SAME: -> (tensor<7x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>)
func.func @lstm_full(%x: tensor<7x2x3xf32>, %w: tensor<1x20x3xf32>, %r: tensor<1x20x5xf32>,
                     %b: tensor<1x40xf32>, %len: tensor<2xi32>, %h: tensor<1x2x5xf32>,
                     %c: tensor<1x2x5xf32>, %p: tensor<1x15xf32>)
    -> (tensor<7x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>) {
  %y, %yh, %yc = dl.lstm %x, %w, %r bias %b sequence_lens %len initial_h %h initial_c %c peepholes %p {
      hidden_size = 5 : i64, activations = ["sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>,
      clip = 3.0 : f64, input_forget = true}
    : (tensor<7x2x3xf32>, tensor<1x20x3xf32>, tensor<1x20x5xf32>, tensor<1x40xf32>, tensor<2xi32>,
       tensor<1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x15xf32>)
    -> (tensor<7x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>)
  return %y, %yh, %yc : tensor<7x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>
}

// -----

// CHECK-LABEL: func.func @gru_bidirectional(
// CHECK: dl.gru %arg0, %arg1, %arg2 {activation_alpha = array<f64: 0.000000e+00, 0.000000e+00, 2.000000e-01, 1.000000e-01>
// CHECK-SAME: direction = #dl<rnn_direction bidirectional>
// CHECK-SAME: linear_before_reset = true
// CHECK-SAME: -> (tensor<4x2x?x6xf32>, tensor<2x?x6xf32>)
func.func @gru_bidirectional(%x: tensor<4x?x3xf32>, %w: tensor<2x18x3xf32>, %r: tensor<2x18x6xf32>)
    -> (tensor<4x2x?x6xf32>, tensor<2x?x6xf32>) {
  %y, %yh = dl.gru %x, %w, %r {hidden_size = 6 : i64, direction = #dl<rnn_direction bidirectional>,
      activations = ["sigmoid", "tanh", "hardsigmoid", "leakyrelu"],
      activation_alpha = array<f64: 0.0, 0.0, 0.2, 0.1>, activation_beta = array<f64: 0.0, 0.0, 0.5, 0.0>,
      linear_before_reset = true}
    : (tensor<4x?x3xf32>, tensor<2x18x3xf32>, tensor<2x18x6xf32>) -> (tensor<4x2x?x6xf32>, tensor<2x?x6xf32>)
  return %y, %yh : tensor<4x2x?x6xf32>, tensor<2x?x6xf32>
}

// -----

// CHECK-LABEL: func.func @rnn_reverse(
// CHECK: dl.rnn %arg0, %arg1, %arg2 initial_h %arg3 {{.*}}direction = #dl<rnn_direction reverse>
func.func @rnn_reverse(%x: tensor<?x?x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>, %h: tensor<1x?x4xf32>)
    -> (tensor<?x1x?x4xf32>, tensor<1x?x4xf32>) {
  %y, %yh = dl.rnn %x, %w, %r initial_h %h {hidden_size = 4 : i64, direction = #dl<rnn_direction reverse>,
      activations = ["relu"], activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>}
    : (tensor<?x?x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>, tensor<1x?x4xf32>) -> (tensor<?x1x?x4xf32>, tensor<1x?x4xf32>)
  return %y, %yh : tensor<?x1x?x4xf32>, tensor<1x?x4xf32>
}

// -----

// Shape inference refines the declared results: the batch comes from the
// initial state when the input leaves it dynamic.
// INFER-LABEL: func.func @lstm_infer(
// INFER-SAME: -> (tensor<?x1x2x5xf32>, tensor<1x2x5xf32>)
// INFER: dl.lstm {{.*}} -> (tensor<?x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>)
func.func @lstm_infer(%x: tensor<?x?x3xf32>, %w: tensor<1x20x3xf32>, %r: tensor<1x20x5xf32>, %h: tensor<1x2x5xf32>)
    -> (tensor<?x1x?x5xf32>, tensor<1x?x5xf32>) {
  %y, %yh, %yc = dl.lstm %x, %w, %r initial_h %h {hidden_size = 5 : i64, activations = ["sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>}
    : (tensor<?x?x3xf32>, tensor<1x20x3xf32>, tensor<1x20x5xf32>, tensor<1x2x5xf32>)
    -> (tensor<?x1x?x5xf32>, tensor<1x?x5xf32>, tensor<1x?x5xf32>)
  return %y, %yh : tensor<?x1x?x5xf32>, tensor<1x?x5xf32>
}
