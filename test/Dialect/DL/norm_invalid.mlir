// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @batch_norm_scale_size(%x: tensor<2x3x4x4xf32>, %s: tensor<4xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{scale must be 1-D with 3 elements (the channels, input dim 1), got 'tensor<4xf32>'}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @batch_norm_mean_rank(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<1x3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{mean must be 1-D with 3 elements (the channels, input dim 1), got 'tensor<1x3xf32>'}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @batch_norm_variance_size(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<2xf32>) {
  // expected-error @+1 {{variance must be 1-D with 3 elements (the channels, input dim 1), got 'tensor<2xf32>'}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @batch_norm_input_rank(%x: tensor<3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{input must have rank >= 2 (N x C x ...), got 'tensor<3xf32>'}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @batch_norm_negative_epsilon(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be non-negative, got -1}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v {epsilon = -1.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @batch_norm_result_shape(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<2x3x4x4xf32>' are incompatible with return type(s) of operation 'tensor<2x3x4x5xf32>'}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return
}

// -----

func.func @batch_norm_train_scale_size(%x: tensor<2x3x4x4xf32>, %s: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{scale must be 1-D with 3 elements (the channels, input dim 1), got 'tensor<4xf32>'}}
  %y, %m, %v = dl.batch_norm_train %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// The batch statistics have one value per channel.
func.func @batch_norm_train_stats_size(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<2x3x4x4xf32>', 'tensor<3xf32>', 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<2x3x4x4xf32>', 'tensor<4xf32>', 'tensor<3xf32>'}}
  %y, %m, %v = dl.batch_norm_train %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>)
  return
}

// -----

func.func @batch_norm_train_negative_epsilon(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be non-negative, got -0.5}}
  %y, %m, %v = dl.batch_norm_train %x, %s, %b {epsilon = -0.5 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @layer_norm_axis_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 3 (expected -3 <= axis < 3)}}
  %0 = dl.layer_norm %x {axis = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_negative_axis_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis -4 is out of range for rank 3 (expected -3 <= axis < 3)}}
  %0 = dl.layer_norm %x {axis = -4 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

// Normalized shape is 3x4 (dims [1, 3)); a scale of 3 does not broadcast to it.
func.func @layer_norm_scale_shape(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{scale of type 'tensor<3xf32>' does not broadcast to the normalized shape 3x4}}
  %0 = dl.layer_norm %x scale %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{bias of type 'tensor<5xf32>' does not broadcast to the normalized shape 4}}
  %0 = dl.layer_norm %x scale %s bias %b : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<5xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_element_type(%x: tensor<2x4xf32>, %s: tensor<4xf16>) {
  // expected-error @+1 {{scale element type 'f16' does not match the input element type 'f32'}}
  %0 = dl.layer_norm %x scale %s : (tensor<2x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @instance_norm_scale_size(%x: tensor<2x3x4x4xf32>, %s: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{scale must be 1-D with 3 elements (the channels, input dim 1), got 'tensor<2xf32>'}}
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<2xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @instance_norm_bias_size(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must be 1-D with 3 elements (the channels, input dim 1), got 'tensor<4xf32>'}}
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

// Instance norm needs at least one spatial dim to normalize over.
func.func @instance_norm_input_rank(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{input must have rank >= 3 (N x C x spatial...), got 'tensor<2x3xf32>'}}
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @instance_norm_negative_epsilon(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be non-negative, got -1}}
  %0 = dl.instance_norm %x, %s, %b {epsilon = -1.0 : f64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @group_norm_groups_not_dividing(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{num_groups (4) must divide the channels (6)}}
  %0 = dl.group_norm %x, %s, %b {num_groups = 4 : i64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

func.func @group_norm_zero_groups(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{num_groups must be positive, got 0}}
  %0 = dl.group_norm %x, %s, %b {num_groups = 0 : i64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

// Scale and bias are per channel, not per group.
func.func @group_norm_per_group_scale(%x: tensor<2x6x4x4xf32>, %s: tensor<3xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{scale must be 1-D with 6 elements (the channels, input dim 1), got 'tensor<3xf32>'}}
  %0 = dl.group_norm %x, %s, %b {num_groups = 3 : i64} : (tensor<2x6x4x4xf32>, tensor<3xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

func.func @group_norm_missing_num_groups(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{requires attribute 'num_groups'}}
  %0 = dl.group_norm %x, %s, %b : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

func.func @softmax_axis_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis 3 is out of range for rank 3 (expected -3 <= axis < 3)}}
  %0 = dl.softmax %x {axis = 3 : i64} : tensor<2x3x4xf32>
  return
}

// -----

func.func @softmax_negative_axis_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+1 {{axis -4 is out of range for rank 3 (expected -3 <= axis < 3)}}
  %0 = dl.softmax %x {axis = -4 : i64} : tensor<2x3x4xf32>
  return
}

// -----

func.func @log_softmax_axis_out_of_range(%x: tensor<8x10xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %0 = dl.log_softmax %x {axis = 2 : i64} : tensor<8x10xf32>
  return
}

// -----

// softmax of a scalar has no axis to normalize over.
func.func @softmax_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{axis -1 is out of range for rank 0}}
  %0 = dl.softmax %x : tensor<f32>
  return
}

// -----

func.func @softmax_integer(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of}}
  %0 = dl.softmax %x : tensor<2x3xi32>
  return
}
