// RUN: dlc-opt %s --split-input-file --dl-attention-heads | FileCheck %s

// nn.MultiheadAttention's export (batch first, dynamic batch): Q, K^T and V
// are transposes of reshapes that merge the batch with the 4 heads. They
// become transposes of [L, B, H, D] reshapes of the same slices, the
// attention runs over [B, H, L, D], and the [1, 0, 2] transpose of its
// result is a [2, 0, 1, 3] one, reshaped back: dl-to-linalg reads every
// operand as a view and the call writes the transposed result.
// CHECK-LABEL: func.func @mha_export(
// CHECK-SAME: %[[Q:[^:]*]]: tensor<64x?x128xf32>, %[[K:[^:]*]]: tensor<64x?x128xf32>, %[[V:[^:]*]]: tensor<64x?x128xf32>
// CHECK: %[[RQ:.*]] = dl.reshape %[[Q]] : (tensor<64x?x128xf32>) -> tensor<64x?x4x32xf32>
// CHECK: %[[TQ:.*]] = dl.transpose %[[RQ]] {perm = array<i64: 1, 2, 0, 3>} : tensor<64x?x4x32xf32> -> tensor<?x4x64x32xf32>
// CHECK: %[[RK:.*]] = dl.reshape %[[K]] : (tensor<64x?x128xf32>) -> tensor<64x?x4x32xf32>
// CHECK: %[[TK:.*]] = dl.transpose %[[RK]] {perm = array<i64: 1, 2, 3, 0>} : tensor<64x?x4x32xf32> -> tensor<?x4x32x64xf32>
// CHECK: %[[RV:.*]] = dl.reshape %[[V]] : (tensor<64x?x128xf32>) -> tensor<64x?x4x32xf32>
// CHECK: %[[TV:.*]] = dl.transpose %[[RV]] {perm = array<i64: 1, 2, 0, 3>} : tensor<64x?x4x32xf32> -> tensor<?x4x64x32xf32>
// CHECK: %[[QS:.*]] = dl.div %[[TQ]], %{{.*}} : (tensor<?x4x64x32xf32>, tensor<f32>) -> tensor<?x4x64x32xf32>
// CHECK: %[[S:.*]] = dl.matmul %[[QS]], %[[TK]] : (tensor<?x4x64x32xf32>, tensor<?x4x32x64xf32>) -> tensor<?x4x64x64xf32>
// CHECK: %[[P:.*]] = dl.softmax %[[S]] : tensor<?x4x64x64xf32>
// CHECK: %[[O:.*]] = dl.matmul %[[P]], %[[TV]] : (tensor<?x4x64x64xf32>, tensor<?x4x64x32xf32>) -> tensor<?x4x64x32xf32>
// CHECK: %[[OT:.*]] = dl.transpose %[[O]] {perm = array<i64: 2, 0, 1, 3>} : tensor<?x4x64x32xf32> -> tensor<64x?x4x32xf32>
// CHECK: %[[R:.*]] = dl.reshape %[[OT]] : (tensor<64x?x4x32xf32>) -> tensor<64x?x32xf32>
// CHECK-NOT: tensor<?x64x64xf32>
// CHECK: return %[[R]]
func.func @mha_export(%q: tensor<64x?x128xf32>, %k: tensor<64x?x128xf32>, %v: tensor<64x?x128xf32>, %shape: tensor<3xi64>) -> tensor<64x?x32xf32> {
  %c = dl.constant dense<5.65685415> : tensor<f32>
  %rq = dl.reshape %q, %shape : (tensor<64x?x128xf32>, tensor<3xi64>) -> tensor<64x?x32xf32>
  %tq = dl.transpose %rq {perm = array<i64: 1, 0, 2>} : tensor<64x?x32xf32> -> tensor<?x64x32xf32>
  %rk = dl.reshape %k, %shape : (tensor<64x?x128xf32>, tensor<3xi64>) -> tensor<64x?x32xf32>
  %rv = dl.reshape %v, %shape : (tensor<64x?x128xf32>, tensor<3xi64>) -> tensor<64x?x32xf32>
  %tv = dl.transpose %rv {perm = array<i64: 1, 0, 2>} : tensor<64x?x32xf32> -> tensor<?x64x32xf32>
  %qs = dl.div %tq, %c : (tensor<?x64x32xf32>, tensor<f32>) -> tensor<?x64x32xf32>
  %tk = dl.transpose %rk {perm = array<i64: 1, 2, 0>} : tensor<64x?x32xf32> -> tensor<?x32x64xf32>
  %s = dl.matmul %qs, %tk : (tensor<?x64x32xf32>, tensor<?x32x64xf32>) -> tensor<?x64x64xf32>
  %p = dl.softmax %s : tensor<?x64x64xf32>
  %o = dl.matmul %p, %tv : (tensor<?x64x64xf32>, tensor<?x64x32xf32>) -> tensor<?x64x32xf32>
  %ot = dl.transpose %o {perm = array<i64: 1, 0, 2>} : tensor<?x64x32xf32> -> tensor<64x?x32xf32>
  return %ot : tensor<64x?x32xf32>
}

// -----

