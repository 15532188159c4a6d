// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @ratio_one(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{dropout ratio must be in [0, 1), got 1.000000e+00}}
  // expected-error @+1 {{'dl.dropout' op failed to infer returned types}}
  %o, %m = dl.dropout %x {ratio = 1.0 : f64, training = true} : tensor<4xf32> -> tensor<4xf32>, tensor<4xi1>
  return %o : tensor<4xf32>
}

// -----

func.func @ratio_negative(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{dropout ratio must be in [0, 1), got -1.000000e-01}}
  // expected-error @+1 {{'dl.dropout' op failed to infer returned types}}
  %o, %m = dl.dropout %x {ratio = -0.1 : f64} : tensor<4xf32> -> tensor<4xf32>, tensor<4xi1>
  return %o : tensor<4xf32>
}

// -----

func.func @mask_not_i1(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.dropout' op result #1 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %o, %m = dl.dropout %x : tensor<4xf32> -> tensor<4xf32>, tensor<4xf32>
  return %o : tensor<4xf32>
}

// -----

func.func @mask_wrong_shape(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{'dl.dropout' op inferred type(s) 'tensor<4xf32>', 'tensor<4xi1>' are incompatible with return type(s) of operation 'tensor<4xf32>', 'tensor<5xi1>'}}
  // expected-error @+1 {{'dl.dropout' op failed to infer returned types}}
  %o, %m = dl.dropout %x : tensor<4xf32> -> tensor<4xf32>, tensor<5xi1>
  return %o : tensor<4xf32>
}

// -----

func.func @dropout_on_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.dropout' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %o, %m = dl.dropout %x : tensor<4xi32> -> tensor<4xi32>, tensor<4xi1>
  return %o : tensor<4xi32>
}

// -----

func.func @seed_not_i64(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.dropout' op attribute 'seed' failed to satisfy constraint: 64-bit signless integer attribute}}
  %o, %m = dl.dropout %x {seed = 1.0 : f64} : tensor<4xf32> -> tensor<4xf32>, tensor<4xi1>
  return %o : tensor<4xf32>
}
