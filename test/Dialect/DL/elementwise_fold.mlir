// RUN: dlc-opt %s -canonicalize -split-input-file | FileCheck %s

// Identities that keep the type fold to the operand.

// CHECK-LABEL: func.func @add_zero_rhs(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf32>
// CHECK-NOT:     dl.add
// CHECK:         return %[[X]]
func.func @add_zero_rhs(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %z = dl.constant dense<0.0> : tensor<2x3xf32>
  %0 = dl.add %x, %z : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @add_zero_lhs(
// CHECK-SAME:    %[[X:.*]]: tensor<4xi32>
// CHECK-NOT:     dl.add
// CHECK:         return %[[X]]
func.func @add_zero_lhs(%x: tensor<4xi32>) -> tensor<4xi32> {
  %z = dl.constant dense<0> : tensor<4xi32>
  %0 = dl.add %z, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A rank-0 zero broadcasts to x's own shape, so x + 0 is still x.
// CHECK-LABEL: func.func @add_scalar_zero(
// CHECK-SAME:    %[[X:.*]]: tensor<?x3xf32>
// CHECK-NOT:     dl.add
// CHECK:         return %[[X]]
func.func @add_scalar_zero(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %z = dl.constant dense<0.0> : tensor<f32>
  %0 = dl.add %x, %z : (tensor<?x3xf32>, tensor<f32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// The zero broadcasts x from 3 to 2x3: the result is not x.
// CHECK-LABEL: func.func @add_zero_broadcasts_x(
// CHECK:         %[[R:.*]] = dl.add
// CHECK:         return %[[R]]
func.func @add_zero_broadcasts_x(%x: tensor<3xf32>) -> tensor<2x3xf32> {
  %z = dl.constant dense<0.0> : tensor<2x3xf32>
  %0 = dl.add %x, %z : (tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Same, with the zero on the left and a leading size-1 dim.
// CHECK-LABEL: func.func @add_zero_adds_rank(
// CHECK:         %[[R:.*]] = dl.add
// CHECK:         return %[[R]]
func.func @add_zero_adds_rank(%x: tensor<2x3xf32>) -> tensor<1x2x3xf32> {
  %z = dl.constant dense<0.0> : tensor<1x2x3xf32>
  %0 = dl.add %z, %x : (tensor<1x2x3xf32>, tensor<2x3xf32>) -> tensor<1x2x3xf32>
  return %0 : tensor<1x2x3xf32>
}

// -----

// x may be 1 at run time and then broadcast to 4: even though the declared
// result type equals x's type, the add is not an identity.
// CHECK-LABEL: func.func @add_zero_may_broadcast_dynamic_x(
// CHECK:         %[[R:.*]] = dl.add
// CHECK:         return %[[R]]
func.func @add_zero_may_broadcast_dynamic_x(%x: tensor<?xf32>) -> tensor<?xf32> {
  %z = dl.constant dense<0.0> : tensor<4xf32>
  %0 = dl.add %x, %z : (tensor<?xf32>, tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @sub_zero(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf32>
// CHECK-NOT:     dl.sub
// CHECK:         return %[[X]]
func.func @sub_zero(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %z = dl.constant dense<0.0> : tensor<3xf32>
  %0 = dl.sub %x, %z : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// 0 - x is a negation, not x.
// CHECK-LABEL: func.func @zero_sub_x(
// CHECK:         dl.sub
func.func @zero_sub_x(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = dl.constant dense<0.0> : tensor<4xf32>
  %0 = dl.sub %z, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @mul_one(
// CHECK-SAME:    %[[X:.*]]: tensor<?x?xf16>, %[[Y:.*]]: tensor<4xi64>
// CHECK-NOT:     dl.mul
// CHECK:         return %[[X]], %[[Y]]
func.func @mul_one(%x: tensor<?x?xf16>, %y: tensor<4xi64>) -> (tensor<?x?xf16>, tensor<4xi64>) {
  %one = dl.constant dense<1.0> : tensor<f16>
  %0 = dl.mul %x, %one : (tensor<?x?xf16>, tensor<f16>) -> tensor<?x?xf16>
  %ione = dl.constant dense<1> : tensor<4xi64>
  %1 = dl.mul %ione, %y : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0, %1 : tensor<?x?xf16>, tensor<4xi64>
}

// -----

// CHECK-LABEL: func.func @div_one(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xbf16>, %[[Y:.*]]: tensor<5xi32>
// CHECK-NOT:     dl.div
// CHECK:         return %[[X]], %[[Y]]
func.func @div_one(%x: tensor<2x3xbf16>, %y: tensor<5xi32>) -> (tensor<2x3xbf16>, tensor<5xi32>) {
  %one = dl.constant dense<1.0> : tensor<2x3xbf16>
  %0 = dl.div %x, %one : (tensor<2x3xbf16>, tensor<2x3xbf16>) -> tensor<2x3xbf16>
  %ione = dl.constant dense<1> : tensor<i32>
  %1 = dl.div %y, %ione : (tensor<5xi32>, tensor<i32>) -> tensor<5xi32>
  return %0, %1 : tensor<2x3xbf16>, tensor<5xi32>
}

// -----

// 1 / x is a reciprocal, not x.
// CHECK-LABEL: func.func @one_div_x(
// CHECK:         dl.div
func.func @one_div_x(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = dl.constant dense<1.0> : tensor<4xf32>
  %0 = dl.div %one, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @pow_one(
// CHECK-SAME:    %[[X:.*]]: tensor<2x3xf32>
// CHECK-NOT:     dl.pow
// CHECK:         return %[[X]]
func.func @pow_one(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %one = dl.constant dense<1.0> : tensor<f32>
  %0 = dl.pow %x, %one : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// x * 0 is 0 for integers.
// CHECK-LABEL: func.func @mul_zero_int(
// CHECK-NOT:     dl.mul
// CHECK:         %[[C:.*]] = dl.constant dense<0> : tensor<4xi32>
// CHECK:         return %[[C]]
func.func @mul_zero_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  %z = dl.constant dense<0> : tensor<4xi32>
  %0 = dl.mul %x, %z : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

// A rank-0 integer zero gives a zero of the result's shape.
// CHECK-LABEL: func.func @mul_scalar_zero_int(
// CHECK-NOT:     dl.mul
// CHECK:         %[[C:.*]] = dl.constant dense<0> : tensor<2x3xi64>
// CHECK:         return %[[C]]
func.func @mul_scalar_zero_int(%x: tensor<2x3xi64>) -> tensor<2x3xi64> {
  %z = dl.constant dense<0> : tensor<i64>
  %0 = dl.mul %x, %z : (tensor<2x3xi64>, tensor<i64>) -> tensor<2x3xi64>
  return %0 : tensor<2x3xi64>
}

// -----

// x * 0 is not 0 for floats: NaN * 0 and inf * 0 are NaN.
// CHECK-LABEL: func.func @mul_zero_float(
// CHECK:         %[[R:.*]] = dl.mul
// CHECK:         return %[[R]]
func.func @mul_zero_float(%x: tensor<4xf32>) -> tensor<4xf32> {
  %z = dl.constant dense<0.0> : tensor<4xf32>
  %0 = dl.mul %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Constant folding of unary ops.

// CHECK-LABEL: func.func @fold_unary(
// CHECK-DAG:     %[[NEG:.*]] = dl.constant dense<[-1.000000e+00, 2.000000e+00, -0.000000e+00]> : tensor<3xf32>
// CHECK-DAG:     %[[ABS:.*]] = dl.constant dense<[3, 0, 7]> : tensor<3xi32>
// CHECK-DAG:     %[[RELU:.*]] = dl.constant dense<[0.000000e+00, 2.500000e+00]> : tensor<2xf64>
// CHECK-DAG:     %[[EXP:.*]] = dl.constant dense<1.000000e+00> : tensor<2x2xf32>
// CHECK-DAG:     %[[CLIP:.*]] = dl.constant dense<[0, 2, 6]> : tensor<3xi64>
// CHECK-DAG:     %[[SQRT:.*]] = dl.constant dense<[2.000000e+00, 3.000000e+00]> : tensor<2xf16>
// CHECK-NOT:     dl.neg
// CHECK-NOT:     dl.abs
// CHECK:         return %[[NEG]], %[[ABS]], %[[RELU]], %[[EXP]], %[[CLIP]], %[[SQRT]]
func.func @fold_unary() -> (tensor<3xf32>, tensor<3xi32>, tensor<2xf64>, tensor<2x2xf32>, tensor<3xi64>, tensor<2xf16>) {
  %f = dl.constant dense<[1.0, -2.0, 0.0]> : tensor<3xf32>
  %0 = dl.neg %f : tensor<3xf32>
  %i = dl.constant dense<[-3, 0, 7]> : tensor<3xi32>
  %1 = dl.abs %i : tensor<3xi32>
  %d = dl.constant dense<[-1.5, 2.5]> : tensor<2xf64>
  %2 = dl.relu %d : tensor<2xf64>
  %z = dl.constant dense<0.0> : tensor<2x2xf32>
  %3 = dl.exp %z : tensor<2x2xf32>
  %l = dl.constant dense<[-4, 2, 9]> : tensor<3xi64>
  %4 = dl.clip %l {min = 0.0 : f64, max = 6.0 : f64} : tensor<3xi64>
  %h = dl.constant dense<[4.0, 9.0]> : tensor<2xf16>
  %5 = dl.sqrt %h : tensor<2xf16>
  return %0, %1, %2, %3, %4, %5 : tensor<3xf32>, tensor<3xi32>, tensor<2xf64>, tensor<2x2xf32>, tensor<3xi64>, tensor<2xf16>
}

// -----

// Attributes take part in the fold: leaky_relu's alpha, round half to even.
// CHECK-LABEL: func.func @fold_unary_attrs(
// CHECK-DAG:     %[[LR:.*]] = dl.constant dense<[-5.000000e-01, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[RD:.*]] = dl.constant dense<[0.000000e+00, 2.000000e+00, 2.000000e+00, -2.000000e+00]> : tensor<4xf32>
// CHECK-DAG:     %[[HS:.*]] = dl.constant dense<[0.000000e+00, 5.000000e-01, 1.000000e+00]> : tensor<3xf32>
// CHECK:         return %[[LR]], %[[RD]], %[[HS]]
func.func @fold_unary_attrs() -> (tensor<2xf32>, tensor<4xf32>, tensor<3xf32>) {
  %a = dl.constant dense<[-5.0, 3.0]> : tensor<2xf32>
  %0 = dl.leaky_relu %a {alpha = 0.1 : f64} : tensor<2xf32>
  %b = dl.constant dense<[0.5, 1.5, 2.5, -2.5]> : tensor<4xf32>
  %1 = dl.round %b : tensor<4xf32>
  %c = dl.constant dense<[-10.0, 0.0, 10.0]> : tensor<3xf32>
  %2 = dl.hard_sigmoid %c : tensor<3xf32>
  return %0, %1, %2 : tensor<2xf32>, tensor<4xf32>, tensor<3xf32>
}

// -----

// A non-constant operand does not fold.
// CHECK-LABEL: func.func @no_fold_unary_arg(
// CHECK:         dl.exp
func.func @no_fold_unary_arg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dl.exp %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Constant folding of binary ops, with broadcasting.

// CHECK-LABEL: func.func @fold_binary(
// CHECK-DAG:     %[[ADD:.*]] = dl.constant dense<{{\[}}[11, 22, 33], [14, 25, 36]]> : tensor<2x3xi32>
// CHECK-DAG:     %[[SUB:.*]] = dl.constant dense<{{\[}}[0.000000e+00, -1.000000e+00], [1.000000e+00, 0.000000e+00]]> : tensor<2x2xf32>
// CHECK-DAG:     %[[MUL:.*]] = dl.constant dense<[2.000000e+00, 4.000000e+00, 6.000000e+00]> : tensor<3xf64>
// CHECK-DAG:     %[[DIV:.*]] = dl.constant dense<[3, -3, -2]> : tensor<3xi64>
// CHECK-NOT:     dl.add
// CHECK-NOT:     dl.sub
// CHECK-NOT:     dl.mul
// CHECK-NOT:     dl.div
// CHECK:         return %[[ADD]], %[[SUB]], %[[MUL]], %[[DIV]]
func.func @fold_binary() -> (tensor<2x3xi32>, tensor<2x2xf32>, tensor<3xf64>, tensor<3xi64>) {
  %a = dl.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %b = dl.constant dense<[10, 20, 30]> : tensor<3xi32>
  %0 = dl.add %a, %b : (tensor<2x3xi32>, tensor<3xi32>) -> tensor<2x3xi32>
  // column minus row: [[1],[2]] - [1, 2]
  %c = dl.constant dense<[[1.0], [2.0]]> : tensor<2x1xf32>
  %d = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = dl.sub %c, %d : (tensor<2x1xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %e = dl.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf64>
  %two = dl.constant dense<2.0> : tensor<f64>
  %2 = dl.mul %e, %two : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
  // Integer division truncates toward zero.
  %n = dl.constant dense<[7, -7, 5]> : tensor<3xi64>
  %m = dl.constant dense<[2, 2, -2]> : tensor<3xi64>
  %3 = dl.div %n, %m : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi64>
  return %0, %1, %2, %3 : tensor<2x3xi32>, tensor<2x2xf32>, tensor<3xf64>, tensor<3xi64>
}

// -----

// CHECK-LABEL: func.func @fold_binary_more(
// CHECK-DAG:     %[[POW:.*]] = dl.constant dense<[8.000000e+00, 9.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[MAX:.*]] = dl.constant dense<[3, 5, 3]> : tensor<3xi8>
// CHECK-DAG:     %[[MIN:.*]] = dl.constant dense<[-1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[MOD:.*]] = dl.constant dense<[1, -2, 2, -1]> : tensor<4xi32>
// CHECK-DAG:     %[[FMOD:.*]] = dl.constant dense<[1, 1, -1, -1]> : tensor<4xi32>
// CHECK-DAG:     %[[FMODF:.*]] = dl.constant dense<[1.500000e+00, -1.500000e+00]> : tensor<2xf32>
// CHECK:         return %[[POW]], %[[MAX]], %[[MIN]], %[[MOD]], %[[FMOD]], %[[FMODF]]
func.func @fold_binary_more() -> (tensor<2xf32>, tensor<3xi8>, tensor<2xf32>, tensor<4xi32>, tensor<4xi32>, tensor<2xf32>) {
  %a = dl.constant dense<[2.0, 3.0]> : tensor<2xf32>
  %b = dl.constant dense<[3.0, 2.0]> : tensor<2xf32>
  %0 = dl.pow %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %c = dl.constant dense<[1, 5, -2]> : tensor<3xi8>
  %three = dl.constant dense<3> : tensor<i8>
  %1 = dl.max %c, %three : (tensor<3xi8>, tensor<i8>) -> tensor<3xi8>
  %d = dl.constant dense<[-1.0, 4.0]> : tensor<2xf32>
  %z = dl.constant dense<0.0> : tensor<f32>
  %2 = dl.min %d, %z : (tensor<2xf32>, tensor<f32>) -> tensor<2xf32>
  // Python-style remainder takes the divisor's sign; fmod the dividend's.
  %n = dl.constant dense<[7, 7, -7, -7]> : tensor<4xi32>
  %m = dl.constant dense<[3, -3, 3, -3]> : tensor<4xi32>
  %3 = dl.mod %n, %m : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %4 = dl.mod %n, %m {fmod = true} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %p = dl.constant dense<[5.5, -5.5]> : tensor<2xf32>
  %q = dl.constant dense<2.0> : tensor<2xf32>
  %5 = dl.mod %p, %q {fmod = true} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<2xf32>, tensor<3xi8>, tensor<2xf32>, tensor<4xi32>, tensor<4xi32>, tensor<2xf32>
}

// -----

// Comparisons fold to i1 constants, from float and integer operands.
// CHECK-LABEL: func.func @fold_compare(
// CHECK-DAG:     %[[LT:.*]] = dl.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG:     %[[EQ:.*]] = dl.constant dense<{{\[}}[true, false], [false, true]]> : tensor<2x2xi1>
// CHECK-DAG:     %[[GE:.*]] = dl.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG:     %[[ALL:.*]] = dl.constant dense<true> : tensor<2xi1>
// CHECK-NOT:     dl.less
// CHECK-NOT:     dl.equal
// CHECK-NOT:     dl.greater_equal
// CHECK:         return %[[LT]], %[[EQ]], %[[GE]], %[[ALL]]
func.func @fold_compare() -> (tensor<3xi1>, tensor<2x2xi1>, tensor<3xi1>, tensor<2xi1>) {
  %a = dl.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = dl.constant dense<2.0> : tensor<f32>
  %0 = dl.less %a, %b : (tensor<3xf32>, tensor<f32>) -> tensor<3xi1>
  %c = dl.constant dense<[[1], [2]]> : tensor<2x1xi32>
  %d = dl.constant dense<[1, 2]> : tensor<2xi32>
  %1 = dl.equal %c, %d : (tensor<2x1xi32>, tensor<2xi32>) -> tensor<2x2xi1>
  %e = dl.constant dense<[-1, 0, 1]> : tensor<3xi64>
  %z = dl.constant dense<0> : tensor<3xi64>
  %2 = dl.greater_equal %e, %z : (tensor<3xi64>, tensor<3xi64>) -> tensor<3xi1>
  %f = dl.constant dense<1.5> : tensor<2xf64>
  %3 = dl.less_equal %f, %f : (tensor<2xf64>, tensor<2xf64>) -> tensor<2xi1>
  return %0, %1, %2, %3 : tensor<3xi1>, tensor<2x2xi1>, tensor<3xi1>, tensor<2xi1>
}

// -----

// Logical ops on i1 constants, and their identities.
// CHECK-LABEL: func.func @fold_logical(
// CHECK-SAME:    %[[X:.*]]: tensor<3xi1>
// CHECK-DAG:     %[[AND:.*]] = dl.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG:     %[[XOR:.*]] = dl.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-NOT:     dl.and
// CHECK-NOT:     dl.or
// CHECK-NOT:     dl.xor
// CHECK:         return %[[AND]], %[[XOR]], %[[X]], %[[X]]
func.func @fold_logical(%x: tensor<3xi1>) -> (tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>) {
  %a = dl.constant dense<[true, true, false]> : tensor<3xi1>
  %b = dl.constant dense<[true, false, true]> : tensor<3xi1>
  %0 = dl.and %a, %b : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %1 = dl.xor %a, %b : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %t = dl.constant dense<true> : tensor<3xi1>
  %2 = dl.and %x, %t : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  %f = dl.constant dense<false> : tensor<3xi1>
  %3 = dl.or %x, %f : (tensor<3xi1>, tensor<3xi1>) -> tensor<3xi1>
  return %0, %1, %2, %3 : tensor<3xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>
}

// -----

// max(x, x) and min(x, x) are x.
// CHECK-LABEL: func.func @max_min_self(
// CHECK-SAME:    %[[X:.*]]: tensor<?x4xf32>
// CHECK-NOT:     dl.max
// CHECK-NOT:     dl.min
// CHECK:         return %[[X]], %[[X]]
func.func @max_min_self(%x: tensor<?x4xf32>) -> (tensor<?x4xf32>, tensor<?x4xf32>) {
  %0 = dl.max %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  %1 = dl.min %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %0, %1 : tensor<?x4xf32>, tensor<?x4xf32>
}

// -----

// Integer division by zero traps at run time: it is not folded.
// CHECK-LABEL: func.func @no_fold_int_div_by_zero(
// CHECK:         %[[R:.*]] = dl.div
// CHECK:         return %[[R]]
func.func @no_fold_int_div_by_zero() -> tensor<2xi32> {
  %a = dl.constant dense<[6, 7]> : tensor<2xi32>
  %b = dl.constant dense<[2, 0]> : tensor<2xi32>
  %0 = dl.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// Same for integer mod by zero.
// CHECK-LABEL: func.func @no_fold_int_mod_by_zero(
// CHECK:         %[[R:.*]] = dl.mod
// CHECK:         return %[[R]]
func.func @no_fold_int_mod_by_zero() -> tensor<2xi32> {
  %a = dl.constant dense<[6, 7]> : tensor<2xi32>
  %b = dl.constant dense<0> : tensor<i32>
  %0 = dl.mod %a, %b : (tensor<2xi32>, tensor<i32>) -> tensor<2xi32>
  return %0 : tensor<2xi32>
}

// -----

// INT_MIN / -1 and INT_MIN % -1 overflow and trap at run time like a
// division by zero (the evaluators return nullopt for trapping cases).
// CHECK-LABEL: func.func @no_fold_int_div_overflow(
// CHECK:         %[[D:.*]] = dl.div
// CHECK:         %[[M:.*]] = dl.mod
// CHECK:         return %[[D]], %[[M]]
func.func @no_fold_int_div_overflow() -> (tensor<1xi32>, tensor<1xi32>) {
  %a = dl.constant dense<-2147483648> : tensor<1xi32>
  %b = dl.constant dense<-1> : tensor<1xi32>
  %0 = dl.div %a, %b : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi32>
  %1 = dl.mod %a, %b : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi32>
  return %0, %1 : tensor<1xi32>, tensor<1xi32>
}

// -----

// Float division by zero is well defined (inf) and folds.
// CHECK-LABEL: func.func @fold_float_div_by_zero(
// CHECK-NOT:     dl.div
// CHECK:         dl.constant dense<[0x7F800000, 0xFF800000]> : tensor<2xf32>
func.func @fold_float_div_by_zero() -> tensor<2xf32> {
  %a = dl.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %b = dl.constant dense<0.0> : tensor<2xf32>
  %0 = dl.div %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// A dynamic result shape cannot be materialized as a constant.
// CHECK-LABEL: func.func @no_fold_dynamic_result(
// CHECK:         dl.add
func.func @no_fold_dynamic_result() -> tensor<?xf32> {
  %a = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %0 = dl.add %a, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @not_not(
// CHECK-SAME:    %[[X:.*]]: tensor<?x3xi1>
// CHECK-NOT:     dl.not
// CHECK:         return %[[X]]
func.func @not_not(%x: tensor<?x3xi1>) -> tensor<?x3xi1> {
  %0 = dl.not %x : tensor<?x3xi1>
  %1 = dl.not %0 : tensor<?x3xi1>
  return %1 : tensor<?x3xi1>
}

// -----

// CHECK-LABEL: func.func @neg_neg(
// CHECK-SAME:    %[[X:.*]]: tensor<?x3xf32>
// CHECK-NOT:     dl.neg
// CHECK:         return %[[X]]
func.func @neg_neg(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %0 = dl.neg %x : tensor<?x3xf32>
  %1 = dl.neg %0 : tensor<?x3xf32>
  return %1 : tensor<?x3xf32>
}

// -----

// Three negations leave one.
// CHECK-LABEL: func.func @neg_neg_neg_int(
// CHECK-SAME:    %[[X:.*]]: tensor<4xi32>
// CHECK:         %[[R:.*]] = dl.neg %[[X]] : tensor<4xi32>
// CHECK-NOT:     dl.neg
// CHECK:         return %[[R]]
func.func @neg_neg_neg_int(%x: tensor<4xi32>) -> tensor<4xi32> {
  %0 = dl.neg %x : tensor<4xi32>
  %1 = dl.neg %0 : tensor<4xi32>
  %2 = dl.neg %1 : tensor<4xi32>
  return %2 : tensor<4xi32>
}

// -----

// A single not stays.
// CHECK-LABEL: func.func @single_not(
// CHECK:         %[[R:.*]] = dl.not
// CHECK:         return %[[R]]
func.func @single_not(%x: tensor<3xi1>) -> tensor<3xi1> {
  %0 = dl.not %x : tensor<3xi1>
  return %0 : tensor<3xi1>
}

// -----

// CHECK-LABEL: func.func @fold_not_constant(
// CHECK-NOT:     dl.not
// CHECK:         %[[C:.*]] = dl.constant dense<[false, true]> : tensor<2xi1>
// CHECK:         return %[[C]]
func.func @fold_not_constant() -> tensor<2xi1> {
  %a = dl.constant dense<[true, false]> : tensor<2xi1>
  %0 = dl.not %a : tensor<2xi1>
  return %0 : tensor<2xi1>
}

// -----

// Cast of a constant: float to int truncates toward zero, bool to float is
// 0/1, int to bool is "non-zero".
// CHECK-LABEL: func.func @fold_cast_constant(
// CHECK-DAG:     %[[I:.*]] = dl.constant dense<[1, -2, 3]> : tensor<3xi32>
// CHECK-DAG:     %[[F:.*]] = dl.constant dense<[1.000000e+00, 0.000000e+00]> : tensor<2xf32>
// CHECK-DAG:     %[[B:.*]] = dl.constant dense<[false, true, true]> : tensor<3xi1>
// CHECK-DAG:     %[[W:.*]] = dl.constant dense<-1> : tensor<4xi64>
// CHECK-DAG:     %[[H:.*]] = dl.constant dense<2.500000e+00> : tensor<2x2xf16>
// CHECK-NOT:     dl.cast
// CHECK:         return %[[I]], %[[F]], %[[B]], %[[W]], %[[H]]
func.func @fold_cast_constant() -> (tensor<3xi32>, tensor<2xf32>, tensor<3xi1>, tensor<4xi64>, tensor<2x2xf16>) {
  %a = dl.constant dense<[1.9, -2.7, 3.0]> : tensor<3xf32>
  %0 = dl.cast %a : tensor<3xf32> -> tensor<3xi32>
  %b = dl.constant dense<[true, false]> : tensor<2xi1>
  %1 = dl.cast %b : tensor<2xi1> -> tensor<2xf32>
  %c = dl.constant dense<[0, 5, -1]> : tensor<3xi8>
  %2 = dl.cast %c : tensor<3xi8> -> tensor<3xi1>
  // Sign extension from i8.
  %d = dl.constant dense<-1> : tensor<4xi8>
  %3 = dl.cast %d : tensor<4xi8> -> tensor<4xi64>
  %e = dl.constant dense<2.5> : tensor<2x2xf64>
  %4 = dl.cast %e : tensor<2x2xf64> -> tensor<2x2xf16>
  return %0, %1, %2, %3, %4 : tensor<3xi32>, tensor<2xf32>, tensor<3xi1>, tensor<4xi64>, tensor<2x2xf16>
}

// -----

// CHECK-LABEL: func.func @cast_same_type(
// CHECK-SAME:    %[[X:.*]]: tensor<?x2xf32>
// CHECK-NOT:     dl.cast
// CHECK:         return %[[X]]
func.func @cast_same_type(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  %0 = dl.cast %x : tensor<?x2xf32> -> tensor<?x2xf32>
  return %0 : tensor<?x2xf32>
}

// -----

// A cast that changes the element type stays.
// CHECK-LABEL: func.func @cast_other_type(
// CHECK:         %[[R:.*]] = dl.cast
// CHECK:         return %[[R]]
func.func @cast_other_type(%x: tensor<4xf32>) -> tensor<4xf16> {
  %0 = dl.cast %x : tensor<4xf32> -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

// CHECK-LABEL: func.func @select_const_cond(
// CHECK-SAME:    %[[T:[^:]*]]: tensor<2x3xf32>, %[[F:[^:]*]]: tensor<2x3xf32>
// CHECK-NOT:     dl.select
// CHECK:         return %[[T]], %[[F]]
func.func @select_const_cond(%t: tensor<2x3xf32>, %f: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %true = dl.constant dense<true> : tensor<i1>
  %0 = dl.select %true, %t, %f : (tensor<i1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %false = dl.constant dense<false> : tensor<2x3xi1>
  %1 = dl.select %false, %t, %f : (tensor<2x3xi1>, tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// select(c, x, x) is x whatever c is.
// CHECK-LABEL: func.func @select_same_values(
// CHECK-SAME:    %{{[^:]*}}: tensor<4xi1>, %[[X:[^:]*]]: tensor<4xf32>
// CHECK-NOT:     dl.select
// CHECK:         return %[[X]]
func.func @select_same_values(%c: tensor<4xi1>, %x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dl.select %c, %x, %x : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// The picked value is broadcast by the other operands: no fold.
// CHECK-LABEL: func.func @select_const_cond_broadcasts(
// CHECK:         %[[R:.*]] = dl.select
// CHECK:         return %[[R]]
func.func @select_const_cond_broadcasts(%t: tensor<3xf32>, %f: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %true = dl.constant dense<true> : tensor<i1>
  %0 = dl.select %true, %t, %f : (tensor<i1>, tensor<3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// A non-splat constant cond is not folded to either operand.
// CHECK-LABEL: func.func @select_mixed_cond(
// CHECK:         dl.select
func.func @select_mixed_cond(%t: tensor<2xf32>, %f: tensor<2xf32>) -> tensor<2xf32> {
  %c = dl.constant dense<[true, false]> : tensor<2xi1>
  %0 = dl.select %c, %t, %f : (tensor<2xi1>, tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// t may be 1 at run time and then broadcast to f's 4: even though the
// declared result type equals t's type, the select is not t.
// CHECK-LABEL: func.func @select_const_cond_may_broadcast_dynamic(
// CHECK:         %[[R:.*]] = dl.select
// CHECK:         return %[[R]]
func.func @select_const_cond_may_broadcast_dynamic(%t: tensor<?xf32>, %f: tensor<4xf32>) -> tensor<?xf32> {
  %true = dl.constant dense<true> : tensor<i1>
  %0 = dl.select %true, %t, %f : (tensor<i1>, tensor<?xf32>, tensor<4xf32>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// The trigonometric ops fold on constants through their scalar formulas.
// CHECK-LABEL: func.func @fold_trig
// CHECK: dl.constant dense<[0.000000e+00, 1.57079637]> : tensor<2xf32>
// CHECK-NOT: dl.asin
func.func @fold_trig() -> tensor<2xf32> {
  %c = dl.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = dl.asin %c : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// All operands constant (an exporter's Where(Equal(shape, -1), 1, shape)):
// picked element by element, with broadcasting.
// CHECK-LABEL: func.func @select_all_constant(
// CHECK-NOT:     dl.select
// CHECK:         %[[C:.*]] = dl.constant dense<[1, 2, 1, 1]> : tensor<4xi64>
// CHECK:         %[[B:.*]] = dl.constant dense<{{\[\[}}1.000000e+00, 5.000000e+00], [1.000000e+00, 7.000000e+00]]> : tensor<2x2xf32>
// CHECK:         return %[[C]], %[[B]]
func.func @select_all_constant() -> (tensor<4xi64>, tensor<2x2xf32>) {
  %c = dl.constant dense<[true, false, true, true]> : tensor<4xi1>
  %one = dl.constant dense<1> : tensor<4xi64>
  %s = dl.constant dense<[-1, 2, -1, -1]> : tensor<4xi64>
  %0 = dl.select %c, %one, %s : (tensor<4xi1>, tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  %c2 = dl.constant dense<[true, false]> : tensor<2xi1>
  %t = dl.constant dense<1.0> : tensor<f32>
  %f = dl.constant dense<[[5.0], [7.0]]> : tensor<2x1xf32>
  %1 = dl.select %c2, %t, %f : (tensor<2xi1>, tensor<f32>, tensor<2x1xf32>) -> tensor<2x2xf32>
  return %0, %1 : tensor<4xi64>, tensor<2x2xf32>
}

// -----

// An empty constant operand has no value to fold with (found by libFuzzer:
// the folder read its missing element 0 as a splat).
// CHECK-LABEL: func.func @empty_operand_not_folded(
// CHECK:         %[[R:.*]] = dl.mul
// CHECK:         return %[[R]]
func.func @empty_operand_not_folded() -> tensor<0xi64> {
  %e = dl.constant dense<> : tensor<0xi64>
  %m = dl.constant dense<-1> : tensor<i64>
  %0 = dl.mul %e, %m : (tensor<0xi64>, tensor<i64>) -> tensor<0xi64>
  return %0 : tensor<0xi64>
}
