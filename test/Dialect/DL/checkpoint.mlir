// RUN: dlc-opt %s --split-input-file --allow-unregistered-dialect --dl-autodiff="functions=f" --dl-checkpoint="functions=f_grad policy=sqrt" --cse --canonicalize | FileCheck %s --check-prefix=SQRT
// RUN: dlc-opt %s --split-input-file --allow-unregistered-dialect --dl-autodiff="functions=f" --dl-checkpoint="functions=f_grad policy=per-block at=fc[3]" --cse --canonicalize | FileCheck %s --check-prefix=AT
// RUN: not dlc-opt %s --split-input-file --allow-unregistered-dialect --dl-autodiff="functions=f" --dl-checkpoint="functions=f_grad policy=budget=11KiB report=true" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BUDGET
// RUN: not dlc-opt %s --split-input-file --allow-unregistered-dialect --dl-autodiff="functions=f" --dl-checkpoint="functions=f_grad policy=budget=100" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SMALL
// RUN: not dlc-opt %s --split-input-file --dl-checkpoint="functions=f policy=fast" -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD

// A tanh chain. sqrt: three segments; the first two are recomputed from
// their saved inputs through a barrier that CSE and canonicalization keep,
// after the cotangent reaching them.
// SQRT-LABEL: func.func @f_grad(
// SQRT-SAME: %[[X:[a-z0-9]+]]: tensor<64x8xf32>, %[[W1:[a-z0-9]+]]: tensor<8x8xf32>
// SQRT: %[[H2:.*]] = dl.matmul %{{.*}}, %arg2
// SQRT: %[[B1:.*]] = dl.recompute_barrier %[[H2]] after %{{[0-9]+}} : tensor<64x8xf32> after tensor<64x8xf32>
// SQRT-NEXT: dl.tanh %[[B1]]
// SQRT: %[[B0:.*]]:2 = dl.recompute_barrier %[[X]], %[[W1]] after %{{[0-9]+}} :
// SQRT-NEXT: dl.matmul %[[B0]]#0, %[[B0]]#1
// SQRT: return

// at=fc[3]: one cut, before fc3; the first segment is recomputed.
// AT-LABEL: func.func @f_grad(
// AT-COUNT-1: dl.recompute_barrier
// AT-NOT: dl.recompute_barrier
// AT: return

// A budget between the smallest peak and the plain one is met (the report
// shows the plan); one below the smallest feasible peak is refused, naming
// that peak (the second function's is above 11 KiB).
// BUDGET: dl-checkpoint: f_grad: policy budget (11.0 KiB)
// BUDGET: estimated peak: 12.3 KiB without checkpointing, {{10|11}}.{{[0-9]}} KiB with
// BUDGET: segments:
// BUDGET: recompute:
// What the estimated peak is made of, and its largest buffers.
// BUDGET: at the peak (matmul 'fc4', in the backward): {{.*}} KiB live = returned {{.*}} + forward kept {{.*}} + recomputed {{.*}} + backward {{.*}} KiB
// BUDGET-NEXT: 2.0 KiB {{forward|backward|recomputed}} {{[a-z_]+}} '{{[a-z0-9]+}}'
// BUDGET: error: dl-checkpoint: the budget of 11.0 KiB (11264 bytes) cannot be met
// SMALL: error: dl-checkpoint: the budget of 100 B (100 bytes) cannot be met: the smallest estimated peak is 10.3 KiB (10500 bytes, with 3 segment(s); without checkpointing 12.3 KiB)
// BAD: error: dl-checkpoint: unknown policy 'fast' (expected none, sqrt, per-block or budget=SIZE)
func.func @f(%x: tensor<64x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<8x8xf32>, %w3: tensor<8x8xf32>, %w4: tensor<8x8xf32>) -> tensor<f32> {
  %h1 = dl.matmul %x, %w1 : (tensor<64x8xf32>, tensor<8x8xf32>) -> tensor<64x8xf32> loc("fc1")
  %a1 = dl.tanh %h1 : tensor<64x8xf32> loc("act1")
  %h2 = dl.matmul %a1, %w2 : (tensor<64x8xf32>, tensor<8x8xf32>) -> tensor<64x8xf32> loc("fc2")
  %a2 = dl.tanh %h2 : tensor<64x8xf32> loc("act2")
  %h3 = dl.matmul %a2, %w3 : (tensor<64x8xf32>, tensor<8x8xf32>) -> tensor<64x8xf32> loc("fc3")
  %a3 = dl.tanh %h3 : tensor<64x8xf32> loc("act3")
  %h4 = dl.matmul %a3, %w4 : (tensor<64x8xf32>, tensor<8x8xf32>) -> tensor<64x8xf32> loc("fc4")
  %a4 = dl.tanh %h4 : tensor<64x8xf32> loc("act4")
  %s = dl.reduce_sum %a4 {keepdims = false} : tensor<64x8xf32> -> tensor<f32> loc("sum")
  return %s : tensor<f32>
}

