// RUN: dlc-opt %s --split-input-file --verify-diagnostics --convert-linalg-to-parallel-loops --dl-gpu-map-parallel-loops --convert-parallel-loops-to-gpu --dl-gpu-device-memory | FileCheck %s

memref.global "private" constant @bias : memref<1000xf32> = dense<1.0>
memref.global "private" constant @shape : memref<2xindex> = dense<[1000, 1]>

// Inputs are copied to device buffers at entry, the result back into a host
// buffer before the return; intermediate buffers are device buffers; shapes
// (index buffers) stay on the host. A weight (constant global) is asked of
// the runtime first, through its slot: uploaded at the first call, kept
// after, never freed by the function.
func.func @f(%a: memref<?x1000xf32>) -> memref<?x1000x1xf32> {
  %c0 = arith.constant 0 : index
  %n = memref.dim %a, %c0 : memref<?x1000xf32>
  %w = memref.get_global @bias : memref<1000xf32>
  %t = memref.alloc(%n) : memref<?x1000xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%a, %w : memref<?x1000xf32>, memref<1000xf32>) outs(%t : memref<?x1000xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %s = arith.addf %x, %y : f32
    linalg.yield %s : f32
  }
  %r = memref.alloc(%n) : memref<?x1000xf32>
  linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>],
                  iterator_types = ["parallel", "parallel"]}
      ins(%t : memref<?x1000xf32>) outs(%r : memref<?x1000xf32>) {
  ^bb0(%x: f32, %z: f32):
    %s = arith.mulf %x, %x : f32
    linalg.yield %s : f32
  }
  memref.dealloc %t : memref<?x1000xf32>
  %e = memref.expand_shape %r [[0], [1, 2]] output_shape [%n, 1000, 1] : memref<?x1000xf32> into memref<?x1000x1xf32>
  return %e : memref<?x1000x1xf32>
}

// CHECK:       memref.global "private" constant @bias
// CHECK-NEXT:  memref.global "private" @__dlc_device_bias : memref<2xi64> = dense<0>
// CHECK-NOT:   @__dlc_device_shape
// CHECK-LABEL: func.func @f
// CHECK-SAME:    (%[[A:.*]]: memref<?x1000xf32>)
// CHECK:         %[[HW:.*]] = memref.get_global @bias
// CHECK:         %[[SLOT:.*]] = memref.get_global @__dlc_device_bias : memref<2xi64>
// CHECK:         %[[BYTES:.*]] = arith.constant 4000 : i64
// CHECK:         memref.extract_aligned_pointer_as_index %[[SLOT]]
// CHECK:         memref.extract_aligned_pointer_as_index %[[HW]]
// CHECK:         %[[P:.*]] = call @dlcCudaConstant(%{{.*}}, %{{.*}}, %[[BYTES]]) : (i64, i64, i64) -> i64
// CHECK:         llvm.inttoptr %[[P]]
// CHECK:         %[[DW:.*]] = builtin.unrealized_conversion_cast %{{.*}} : !llvm.struct<(ptr, ptr, i64, array<1 x i64>, array<1 x i64>)> to memref<1000xf32>
// CHECK-NOT:     gpu.memcpy %{{.*}}, %[[HW]]
// CHECK:         %[[DA:.*]] = gpu.alloc (%{{.*}}) : memref<?x1000xf32>
// CHECK:         gpu.memcpy %[[DA]], %[[A]]
// CHECK:         %[[T:.*]] = gpu.alloc (%{{.*}}) : memref<?x1000xf32>
// CHECK:         gpu.launch
// CHECK:           memref.load %[[DA]]
// CHECK:           memref.load %[[DW]]
// CHECK:           memref.store %{{.*}}, %[[T]]
// CHECK:         %[[R:.*]] = gpu.alloc (%{{.*}}) : memref<?x1000xf32>
// CHECK:         gpu.launch
// CHECK:         gpu.dealloc %[[T]]
// CHECK:         %[[E:.*]] = memref.expand_shape %[[R]]
// CHECK:         %[[H:.*]] = memref.alloc(%{{.*}}) : memref<?x1000x1xf32>
// CHECK:         gpu.memcpy %[[H]], %[[E]]
// CHECK-NOT:     gpu.dealloc %[[DW]]
// CHECK-DAG:     gpu.dealloc %[[R]]
// CHECK-DAG:     gpu.dealloc %[[DA]]
// CHECK-NOT:     gpu.dealloc %[[DW]]
// CHECK:         return %[[H]]
// CHECK-NOT:     memref.dealloc
// CHECK:         func.func private @dlcCudaConstant(i64, i64, i64) -> i64

// -----

// A mutable global is copied to the device at each call and freed after.
memref.global "private" @state : memref<4xf32> = dense<0.0>

// CHECK-NOT:   @__dlc_device_state
// CHECK-LABEL: func.func @mutable
// CHECK:         %[[HS:.*]] = memref.get_global @state
// CHECK:         %[[DS:.*]] = gpu.alloc () : memref<4xf32>
// CHECK:         gpu.memcpy %[[DS]], %[[HS]]
// CHECK:         gpu.launch
// CHECK:         gpu.dealloc %[[DS]]
// CHECK-NOT:     dlcCudaConstant
func.func @mutable(%a: memref<4xf32>) -> memref<4xf32> {
  %s = memref.get_global @state : memref<4xf32>
  %t = memref.alloc() : memref<4xf32>
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%a, %s : memref<4xf32>, memref<4xf32>) outs(%t : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32, %z: f32):
    %v = arith.addf %x, %y : f32
    linalg.yield %v : f32
  }
  return %t : memref<4xf32>
}

// -----

// A scalar the host reads (a dynamic Reshape's shape, computed by kernels)
// is read from a host copy of the device buffer, made just before.
// CHECK-LABEL: func.func @host_read
// CHECK-SAME:    (%[[A:.*]]: memref<4xi64>)
// CHECK:         %[[T:.*]] = gpu.alloc () : memref<4xi64>
// CHECK:         gpu.launch
// CHECK:           memref.store %{{.*}}, %[[T]]
// CHECK:         %[[H:.*]] = memref.alloc() : memref<4xi64>
// CHECK:         gpu.memcpy %[[H]], %[[T]]
// CHECK:         %[[V:.*]] = memref.load %[[H]]
// CHECK:         memref.dealloc %[[H]]
// CHECK:         gpu.dealloc %[[T]]
// CHECK:         return %[[V]]
func.func @host_read(%a: memref<4xi64>) -> i64 {
  %c0 = arith.constant 0 : index
  %t = memref.alloc() : memref<4xi64>
  linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>],
                  iterator_types = ["parallel"]}
      ins(%a : memref<4xi64>) outs(%t : memref<4xi64>) {
  ^bb0(%x: i64, %z: i64):
    %s = arith.addi %x, %x : i64
    linalg.yield %s : i64
  }
  %v = memref.load %t[%c0] : memref<4xi64>
  memref.dealloc %t : memref<4xi64>
  return %v : i64
}

// -----

// Host code that would write a device buffer is an error at its op.
func.func @host_write(%a: memref<4xf32>, %v: f32) -> memref<4xf32> {
  %c0 = arith.constant 0 : index
  %t = memref.alloc() : memref<4xf32>
  scf.execute_region {
    // expected-error @+1 {{for --target=cuda this op would run on the host on a device buffer: 'memref.store' is not inside a GPU kernel}}
    memref.store %v, %t[%c0] : memref<4xf32>
    scf.yield
  }
  return %t : memref<4xf32>
}
