// RUN: dlc-opt %s --split-input-file --dl-scalarize-small-tensors --canonicalize | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-scalarize-small-tensors=max-elements=2 | FileCheck %s --check-prefix=TWO

// A dynamic batch's Reshape target as dl-to-linalg lowers it: the shape's
// dim 1 gathered (with its range check, a generic over an i1 fill), times
// 4, unsqueezed and concatenated with 64 and 32. It all folds into index
// arithmetic on the tensor.dim: no linalg op is left.
// CHECK-LABEL: func.func @reshape_target(
// CHECK-SAME: %[[X:.*]]: tensor<64x?x128xf32>
// CHECK-NOT: linalg.
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[D:.*]] = tensor.dim %[[X]], %c1
// CHECK: %[[I:.*]] = arith.index_cast %[[D]] : index to i64
// CHECK: %[[M:.*]] = arith.muli %[[I]], %c4_i64 : i64
// CHECK: %[[S:.*]] = tensor.from_elements %c64_i64, %[[M]], %c32_i64 : tensor<3xi64>
// CHECK: return %[[S]]
// With a limit of 2 elements the 1-element generics go, the 3-element
// concatenation stays.
// TWO-LABEL: func.func @reshape_target(
// TWO-NOT: linalg.generic
// TWO-COUNT-3: tensor.insert_slice
#scalar = affine_map<() -> ()>
func.func @reshape_target(%x: tensor<64x?x128xf32>) -> tensor<3xi64> {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %c3 = arith.constant 3 : index
  %cm3 = arith.constant -3 : index
  %false = arith.constant false
  %c64 = arith.constant 64 : i64
  %c128 = arith.constant 128 : i64
  %one = arith.constant dense<1> : tensor<i64>
  %four = arith.constant dense<4> : tensor<i64>
  %c64t = arith.constant dense<64> : tensor<1xi64>
  %c32t = arith.constant dense<32> : tensor<1xi64>
  %shape1 = arith.constant dense<1> : tensor<1xindex>
  %dim = tensor.dim %x, %c1 : tensor<64x?x128xf32>
  %d = arith.index_cast %dim : index to i64
  %shape = tensor.from_elements %c64, %d, %c128 : tensor<3xi64>
  %e0 = tensor.empty() : tensor<i1>
  %f0 = linalg.fill ins(%false : i1) outs(%e0 : tensor<i1>) -> tensor<i1>
  %bad = linalg.generic {indexing_maps = [#scalar, #scalar], iterator_types = []} ins(%one : tensor<i64>) outs(%f0 : tensor<i1>) {
  ^bb0(%in: i64, %out: i1):
    %i = arith.index_cast %in : i64 to index
    %lo = arith.cmpi slt, %i, %cm3 : index
    %hi = arith.cmpi sge, %i, %c3 : index
    %o = arith.ori %lo, %hi : i1
    %r = arith.ori %out, %o : i1
    linalg.yield %r : i1
  } -> tensor<i1>
  %flag = tensor.extract %bad[] : tensor<i1>
  %true = arith.constant true
  %ok = arith.xori %flag, %true : i1
  cf.assert %ok, "gather index out of range"
  %e1 = tensor.empty() : tensor<i64>
  %g = linalg.generic {indexing_maps = [#scalar, #scalar], iterator_types = []} ins(%one : tensor<i64>) outs(%e1 : tensor<i64>) {
  ^bb0(%in: i64, %out: i64):
    %i = arith.index_cast %in : i64 to index
    %neg = arith.cmpi slt, %i, %c0 : index
    %w = arith.addi %i, %c3 : index
    %s = arith.select %neg, %w, %i : index
    %v = tensor.extract %shape[%s] : tensor<3xi64>
    linalg.yield %v : i64
  } -> tensor<i64>
  %e2 = tensor.empty() : tensor<i64>
  %m = linalg.generic {indexing_maps = [#scalar, #scalar, #scalar], iterator_types = []} ins(%g, %four : tensor<i64>, tensor<i64>) outs(%e2 : tensor<i64>) {
  ^bb0(%a: i64, %b: i64, %out: i64):
    %p = arith.muli %a, %b : i64
    linalg.yield %p : i64
  } -> tensor<i64>
  %u = tensor.reshape %m(%shape1) : (tensor<i64>, tensor<1xindex>) -> tensor<1xi64>
  %e3 = tensor.empty() : tensor<3xi64>
  %s0 = tensor.insert_slice %c64t into %e3[0] [1] [1] : tensor<1xi64> into tensor<3xi64>
  %s1 = tensor.insert_slice %u into %s0[1] [1] [1] : tensor<1xi64> into tensor<3xi64>
  %s2 = tensor.insert_slice %c32t into %s1[2] [1] [1] : tensor<1xi64> into tensor<3xi64>
  return %s2 : tensor<3xi64>
}

// -----

// A reduction over a small tensor accumulates in loop order, linalg.index
// the point's constant: sum_j t[i, j] * j is t[i, 1] + t[i, 2] * 2 once the
// 0 and the 1 fold.
// CHECK-LABEL: func.func @sum_with_index(
// CHECK-SAME: %[[T:.*]]: tensor<2x3xi32>
// CHECK-NOT: linalg.
// CHECK: %[[B:.*]] = tensor.extract %[[T]][%c0, %c1]
// CHECK: %[[C:.*]] = tensor.extract %[[T]][%c0, %c2]
// CHECK: %[[C2:.*]] = arith.muli %[[C]], %c2_i32
// CHECK: %[[S0:.*]] = arith.addi %[[B]], %[[C2]]
// CHECK: %[[E:.*]] = tensor.extract %[[T]][%c1, %c1]
// CHECK: %[[F:.*]] = tensor.extract %[[T]][%c1, %c2]
// CHECK: %[[F2:.*]] = arith.muli %[[F]], %c2_i32
// CHECK: %[[S1:.*]] = arith.addi %[[E]], %[[F2]]
// CHECK: tensor.from_elements %[[S0]], %[[S1]] : tensor<2xi32>
#in = affine_map<(d0, d1) -> (d0, d1)>
#out = affine_map<(d0, d1) -> (d0)>
func.func @sum_with_index(%t: tensor<2x3xi32>) -> tensor<2xi32> {
  %zero = arith.constant 0 : i32
  %e = tensor.empty() : tensor<2xi32>
  %f = linalg.fill ins(%zero : i32) outs(%e : tensor<2xi32>) -> tensor<2xi32>
  %r = linalg.generic {indexing_maps = [#in, #out], iterator_types = ["parallel", "reduction"]} ins(%t : tensor<2x3xi32>) outs(%f : tensor<2xi32>) {
  ^bb0(%in: i32, %acc: i32):
    %j = linalg.index 1 : index
    %jj = arith.index_cast %j : index to i32
    %w = arith.muli %in, %jj : i32
    %s = arith.addi %acc, %w : i32
    linalg.yield %s : i32
  } -> tensor<2xi32>
  return %r : tensor<2xi32>
}

// -----

// Scalars of any type: Adam's bias correction 1 - beta1^t from the i64
// step count, and a loss mean's zero-filled accumulator (the sum over the
// batch, not a scalar op, stays a loop nest) and its division. Only the
// sum is left a linalg op; the filled zero folds into a constant.
// CHECK-LABEL: func.func @scalars(
// CHECK-SAME: %[[STEP:[^:]*]]: tensor<i64>, %[[LOSS:[^:]*]]: tensor<8xf32>
// CHECK: %[[ZERO:.*]] = arith.constant dense<0.000000e+00> : tensor<f32>
// CHECK: %[[T:.*]] = tensor.extract %[[STEP]][] : tensor<i64>
// CHECK: %[[TF:.*]] = arith.sitofp %[[T]] : i64 to f32
// CHECK: %[[P:.*]] = math.powf %{{.*}}, %[[TF]] : f32
// CHECK: %[[BC:.*]] = arith.subf %{{.*}}, %[[P]] : f32
// CHECK: tensor.from_elements %[[BC]] : tensor<f32>
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[LOSS]] : tensor<8xf32>) outs(%[[ZERO]] : tensor<f32>)
// CHECK: %[[S:.*]] = tensor.extract %[[SUM]][] : tensor<f32>
// CHECK: arith.divf %[[S]], %{{.*}} : f32
// CHECK-NOT: linalg.
#sc = affine_map<() -> ()>
#all = affine_map<(d0) -> (d0)>
#none = affine_map<(d0) -> ()>
func.func @scalars(%step: tensor<i64>, %loss: tensor<8xf32>) -> (tensor<f32>, tensor<f32>) {
  %beta1 = arith.constant 0.9 : f32
  %one = arith.constant 1.0 : f32
  %zero = arith.constant 0.0 : f32
  %n = arith.constant 8.0 : f32
  %e = tensor.empty() : tensor<f32>
  %bc = linalg.generic {indexing_maps = [#sc, #sc], iterator_types = []} ins(%step : tensor<i64>) outs(%e : tensor<f32>) {
  ^bb0(%in: i64, %out: f32):
    %t = arith.sitofp %in : i64 to f32
    %p = math.powf %beta1, %t : f32
    %r = arith.subf %one, %p : f32
    linalg.yield %r : f32
  } -> tensor<f32>
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<f32>) -> tensor<f32>
  %sum = linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction"]} ins(%loss : tensor<8xf32>) outs(%z : tensor<f32>) {
  ^bb0(%in: f32, %acc: f32):
    %a = arith.addf %acc, %in : f32
    linalg.yield %a : f32
  } -> tensor<f32>
  %mean = linalg.generic {indexing_maps = [#sc, #sc], iterator_types = []} ins(%sum : tensor<f32>) outs(%e : tensor<f32>) {
  ^bb0(%in: f32, %out: f32):
    %d = arith.divf %in, %n : f32
    linalg.yield %d : f32
  } -> tensor<f32>
  return %bc, %mean : tensor<f32>, tensor<f32>
}

// -----

// Left alone: float tensors of rank 1 and more, a dynamic shape, more elements than the limit.
// CHECK-LABEL: func.func @left_alone(
// CHECK-COUNT-3: linalg.generic
#id = affine_map<(d0) -> (d0)>
func.func @left_alone(%f: tensor<3xf32>, %d: tensor<?xi64>, %big: tensor<17xi64>)
    -> (tensor<3xf32>, tensor<?xi64>, tensor<17xi64>) {
  %a = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%f : tensor<3xf32>) outs(%f : tensor<3xf32>) {
  ^bb0(%in: f32, %out: f32):
    %s = arith.addf %in, %in : f32
    linalg.yield %s : f32
  } -> tensor<3xf32>
  %b = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%d : tensor<?xi64>) outs(%d : tensor<?xi64>) {
  ^bb0(%in: i64, %out: i64):
    %s = arith.addi %in, %in : i64
    linalg.yield %s : i64
  } -> tensor<?xi64>
  %c = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]} ins(%big : tensor<17xi64>) outs(%big : tensor<17xi64>) {
  ^bb0(%in: i64, %out: i64):
    %s = arith.addi %in, %in : i64
    linalg.yield %s : i64
  } -> tensor<17xi64>
  return %a, %b, %c : tensor<3xf32>, tensor<?xi64>, tensor<17xi64>
}
