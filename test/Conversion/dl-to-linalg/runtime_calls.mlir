// RUN: dlc-opt %s --split-input-file --dl-to-linalg="runtime-calls=true" | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-to-linalg | FileCheck %s --check-prefix=LINALG

// runtime-calls: a 2-D f32 max_pool_grad is one call of dlc_maxpool2d_grad
// on the input and the gradient (read-only views of any layout) and a fresh
// buffer of the input's shape (its dynamic batch from the input), returned
// as a tensor; the window (kernel, strides, dilations, top/left pads) as
// i64 operands. Without the option: linalg generics.
// CHECK-LABEL: func.func @pool_grad
// CHECK-SAME: (%[[X:.*]]: tensor<?x4x9x9xf32>, %[[G:.*]]: tensor<?x4x5x4xf32>)
// CHECK-DAG: %[[XB:.*]] = bufferization.to_buffer %[[X]] read_only : tensor<?x4x9x9xf32> to memref<?x4x9x9xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK-DAG: %[[GB:.*]] = bufferization.to_buffer %[[G]] read_only
// CHECK-DAG: %[[N:.*]] = tensor.dim %[[X]], %c0
// CHECK: %[[OUT:.*]] = memref.alloc(%[[N]]) : memref<?x4x9x9xf32>
// CHECK: %[[OUTC:.*]] = memref.cast %[[OUT]] : memref<?x4x9x9xf32> to memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
// CHECK: call @dlc_maxpool2d_grad(%{{.*}}, %{{.*}}, %[[OUTC]], %c3_i64, %c3_i64, %c2_i64, %c2_i64, %c1_i64, %c1_i64, %c1_i64, %c0_i64)
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<?x4x9x9xf32> to tensor<?x4x9x9xf32>
// CHECK: return %[[R]]
// CHECK: func.func private @dlc_maxpool2d_grad(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>, i64, i64, i64, i64, i64, i64, i64, i64)
// LINALG-LABEL: func.func @pool_grad
// LINALG-NOT: call
// LINALG: linalg.generic
func.func @pool_grad(%x: tensor<?x4x9x9xf32>, %g: tensor<?x4x5x4xf32>) -> tensor<?x4x9x9xf32> {
  %d = dl.max_pool_grad %x, %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 0, 1, 0>} : (tensor<?x4x9x9xf32>, tensor<?x4x5x4xf32>) -> tensor<?x4x9x9xf32>
  return %d : tensor<?x4x9x9xf32>
}

// -----

// An ungrouped 2-D conv's weight gradient: dlc_sconv2d_wgrad with strides,
// dilations and the top/left pads; the result a fresh static buffer.
// CHECK-LABEL: func.func @weight_grad
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<16x8x3x3xf32>
// CHECK: call @dlc_sconv2d_wgrad(%{{.*}}, %{{.*}}, %{{.*}}, %c1_i64, %c2_i64, %c2_i64, %c1_i64, %c2_i64, %c1_i64)
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// LINALG-LABEL: func.func @weight_grad
// LINALG-NOT: call
func.func @weight_grad(%x: tensor<2x8x12x12xf32>, %g: tensor<2x16x12x6xf32>) -> tensor<16x8x3x3xf32> {
  %d = dl.conv_weight_grad %x, %g {strides = array<i64: 1, 2>, dilations = array<i64: 2, 1>, pads = array<i64: 2, 1, 2, 1>} : (tensor<2x8x12x12xf32>, tensor<2x16x12x6xf32>) -> tensor<16x8x3x3xf32>
  return %d : tensor<16x8x3x3xf32>
}

// -----

// What the runtime has no kernel for keeps the linalg lowering: a grouped
// conv's weight gradient and a 1-D pool's.
// CHECK-LABEL: func.func @not_taken
// CHECK-NOT: call @
// CHECK: linalg.generic
func.func @not_taken(%x: tensor<2x8x12x12xf32>, %g: tensor<2x8x10x10xf32>, %x1: tensor<2x4x9xf32>, %g1: tensor<2x4x4xf32>) -> (tensor<8x4x3x3xf32>, tensor<2x4x9xf32>) {
  %d = dl.conv_weight_grad %x, %g {groups = 2 : i64} : (tensor<2x8x12x12xf32>, tensor<2x8x10x10xf32>) -> tensor<8x4x3x3xf32>
  %p = dl.max_pool_grad %x1, %g1 {kernel_shape = array<i64: 2>, strides = array<i64: 2>} : (tensor<2x4x9xf32>, tensor<2x4x4xf32>) -> tensor<2x4x9xf32>
  return %d, %p : tensor<8x4x3x3xf32>, tensor<2x4x9xf32>
}

