// RUN: dlc-opt %s --split-input-file --dl-contractions-to-microkernels | FileCheck %s

// A matmul after a zero fill: one call, accumulate = 0, the fill gone.
// Strides come from each operand's layout: A rows by K, B rows by N.
// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: %[[A:.*]]: memref<8x16xf32>, %[[B:.*]]: memref<16x32xf32>, %[[C:.*]]: memref<8x32xf32>)
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[BA:.*]], %[[OA:.*]], %[[SA:.*]]:2, %[[STA:.*]]:2 = memref.extract_strided_metadata %[[A]]
// CHECK-DAG: %[[BB:.*]], %[[OB:.*]], %[[SB:.*]]:2, %[[STB:.*]]:2 = memref.extract_strided_metadata %[[B]]
// CHECK-DAG: %[[BC:.*]], %[[OC:.*]], %[[SC:.*]]:2, %[[STC:.*]]:2 = memref.extract_strided_metadata %[[C]]
// CHECK-DAG: %[[PA:.*]] = memref.extract_aligned_pointer_as_index %[[BA]]
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C32:.*]] = arith.constant 32 : index
// CHECK-DAG: %[[ACC:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: call @dlc_sgemm_cached(%[[C1]], %[[C8]], %[[C32]], %[[C16]], %{{.*}}, %[[OA]], %[[C0]], %[[STA]]#0, %[[STA]]#1, %{{.*}}, %[[OB]], %[[C0]], %[[STB]]#0, %[[STB]]#1, %{{.*}}, %[[OC]], %[[C0]], %[[STC]]#0, %[[STC]]#1, %[[ACC]], %[[NULL]], %[[NULL]])
// CHECK-NOT: linalg.matmul
// CHECK: func.func private @dlc_sgemm_cached(index, index, index, index, !llvm.ptr, index, index, index, index, !llvm.ptr, index, index, index, index, !llvm.ptr, index, index, index, index, i32, !llvm.ptr, !llvm.ptr)
func.func @matmul(%a: memref<8x16xf32>, %b: memref<16x32xf32>, %c: memref<8x32xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<8x32xf32>)
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x32xf32>) outs(%c : memref<8x32xf32>)
  return
}

// -----

