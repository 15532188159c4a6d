// RUN: dlc-opt %s --split-input-file --dl-lower-distributed --verify-diagnostics | FileCheck %s

// A bucket of a 2-D tensor and a scalar: each flattened to 1-D and copied
// into the bucket at its offset (0 and 6 of 7 elements), then started; the
// wait fills new buffers, reshaped back.
// CHECK-LABEL: func.func @step
// CHECK: call @dlc_dist_check(%{{.*}}, %{{.*}}, %{{.*}}) : (i64, i64, i64) -> ()
// CHECK: %[[F:.*]] = tensor.collapse_shape %arg0 {{\[\[}}0, 1]] : tensor<2x3xf32> into tensor<6xf32>
// CHECK: %[[M:.*]] = bufferization.to_buffer %[[F]] read_only : tensor<6xf32> to memref<6xf32>
// CHECK: %[[C:.*]] = memref.cast %[[M]] : memref<6xf32> to memref<?xf32>
// CHECK: %[[TOTAL:.*]] = arith.constant 7 : i64
// CHECK: call @dlc_dist_put(%{{.*}}, %[[TOTAL]], %{{.*}}, %[[C]])
// CHECK: tensor.expand_shape %arg1 [] output_shape [1] : tensor<f32> into tensor<1xf32>
// CHECK: %[[SIX:.*]] = arith.constant 6 : i64
// CHECK: call @dlc_dist_put(%{{.*}}, %{{.*}}, %[[SIX]], %{{.*}})
// CHECK: %[[KIND:.*]] = arith.constant 0 : i64
// CHECK: call @dlc_dist_start(%{{.*}}, %[[KIND]])
// CHECK: call @dlc_dist_wait(
// CHECK: %[[A:.*]] = memref.alloc() : memref<6xf32>
// CHECK: call @dlc_dist_get(
// CHECK: %[[T:.*]] = bufferization.to_tensor %[[A]] restrict writable : memref<6xf32> to tensor<6xf32>
// CHECK: tensor.expand_shape %[[T]] {{\[\[}}0, 1]] output_shape [2, 3] : tensor<6xf32> into tensor<2x3xf32>
// CHECK: tensor.collapse_shape %{{.*}} [] : tensor<1xf32> into tensor<f32>
// CHECK-NOT: dl.dist
func.func @step(%g: tensor<2x3xf32>, %loss: tensor<f32>) -> (tensor<2x3xf32>, tensor<f32>) {
  dl.dist_check {checksum = 42 : i64, tensors = 3 : i64, elements = 6 : i64}
  dl.dist_start %g, %loss {bucket = 1 : i64, kind = "mean"} : tensor<2x3xf32>, tensor<f32>
  %r:2 = dl.dist_wait {bucket = 1 : i64} : tensor<2x3xf32>, tensor<f32>
  return %r#0, %r#1 : tensor<2x3xf32>, tensor<f32>
}

// -----

func.func @unstarted() -> tensor<4xf32> {
  // expected-error @+1 {{waits for bucket 3, which no dl.dist_start before it started}}
  %r = dl.dist_wait {bucket = 3 : i64} : tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// dl.all_reduce (--sync-batchnorm): a blocking bucket of its own after the
// buckets in use (here 4), started and waited for in place.
// CHECK-LABEL: func.func @synced
// CHECK: %[[B:.*]] = arith.constant 5 : i64
// CHECK: call @dlc_dist_put(%[[B]],
// CHECK: %[[KIND:.*]] = arith.constant 1 : i64
// CHECK: call @dlc_dist_start(%{{.*}}, %[[KIND]])
// CHECK: call @dlc_dist_wait(
// CHECK: call @dlc_dist_get(
// CHECK-NOT: dl.all_reduce
func.func @synced(%s: tensor<3xf32>, %g: tensor<2xf32>) -> tensor<3xf32> {
  dl.dist_start %g {bucket = 4 : i64, kind = "mean"} : tensor<2xf32>
  %r = dl.all_reduce %s {kind = "sum"} : (tensor<3xf32>) -> tensor<3xf32>
  %w = dl.dist_wait {bucket = 4 : i64} : tensor<2xf32>
  return %r : tensor<3xf32>
}

// -----

func.func @bad_kind(%s: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{kind must be "mean" or "sum", got "max"}}
  %r = dl.all_reduce %s {kind = "max"} : (tensor<3xf32>) -> tensor<3xf32>
  return %r : tensor<3xf32>
}