// -----

// Dropout is replayed: the clone has the seed and reads the step counter
// through the barrier, so it draws the forward's mask, and the backward
// selects with the clone's mask. An op that may have side effects
// (test.opaque) is never cloned: the backward reads its original result.
// SQRT-LABEL: func.func @f_grad(
// SQRT-SAME: %[[STEP:[a-z0-9]+]]: tensor<i64>, %{{[a-z0-9]+}}: tensor<f32>)
// SQRT: %[[O:.*]] = "test.opaque"(%[[STEP]])
// SQRT: dl.dropout %{{.*}} counter %[[STEP]] {ratio = 2.500000e-01 : f64, seed = 11 : i64, training = true}
// SQRT: dl.recompute_barrier
// SQRT-NOT: "test.opaque"
// SQRT: dl.mul %{{.*}}, %[[O]]
// SQRT: %[[B:.*]]:3 = dl.recompute_barrier %arg0, %arg1, %[[STEP]] after
// SQRT-NEXT: dl.matmul %[[B]]#0, %[[B]]#1
// SQRT-NEXT: %{{.*}}, %[[MASK:.*]] = dl.dropout %{{.*}} counter %[[B]]#2 {ratio = 2.500000e-01 : f64, seed = 11 : i64, training = true}
// SQRT-NOT: "test.opaque"
// SQRT: dl.select %[[MASK]]
// SQRT: return
func.func @f(%x: tensor<64x8xf32>, %w1: tensor<8x8xf32>, %w2: tensor<8x8xf32>, %w3: tensor<8x8xf32>, %step: tensor<i64>) -> tensor<f32> {
  %o = "test.opaque"(%step) : (tensor<i64>) -> tensor<64x8xf32>
  %h1 = dl.matmul %x, %w1 : (tensor<64x8xf32>, tensor<8x8xf32>) -> tensor<64x8xf32>
  %d1, %m1 = dl.dropout %h1 counter %step {ratio = 0.25 : f64, seed = 11 : i64, training = true} : tensor<64x8xf32>, tensor<i64> -> tensor<64x8xf32>, tensor<64x8xi1>
  %p = dl.mul %d1, %o : (tensor<64x8xf32>, tensor<64x8xf32>) -> tensor<64x8xf32>
  %a1 = dl.tanh %p : tensor<64x8xf32>
  %h2 = dl.matmul %a1, %w2 : (tensor<64x8xf32>, tensor<8x8xf32>) -> tensor<64x8xf32>
  %a2 = dl.tanh %h2 : tensor<64x8xf32>
  %h3 = dl.matmul %a2, %w3 : (tensor<64x8xf32>, tensor<8x8xf32>) -> tensor<64x8xf32>
  %a3 = dl.tanh %h3 : tensor<64x8xf32>
  %s = dl.reduce_sum %a3 {keepdims = false} : tensor<64x8xf32> -> tensor<f32>
  return %s : tensor<f32>
}
