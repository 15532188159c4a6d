// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @too_few_block_args(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.fusion' op body has 1 arguments for 2 inputs}}
  %0 = dl.fusion (%a, %b) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    dl.yield %x : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @too_many_block_args(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.fusion' op body has 2 arguments for 1 inputs}}
  %0 = dl.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>, %y: tensor<4xf32>):
    dl.yield %x : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @block_arg_type(%a: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'dl.fusion' op body argument #0 has type 'tensor<4xf16>' but input #0 is 'tensor<4xf32>'}}
  %0 = dl.fusion (%a) : (tensor<4xf32>) -> tensor<4xf16> {
  ^bb0(%x: tensor<4xf16>):
    dl.yield %x : tensor<4xf16>
  }
  return %0 : tensor<4xf16>
}

// -----

func.func @block_arg_shape(%a: tensor<4xf32>, %b: tensor<2x3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.fusion' op body argument #1 has type 'tensor<3x2xf32>' but input #1 is 'tensor<2x3xf32>'}}
  %0 = dl.fusion (%a, %b) : (tensor<4xf32>, tensor<2x3xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>, %y: tensor<3x2xf32>):
    dl.yield %x : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @yield_type(%a: tensor<4xf32>) -> tensor<4xi1> {
  // expected-error @+1 {{'dl.fusion' op yields ('tensor<4xf32>') but the results are ('tensor<4xi1>')}}
  %0 = dl.fusion (%a) : (tensor<4xf32>) -> tensor<4xi1> {
  ^bb0(%x: tensor<4xf32>):
    dl.yield %x : tensor<4xf32>
  }
  return %0 : tensor<4xi1>
}

// -----

func.func @yield_count(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // expected-error @+1 {{'dl.fusion' op yields ('tensor<4xf32>') but the results are ('tensor<4xf32>', 'tensor<4xf32>')}}
  %0:2 = dl.fusion (%a) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%x: tensor<4xf32>):
    dl.yield %x : tensor<4xf32>
  }
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// -----

func.func @yield_nothing(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.fusion' op yields () but the results are ('tensor<4xf32>')}}
  %0 = dl.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    dl.yield
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @nested(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dl.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{'dl.fusion' op must not be nested in another dl.fusion}}
    %1 = dl.fusion (%x) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%y: tensor<4xf32>):
      %e = dl.exp %y : tensor<4xf32>
      dl.yield %e : tensor<4xf32>
    }
    dl.yield %1 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @value_from_above(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = dl.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{'dl.add' op using value defined outside the region}}
    %s = dl.add %x, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    dl.yield %s : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @yield_outside_fusion(%a: tensor<4xf32>) {
  // expected-error @+1 {{'dl.yield' op expects parent op 'dl.fusion'}}
  dl.yield %a : tensor<4xf32>
}
