// RUN: dlc-opt %s --dlc-train="prefix=m loss=mse" --dl-checkpoint="functions=m_train_step policy=per-block report=true" -o /dev/null 2>&1 | FileCheck %s

// Three layers that share one weight, read transposed (as an exporter that
// merged equal initializers leaves a Transformer): the transpose is computed
// from the state alone and is read by every layer, but it does not depend on
// the batch, so it does not stop the cuts between the layers; per-block
// still finds one segment per layer.
// CHECK: dl-checkpoint: m_train_step: policy per-block
// CHECK: segments: 4,
// CHECK-NEXT: #0: ops 0-0 (transpose 'wt'
// CHECK-NEXT: #1: ops 1-2 (matmul 'fc1' .. tanh 'act1')
// CHECK-NEXT: #2: ops 3-4 (matmul 'fc2' .. tanh 'act2')
// CHECK-NEXT: #3: ops 5-9 (matmul 'fc3' 
func.func @main(%x: tensor<64x16xf32> {dl.name = "x"}) -> tensor<64x16xf32> {
  %w = dl.constant dense<0.05> : tensor<16x16xf32> loc("shared.weight")
  %wt = dl.transpose %w {perm = array<i64: 1, 0>} : tensor<16x16xf32> -> tensor<16x16xf32> loc("wt")
  %h1 = dl.matmul %x, %wt : (tensor<64x16xf32>, tensor<16x16xf32>) -> tensor<64x16xf32> loc("fc1")
  %a1 = dl.tanh %h1 : tensor<64x16xf32> loc("act1")
  %h2 = dl.matmul %a1, %wt : (tensor<64x16xf32>, tensor<16x16xf32>) -> tensor<64x16xf32> loc("fc2")
  %a2 = dl.tanh %h2 : tensor<64x16xf32> loc("act2")
  %h3 = dl.matmul %a2, %wt : (tensor<64x16xf32>, tensor<16x16xf32>) -> tensor<64x16xf32> loc("fc3")
  %a3 = dl.tanh %h3 : tensor<64x16xf32> loc("act3")
  return %a3 : tensor<64x16xf32>
}
