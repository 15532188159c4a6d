// RUN: dlc-opt %s --dl-math-approximation --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dl-math-approximation="ops=tanh" --split-input-file | FileCheck %s --check-prefix=ONLY

// f32 exp becomes a polynomial (fma chain, exponent bits by shifting).
// CHECK-LABEL: func.func @exp(
// CHECK-NOT: math.exp
// CHECK: math.fma
// CHECK: arith.shli
// CHECK-NOT: math.exp
// ONLY-LABEL: func.func @exp(
// ONLY: math.exp
func.func @exp(%x: f32) -> f32 {
  %r = math.exp %x : f32
  return %r : f32
}

// -----

// tanh, erf and log as well, vectors included.
// CHECK-LABEL: func.func @tanh_erf_log(
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.log
// CHECK: math.fma {{.*}} : vector<8xf32>
// CHECK-NOT: math.tanh
// CHECK-NOT: math.erf
// CHECK-NOT: math.log
// CHECK: return
// ONLY-LABEL: func.func @tanh_erf_log(
// ONLY-NOT: math.tanh
// ONLY: math.erf
// ONLY: math.log
func.func @tanh_erf_log(%x: vector<8xf32>) -> vector<8xf32> {
  %t = math.tanh %x : vector<8xf32>
  %e = math.erf %t : vector<8xf32>
  %l = math.log %e : vector<8xf32>
  return %l : vector<8xf32>
}

// -----

// sin and cos stay libm calls (inaccurate for large arguments), and f64 has
// no approximation.
// CHECK-LABEL: func.func @kept(
// CHECK: math.sin
// CHECK: math.cos
// CHECK: math.exp {{.*}} : f64
func.func @kept(%x: f32, %y: f64) -> (f32, f32, f64) {
  %s = math.sin %x : f32
  %c = math.cos %x : f32
  %e = math.exp %y : f64
  return %s, %c, %e : f32, f32, f64
}

// -----

// Subnormal log inputs are scaled by 2^24 into the normal range first (the
// approximation reads the exponent bits), and 24 ln 2 is taken off after.
// CHECK-LABEL: func.func @log_subnormal(
// CHECK-SAME: %[[X:.*]]: f32
// CHECK-DAG: %[[MIN:.*]] = arith.constant 1.17549435E-38 : f32
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 0x4B800000 : f32
// CHECK-DAG: %[[LN:.*]] = arith.constant 16.6355324 : f32
// CHECK: %[[SUB:.*]] = arith.cmpf olt, %[[X]], %[[MIN]] : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[X]], %[[SCALE]] : f32
// CHECK: arith.select %[[SUB]], %[[SCALED]], %[[X]] : f32
// CHECK-NOT: math.log
// CHECK: %[[FIX:.*]] = arith.subf %{{.*}}, %[[LN]] : f32
// CHECK: %[[R:.*]] = arith.select %[[SUB]], %[[FIX]], %{{.*}} : f32
// CHECK: return %[[R]]
func.func @log_subnormal(%x: f32) -> f32 {
  %r = math.log %x : f32
  return %r : f32
}
