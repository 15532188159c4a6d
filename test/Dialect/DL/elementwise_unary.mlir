// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// Round trip of every elementwise unary op through the printer and parser:
// the type is printed once and the default-valued attributes are elided.

// CHECK-LABEL: func.func @neg(
func.func @neg(%a: tensor<2x3xf32>, %b: tensor<?x4xi32>, %c: tensor<bf16>, %d: tensor<8xi8>)
    -> (tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>) {
  // CHECK: dl.neg %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.neg %a : tensor<2x3xf32>
  // CHECK: dl.neg %{{[^ ]+}} : tensor<?x4xi32>
  %1 = dl.neg %b : tensor<?x4xi32>
  // CHECK: dl.neg %{{[^ ]+}} : tensor<bf16>
  %2 = dl.neg %c : tensor<bf16>
  // CHECK: dl.neg %{{[^ ]+}} : tensor<8xi8>
  %3 = dl.neg %d : tensor<8xi8>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>
}

// CHECK-LABEL: func.func @abs(
func.func @abs(%a: tensor<2x3xf32>, %b: tensor<?x4xi32>, %c: tensor<bf16>, %d: tensor<8xi8>)
    -> (tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>) {
  // CHECK: dl.abs %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.abs %a : tensor<2x3xf32>
  // CHECK: dl.abs %{{[^ ]+}} : tensor<?x4xi32>
  %1 = dl.abs %b : tensor<?x4xi32>
  // CHECK: dl.abs %{{[^ ]+}} : tensor<bf16>
  %2 = dl.abs %c : tensor<bf16>
  // CHECK: dl.abs %{{[^ ]+}} : tensor<8xi8>
  %3 = dl.abs %d : tensor<8xi8>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>
}

// CHECK-LABEL: func.func @sign(
func.func @sign(%a: tensor<2x3xf32>, %b: tensor<?x4xi32>, %c: tensor<bf16>, %d: tensor<8xi8>)
    -> (tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>) {
  // CHECK: dl.sign %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.sign %a : tensor<2x3xf32>
  // CHECK: dl.sign %{{[^ ]+}} : tensor<?x4xi32>
  %1 = dl.sign %b : tensor<?x4xi32>
  // CHECK: dl.sign %{{[^ ]+}} : tensor<bf16>
  %2 = dl.sign %c : tensor<bf16>
  // CHECK: dl.sign %{{[^ ]+}} : tensor<8xi8>
  %3 = dl.sign %d : tensor<8xi8>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>
}

// CHECK-LABEL: func.func @relu(
func.func @relu(%a: tensor<2x3xf32>, %b: tensor<?x4xi32>, %c: tensor<bf16>, %d: tensor<8xi8>)
    -> (tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>) {
  // CHECK: dl.relu %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.relu %a : tensor<2x3xf32>
  // CHECK: dl.relu %{{[^ ]+}} : tensor<?x4xi32>
  %1 = dl.relu %b : tensor<?x4xi32>
  // CHECK: dl.relu %{{[^ ]+}} : tensor<bf16>
  %2 = dl.relu %c : tensor<bf16>
  // CHECK: dl.relu %{{[^ ]+}} : tensor<8xi8>
  %3 = dl.relu %d : tensor<8xi8>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x4xi32>, tensor<bf16>, tensor<8xi8>
}

