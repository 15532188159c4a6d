// RUN: dlc-opt %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(dl-fuse{remarks=true}))' | FileCheck %s

// A conv with its bias, a residual add and a ReLU: the epilogue the
// runtime's conv kernel applies per tile, one region yielding the ReLU.
// CHECK-LABEL: func.func @conv_epilogue(
// CHECK-SAME: %[[X:.*]]: tensor<1x2x4x4xf32>, %[[W:.*]]: tensor<3x2x3x3xf32>, %[[B:.*]]: tensor<3xf32>, %[[R:.*]]: tensor<1x3x4x4xf32>)
// CHECK-NEXT: %[[F:.*]] = dl.fusion(%[[X]], %[[W]], %[[B]], %[[R]]) : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
// CHECK-NEXT: ^bb0(%[[BX:.*]]: tensor<1x2x4x4xf32>, %[[BW:.*]]: tensor<3x2x3x3xf32>, %[[BB:.*]]: tensor<3xf32>, %[[BR:.*]]: tensor<1x3x4x4xf32>):
// CHECK-NEXT: %[[C:.*]] = dl.conv %[[BX]], %[[BW]], %[[BB]]
// CHECK-NEXT: %[[S:.*]] = dl.add %[[C]], %[[BR]]
// CHECK-NEXT: %[[Y:.*]] = dl.relu %[[S]]
// CHECK-NEXT: dl.yield %[[Y]] : tensor<1x3x4x4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @conv_epilogue(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>, %r: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %c = dl.conv %x, %w, %b {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %s = dl.add %c, %r : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y = dl.relu %s : tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// A dynamic batch (dim 0) is fine: the kernels' epilogue walks the other
// dims with static strides. A broadcast bias and a clip (ReLU6).
// CHECK-LABEL: func.func @dynamic_batch(
// CHECK: dl.fusion({{.*}}) : (tensor<?x4xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
// CHECK: dl.matmul
// CHECK-NEXT: dl.add
// CHECK-NEXT: dl.clip
// CHECK-NEXT: dl.yield
func.func @dynamic_batch(%x: tensor<?x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<?x8xf32> {
  %m = dl.matmul %x, %w : (tensor<?x4xf32>, tensor<4x8xf32>) -> tensor<?x8xf32>
  %s = dl.add %m, %b : (tensor<?x8xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %y = dl.clip %s {min = 0.0 : f64, max = 6.0 : f64} : tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}

// -----

// A dynamic dim past the batch: the kernel cannot apply the ReLU, which is
// a loop nest after the product, in the region (the contraction's lowering
// may add its bias there).
// CHECK-LABEL: func.func @dynamic_inner(
// CHECK: dl.fusion
// CHECK: dl.matmul
// CHECK-NEXT: dl.relu
func.func @dynamic_inner(%x: tensor<2x4xf32>, %w: tensor<4x?xf32>) -> tensor<2x?xf32> {
  %m = dl.matmul %x, %w : (tensor<2x4xf32>, tensor<4x?xf32>) -> tensor<2x?xf32>
  // expected-remark @+1 {{dl-fuse: a loop nest after dl.matmul, not its epilogue: dim 1 of the product is dynamic, and the kernels' epilogue walks the buffers with static strides}}
  %y = dl.relu %m : tensor<2x?xf32>
  return %y : tensor<2x?xf32>
}

// -----

// A product read twice is stored once, for both: neither reader fuses.
// CHECK-LABEL: func.func @multi_use(
// CHECK-NOT: dl.fusion
func.func @multi_use(%x: tensor<2x4xf32>, %w: tensor<4x8xf32>) -> (tensor<2x8xf32>, tensor<2x8xf32>) {
  %m = dl.matmul %x, %w : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  // expected-remark @+1 {{dl-fuse: not fused with its operand's dl.matmul: its result has 1 other use}}
  %y = dl.relu %m : tensor<2x8xf32>
  // expected-remark @+1 {{dl-fuse: not fused with its operand's dl.matmul: its result has 1 other use}}
  %z = dl.neg %m : tensor<2x8xf32>
  return %y, %z : tensor<2x8xf32>, tensor<2x8xf32>
}

// -----

// A transpose in the middle of an elementwise chain: a region on each side.
// CHECK-LABEL: func.func @not_fusable_between(
// CHECK: %[[A:.*]] = dl.fusion(%{{.*}}) : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK: dl.exp
// CHECK-NEXT: dl.neg
// CHECK: %[[T:.*]] = dl.transpose %[[A]]
// CHECK-NEXT: %[[B:.*]] = dl.fusion(%[[T]]) : (tensor<3x2xf32>) -> tensor<3x2xf32>
// CHECK: dl.log
// CHECK-NEXT: dl.sqrt
// CHECK: return %[[B]]
func.func @not_fusable_between(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
  %a = dl.exp %x : tensor<2x3xf32>
  %b = dl.neg %a : tensor<2x3xf32>
  // expected-remark @+1 {{dl-fuse: not fused with its operand's dl.neg: dl.transpose is neither elementwise, a reshape nor a reduction}}
  %t = dl.transpose %b {perm = array<i64: 1, 0>} : tensor<2x3xf32> -> tensor<3x2xf32>
  %c = dl.log %t : tensor<3x2xf32>
  %d = dl.sqrt %c : tensor<3x2xf32>
  return %d : tensor<3x2xf32>
}

// -----

// A sigmoid is not an epilogue of the GEMM: it and what follows are a
// loop nest after the product.
// CHECK-LABEL: func.func @not_an_epilogue(
// CHECK: dl.fusion
// CHECK: dl.matmul
// CHECK-NEXT: dl.sigmoid
// CHECK-NEXT: dl.neg
// CHECK-NEXT: dl.yield
func.func @not_an_epilogue(%x: tensor<2x4xf32>, %w: tensor<4x8xf32>) -> tensor<2x8xf32> {
  %m = dl.matmul %x, %w : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  // expected-remark @+1 {{dl-fuse: a loop nest after dl.matmul, not its epilogue: dl.sigmoid is not an epilogue the GEMM and conv kernels take (adds, then ReLU, ReLU6 or Clip)}}
  %s = dl.sigmoid %m : tensor<2x8xf32>
  %y = dl.neg %s : tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// A value also returned (an optimizer's new state) fuses with its
// elementwise reader; the region yields both.
// CHECK-LABEL: func.func @returned_too(
// CHECK: %[[F:.*]]:2 = dl.fusion
// CHECK: %[[M:.*]] = dl.add
// CHECK-NEXT: %[[P:.*]] = dl.mul %[[M]]
// CHECK-NEXT: dl.yield %[[M]], %[[P]]
// CHECK: return %[[F]]#0, %[[F]]#1
func.func @returned_too(%a: tensor<4xf32>, %b: tensor<4xf32>, %c: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %m = dl.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %p = dl.mul %m, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %m, %p : tensor<4xf32>, tensor<4xf32>
}

// -----

// A reduction takes its elementwise prologue and ends the region: what
// reads the sums runs over other loops.
// CHECK-LABEL: func.func @reduction(
// CHECK: %[[F:.*]] = dl.fusion
// CHECK: dl.mul
// CHECK-NEXT: dl.reduce_sum
// CHECK-NEXT: dl.yield
// CHECK: dl.neg %[[F]]
func.func @reduction(%a: tensor<4x8xf32>, %b: tensor<4x8xf32>) -> tensor<4xf32> {
  %m = dl.mul %a, %b : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
  %s = dl.reduce_sum %m {axes = array<i64: 1>, keepdims = false} : tensor<4x8xf32> -> tensor<4xf32>
  // expected-remark @+1 {{dl-fuse: not fused with its operand's dl.reduce_sum: its group ends with a reduction, whose result is read over other loops}}
  %n = dl.neg %s : tensor<4xf32>
  return %n : tensor<4xf32>
}

// -----

// Two elementwise chains read by one op merge into one region.
// CHECK-LABEL: func.func @merge(
// CHECK: dl.fusion
// CHECK: dl.exp
// CHECK-NEXT: dl.log
// CHECK-NEXT: dl.add
// CHECK-NEXT: dl.yield
// CHECK-NOT: dl.fusion
func.func @merge(%x: tensor<4xf32>, %y: tensor<4xf32>) -> tensor<4xf32> {
  %e = dl.exp %x : tensor<4xf32>
  %l = dl.log %y : tensor<4xf32>
  %s = dl.add %e, %l : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %s : tensor<4xf32>
}

// -----

// The kernels take two addends: the conv's bias and one more. A third add
// makes the adds a loop nest after the product.
// CHECK-LABEL: func.func @addends(
// CHECK: dl.fusion
// CHECK: dl.conv
// CHECK-NEXT: dl.add
// CHECK-NEXT: dl.add
// CHECK-NEXT: dl.yield
func.func @addends(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %b: tensor<3xf32>, %r: tensor<1x3x4x4xf32>, %q: tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %c = dl.conv %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %s = dl.add %c, %r : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  // expected-remark @+1 {{dl-fuse: a loop nest after dl.conv, not its epilogue: the kernels take at most two addends}}
  %t = dl.add %s, %q : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  return %t : tensor<1x3x4x4xf32>
}

// -----

// The add of two convs (a residual block and its downsample) is the later
// conv's epilogue, the earlier conv's result its addend: as the earlier
// conv's epilogue it would wait for the later product.
// CHECK-LABEL: func.func @residual_pair(
// CHECK: %[[C2:.*]] = dl.conv %arg2, %arg3
// CHECK-NEXT: dl.fusion(%arg0, %arg1, %[[C2]])
// CHECK-NEXT: ^bb0(%{{.*}}: tensor<1x2x4x4xf32>, %{{.*}}: tensor<3x2x1x1xf32>, %[[E:.*]]: tensor<1x3x4x4xf32>):
// CHECK-NEXT: %[[C1:.*]] = dl.conv
// CHECK-NEXT: dl.add %[[E]], %[[C1]]
// CHECK-NEXT: dl.relu
func.func @residual_pair(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %z: tensor<1x2x4x4xf32>, %v: tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32> {
  %c2 = dl.conv %z, %v : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %c1 = dl.conv %x, %w : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  // expected-remark @+1 {{dl-fuse: not fused with its operand's dl.conv: it reads dl.conv's result, computed after the product, which would wait for it}}
  %s = dl.add %c2, %c1 : (tensor<1x3x4x4xf32>, tensor<1x3x4x4xf32>) -> tensor<1x3x4x4xf32>
  %y = dl.relu %s : tensor<1x3x4x4xf32>
  return %y : tensor<1x3x4x4xf32>
}

// -----

// A reshape between a product and its epilogue joins (a view of the
// product the epilogue reads); a reshape no op of the region reads does
// not.
// CHECK-LABEL: func.func @reshapes(
// CHECK: %[[F:.*]] = dl.fusion
// CHECK: dl.matmul
// CHECK-NEXT: dl.reshape
// CHECK-NEXT: dl.add
// CHECK-NEXT: dl.relu
// CHECK-NEXT: dl.yield
// CHECK: dl.reshape %[[F]]
func.func @reshapes(%x: tensor<6x4xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<48xf32> {
  %m = dl.matmul %x, %w : (tensor<6x4xf32>, tensor<4x8xf32>) -> tensor<6x8xf32>
  %r = dl.reshape %m : (tensor<6x8xf32>) -> tensor<2x3x8xf32>
  %s = dl.add %r, %b : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %y = dl.relu %s : tensor<2x3x8xf32>
  // expected-remark @+1 {{dl-fuse: not fused with its operand's dl.relu: a reshape after the epilogue}}
  %f = dl.reshape %y : (tensor<2x3x8xf32>) -> tensor<48xf32>
  return %f : tensor<48xf32>
}

// -----

// An attention, matmul(softmax(Q K^T / c), V), is left to dl-to-linalg,
// which makes it one dlc_attention call: no region, though the scale is
// elementwise and the scores have one use.
// CHECK-LABEL: func.func @attention(
// CHECK-NOT: dl.fusion
// CHECK: return
func.func @attention(%q: tensor<2x4x8xf32>, %kt: tensor<2x8x4xf32>, %v: tensor<2x4x8xf32>) -> tensor<2x4x8xf32> {
  %c = dl.constant dense<2.0> : tensor<f32>
  // expected-remark @+1 {{dl-fuse: left to dl-to-linalg, which makes the attention it is part of one dlc_attention call}}
  %s = dl.matmul %q, %kt : (tensor<2x4x8xf32>, tensor<2x8x4xf32>) -> tensor<2x4x4xf32>
  // expected-remark @+1 {{dl-fuse: left to dl-to-linalg, which makes the attention it is part of one dlc_attention call}}
  %d = dl.div %s, %c : (tensor<2x4x4xf32>, tensor<f32>) -> tensor<2x4x4xf32>
  // expected-remark @+1 {{dl-fuse: left to dl-to-linalg, which makes the attention it is part of one dlc_attention call}}
  %p = dl.softmax %d : tensor<2x4x4xf32>
  // expected-remark @+1 {{dl-fuse: left to dl-to-linalg, which makes the attention it is part of one dlc_attention call}}
  %o = dl.matmul %p, %v : (tensor<2x4x4xf32>, tensor<2x4x8xf32>) -> tensor<2x4x8xf32>
  return %o : tensor<2x4x8xf32>
}

// -----

// Batch norm's backward after a ReLU: the ReLU's gradient select(y > 0, dy,
// 0) and the centred input x - mean are each read by the two per-channel
// sums and by the pass computing dx. They are computed again in each
// reader (the compare under the select too) and never stored: three
// kernels, each reading y, dy (and x), instead of five.
// CHECK-LABEL: func.func @relu_grad_recomputed(
// CHECK-NOT: dl.select
// CHECK: dl.fusion
// CHECK: dl.greater
// CHECK-NEXT: dl.select
// CHECK-NEXT: dl.reduce_sum
// CHECK: dl.fusion
// CHECK: dl.sub
// CHECK-NEXT: dl.greater
// CHECK-NEXT: dl.select
// CHECK-NEXT: dl.mul
// CHECK-NEXT: dl.reduce_sum
// CHECK: dl.fusion
// CHECK: dl.greater
// CHECK-NEXT: dl.select
// CHECK-NEXT: dl.mul
// CHECK-NEXT: dl.sub
// CHECK-NEXT: dl.add
// CHECK-NEXT: dl.yield
// CHECK-NEXT: }
// CHECK-NEXT: return
func.func @relu_grad_recomputed(%y: tensor<2x3x4x4xf32>, %dy: tensor<2x3x4x4xf32>, %x: tensor<2x3x4x4xf32>, %mean: tensor<1x3x1x1xf32>, %a: tensor<1x3x1x1xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<2x3x4x4xf32>) {
  %zero = dl.constant dense<0.0> : tensor<f32>
  // expected-remark @+1 {{dl-fuse: computed again in each of its 3 readers, not stored}}
  %p = dl.greater %y, %zero : (tensor<2x3x4x4xf32>, tensor<f32>) -> tensor<2x3x4x4xi1>
  // expected-remark @+1 {{dl-fuse: computed again in each of its 3 readers, not stored}}
  %g = dl.select %p, %dy, %zero : (tensor<2x3x4x4xi1>, tensor<2x3x4x4xf32>, tensor<f32>) -> tensor<2x3x4x4xf32>
  // expected-remark @+1 {{dl-fuse: computed again in each of its 2 readers, not stored}}
  %c = dl.sub %x, %mean : (tensor<2x3x4x4xf32>, tensor<1x3x1x1xf32>) -> tensor<2x3x4x4xf32>
  %s1 = dl.reduce_sum %g {axes = array<i64: 0, 2, 3>, keepdims = false} : tensor<2x3x4x4xf32> -> tensor<3xf32>
  %gc = dl.mul %g, %c : (tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  %s2 = dl.reduce_sum %gc {axes = array<i64: 0, 2, 3>, keepdims = false} : tensor<2x3x4x4xf32> -> tensor<3xf32>
  %t = dl.mul %a, %g : (tensor<1x3x1x1xf32>, tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  %dx = dl.add %t, %c : (tensor<2x3x4x4xf32>, tensor<2x3x4x4xf32>) -> tensor<2x3x4x4xf32>
  return %s1, %s2, %dx : tensor<3xf32>, tensor<3xf32>, tensor<2x3x4x4xf32>
}

// -----

// A value a contraction reads is stored anyway: its other readers read it
// rather than compute it again.
// CHECK-LABEL: func.func @read_by_contraction(
// CHECK: %[[R:.*]] = dl.relu %arg0
// CHECK: dl.matmul %[[R]]
// CHECK: dl.neg %[[R]]
func.func @read_by_contraction(%x: tensor<2x4xf32>, %w: tensor<4x8xf32>) -> (tensor<2x8xf32>, tensor<2x4xf32>) {
  %r = dl.relu %x : tensor<2x4xf32>
  %m = dl.matmul %r, %w : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  // expected-remark @+1 {{dl-fuse: not fused with its operand's dl.relu: its result has 1 other use}}
  %n = dl.neg %r : tensor<2x4xf32>
  return %m, %n : tensor<2x8xf32>, tensor<2x4xf32>
}
