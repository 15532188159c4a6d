// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @batch_norm_scale_size(%x: tensor<2x3x4x4xf32>, %s: tensor<4xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+2 {{scale must be 1-D with one value per channel (3), got 4}}
  // expected-error @+1 {{'dl.batch_norm' op failed to infer returned types}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @batch_norm_mean_rank(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<1x3xf32>, %v: tensor<3xf32>) {
  // expected-error @+2 {{mean must be 1-D with one value per channel (3), got 1x3}}
  // expected-error @+1 {{'dl.batch_norm' op failed to infer returned types}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @batch_norm_variance_size(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<2xf32>) {
  // expected-error @+2 {{variance must be 1-D with one value per channel (3), got 2}}
  // expected-error @+1 {{'dl.batch_norm' op failed to infer returned types}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<2xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

// With an unknown channel count the per-channel operands must still agree.
func.func @batch_norm_dynamic_channels_disagree(%x: tensor<2x?x4xf32>, %s: tensor<3xf32>, %m: tensor<5xf32>) {
  // expected-error @+2 {{mean must be 1-D with one value per channel (3), got 5}}
  // expected-error @+1 {{'dl.batch_norm' op failed to infer returned types}}
  %0 = dl.batch_norm %x, %s, %s, %m, %m : (tensor<2x?x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<5xf32>, tensor<5xf32>) -> tensor<2x?x4xf32>
  return
}

// -----

func.func @batch_norm_input_rank(%x: tensor<3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+2 {{batch_norm input must be N x C x ..., got rank 1}}
  // expected-error @+1 {{'dl.batch_norm' op failed to infer returned types}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @batch_norm_negative_epsilon(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+2 {{epsilon must be >= 0}}
  // expected-error @+1 {{'dl.batch_norm' op failed to infer returned types}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v {epsilon = -1.0 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @batch_norm_result_shape(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+2 {{'dl.batch_norm' op inferred type(s) 'tensor<2x3x4x4xf32>' are incompatible with return type(s) of operation 'tensor<2x3x4x5xf32>'}}
  // expected-error @+1 {{'dl.batch_norm' op failed to infer returned types}}
  %0 = dl.batch_norm %x, %s, %b, %m, %v : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x5xf32>
  return
}

// -----

func.func @batch_norm_train_scale_size(%x: tensor<2x3x4x4xf32>, %s: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{scale must be 1-D with one value per channel (3), got 4}}
  // expected-error @+1 {{'dl.batch_norm_train' op failed to infer returned types}}
  %y, %m, %v = dl.batch_norm_train %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

// The batch statistics have one value per channel.
func.func @batch_norm_train_stats_size(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{'dl.batch_norm_train' op inferred type(s) 'tensor<2x3x4x4xf32>', 'tensor<3xf32>', 'tensor<3xf32>' are incompatible with return type(s) of operation 'tensor<2x3x4x4xf32>', 'tensor<4xf32>', 'tensor<3xf32>'}}
  // expected-error @+1 {{'dl.batch_norm_train' op failed to infer returned types}}
  %y, %m, %v = dl.batch_norm_train %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3x4x4xf32>, tensor<4xf32>, tensor<3xf32>)
  return
}

// -----

func.func @batch_norm_train_negative_epsilon(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{epsilon must be >= 0}}
  // expected-error @+1 {{'dl.batch_norm_train' op failed to infer returned types}}
  %y, %m, %v = dl.batch_norm_train %x, %s, %b {epsilon = -0.5 : f64} : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}

// -----

