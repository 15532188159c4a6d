// RUN: dlc-opt %s --dlc-cpu-lowering | FileCheck %s
// RUN: dlc-opt %s --dlc-cpu-lowering="attention-layout=false" | FileCheck %s --check-prefix=OFF

// nn.MultiheadAttention's export with a dynamic batch: by default the
// attention runs over [batch, heads, rows, dims] views of the projection
// (dl-attention-heads), one dlc_attention4 call and no copies of Q, K and
// V before it. With attention-layout=false (dlc --attention-layout=false,
// to compare), the merged batch x heads groups: each of Q, K and V is
// copied, then one dlc_attention call.
// CHECK-LABEL: llvm.func @mha(
// CHECK: llvm.call @dlc_attention4(
// CHECK-NOT: llvm.call @dlc_attention(
// OFF-LABEL: llvm.func @mha(
// OFF: llvm.call @dlc_attention(
// OFF-NOT: llvm.call @dlc_attention4(
func.func @mha(%q: tensor<8x?x64xf32>, %k: tensor<8x?x64xf32>, %v: tensor<8x?x64xf32>) -> tensor<8x?x16xf32> {
  %c = dl.constant dense<4.0> : tensor<f32>
  %rq = dl.reshape %q : (tensor<8x?x64xf32>) -> tensor<8x?x16xf32>
  %tq = dl.transpose %rq {perm = array<i64: 1, 0, 2>} : tensor<8x?x16xf32> -> tensor<?x8x16xf32>
  %rk = dl.reshape %k : (tensor<8x?x64xf32>) -> tensor<8x?x16xf32>
  %tk = dl.transpose %rk {perm = array<i64: 1, 2, 0>} : tensor<8x?x16xf32> -> tensor<?x16x8xf32>
  %rv = dl.reshape %v : (tensor<8x?x64xf32>) -> tensor<8x?x16xf32>
  %tv = dl.transpose %rv {perm = array<i64: 1, 0, 2>} : tensor<8x?x16xf32> -> tensor<?x8x16xf32>
  %qs = dl.div %tq, %c : (tensor<?x8x16xf32>, tensor<f32>) -> tensor<?x8x16xf32>
  %s = dl.matmul %qs, %tk : (tensor<?x8x16xf32>, tensor<?x16x8xf32>) -> tensor<?x8x8xf32>
  %p = dl.softmax %s : tensor<?x8x8xf32>
  %o = dl.matmul %p, %tv : (tensor<?x8x8xf32>, tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  %ot = dl.transpose %o {perm = array<i64: 1, 0, 2>} : tensor<?x8x16xf32> -> tensor<8x?x16xf32>
  return %ot : tensor<8x?x16xf32>
}
