// RUN: dlc-opt %s --split-input-file --dl-contractions-to-microkernels --cse | FileCheck %s

// A conv's epilogue: the [1, 8, 64] product, read as [1, 8, 8, 8] by an
// elementwise relu(p + bias[m] + residual) that writes its own buffer. One
// dlc_sgemm_epilogue call where the consumer was, writing the consumer's
// buffer with its strides along (m, n) = (64, 1) (the batch has 1 sample);
// the bias is per row (strides 1, 0), the residual full (64, 1); bounds 0
// and +inf. The product's buffer, its view and the consumer are gone.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
#w = affine_map<(n, m, o, j) -> (m, j)>
#x = affine_map<(n, m, o, j) -> (n, j, o)>
#o = affine_map<(n, m, o, j) -> (n, m, o)>
// CHECK-LABEL: func.func @conv_bias_residual_relu(
// CHECK-SAME: %[[W:.*]]: memref<8x27xf32>, %[[X:.*]]: memref<1x27x64xf32>, %[[BIAS:.*]]: memref<8xf32>, %[[RES:.*]]: memref<1x8x8x8xf32>)
// CHECK-NOT: memref.alloc() {{.*}} : memref<1x8x64xf32>
// CHECK-NOT: linalg.fill
// CHECK-NOT: memref.expand_shape
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<1x8x8x8xf32>
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[HI:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[BO:.*]], %[[OO:.*]], %{{.*}}:4, %{{.*}}:4 = memref.extract_strided_metadata %[[OUT]]
// CHECK-DAG: %[[BB:.*]], %[[OB:.*]], %{{.*}}, %{{.*}} = memref.extract_strided_metadata %[[BIAS]]
// CHECK-DAG: %[[BR:.*]], %[[OR:.*]], %{{.*}}:4, %{{.*}}:4 = memref.extract_strided_metadata %[[RES]]
// CHECK: call @dlc_sgemm_epilogue(%{{.*}}, %{{.*}}, %[[C64]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[OO]], %{{.*}}, %[[C64]], %[[C1]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[OB]], %[[C0]], %[[C1]], %[[C0]], %{{.*}}, %[[OR]], %{{.*}}, %[[C64]], %[[C1]], %[[LO]], %[[HI]])
// CHECK-NOT: linalg.generic
// CHECK: return %[[OUT]]
// CHECK: func.func private @dlc_sgemm_epilogue(index, index, index, index, !llvm.ptr, index, index, index, index, !llvm.ptr, index, index, index, index, !llvm.ptr, index, index, index, index, i32, !llvm.ptr, !llvm.ptr, !llvm.ptr, index, index, index, index, !llvm.ptr, index, index, index, index, f32, f32)
func.func @conv_bias_residual_relu(%w: memref<8x27xf32>, %x: memref<1x27x64xf32>, %bias: memref<8xf32>, %res: memref<1x8x8x8xf32>) -> memref<1x8x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() : memref<1x8x64xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<1x8x64xf32>)
  linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<8x27xf32>, memref<1x27x64xf32>) outs(%p : memref<1x8x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  %v = memref.expand_shape %p [[0], [1], [2, 3]] output_shape [1, 8, 8, 8] : memref<1x8x64xf32> into memref<1x8x8x8xf32>
  %out = memref.alloc() : memref<1x8x8x8xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%v, %bias, %res : memref<1x8x8x8xf32>, memref<8xf32>, memref<1x8x8x8xf32>) outs(%out : memref<1x8x8x8xf32>) {
  ^bb0(%e: f32, %bb: f32, %r: f32, %o: f32):
    %0 = arith.addf %e, %bb : f32
    %1 = arith.addf %0, %r : f32
    %2 = arith.maximumf %1, %zero : f32
    linalg.yield %2 : f32
  }
  memref.dealloc %p : memref<1x8x64xf32>
  return %out : memref<1x8x8x8xf32>
}

// -----