// -----

// Attention as nn.MultiheadAttention's export writes it: Q / sqrt(d) times
// K^T, a [seq, seq] mask added, the softmax, times V, the result transposed
// back. One dlc_attention call: Q and K read through views of the
// transposes' inputs (no copies), the mask as a [1, seq, seq] view, the
// divisor passed with divide = 1, the output written through a transposed
// view of the final [seq, heads, dim] buffer.
// CHECK-LABEL: func.func @attention
// CHECK-SAME: (%[[Q:.*]]: tensor<64x4x32xf32>, %[[K:.*]]: tensor<64x4x32xf32>, %[[V:.*]]: tensor<4x64x32xf32>, %[[M:.*]]: tensor<64x64xf32>)
// CHECK-NOT: linalg.generic
// CHECK-DAG: %[[ME:.*]] = tensor.expand_shape %[[M]] {{\[\[}}0, 1], [2]] output_shape [1, 64, 64]
// CHECK-DAG: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only
// CHECK-DAG: memref.transpose %[[QB]] (d0, d1, d2) -> (d1, d0, d2)
// CHECK-DAG: %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK-DAG: memref.transpose %[[KB]] (d0, d1, d2) -> (d1, d0, d2)
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<64x4x32xf32>
// CHECK: memref.transpose %[[OUT]] (d0, d1, d2) -> (d1, d0, d2)
// CHECK: call @dlc_attention({{.*}}, %cst{{.*}}, %c1_i32{{.*}}, %c1_i32{{.*}})
// CHECK: %[[R:.*]] = bufferization.to_tensor %[[OUT]] restrict writable : memref<64x4x32xf32> to tensor<64x4x32xf32>
// CHECK: return %[[R]]
// CHECK: func.func private @dlc_attention({{.*}}, f32, i32, i32)
func.func @attention(%q: tensor<64x4x32xf32>, %k: tensor<64x4x32xf32>, %v: tensor<4x64x32xf32>, %m: tensor<64x64xf32>) -> tensor<64x4x32xf32> {
  %c = dl.constant dense<5.65685415> : tensor<f32>
  %qt = dl.transpose %q {perm = array<i64: 1, 0, 2>} : tensor<64x4x32xf32> -> tensor<4x64x32xf32>
  %qs = dl.div %qt, %c : (tensor<4x64x32xf32>, tensor<f32>) -> tensor<4x64x32xf32>
  %kt = dl.transpose %k {perm = array<i64: 1, 2, 0>} : tensor<64x4x32xf32> -> tensor<4x32x64xf32>
  %s = dl.matmul %qs, %kt : (tensor<4x64x32xf32>, tensor<4x32x64xf32>) -> tensor<4x64x64xf32>
  %sm = dl.add %s, %m : (tensor<4x64x64xf32>, tensor<64x64xf32>) -> tensor<4x64x64xf32>
  %p = dl.softmax %sm : tensor<4x64x64xf32>
  %o = dl.matmul %p, %v : (tensor<4x64x64xf32>, tensor<4x64x32xf32>) -> tensor<4x64x32xf32>
  %ot = dl.transpose %o {perm = array<i64: 1, 0, 2>} : tensor<4x64x32xf32> -> tensor<64x4x32xf32>
  return %ot : tensor<64x4x32xf32>
}

// -----

