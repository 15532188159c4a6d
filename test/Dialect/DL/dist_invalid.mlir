// RUN: dlc-opt %s --split-input-file --verify-diagnostics

func.func @kind(%g: tensor<4xf32>) {
  // expected-error @+1 {{kind must be "mean", "sum" or "broadcast", got "max"}}
  dl.dist_start %g {bucket = 1 : i64, kind = "max"} : tensor<4xf32>
  return
}

// -----

func.func @dtype(%g: tensor<4xf64>) {
  // expected-error @+1 {{takes static f32 tensors, got 'tensor<4xf64>'}}
  dl.dist_start %g {bucket = 1 : i64, kind = "mean"} : tensor<4xf64>
  return
}

// -----

func.func @dynamic() -> tensor<?xf32> {
  // expected-error @+1 {{takes static f32 tensors, got 'tensor<?xf32>'}}
  %r = dl.dist_wait {bucket = 1 : i64} : tensor<?xf32>
  return %r : tensor<?xf32>
}
