// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @clip_min_above_max(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.clip' op min (2.000000e+00) must not exceed max (1.000000e+00)}}
  %0 = dl.clip %a {min = 2.0 : f64, max = 1.0 : f64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_int_min_above_max(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.clip' op min (5.000000e-01) must not exceed max (2.500000e-01)}}
  %0 = dl.clip %a {min = 0.5 : f64, max = 0.25 : f64} : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @clip_min_not_f64(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.clip' op attribute 'min' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dl.clip %a {min = 0 : i32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @clip_on_bool(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'dl.clip' op operand #0 must be ranked tensor of}}
  %0 = dl.clip %a {max = 1.0 : f64} : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @exp_on_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.exp' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dl.exp %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @sqrt_on_int_scalar(%a: tensor<i64>) -> tensor<i64> {
  // expected-error @+1 {{'dl.sqrt' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<i64>'}}
  %0 = dl.sqrt %a : tensor<i64>
  return %0 : tensor<i64>
}

// -----

func.func @neg_on_bool(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'dl.neg' op operand #0 must be ranked tensor of}}
  %0 = dl.neg %a : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @relu_unranked(%a: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'dl.relu' op operand #0 must be ranked tensor of}}
  %0 = "dl.relu"(%a) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @not_on_float(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xf32>'}}
  %0 = dl.not %a : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @not_on_i8(%a: tensor<4xi8>) -> tensor<4xi8> {
  // expected-error @+1 {{'dl.not' op operand #0 must be ranked tensor of 1-bit signless integer values, but got 'tensor<4xi8>'}}
  %0 = dl.not %a : tensor<4xi8>
  return %0 : tensor<4xi8>
}

// -----

func.func @result_shape_differs(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{'dl.tanh' op failed to verify that all of {input, result} have same type}}
  %0 = "dl.tanh"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @result_element_type_differs(%a: tensor<2x3xf32>) -> tensor<2x3xf16> {
  // expected-error @+1 {{'dl.abs' op failed to verify that all of {input, result} have same type}}
  %0 = "dl.abs"(%a) : (tensor<2x3xf32>) -> tensor<2x3xf16>
  return %0 : tensor<2x3xf16>
}

// -----

// A dynamic result dim does not relax the rule: the custom form prints one
// type for both operand and result, so they must be identical or the printed
// IR does not parse back.
func.func @result_less_static(%a: tensor<2x3xf32>) -> tensor<?x3xf32> {
  // expected-error @+1 {{same type}}
  %0 = "dl.sigmoid"(%a) : (tensor<2x3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

func.func @leaky_relu_alpha_not_f64(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.leaky_relu' op attribute 'alpha' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dl.leaky_relu %a {alpha = 1 : i64} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @elu_alpha_not_f64(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.elu' op attribute 'alpha' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dl.elu %a {alpha = "one"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @selu_gamma_not_f64(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.selu' op attribute 'gamma' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dl.selu %a {gamma = 1.0 : f32} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @hard_sigmoid_beta_not_f64(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.hard_sigmoid' op attribute 'beta' failed to satisfy constraint: 64-bit float attribute}}
  %0 = dl.hard_sigmoid %a {beta = true} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gelu_unknown_approximation(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{expected ::dlc::dl::GeluApproximation to be one of: none, tanh}}
  // expected-error @+1 {{failed to parse DL_GeluApproximationAttr parameter 'value'}}
  %0 = dl.gelu %a {approximate = #dl<gelu_approximation sigmoid>} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gelu_approximation_not_enum(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'dl.gelu' op attribute 'approximate' failed to satisfy constraint: approximation used by gelu}}
  %0 = dl.gelu %a {approximate = "tanh"} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gelu_on_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.gelu' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values, but got 'tensor<4xi32>'}}
  %0 = dl.gelu %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @ceil_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.ceil' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.ceil %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @cos_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.cos' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.cos %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @erf_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.erf' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.erf %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @floor_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.floor' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.floor %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @hard_swish_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.hard_swish' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.hard_swish %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @log_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.log' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.log %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @reciprocal_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.reciprocal' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.reciprocal %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @round_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.round' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.round %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @rsqrt_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.rsqrt' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.rsqrt %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @silu_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.silu' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.silu %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @sin_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.sin' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.sin %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Float-only: integer input rejected.
func.func @softplus_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'dl.softplus' op operand #0 must be ranked tensor of 16-bit float or bfloat16 type or 32-bit float or 64-bit float values}}
  %0 = dl.softplus %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// Numeric ops take no booleans.
func.func @sign_bool(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'dl.sign' op operand #0 must be ranked tensor of}}
  %0 = dl.sign %a : tensor<4xi1>
  return %0 : tensor<4xi1>
}