// Static shapes, the scale on the scores, a causal mask [L, L] (it
// broadcasts over every group) and a result used as it is: reshaped back
// to [B*H, L, D].
// CHECK-LABEL: func.func @mask_and_plain_result(
// CHECK: %[[S:.*]] = dl.matmul %{{.*}}, %{{.*}} : (tensor<2x4x8x16xf32>, tensor<2x4x16x8xf32>) -> tensor<2x4x8x8xf32>
// CHECK: %[[SS:.*]] = dl.mul %[[S]], %{{.*}} : (tensor<2x4x8x8xf32>, tensor<f32>) -> tensor<2x4x8x8xf32>
// CHECK: %[[M:.*]] = dl.add %[[SS]], %arg3 : (tensor<2x4x8x8xf32>, tensor<8x8xf32>) -> tensor<2x4x8x8xf32>
// CHECK: %[[P:.*]] = dl.softmax %[[M]]
// CHECK: %[[O:.*]] = dl.matmul %[[P]], %{{.*}} : (tensor<2x4x8x8xf32>, tensor<2x4x8x16xf32>) -> tensor<2x4x8x16xf32>
// CHECK: %[[R:.*]] = dl.reshape %[[O]] : (tensor<2x4x8x16xf32>) -> tensor<8x8x16xf32>
// CHECK: return %[[R]]
func.func @mask_and_plain_result(%q: tensor<8x2x64xf32>, %k: tensor<8x2x64xf32>, %v: tensor<8x2x64xf32>, %mask: tensor<8x8xf32>) -> tensor<8x8x16xf32> {
  %c = dl.constant dense<2.500000e-01> : tensor<f32>
  %rq = dl.reshape %q : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tq = dl.transpose %rq {perm = array<i64: 1, 0, 2>} : tensor<8x8x16xf32> -> tensor<8x8x16xf32>
  %rk = dl.reshape %k : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tk = dl.transpose %rk {perm = array<i64: 1, 2, 0>} : tensor<8x8x16xf32> -> tensor<8x16x8xf32>
  %rv = dl.reshape %v : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tv = dl.transpose %rv {perm = array<i64: 1, 0, 2>} : tensor<8x8x16xf32> -> tensor<8x8x16xf32>
  %s = dl.matmul %tq, %tk : (tensor<8x8x16xf32>, tensor<8x16x8xf32>) -> tensor<8x8x8xf32>
  %ss = dl.mul %s, %c : (tensor<8x8x8xf32>, tensor<f32>) -> tensor<8x8x8xf32>
  %m = dl.add %ss, %mask : (tensor<8x8x8xf32>, tensor<8x8xf32>) -> tensor<8x8x8xf32>
  %p = dl.softmax %m : tensor<8x8x8xf32>
  %o = dl.matmul %p, %tv : (tensor<8x8x8xf32>, tensor<8x8x16xf32>) -> tensor<8x8x16xf32>
  return %o : tensor<8x8x16xf32>
}

// -----

// Left as they are: a mask per group (its groups are B*H, which the rank-4
// scores do not have), and a Q that is no head split.
// CHECK-LABEL: func.func @per_group_mask(
// CHECK-NOT: tensor<2x4x8x8xf32>
// CHECK: dl.softmax %{{.*}} : tensor<8x8x8xf32>
func.func @per_group_mask(%q: tensor<8x2x64xf32>, %k: tensor<8x2x64xf32>, %v: tensor<8x2x64xf32>, %mask: tensor<8x8x8xf32>) -> tensor<8x8x16xf32> {
  %rq = dl.reshape %q : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tq = dl.transpose %rq {perm = array<i64: 1, 0, 2>} : tensor<8x8x16xf32> -> tensor<8x8x16xf32>
  %rk = dl.reshape %k : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tk = dl.transpose %rk {perm = array<i64: 1, 2, 0>} : tensor<8x8x16xf32> -> tensor<8x16x8xf32>
  %rv = dl.reshape %v : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tv = dl.transpose %rv {perm = array<i64: 1, 0, 2>} : tensor<8x8x16xf32> -> tensor<8x8x16xf32>
  %s = dl.matmul %tq, %tk : (tensor<8x8x16xf32>, tensor<8x16x8xf32>) -> tensor<8x8x8xf32>
  %m = dl.add %s, %mask : (tensor<8x8x8xf32>, tensor<8x8x8xf32>) -> tensor<8x8x8xf32>
  %p = dl.softmax %m : tensor<8x8x8xf32>
  %o = dl.matmul %p, %tv : (tensor<8x8x8xf32>, tensor<8x8x16xf32>) -> tensor<8x8x16xf32>
  return %o : tensor<8x8x16xf32>
}

// CHECK-LABEL: func.func @q_not_split(
// CHECK-NOT: tensor<2x4x8x8xf32>
// CHECK: dl.softmax %{{.*}} : tensor<8x8x8xf32>
func.func @q_not_split(%q: tensor<8x8x16xf32>, %k: tensor<8x2x64xf32>, %v: tensor<8x2x64xf32>) -> tensor<8x8x16xf32> {
  %rk = dl.reshape %k : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tk = dl.transpose %rk {perm = array<i64: 1, 2, 0>} : tensor<8x8x16xf32> -> tensor<8x16x8xf32>
  %rv = dl.reshape %v : (tensor<8x2x64xf32>) -> tensor<8x8x16xf32>
  %tv = dl.transpose %rv {perm = array<i64: 1, 0, 2>} : tensor<8x8x16xf32> -> tensor<8x8x16xf32>
  %s = dl.matmul %q, %tk : (tensor<8x8x16xf32>, tensor<8x16x8xf32>) -> tensor<8x8x8xf32>
  %p = dl.softmax %s : tensor<8x8x8xf32>
  %o = dl.matmul %p, %tv : (tensor<8x8x8xf32>, tensor<8x8x16xf32>) -> tensor<8x8x16xf32>
  return %o : tensor<8x8x16xf32>
}