// CHECK-LABEL: func.func @exp(
func.func @exp(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.exp %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.exp %a : tensor<2x3xf32>
  // CHECK: dl.exp %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.exp %b : tensor<?x?xf16>
  // CHECK: dl.exp %{{[^ ]+}} : tensor<bf16>
  %2 = dl.exp %c : tensor<bf16>
  // CHECK: dl.exp %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.exp %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @log(
func.func @log(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.log %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.log %a : tensor<2x3xf32>
  // CHECK: dl.log %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.log %b : tensor<?x?xf16>
  // CHECK: dl.log %{{[^ ]+}} : tensor<bf16>
  %2 = dl.log %c : tensor<bf16>
  // CHECK: dl.log %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.log %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @sqrt(
func.func @sqrt(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.sqrt %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.sqrt %a : tensor<2x3xf32>
  // CHECK: dl.sqrt %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.sqrt %b : tensor<?x?xf16>
  // CHECK: dl.sqrt %{{[^ ]+}} : tensor<bf16>
  %2 = dl.sqrt %c : tensor<bf16>
  // CHECK: dl.sqrt %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.sqrt %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @rsqrt(
func.func @rsqrt(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.rsqrt %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.rsqrt %a : tensor<2x3xf32>
  // CHECK: dl.rsqrt %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.rsqrt %b : tensor<?x?xf16>
  // CHECK: dl.rsqrt %{{[^ ]+}} : tensor<bf16>
  %2 = dl.rsqrt %c : tensor<bf16>
  // CHECK: dl.rsqrt %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.rsqrt %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @reciprocal(
func.func @reciprocal(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.reciprocal %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.reciprocal %a : tensor<2x3xf32>
  // CHECK: dl.reciprocal %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.reciprocal %b : tensor<?x?xf16>
  // CHECK: dl.reciprocal %{{[^ ]+}} : tensor<bf16>
  %2 = dl.reciprocal %c : tensor<bf16>
  // CHECK: dl.reciprocal %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.reciprocal %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @tanh(
func.func @tanh(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.tanh %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.tanh %a : tensor<2x3xf32>
  // CHECK: dl.tanh %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.tanh %b : tensor<?x?xf16>
  // CHECK: dl.tanh %{{[^ ]+}} : tensor<bf16>
  %2 = dl.tanh %c : tensor<bf16>
  // CHECK: dl.tanh %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.tanh %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @sigmoid(
func.func @sigmoid(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.sigmoid %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.sigmoid %a : tensor<2x3xf32>
  // CHECK: dl.sigmoid %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.sigmoid %b : tensor<?x?xf16>
  // CHECK: dl.sigmoid %{{[^ ]+}} : tensor<bf16>
  %2 = dl.sigmoid %c : tensor<bf16>
  // CHECK: dl.sigmoid %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.sigmoid %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @silu(
func.func @silu(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.silu %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.silu %a : tensor<2x3xf32>
  // CHECK: dl.silu %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.silu %b : tensor<?x?xf16>
  // CHECK: dl.silu %{{[^ ]+}} : tensor<bf16>
  %2 = dl.silu %c : tensor<bf16>
  // CHECK: dl.silu %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.silu %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @softplus(
func.func @softplus(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.softplus %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.softplus %a : tensor<2x3xf32>
  // CHECK: dl.softplus %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.softplus %b : tensor<?x?xf16>
  // CHECK: dl.softplus %{{[^ ]+}} : tensor<bf16>
  %2 = dl.softplus %c : tensor<bf16>
  // CHECK: dl.softplus %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.softplus %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @hard_swish(
func.func @hard_swish(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.hard_swish %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.hard_swish %a : tensor<2x3xf32>
  // CHECK: dl.hard_swish %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.hard_swish %b : tensor<?x?xf16>
  // CHECK: dl.hard_swish %{{[^ ]+}} : tensor<bf16>
  %2 = dl.hard_swish %c : tensor<bf16>
  // CHECK: dl.hard_swish %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.hard_swish %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @erf(
func.func @erf(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.erf %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.erf %a : tensor<2x3xf32>
  // CHECK: dl.erf %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.erf %b : tensor<?x?xf16>
  // CHECK: dl.erf %{{[^ ]+}} : tensor<bf16>
  %2 = dl.erf %c : tensor<bf16>
  // CHECK: dl.erf %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.erf %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @sin(
func.func @sin(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.sin %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.sin %a : tensor<2x3xf32>
  // CHECK: dl.sin %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.sin %b : tensor<?x?xf16>
  // CHECK: dl.sin %{{[^ ]+}} : tensor<bf16>
  %2 = dl.sin %c : tensor<bf16>
  // CHECK: dl.sin %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.sin %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @cos(
func.func @cos(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.cos %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.cos %a : tensor<2x3xf32>
  // CHECK: dl.cos %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.cos %b : tensor<?x?xf16>
  // CHECK: dl.cos %{{[^ ]+}} : tensor<bf16>
  %2 = dl.cos %c : tensor<bf16>
  // CHECK: dl.cos %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.cos %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @floor(
func.func @floor(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.floor %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.floor %a : tensor<2x3xf32>
  // CHECK: dl.floor %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.floor %b : tensor<?x?xf16>
  // CHECK: dl.floor %{{[^ ]+}} : tensor<bf16>
  %2 = dl.floor %c : tensor<bf16>
  // CHECK: dl.floor %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.floor %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @ceil(
func.func @ceil(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.ceil %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.ceil %a : tensor<2x3xf32>
  // CHECK: dl.ceil %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.ceil %b : tensor<?x?xf16>
  // CHECK: dl.ceil %{{[^ ]+}} : tensor<bf16>
  %2 = dl.ceil %c : tensor<bf16>
  // CHECK: dl.ceil %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.ceil %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}

// CHECK-LABEL: func.func @round(
func.func @round(%a: tensor<2x3xf32>, %b: tensor<?x?xf16>, %c: tensor<bf16>, %d: tensor<4x?xf64>)
    -> (tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>) {
  // CHECK: dl.round %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.round %a : tensor<2x3xf32>
  // CHECK: dl.round %{{[^ ]+}} : tensor<?x?xf16>
  %1 = dl.round %b : tensor<?x?xf16>
  // CHECK: dl.round %{{[^ ]+}} : tensor<bf16>
  %2 = dl.round %c : tensor<bf16>
  // CHECK: dl.round %{{[^ ]+}} : tensor<4x?xf64>
  %3 = dl.round %d : tensor<4x?xf64>
  return %0, %1, %2, %3 : tensor<2x3xf32>, tensor<?x?xf16>, tensor<bf16>, tensor<4x?xf64>
}
// Attributed ops: explicit values survive the round trip, defaults are
// elided from the printed form.

// CHECK-LABEL: func.func @clip(
func.func @clip(%a: tensor<2x?xf32>, %b: tensor<5xi32>, %c: tensor<3xf16>)
    -> (tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<5xi32>, tensor<3xf16>, tensor<3xf16>) {
  // CHECK: dl.clip %{{[^ ]+}} {max = 6.000000e+00 : f64, min = 0.000000e+00 : f64} : tensor<2x?xf32>
  %0 = dl.clip %a {min = 0.0 : f64, max = 6.0 : f64} : tensor<2x?xf32>
  // CHECK: dl.clip %{{[^ ]+}} {min = -1.000000e+00 : f64} : tensor<2x?xf32>
  %1 = dl.clip %a {min = -1.0 : f64} : tensor<2x?xf32>
  // CHECK: dl.clip %{{[^ ]+}} {max = 1.000000e+00 : f64} : tensor<2x?xf32>
  %2 = dl.clip %a {max = 1.0 : f64} : tensor<2x?xf32>
  // CHECK: dl.clip %{{[^ ]+}} {max = 1.000000e+01 : f64, min = -1.000000e+01 : f64} : tensor<5xi32>
  %3 = dl.clip %b {min = -10.0 : f64, max = 10.0 : f64} : tensor<5xi32>
  // No bounds at all is a valid (identity) clip.
  // CHECK: dl.clip %{{[^ ]+}} : tensor<3xf16>
  %4 = dl.clip %c : tensor<3xf16>
  // min == max is allowed.
  // CHECK: dl.clip %{{[^ ]+}} {max = 2.000000e+00 : f64, min = 2.000000e+00 : f64} : tensor<3xf16>
  %5 = dl.clip %c {min = 2.0 : f64, max = 2.0 : f64} : tensor<3xf16>
  return %0, %1, %2, %3, %4, %5 : tensor<2x?xf32>, tensor<2x?xf32>, tensor<2x?xf32>, tensor<5xi32>, tensor<3xf16>, tensor<3xf16>
}

// CHECK-LABEL: func.func @leaky_relu(
func.func @leaky_relu(%a: tensor<4x?xf32>, %b: tensor<bf16>) -> (tensor<4x?xf32>, tensor<4x?xf32>, tensor<bf16>) {
  // CHECK: dl.leaky_relu %{{[^ ]+}} : tensor<4x?xf32>
  %0 = dl.leaky_relu %a : tensor<4x?xf32>
  // CHECK: dl.leaky_relu %{{[^ ]+}} {alpha = 2.000000e-01 : f64} : tensor<4x?xf32>
  %1 = dl.leaky_relu %a {alpha = 0.2 : f64} : tensor<4x?xf32>
  // The default written out is elided on print.
  // CHECK: dl.leaky_relu %{{[^ ]+}} : tensor<bf16>
  %2 = dl.leaky_relu %b {alpha = 0.01 : f64} : tensor<bf16>
  return %0, %1, %2 : tensor<4x?xf32>, tensor<4x?xf32>, tensor<bf16>
}

// CHECK-LABEL: func.func @elu(
func.func @elu(%a: tensor<2x3xf64>, %b: tensor<?xf16>) -> (tensor<2x3xf64>, tensor<?xf16>) {
  // CHECK: dl.elu %{{[^ ]+}} : tensor<2x3xf64>
  %0 = dl.elu %a : tensor<2x3xf64>
  // CHECK: dl.elu %{{[^ ]+}} {alpha = 5.000000e-01 : f64} : tensor<?xf16>
  %1 = dl.elu %b {alpha = 0.5 : f64} : tensor<?xf16>
  return %0, %1 : tensor<2x3xf64>, tensor<?xf16>
}

// CHECK-LABEL: func.func @selu(
func.func @selu(%a: tensor<2x3xf32>, %b: tensor<?x?xbf16>) -> (tensor<2x3xf32>, tensor<?x?xbf16>, tensor<?x?xbf16>) {
  // CHECK: dl.selu %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.selu %a : tensor<2x3xf32>
  // CHECK: dl.selu %{{[^ ]+}} {alpha = 1.500000e+00 : f64, gamma = 2.000000e+00 : f64} : tensor<?x?xbf16>
  %1 = dl.selu %b {alpha = 1.5 : f64, gamma = 2.0 : f64} : tensor<?x?xbf16>
  // CHECK: dl.selu %{{[^ ]+}} {gamma = 3.000000e+00 : f64} : tensor<?x?xbf16>
  %2 = dl.selu %b {gamma = 3.0 : f64} : tensor<?x?xbf16>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<?x?xbf16>, tensor<?x?xbf16>
}

// CHECK-LABEL: func.func @gelu(
func.func @gelu(%a: tensor<2x3xf32>, %b: tensor<?xf16>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<?xf16>) {
  // The exact (erf) form is the default and prints without an attribute.
  // CHECK: dl.gelu %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.gelu %a : tensor<2x3xf32>
  // CHECK: dl.gelu %{{[^ ]+}} : tensor<2x3xf32>
  %1 = dl.gelu %a {approximate = #dl<gelu_approximation none>} : tensor<2x3xf32>
  // CHECK: dl.gelu %{{[^ ]+}} {approximate = #dl<gelu_approximation tanh>} : tensor<?xf16>
  %2 = dl.gelu %b {approximate = #dl<gelu_approximation tanh>} : tensor<?xf16>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<?xf16>
}

// CHECK-LABEL: func.func @hard_sigmoid(
func.func @hard_sigmoid(%a: tensor<2x3xf32>, %b: tensor<?xf64>) -> (tensor<2x3xf32>, tensor<?xf64>) {
  // CHECK: dl.hard_sigmoid %{{[^ ]+}} : tensor<2x3xf32>
  %0 = dl.hard_sigmoid %a : tensor<2x3xf32>
  // CHECK: dl.hard_sigmoid %{{[^ ]+}} {alpha = 1.666000e-01 : f64, beta = 6.000000e-01 : f64} : tensor<?xf64>
  %1 = dl.hard_sigmoid %b {alpha = 0.1666 : f64, beta = 0.6 : f64} : tensor<?xf64>
  return %0, %1 : tensor<2x3xf32>, tensor<?xf64>
}

// CHECK-LABEL: func.func @not(
func.func @not(%a: tensor<2x3xi1>, %b: tensor<?xi1>, %c: tensor<i1>) -> (tensor<2x3xi1>, tensor<?xi1>, tensor<i1>) {
  // CHECK: dl.not %{{[^ ]+}} : tensor<2x3xi1>
  %0 = dl.not %a : tensor<2x3xi1>
  // CHECK: dl.not %{{[^ ]+}} : tensor<?xi1>
  %1 = dl.not %b : tensor<?xi1>
  // CHECK: dl.not %{{[^ ]+}} : tensor<i1>
  %2 = dl.not %c : tensor<i1>
  return %0, %1, %2 : tensor<2x3xi1>, tensor<?xi1>, tensor<i1>
}

// The generic form parses to the same op and prints in the custom form.
// CHECK-LABEL: func.func @generic_form(
func.func @generic_form(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // CHECK: dl.leaky_relu %{{[^ ]+}} {alpha = 3.000000e-01 : f64} : tensor<2x3xf32>
  %0 = "dl.leaky_relu"(%a) {alpha = 0.3 : f64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Trigonometric and hyperbolic functions (ONNX Tan, Asin, ..., Atanh).
// CHECK-LABEL: func.func @trig
// CHECK: dl.tan %{{.*}} : tensor<4xf32>
// CHECK: dl.asin
// CHECK: dl.acos
// CHECK: dl.atan
// CHECK: dl.sinh
// CHECK: dl.cosh
// CHECK: dl.asinh
// CHECK: dl.acosh
// CHECK: dl.atanh %{{.*}} : tensor<4xf64>
func.func @trig(%a: tensor<4xf32>, %d: tensor<4xf64>) -> (tensor<4xf32>, tensor<4xf64>) {
  %0 = dl.tan %a : tensor<4xf32>
  %1 = dl.asin %0 : tensor<4xf32>
  %2 = dl.acos %1 : tensor<4xf32>
  %3 = dl.atan %2 : tensor<4xf32>
  %4 = dl.sinh %3 : tensor<4xf32>
  %5 = dl.cosh %4 : tensor<4xf32>
  %6 = dl.asinh %5 : tensor<4xf32>
  %7 = dl.acosh %6 : tensor<4xf32>
  %8 = dl.atanh %d : tensor<4xf64>
  return %7, %8 : tensor<4xf32>, tensor<4xf64>
}