// A Linear with its bias per column (strides 0, 0, 1) and a clip to
// [0, 6] (ReLU6): the second addend absent (null, zeros). The zero fill is
// the generic linalg-generalize-named-ops makes of a linalg.fill.
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @linear_bias_relu6(
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-DAG: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: call @dlc_sgemm_epilogue({{.*}}, %[[C0]], %[[C0]], %[[C1]], %[[NULL]], %[[C0]], %[[C0]], %[[C0]], %[[C0]], %[[LO]], %[[HI]])
// CHECK-NOT: linalg.generic
func.func @linear_bias_relu6(%a: memref<4x16xf32>, %b: memref<16x32xf32>, %bias: memref<32xf32>) -> memref<4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %p = memref.alloc() : memref<4x32xf32>
  linalg.generic {indexing_maps = [#id], iterator_types = ["parallel", "parallel"]} outs(%p : memref<4x32xf32>) {
  ^bb0(%o: f32):
    linalg.yield %zero : f32
  }
  linalg.matmul ins(%a, %b : memref<4x16xf32>, memref<16x32xf32>) outs(%p : memref<4x32xf32>)
  %out = memref.alloc() : memref<4x32xf32>
  linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %bias : memref<4x32xf32>, memref<32xf32>) outs(%out : memref<4x32xf32>) {
  ^bb0(%e: f32, %bb: f32, %o: f32):
    %0 = arith.addf %bb, %e : f32
    %1 = arith.maximumf %0, %zero : f32
    %2 = arith.minimumf %1, %six : f32
    linalg.yield %2 : f32
  }
  memref.dealloc %p : memref<4x32xf32>
  return %out : memref<4x32xf32>
}

// -----

// A run-time check of the residual's dims (a broadcast's, which
// dl-to-linalg emits when it cannot prove two dynamic dims equal) between
// the product and its epilogue moves before the call with what it reads,
// so it still runs before the epilogue reads the residual. (It reads the
// rows' dim, not the product buffer's: resolve-shaped-type-result-dims
// makes the one of the other, and the product's buffer is gone.)
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @checked_residual(
// CHECK: %[[D1:.*]] = memref.dim %arg0, %c0
// CHECK: %[[D0:.*]] = memref.dim %arg3, %c0
// CHECK: %[[SAME:.*]] = arith.cmpi eq, %[[D0]], %[[D1]]
// CHECK: cf.assert %[[SAME]], "dims differ"
// CHECK: call @dlc_sgemm_epilogue(
// CHECK-NOT: linalg.generic
func.func @checked_residual(%a: memref<?x16xf32>, %b: memref<16x32xf32>, %bias: memref<32xf32>, %r: memref<?x32xf32>) -> memref<?x32xf32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %n = memref.dim %a, %c0 : memref<?x16xf32>
  %p = memref.alloc(%n) : memref<?x32xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<?x32xf32>)
  linalg.matmul ins(%a, %b : memref<?x16xf32>, memref<16x32xf32>) outs(%p : memref<?x32xf32>)
  %dr = memref.dim %r, %c0 : memref<?x32xf32>
  %da = memref.dim %a, %c0 : memref<?x16xf32>
  %same = arith.cmpi eq, %dr, %da : index
  cf.assert %same, "dims differ"
  %out = memref.alloc(%n) : memref<?x32xf32>
  linalg.generic {indexing_maps = [#id, #col, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p, %bias, %r : memref<?x32xf32>, memref<32xf32>, memref<?x32xf32>) outs(%out : memref<?x32xf32>) {
  ^bb0(%e: f32, %bb: f32, %rr: f32, %o: f32):
    %0 = arith.addf %e, %bb : f32
    %1 = arith.addf %0, %rr : f32
    linalg.yield %1 : f32
  }
  memref.dealloc %p : memref<?x32xf32>
  return %out : memref<?x32xf32>
}

// -----