// Not attention the call can take: the scores are read again (the softmax
// has a second user), or a head size is dynamic.
// CHECK-LABEL: func.func @scores_reused
// CHECK-NOT: call @dlc_attention
// CHECK-LABEL: func.func @dynamic_head_size
// CHECK-NOT: call @dlc_attention
func.func @scores_reused(%q: tensor<4x8x16xf32>, %kt: tensor<4x16x8xf32>, %v: tensor<4x8x16xf32>) -> (tensor<4x8x16xf32>, tensor<4x8x8xf32>) {
  %s = dl.matmul %q, %kt : (tensor<4x8x16xf32>, tensor<4x16x8xf32>) -> tensor<4x8x8xf32>
  %p = dl.softmax %s : tensor<4x8x8xf32>
  %o = dl.matmul %p, %v : (tensor<4x8x8xf32>, tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o, %p : tensor<4x8x16xf32>, tensor<4x8x8xf32>
}
func.func @dynamic_head_size(%q: tensor<4x8x?xf32>, %kt: tensor<4x?x8xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %s = dl.matmul %q, %kt : (tensor<4x8x?xf32>, tensor<4x?x8xf32>) -> tensor<4x8x8xf32>
  %p = dl.softmax %s : tensor<4x8x8xf32>
  %o = dl.matmul %p, %v : (tensor<4x8x8xf32>, tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}

// -----

// Dynamic groups (a dynamic batch) and a dynamic key count: the call takes
// them (dlc_attention checks that they agree when it runs), the result's
// buffer gets Q's dynamic group dim; through the result's transpose, at
// the permuted position.
// CHECK-LABEL: func.func @dynamic_groups
// CHECK: %[[G:.*]] = tensor.dim %arg0, %c0
// CHECK: %[[OUT:.*]] = memref.alloc(%[[G]]) : memref<?x8x16xf32>
// CHECK: call @dlc_attention(
// CHECK: bufferization.to_tensor %[[OUT]] restrict writable
// CHECK-LABEL: func.func @dynamic_groups_transposed
// CHECK: %[[G2:.*]] = tensor.dim %{{.*}}, %c0
// CHECK: %[[OUT2:.*]] = memref.alloc(%[[G2]]) : memref<8x?x16xf32>
// CHECK: memref.transpose %[[OUT2]] (d0, d1, d2) -> (d1, d0, d2)
// CHECK: call @dlc_attention(
func.func @dynamic_groups(%q: tensor<?x8x16xf32>, %kt: tensor<?x16x?xf32>, %v: tensor<?x?x16xf32>) -> tensor<?x8x16xf32> {
  %s = dl.matmul %q, %kt : (tensor<?x8x16xf32>, tensor<?x16x?xf32>) -> tensor<?x8x?xf32>
  %p = dl.softmax %s : tensor<?x8x?xf32>
  %o = dl.matmul %p, %v : (tensor<?x8x?xf32>, tensor<?x?x16xf32>) -> tensor<?x8x16xf32>
  return %o : tensor<?x8x16xf32>
}
func.func @dynamic_groups_transposed(%q: tensor<?x8x16xf32>, %kt: tensor<?x16x8xf32>, %v: tensor<?x8x16xf32>) -> tensor<8x?x16xf32> {
  %s = dl.matmul %q, %kt : (tensor<?x8x16xf32>, tensor<?x16x8xf32>) -> tensor<?x8x8xf32>
  %p = dl.softmax %s : tensor<?x8x8xf32>
  %o = dl.matmul %p, %v : (tensor<?x8x8xf32>, tensor<?x8x16xf32>) -> tensor<?x8x16xf32>
  %ot = dl.transpose %o {perm = array<i64: 1, 0, 2>} : tensor<?x8x16xf32> -> tensor<8x?x16xf32>
  return %ot : tensor<8x?x16xf32>
}

// -----

// Rank 4, [batch, heads, rows, dims] as a Transformer written with per-head
// tensors exports it: Q, K and V are transposes of the projections
// [batch, rows, heads, dims], the scores are divided after the product, a
// padding mask per sample [batch, 1, 1, keys] (dynamic batch) is added, and
// the result is transposed back. One dlc_attention4 call on views: no
// transposed copies, no scores.
// CHECK-LABEL: func.func @rank4
// CHECK-SAME: (%[[Q:.*]]: tensor<?x64x4x32xf32>, %[[K:.*]]: tensor<?x64x4x32xf32>, %[[V:.*]]: tensor<?x64x4x32xf32>, %[[M:.*]]: tensor<?x1x1x64xf32>)
// CHECK-DAG: %[[ONE:.*]] = arith.constant 1 : i32
// CHECK-DAG: %[[SCALE:.*]] = arith.constant 5.65{{.*}} : f32
// CHECK-NOT: linalg.transpose
// CHECK: %[[QB:.*]] = bufferization.to_buffer %[[Q]] read_only
// CHECK: memref.transpose %[[QB]] (d0, d1, d2, d3) -> (d0, d2, d1, d3)
// CHECK: %[[KB:.*]] = bufferization.to_buffer %[[K]] read_only
// CHECK: memref.transpose %[[KB]] (d0, d1, d2, d3) -> (d0, d2, d1, d3)
// CHECK: %[[B:.*]] = tensor.dim %[[Q]], %c0
// CHECK: %[[OUT:.*]] = memref.alloc(%[[B]]) : memref<?x64x4x32xf32>
// CHECK: memref.transpose %[[OUT]] (d0, d1, d2, d3) -> (d0, d2, d1, d3)
// CHECK: call @dlc_attention4({{.*}}, %[[SCALE]], %[[ONE]], %[[ONE]])
// CHECK-NOT: linalg.
// CHECK: func.func private @dlc_attention4(memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>
func.func @rank4(%q: tensor<?x64x4x32xf32>, %k: tensor<?x64x4x32xf32>, %v: tensor<?x64x4x32xf32>, %m: tensor<?x1x1x64xf32>) -> tensor<?x64x4x32xf32> {
  %c = dl.constant dense<5.65685415> : tensor<f32>
  %qt = dl.transpose %q {perm = array<i64: 0, 2, 1, 3>} : tensor<?x64x4x32xf32> -> tensor<?x4x64x32xf32>
  %kt = dl.transpose %k {perm = array<i64: 0, 2, 3, 1>} : tensor<?x64x4x32xf32> -> tensor<?x4x32x64xf32>
  %vt = dl.transpose %v {perm = array<i64: 0, 2, 1, 3>} : tensor<?x64x4x32xf32> -> tensor<?x4x64x32xf32>
  %s = dl.matmul %qt, %kt : (tensor<?x4x64x32xf32>, tensor<?x4x32x64xf32>) -> tensor<?x4x64x64xf32>
  %sd = dl.div %s, %c : (tensor<?x4x64x64xf32>, tensor<f32>) -> tensor<?x4x64x64xf32>
  %sm = dl.add %sd, %m : (tensor<?x4x64x64xf32>, tensor<?x1x1x64xf32>) -> tensor<?x4x64x64xf32>
  %p = dl.softmax %sm : tensor<?x4x64x64xf32>
  %o = dl.matmul %p, %vt : (tensor<?x4x64x64xf32>, tensor<?x4x64x32xf32>) -> tensor<?x4x64x32xf32>
  %ot = dl.transpose %o {perm = array<i64: 0, 2, 1, 3>} : tensor<?x4x64x32xf32> -> tensor<?x64x4x32xf32>
  return %ot : tensor<?x64x4x32xf32>
}

// -----

// A checkpointed function (its recomputation marked by dl.recompute_barrier)
// keeps the separate ops: the recomputed forward must round as the stored
// one did.
// CHECK-LABEL: func.func @checkpointed
// CHECK-NOT: call @dlc_attention
func.func @checkpointed(%q: tensor<4x8x16xf32>, %kt: tensor<4x16x8xf32>, %v: tensor<4x8x16xf32>) -> tensor<4x8x16xf32> {
  %b = dl.recompute_barrier %q : tensor<4x8x16xf32>
  %s = dl.matmul %b, %kt : (tensor<4x8x16xf32>, tensor<4x16x8xf32>) -> tensor<4x8x8xf32>
  %p = dl.softmax %s : tensor<4x8x8xf32>
  %o = dl.matmul %p, %v : (tensor<4x8x8xf32>, tensor<4x8x16xf32>) -> tensor<4x8x16xf32>
  return %o : tensor<4x8x16xf32>
}
