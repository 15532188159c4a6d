// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @not_elements() -> tensor<2xf32> {
  // expected-error @+1 {{expected a typed elements attribute such as dense<...> : tensor<...>}}
  %0 = dl.constant 1.0 : f32
  return %0 : tensor<2xf32>
}

// -----

func.func @unsupported_element_type() -> tensor<2xi4> {
  // expected-error @+1 {{'dl.constant' op result #0 must be ranked tensor of}}
  %0 = dl.constant dense<[1, 2]> : tensor<2xi4>
  return %0 : tensor<2xi4>
}

// -----

func.func @vector_constant() -> vector<2xf32> {
  // expected-error @+1 {{'dl.constant' op result #0 must be ranked tensor of}}
  %0 = dl.constant dense<[1.0, 2.0]> : vector<2xf32>
  return %0 : vector<2xf32>
}

// -----

func.func @result_type_mismatch() -> tensor<3xf32> {
  // expected-error @+1 {{'dl.constant' op failed to verify that all of {value, result} have same type}}
  %0 = "dl.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}