// A transposed B (gemm transB) and a dynamic M: the n stride of B is its row
// stride and the k stride its column stride; no fill, so accumulate = 1.
#a = affine_map<(m, n, k) -> (m, k)>
#b = affine_map<(m, n, k) -> (n, k)>
#c = affine_map<(m, n, k) -> (m, n)>
// CHECK-LABEL: func.func @transposed_b(
// CHECK-SAME: %[[A:.*]]: memref<?x16xf32>, %[[B:.*]]: memref<32x16xf32>, %[[C:.*]]: memref<?x32xf32>)
// CHECK-DAG: %[[BB:.*]], %[[OB:.*]], %[[SB:.*]]:2, %[[STB:.*]]:2 = memref.extract_strided_metadata %[[B]]
// CHECK-DAG: %[[M:.*]] = memref.dim %[[A]], %{{.*}}
// CHECK-DAG: %[[ACC:.*]] = arith.constant 1 : i32
// CHECK: call @dlc_sgemm_cached(%{{.*}}, %[[M]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[OB]], %{{.*}}, %[[STB]]#1, %[[STB]]#0, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[ACC]], %{{.*}}, %{{.*}})
func.func @transposed_b(%a: memref<?x16xf32>, %b: memref<32x16xf32>, %c: memref<?x32xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<?x16xf32>, memref<32x16xf32>) outs(%c : memref<?x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Batch matmul with B broadcast over the batch (a constant 0 index): B's
// batch stride is 0; the batch dim runs natively.
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#b = affine_map<(b, m, n, k) -> (0, k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
// CHECK-LABEL: func.func @broadcast_batch(
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: call @dlc_sgemm_cached(%[[C4]], %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %{{[^,]*}}, %[[C0]],
func.func @broadcast_batch(%a: memref<4x8x16xf32>, %b: memref<1x16x32xf32>, %c: memref<4x8x32xf32>) {
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<4x8x16xf32>, memref<1x16x32xf32>) outs(%c : memref<4x8x32xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The conv form: out[n, m, o] = sum_k w[m, k] * cols[n, k, o]. o is the
// native n (innermost in the output); the sample dim n only indexes B and
// the output, so it runs as the batch, with a zero batch stride for w.
#w = affine_map<(n, m, o, k) -> (m, k)>
#x = affine_map<(n, m, o, k) -> (n, k, o)>
#y = affine_map<(n, m, o, k) -> (n, m, o)>
// CHECK-LABEL: func.func @conv_form(
// CHECK-SAME: %[[W:.*]]: memref<64x27xf32>, %[[X:.*]]: memref<?x27x100xf32>, %[[Y:.*]]: memref<?x64x100xf32>)
// CHECK-DAG: %[[N:.*]] = memref.dim %[[X]], %{{.*}}
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C100:.*]] = arith.constant 100 : index
// CHECK-DAG: %[[C27:.*]] = arith.constant 27 : index
// CHECK-NOT: scf.for
// CHECK: call @dlc_sgemm_cached(%[[N]], %[[C64]], %[[C100]], %[[C27]], %{{[^,]*}}, %{{[^,]*}}, %c0{{(_[0-9]+)?}},
func.func @conv_form(%w: memref<64x27xf32>, %x: memref<?x27x100xf32>, %y: memref<?x64x100xf32>) {
  linalg.generic {indexing_maps = [#w, #x, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<64x27xf32>, memref<?x27x100xf32>) outs(%y : memref<?x64x100xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Attention's scores with two batch dims (batch, head): the inner one runs
// natively, the outer one is a loop around the call moving every operand's
// offset by its stride.
#q = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#kt = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#s = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
// CHECK-LABEL: func.func @two_batch_dims(
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: arith.muli %[[I]]
// CHECK: call @dlc_sgemm_cached(%[[C4]],
// CHECK: }
func.func @two_batch_dims(%q: memref<?x4x64x32xf32>, %k: memref<?x4x64x32xf32>, %s: memref<?x4x64x64xf32>) {
  linalg.generic {indexing_maps = [#q, #kt, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : memref<?x4x64x32xf32>, memref<?x4x64x32xf32>) outs(%s : memref<?x4x64x64xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %r = arith.addf %acc, %p : f32
    linalg.yield %r : f32
  }
  return
}

// -----

// Two reduction dims (the weight gradient of a conv: sum over samples n and
// positions o): o runs natively, n is a loop whose first iteration honours
// the folded fill (accumulate = 0) and later ones accumulate.
#g = affine_map<(m, j, n, o) -> (n, m, o)>
#c = affine_map<(m, j, n, o) -> (n, j, o)>
#dw = affine_map<(m, j, n, o) -> (m, j)>
// CHECK-LABEL: func.func @two_reductions(
// CHECK-NOT: linalg.fill
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[LATER:.*]] = arith.cmpi ne, %[[I]], %{{.*}} : index
// CHECK: %[[ACC:.*]] = arith.extui %[[LATER]] : i1 to i32
// CHECK: call @dlc_sgemm_cached({{.*}}, %[[ACC]], %{{.*}}, %{{.*}})
func.func @two_reductions(%g: memref<4x16x49xf32>, %cols: memref<4x27x49xf32>, %dw: memref<16x27xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%dw : memref<16x27xf32>)
  linalg.generic {indexing_maps = [#g, #c, #dw], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%g, %cols : memref<4x16x49xf32>, memref<4x27x49xf32>) outs(%dw : memref<16x27xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Left alone: f64, a reduction indexing one input only, a compound index
// (a strided window), and a non-contraction body.
// CHECK-LABEL: func.func @not_contractions(
// CHECK-NOT: dlc_sgemm_cached
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: return
#i = affine_map<(m, n, k, l) -> (m, k, l)>
#j = affine_map<(m, n, k, l) -> (k, n)>
#o = affine_map<(m, n, k, l) -> (m, n)>
#s = affine_map<(o, k) -> (o * 2 + k)>
#k = affine_map<(o, k) -> (k)>
#out = affine_map<(o, k) -> (o)>
#mm = affine_map<(m, n, k) -> (m, k)>
#mn = affine_map<(m, n, k) -> (k, n)>
#mo = affine_map<(m, n, k) -> (m, n)>
func.func @not_contractions(%a: memref<8x16xf64>, %b: memref<16x32xf64>, %c: memref<8x32xf64>,
                            %x: memref<8x3x3xf32>, %w: memref<3x32xf32>, %y: memref<8x32xf32>,
                            %v: memref<21xf32>, %f: memref<3xf32>, %r: memref<10xf32>,
                            %p: memref<8x16xf32>, %q: memref<16x32xf32>, %z: memref<8x32xf32>) {
  linalg.matmul ins(%a, %b : memref<8x16xf64>, memref<16x32xf64>) outs(%c : memref<8x32xf64>)
  linalg.generic {indexing_maps = [#i, #j, #o], iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %w : memref<8x3x3xf32>, memref<3x32xf32>) outs(%y : memref<8x32xf32>) {
  ^bb0(%e0: f32, %e1: f32, %acc: f32):
    %m = arith.mulf %e0, %e1 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#s, #k, #out], iterator_types = ["parallel", "reduction"]}
      ins(%v, %f : memref<21xf32>, memref<3xf32>) outs(%r : memref<10xf32>) {
  ^bb0(%e0: f32, %e1: f32, %acc: f32):
    %m = arith.mulf %e0, %e1 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#mm, #mn, #mo], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%p, %q : memref<8x16xf32>, memref<16x32xf32>) outs(%z : memref<8x32xf32>) {
  ^bb0(%e0: f32, %e1: f32, %acc: f32):
    %m = arith.maximumf %e0, %e1 : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A negated operand (sum of -a * b, as an NLL loss reduces): isContractionBody
// accepts the unary negf, but dlc_sgemm would drop it, so it stays a generic.
#v = affine_map<(i, j) -> (i, j)>
#s = affine_map<(i, j) -> ()>
// CHECK-LABEL: func.func @negated_operand(
// CHECK-NOT: call @dlc_sgemm_cached
// CHECK: arith.negf
func.func @negated_operand(%a: memref<3x2xf32>, %b: memref<3x2xf32>, %c: memref<f32>) {
  linalg.generic {indexing_maps = [#v, #v, #s], iterator_types = ["reduction", "reduction"]}
      ins(%a, %b : memref<3x2xf32>, memref<3x2xf32>) outs(%c : memref<f32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %n = arith.negf %x : f32
    %p = arith.mulf %n, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Constant weights: the conv form with w a constant global gets a cache slot
// for A (a null-initialized pointer global of its own), B none. A constant
// B moved by a looped dim gets none either: it differs per call.
#w = affine_map<(n, m, o, k) -> (m, k)>
#x = affine_map<(n, m, o, k) -> (n, k, o)>
#y = affine_map<(n, m, o, k) -> (n, m, o)>
memref.global "private" constant @weights : memref<64x27xf32> = dense<1.0>
memref.global "private" @mutable : memref<64x27xf32> = dense<1.0>
// CHECK-LABEL: func.func @constant_weights(
// CHECK: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: %[[SLOT:.*]] = llvm.mlir.addressof @[[G:__dlc_packed_operand[_0-9]*]] : !llvm.ptr
// CHECK: call @dlc_sgemm_cached({{.*}}, %[[SLOT]], %[[NULL]])
// CHECK: %[[NULL2:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK: call @dlc_sgemm_cached({{.*}}, %[[NULL2]], %[[NULL2]])
// CHECK: llvm.mlir.global internal @[[G]]() {{.*}}: !llvm.ptr {
// CHECK-NEXT: %[[Z:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-NEXT: llvm.return %[[Z]] : !llvm.ptr
func.func @constant_weights(%x: memref<?x27x100xf32>, %y: memref<?x64x100xf32>) {
  %w = memref.get_global @weights : memref<64x27xf32>
  linalg.generic {indexing_maps = [#w, #x, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%w, %x : memref<64x27xf32>, memref<?x27x100xf32>) outs(%y : memref<?x64x100xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  // Not constant: no slot.
  %v = memref.get_global @mutable : memref<64x27xf32>
  linalg.generic {indexing_maps = [#w, #x, #y], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%v, %x : memref<64x27xf32>, memref<?x27x100xf32>) outs(%y : memref<?x64x100xf32>) {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Two m dims, the inner one a static 1 (a sequence-first [S, 1, D]
// activation at batch 1): the 64 runs natively as m and the 1 as the batch,
// one GEMM of 64 rows, not 64 GEMMs of one row.
#sA = affine_map<(s, b, n, k) -> (s, b, k)>
#sB = affine_map<(s, b, n, k) -> (k, n)>
#sC = affine_map<(s, b, n, k) -> (s, b, n)>
// CHECK-LABEL: func.func @unit_inner_m(
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C384:.*]] = arith.constant 384 : index
// CHECK-DAG: %[[C128:.*]] = arith.constant 128 : index
// CHECK-NOT: scf.for
// CHECK: call @dlc_sgemm_cached(%[[C1]], %[[C64]], %[[C384]], %[[C128]],
func.func @unit_inner_m(%a: memref<64x1x128xf32>, %b: memref<128x384xf32>, %c: memref<64x1x384xf32>) {
  linalg.generic {indexing_maps = [#sA, #sB, #sC], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<64x1x128xf32>, memref<128x384xf32>) outs(%c : memref<64x1x384xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  }
  return
}
