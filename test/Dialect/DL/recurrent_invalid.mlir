// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @lstm_weight_shape(%x: tensor<7x2x3xf32>, %w: tensor<1x16x3xf32>, %r: tensor<1x20x5xf32>) {
  // expected-error @+2 {{weight must be [1, 20, 3], got 1x16x3}}
  // expected-error @+1 {{'dl.lstm' op failed to infer returned types}}
  %y, %yh, %yc = dl.lstm %x, %w, %r {hidden_size = 5 : i64, activations = ["sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>}
    : (tensor<7x2x3xf32>, tensor<1x16x3xf32>, tensor<1x20x5xf32>)
    -> (tensor<7x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>)
  return
}

// -----

func.func @gru_directions(%x: tensor<7x2x3xf32>, %w: tensor<1x15x3xf32>, %r: tensor<1x15x5xf32>) {
  // expected-error @+2 {{weight must be [2, 15, 3], got 1x15x3}}
  // expected-error @+1 {{'dl.gru' op failed to infer returned types}}
  %y, %yh = dl.gru %x, %w, %r {hidden_size = 5 : i64, direction = #dl<rnn_direction bidirectional>,
      activations = ["sigmoid", "tanh", "sigmoid", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0>}
    : (tensor<7x2x3xf32>, tensor<1x15x3xf32>, tensor<1x15x5xf32>) -> (tensor<7x2x2x5xf32>, tensor<2x2x5xf32>)
  return
}

// -----

func.func @rnn_input_rank(%x: tensor<2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+2 {{input must be [seq_length, batch, input_size], got 2x3}}
  // expected-error @+1 {{'dl.rnn' op failed to infer returned types}}
  %y, %yh = dl.rnn %x, %w, %r {hidden_size = 4 : i64, activations = ["tanh"],
      activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>}
    : (tensor<2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<2x1x3x4xf32>, tensor<1x3x4xf32>)
  return
}

// -----

func.func @rnn_activation_count(%x: tensor<7x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'dl.rnn' op needs 1 activations (1 per direction), got 2}}
  %y, %yh = dl.rnn %x, %w, %r {hidden_size = 4 : i64, activations = ["tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0>}
    : (tensor<7x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @rnn_unknown_activation(%x: tensor<7x2x3xf32>, %w: tensor<1x4x3xf32>, %r: tensor<1x4x4xf32>) {
  // expected-error @+1 {{'dl.rnn' op unknown activation 'gelu'}}
  %y, %yh = dl.rnn %x, %w, %r {hidden_size = 4 : i64, activations = ["gelu"],
      activation_alpha = array<f64: 0.0>, activation_beta = array<f64: 0.0>}
    : (tensor<7x2x3xf32>, tensor<1x4x3xf32>, tensor<1x4x4xf32>) -> (tensor<7x1x2x4xf32>, tensor<1x2x4xf32>)
  return
}

// -----

func.func @lstm_clip(%x: tensor<7x2x3xf32>, %w: tensor<1x20x3xf32>, %r: tensor<1x20x5xf32>) {
  // expected-error @+1 {{'dl.lstm' op clip must be > 0, got -1}}
  %y, %yh, %yc = dl.lstm %x, %w, %r {hidden_size = 5 : i64, activations = ["sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>, clip = -1.0 : f64}
    : (tensor<7x2x3xf32>, tensor<1x20x3xf32>, tensor<1x20x5xf32>)
    -> (tensor<7x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>)
  return
}

// -----

func.func @lstm_state_batch(%x: tensor<7x2x3xf32>, %w: tensor<1x20x3xf32>, %r: tensor<1x20x5xf32>, %h: tensor<1x3x5xf32>) {
  // expected-error @+2 {{initial_h must be [1, 2, 5], got 1x3x5}}
  // expected-error @+1 {{'dl.lstm' op failed to infer returned types}}
  %y, %yh, %yc = dl.lstm %x, %w, %r initial_h %h {hidden_size = 5 : i64, activations = ["sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>}
    : (tensor<7x2x3xf32>, tensor<1x20x3xf32>, tensor<1x20x5xf32>, tensor<1x3x5xf32>)
    -> (tensor<7x1x2x5xf32>, tensor<1x2x5xf32>, tensor<1x2x5xf32>)
  return
}