// Not folded: a consumer that is not an add/clamp chain (a multiply), one
// that adds after the clamp, one whose addend is its own output (the product
// would overwrite it first), and a product read by a second op.
#id = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-LABEL: func.func @not_epilogues(
// CHECK-NOT: dlc_sgemm_epilogue
// CHECK: call @dlc_sgemm_cached
// CHECK: linalg.generic
// CHECK: call @dlc_sgemm_cached
// CHECK: linalg.generic
// CHECK: call @dlc_sgemm_cached
// CHECK: linalg.generic
// CHECK: call @dlc_sgemm_cached
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK-NOT: dlc_sgemm_epilogue
func.func @not_epilogues(%a: memref<4x16xf32>, %b: memref<16x32xf32>, %y: memref<4x32xf32>) -> (memref<4x32xf32>, memref<4x32xf32>, memref<4x32xf32>, memref<4x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %p0 = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%zero : f32) outs(%p0 : memref<4x32xf32>)
  linalg.matmul ins(%a, %b : memref<4x16xf32>, memref<16x32xf32>) outs(%p0 : memref<4x32xf32>)
  %o0 = memref.alloc() : memref<4x32xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p0, %y : memref<4x32xf32>, memref<4x32xf32>) outs(%o0 : memref<4x32xf32>) {
  ^bb0(%e: f32, %r: f32, %o: f32):
    %0 = arith.mulf %e, %r : f32
    linalg.yield %0 : f32
  }
  %p1 = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%zero : f32) outs(%p1 : memref<4x32xf32>)
  linalg.matmul ins(%a, %b : memref<4x16xf32>, memref<16x32xf32>) outs(%p1 : memref<4x32xf32>)
  %o1 = memref.alloc() : memref<4x32xf32>
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p1, %y : memref<4x32xf32>, memref<4x32xf32>) outs(%o1 : memref<4x32xf32>) {
  ^bb0(%e: f32, %r: f32, %o: f32):
    %0 = arith.maximumf %e, %zero : f32
    %1 = arith.addf %0, %r : f32
    linalg.yield %1 : f32
  }
  %p2 = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%zero : f32) outs(%p2 : memref<4x32xf32>)
  linalg.matmul ins(%a, %b : memref<4x16xf32>, memref<16x32xf32>) outs(%p2 : memref<4x32xf32>)
  linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p2, %y : memref<4x32xf32>, memref<4x32xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%e: f32, %r: f32, %o: f32):
    %0 = arith.addf %e, %r : f32
    linalg.yield %0 : f32
  }
  %p3 = memref.alloc() : memref<4x32xf32>
  linalg.fill ins(%zero : f32) outs(%p3 : memref<4x32xf32>)
  linalg.matmul ins(%a, %b : memref<4x16xf32>, memref<16x32xf32>) outs(%p3 : memref<4x32xf32>)
  %o3 = memref.alloc() : memref<4x32xf32>
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p3 : memref<4x32xf32>) outs(%o3 : memref<4x32xf32>) {
  ^bb0(%e: f32, %o: f32):
    %0 = arith.maximumf %e, %zero : f32
    linalg.yield %0 : f32
  }
  linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%p3 : memref<4x32xf32>) outs(%y : memref<4x32xf32>) {
  ^bb0(%e: f32, %o: f32):
    linalg.yield %e : f32
  }
  return %o0, %o1, %y, %o3 : memref<4x32xf32>, memref<4x32xf32>, memref<4x32xf32>, memref<4x32xf32>
}


// -----

// dl-fuse put the consumer in another group than the product (the marks
// lowering puts on each dl.fusion's ops, FusionGroup.h): the GEMM writes
// the product, and the consumer stays a loop nest of its own.
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
#w = affine_map<(n, m, o, j) -> (m, j)>
#x = affine_map<(n, m, o, j) -> (n, j, o)>
#o = affine_map<(n, m, o, j) -> (n, m, o)>
// CHECK-LABEL: func.func @other_group(
// CHECK-NOT: dlc_sgemm_epilogue
// CHECK: call @dlc_sgemm
// CHECK: linalg.generic
// CHECK: arith.maximumf
func.func @other_group(%w: memref<8x27xf32>, %x: memref<1x27x64xf32>, %bias: memref<8xf32>) -> memref<1x8x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %p = memref.alloc() : memref<1x8x64xf32>
  linalg.fill ins(%zero : f32) outs(%p : memref<1x8x64xf32>)
  linalg.generic {indexing_maps = [#w, #x, #o], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<8x27xf32>, memref<1x27x64xf32>) outs(%p : memref<1x8x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  } loc(fused<distinct[0]<"dl.fusion">>["conv"])
  %v = memref.expand_shape %p [[0], [1], [2, 3]] output_shape [1, 8, 8, 8] : memref<1x8x64xf32> into memref<1x8x8x8xf32>
  %out = memref.alloc() : memref<1x8x8x8xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%v, %bias : memref<1x8x8x8xf32>, memref<8xf32>) outs(%out : memref<1x8x8x8xf32>) {
  ^bb0(%e: f32, %bb: f32, %o: f32):
    %0 = arith.addf %e, %bb : f32
    %2 = arith.maximumf %0, %zero : f32
    linalg.yield %2 : f32
  } loc(fused<distinct[1]<"dl.fusion">>["relu"])
  memref.dealloc %p : memref<1x8x64xf32>
  return %out : memref<1x8x8x8xf32>
}
