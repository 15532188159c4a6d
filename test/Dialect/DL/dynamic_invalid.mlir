// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @slice_rank(%x: tensor<4x5xf32>, %s: tensor<1xi64>) {
  // expected-error @+1 {{'dl.dynamic_slice' op result rank 1 differs from the input's 2}}
  %0 = dl.dynamic_slice %x, %s, %s, %s, %s : (tensor<4x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?xf32>
  return
}

// -----

func.func @slice_lengths(%x: tensor<4x5xf32>, %s: tensor<1xi64>, %e: tensor<2xi64>) {
  // expected-error @+1 {{'dl.dynamic_slice' op ends must have 1 entries, got 'tensor<2xi64>'}}
  %0 = dl.dynamic_slice %x, %s, %e, %s, %s : (tensor<4x5xf32>, tensor<1xi64>, tensor<2xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// With constant axes, a dim not sliced keeps its size.
func.func @slice_kept_dim(%x: tensor<4x5xf32>, %s: tensor<1xi64>) {
  %a = dl.constant dense<0> : tensor<1xi64>
  // expected-error @+1 {{'dl.dynamic_slice' op result dim 1 is 6 but the input's is 5}}
  %0 = dl.dynamic_slice %x, %s, %s, %a, %s : (tensor<4x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x6xf32>
  return
}

// -----

func.func @slice_const_axis_range(%x: tensor<4x5xf32>, %s: tensor<1xi64>) {
  %a = dl.constant dense<2> : tensor<1xi64>
  // expected-error @+1 {{'dl.dynamic_slice' op axis 2 is out of range for rank 2}}
  %0 = dl.dynamic_slice %x, %s, %s, %a, %s : (tensor<4x5xf32>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @split_sizes_rank(%x: tensor<6xf32>, %n: tensor<2x1xi64>) {
  // expected-error @+2 {{sizes must be 1-D with a static length >= 1 (the result count), got 'tensor<2x1xi64>'}}
  // expected-error @+1 {{'dl.dynamic_split' op failed to infer returned types}}
  %0:2 = dl.dynamic_split %x, %n {axis = 0 : i64} : (tensor<6xf32>, tensor<2x1xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return
}

// -----

func.func @squeeze_rank(%x: tensor<1x3x1xf32>, %a: tensor<2xi64>) {
  // expected-error @+1 {{'dl.dynamic_squeeze' op result rank 2 is not the input's 3 less the 2 axes}}
  %0 = dl.dynamic_squeeze %x, %a : (tensor<1x3x1xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @unsqueeze_rank(%x: tensor<3xf32>, %a: tensor<2xi64>) {
  // expected-error @+1 {{'dl.dynamic_unsqueeze' op result rank 2 is not the input's 1 plus the 2 axes}}
  %0 = dl.dynamic_unsqueeze %x, %a : (tensor<3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_kind(%x: tensor<3x2xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{'dl.dynamic_reduce' op kind 'median' is not one of sum, mean, max, min, prod}}
  %0 = dl.dynamic_reduce %x, %a {kind = "median"} : (tensor<3x2xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_empty_axes(%x: tensor<3x2xf32>, %a: tensor<0xi64>) {
  // expected-error @+1 {{'dl.dynamic_reduce' op axes must have a static length >= 1}}
  %0 = dl.dynamic_reduce %x, %a {kind = "sum"} : (tensor<3x2xf32>, tensor<0xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @reduce_rank(%x: tensor<3x2xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{'dl.dynamic_reduce' op result rank 2 should be 1}}
  %0 = dl.dynamic_reduce %x, %a {kind = "sum", keepdims = false} : (tensor<3x2xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return
}

// -----

// keepdims: a static result dim is the input's or 1.
func.func @reduce_kept_dim(%x: tensor<3x2xf32>, %a: tensor<1xi64>) {
  // expected-error @+1 {{'dl.dynamic_reduce' op result dim 0 is 4 but the input's is 3}}
  %0 = dl.dynamic_reduce %x, %a {kind = "sum"} : (tensor<3x2xf32>, tensor<1xi64>) -> tensor<4x?xf32>
  return
}

// -----

func.func @tile_repeats(%x: tensor<3x2xf32>, %r: tensor<3xi64>) {
  // expected-error @+1 {{'dl.dynamic_tile' op repeats must have 2 entries, got 'tensor<3xi64>'}}
  %0 = dl.dynamic_tile %x, %r : (tensor<3x2xf32>, tensor<3xi64>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_count(%x: tensor<3x2xf32>, %p: tensor<2xi64>, %v: tensor<f32>) {
  // expected-error @+1 {{'dl.dynamic_pad' op pads must have 4 entries, got 'tensor<2xi64>'}}
  %0 = dl.dynamic_pad %x, %p, %v : (tensor<3x2xf32>, tensor<2xi64>, tensor<f32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @pad_value(%x: tensor<3x2xf32>, %p: tensor<4xi64>, %v: tensor<2xf32>) {
  // expected-error @+1 {{'dl.dynamic_pad' op value must have one element, got 'tensor<2xf32>'}}
  %0 = dl.dynamic_pad %x, %p, %v : (tensor<3x2xf32>, tensor<4xi64>, tensor<2xf32>) -> tensor<?x?xf32>
  return
}

// -----

func.func @topk_k_shape(%x: tensor<3x4xf32>, %k: tensor<2xi64>) {
  // expected-error @+2 {{k must have one element, got 'tensor<2xi64>'}}
  // expected-error @+1 {{'dl.topk' op failed to infer returned types}}
  %0:2 = dl.topk %x, %k : (tensor<3x4xf32>, tensor<2xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return
}

// -----

func.func @topk_k_too_big(%x: tensor<3x4xf32>) {
  %k = dl.constant dense<5> : tensor<1xi64>
  // expected-error @+2 {{k = 5 is outside [0, the axis' size 4]}}
  // expected-error @+1 {{'dl.topk' op failed to infer returned types}}
  %0:2 = dl.topk %x, %k : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x5xf32>, tensor<3x5xi64>)
  return
}