func.func @layer_norm_axis_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{axis 3 is out of range for rank 3 (expected -3 <= axis < 3)}}
  // expected-error @+1 {{'dl.layer_norm' op failed to infer returned types}}
  %0 = dl.layer_norm %x {axis = 3 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_negative_axis_out_of_range(%x: tensor<2x3x4xf32>) {
  // expected-error @+2 {{axis -4 is out of range for rank 3 (expected -3 <= axis < 3)}}
  // expected-error @+1 {{'dl.layer_norm' op failed to infer returned types}}
  %0 = dl.layer_norm %x {axis = -4 : i64} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

// Normalized shape is 3x4 (dims [1, 3)); a scale of 3 does not broadcast to it.
func.func @layer_norm_scale_shape(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>) {
  // expected-error @+2 {{scale of shape 3 does not broadcast to the normalized shape 3x4}}
  // expected-error @+1 {{'dl.layer_norm' op failed to infer returned types}}
  %0 = dl.layer_norm %x scale %s {axis = 1 : i64} : (tensor<2x3x4xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_bias_shape(%x: tensor<2x3x4xf32>, %s: tensor<4xf32>, %b: tensor<5xf32>) {
  // expected-error @+2 {{bias of shape 5 does not broadcast to the normalized shape 4}}
  // expected-error @+1 {{'dl.layer_norm' op failed to infer returned types}}
  %0 = dl.layer_norm %x scale %s bias %b : (tensor<2x3x4xf32>, tensor<4xf32>, tensor<5xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @layer_norm_element_type(%x: tensor<2x4xf32>, %s: tensor<4xf16>) {
  // expected-error @+2 {{scale element type 'f16' differs from the input's 'f32'}}
  // expected-error @+1 {{'dl.layer_norm' op failed to infer returned types}}
  %0 = dl.layer_norm %x scale %s : (tensor<2x4xf32>, tensor<4xf16>) -> tensor<2x4xf32>
  return
}

// -----

func.func @instance_norm_scale_size(%x: tensor<2x3x4x4xf32>, %s: tensor<2xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{scale must be 1-D with one value per channel (3), got 2}}
  // expected-error @+1 {{'dl.instance_norm' op failed to infer returned types}}
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<2xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

func.func @instance_norm_bias_size(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<4xf32>) {
  // expected-error @+2 {{bias must be 1-D with one value per channel (3), got 4}}
  // expected-error @+1 {{'dl.instance_norm' op failed to infer returned types}}
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x3x4x4xf32>
  return
}

// -----

// Instance norm needs at least one spatial dim to normalize over.
func.func @instance_norm_input_rank(%x: tensor<2x3xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{instance_norm input must be N x C x D1..Dk, got rank 2}}
  // expected-error @+1 {{'dl.instance_norm' op failed to infer returned types}}
  %0 = dl.instance_norm %x, %s, %b : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @instance_norm_negative_epsilon(%x: tensor<2x3x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>) {
  // expected-error @+2 {{epsilon must be >= 0}}
  // expected-error @+1 {{'dl.instance_norm' op failed to infer returned types}}
  %0 = dl.instance_norm %x, %s, %b {epsilon = -1.0 : f64} : (tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4xf32>
  return
}

// -----

func.func @group_norm_groups_not_dividing(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) {
  // expected-error @+2 {{channels (6) are not divisible by num_groups (4)}}
  // expected-error @+1 {{'dl.group_norm' op failed to infer returned types}}
  %0 = dl.group_norm %x, %s, %b {num_groups = 4 : i64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

func.func @group_norm_zero_groups(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) {
  // expected-error @+2 {{num_groups must be >= 1, got 0}}
  // expected-error @+1 {{'dl.group_norm' op failed to infer returned types}}
  %0 = dl.group_norm %x, %s, %b {num_groups = 0 : i64} : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

// Scale and bias are per channel, not per group.
func.func @group_norm_per_group_scale(%x: tensor<2x6x4x4xf32>, %s: tensor<3xf32>, %b: tensor<6xf32>) {
  // expected-error @+2 {{scale must be 1-D with one value per channel (6), got 3}}
  // expected-error @+1 {{'dl.group_norm' op failed to infer returned types}}
  %0 = dl.group_norm %x, %s, %b {num_groups = 3 : i64} : (tensor<2x6x4x4xf32>, tensor<3xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

func.func @group_norm_missing_num_groups(%x: tensor<2x6x4x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{'dl.group_norm' op requires attribute 'num_groups'}}
  %0 = dl.group_norm %x, %s, %b : (tensor<2x6x4x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4x4xf32>
  return
}

// -----

func.func @group_norm_negative_epsilon(%x: tensor<2x6x4xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) {
  // expected-error @+2 {{epsilon must be >= 0}}
  // expected-error @+1 {{'dl.group_norm' op failed to infer returned types}}
  %0 = dl.group_norm %x, %s, %b {num_groups = 2 : i64, epsilon = -1.0 : f64} : (tensor<2x6x4xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x4xf32>
  return
}

// -----

func.func @layer_norm_negative_epsilon(%x: tensor<2x4xf32>) {
  // expected-error @+2 {{epsilon must be >= 0}}
  // expected-error @+1 {{'dl.layer_norm' op failed to infer returned types}}
  %0 = dl.layer_norm %x {epsilon = -1.0 : f64} : (tensor<2x4xf32>) -> tensor<2x4xf32>
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
  // expected-error @+1 {{axis -1 is out of range for rank 0 (expected -0 <= axis < 0)}}
  %0 = dl.softmax %x : tensor<f32>
  return
}

// -----

func.func @softmax_integer(%x: tensor<2x3xi32>) {
  // expected-error @+1 {{'dl.softmax' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<2x3xi32>'}}
  %0 = dl.softmax %x : tensor<2x3xi32>
  return
}

// -----

func.func @softmax_cross_entropy_rank(%x: tensor<2x3x4xf32>, %y: tensor<2xi64>) {
  // expected-error @+2 {{softmax cross-entropy expects [batch, classes] logits, got 2x3x4}}
  // expected-error @+1 {{'dl.softmax_cross_entropy' op failed to infer returned types}}
  %0 = dl.softmax_cross_entropy %x, %y : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @softmax_cross_entropy_dynamic_classes(%x: tensor<2x?xf32>, %y: tensor<2xi64>) {
  // expected-error @+2 {{softmax cross-entropy needs a static number of classes, at least one; got 2x?}}
  // expected-error @+1 {{'dl.softmax_cross_entropy' op failed to infer returned types}}
  %0 = dl.softmax_cross_entropy %x, %y : (tensor<2x?xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @softmax_cross_entropy_labels(%x: tensor<2x3xf32>, %y: tensor<3xi64>) {
  // expected-error @+2 {{labels must be [batch] with the logits' batch (2x3), got 3}}
  // expected-error @+1 {{'dl.softmax_cross_entropy' op failed to infer returned types}}
  %0 = dl.softmax_cross_entropy %x, %y : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @softmax_cross_entropy_smoothing(%x: tensor<2x3xf32>, %y: tensor<2xi64>) {
  // expected-error @+2 {{label_smoothing must be in [0, 1], got 1.5}}
  // expected-error @+1 {{'dl.softmax_cross_entropy' op failed to infer returned types}}
  %0 = dl.softmax_cross_entropy %x, %y {label_smoothing = 1.5 : f64} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @softmax_cross_entropy_grad_batch(%x: tensor<2x3xf32>, %y: tensor<2xi64>, %g: tensor<4xf32>) {
  // expected-error @+1 {{grad must be [batch] with the logits' batch (2x3), got 4}}
  %0 = dl.softmax_cross_entropy_grad %x, %y, %g : (tensor<2x3xf32>, tensor<2xi64>, tensor<4xf32>) -> tensor<2x3xf32>
  return
}

// -----

func.func @softmax_cross_entropy_grad_type(%x: tensor<2x3xf32>, %y: tensor<2xi64>, %g: tensor<2xf64>) {
  // expected-error @+1 {{grad must have the logits' element type}}
  %0 = dl.softmax_cross_entropy_grad %x, %y, %g : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xf64>) -> tensor<2x3xf32>
  return
}
