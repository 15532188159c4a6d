// RUN: dlc-opt %s --split-input-file --dl-convs-to-microkernels --canonicalize | FileCheck %s

// MobileNet's layer with a dynamic batch: the zero padding (buffer, fill,
// copy), the output's zero fill and the bias + ReLU6 epilogue all fold
// into one call. It reads the unpadded input with pads (1, 1), writes the
// epilogue's destination, takes the bias with strides (0, 1, 0, 0) and
// clamps to [0, 6].
// CHECK-LABEL: func.func @padded_bias_relu6(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x8x10x10xf32>, %[[W:[^:]*]]: memref<8x1x3x3xf32>, %[[B:[^:]*]]: memref<8xf32>, %[[Y:[^:]*]]: memref<?x8x10x10xf32>)
// CHECK-DAG: %[[NULL:.*]] = llvm.mlir.zero : !llvm.ptr
// CHECK-DAG: %[[ACC0:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C9:.*]] = arith.constant 9 : index
// CHECK-DAG: %[[C10:.*]] = arith.constant 10 : index
// CHECK-DAG: %[[C100:.*]] = arith.constant 100 : index
// CHECK-DAG: %[[C800:.*]] = arith.constant 800 : index
// CHECK-DAG: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[HI:.*]] = arith.constant 6.000000e+00 : f32
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK-DAG: memref.extract_strided_metadata %[[X]]
// CHECK-DAG: memref.extract_strided_metadata %[[Y]]
// CHECK-DAG: memref.extract_strided_metadata %[[B]]
// CHECK-DAG: %[[N:.*]] = memref.dim %[[X]], %[[C0]]
// CHECK: call @dlc_dwconv2d(%[[N]], %[[C8]], %[[C10]], %[[C10]], %{{.*}}, %[[C0]], %[[C800]], %[[C100]], %[[C10]], %[[C1]], %[[C3]], %[[C3]], %{{.*}}, %[[C0]], %[[C9]], %[[C3]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C10]], %[[C10]], %{{.*}}, %[[C0]], %[[C800]], %[[C100]], %[[C10]], %[[C1]], %[[ACC0]], %{{.*}}, %[[C0]], %[[C0]], %[[C1]], %[[C0]], %[[C0]], %[[NULL]], %[[C0]], %[[C0]], %[[C0]], %[[C0]], %[[C0]], %[[LO]], %[[HI]])
// CHECK-NOT: linalg.
// CHECK: return
// CHECK: func.func private @dlc_dwconv2d(index, index, index, index, !llvm.ptr, index, index, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, index, index, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, i32, !llvm.ptr, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, f32, f32)

#in = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d3 + d5, d4 + d6)>
#w = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
#out = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
#id = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch = affine_map<(d0, d1, d2, d3) -> (d1)>
func.func @padded_bias_relu6(%x: memref<?x8x10x10xf32>, %w: memref<8x1x3x3xf32>, %bias: memref<8xf32>, %y: memref<?x8x10x10xf32>) {
  %zero = arith.constant 0.0 : f32
  %six = arith.constant 6.0 : f32
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x8x10x10xf32>
  %pad = memref.alloc(%n) {alignment = 64 : i64} : memref<?x8x12x12xf32>
  linalg.map outs(%pad : memref<?x8x12x12xf32>)
    (%init: f32) {
      linalg.yield %zero : f32
    }
  %interior = memref.subview %pad[0, 0, 1, 1] [%n, 8, 10, 10] [1, 1, 1, 1] : memref<?x8x12x12xf32> to memref<?x8x10x10xf32, strided<[1152, 144, 12, 1], offset: 13>>
  memref.copy %x, %interior : memref<?x8x10x10xf32> to memref<?x8x10x10xf32, strided<[1152, 144, 12, 1], offset: 13>>
  %acc = memref.alloc(%n) {alignment = 64 : i64} : memref<?x8x10x10xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?x8x10x10xf32>)
  linalg.generic {indexing_maps = [#in, #w, #out], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%pad, %w : memref<?x8x12x12xf32>, memref<8x1x3x3xf32>) outs(%acc : memref<?x8x10x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  memref.dealloc %pad : memref<?x8x12x12xf32>
  linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc, %bias : memref<?x8x10x10xf32>, memref<8xf32>) outs(%y : memref<?x8x10x10xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %lo = arith.maximumf %s, %zero : f32
    %hi = arith.minimumf %lo, %six : f32
    linalg.yield %hi : f32
  }
  memref.dealloc %acc : memref<?x8x10x10xf32>
  return
}

// -----

// Stride 2, dilation 2, no padding and no zero fill: the input is read as
// it is (pads 0), strides and dilations come from the input's map, and the
// call accumulates into the output (no epilogue: clamp to +-inf).
// CHECK-LABEL: func.func @strided_dilated(
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-DAG: %[[NINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK-DAG: %[[ACC1:.*]] = arith.constant 1 : i32
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C5:.*]] = arith.constant 5 : index
// CHECK-DAG: %[[C13:.*]] = arith.constant 13 : index
// CHECK: call @dlc_dwconv2d(%[[C2]], %[[C4]], %[[C13]], %[[C13]], {{.*}}, %[[C3]], %[[C3]], {{.*}}, %[[C2]], %[[C2]], %[[C2]], %[[C2]], %[[C0]], %[[C0]], %[[C5]], %[[C5]], {{.*}}, %[[ACC1]], {{.*}}, %[[NINF]], %[[INF]])
// CHECK-NOT: linalg.generic
#in2 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d5 * 2 + d3 * 2, d6 * 2 + d4 * 2)>
#w2 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
#out2 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
func.func @strided_dilated(%x: memref<2x4x13x13xf32>, %w: memref<4x1x3x3xf32>, %y: memref<2x4x5x5xf32>) {
  linalg.generic {indexing_maps = [#in2, #w2, #out2], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%x, %w : memref<2x4x13x13xf32>, memref<4x1x3x3xf32>) outs(%y : memref<2x4x5x5xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A channel multiplier of 2 (input channel d1 floordiv 2) is not a
// depthwise conv the runtime takes.
// CHECK-LABEL: func.func @multiplier_two(
// CHECK-NOT: call
// CHECK: linalg.generic
#in3 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 floordiv 2 + d2, d3 + d5, d4 + d6)>
#w3 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
#out3 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
func.func @multiplier_two(%x: memref<1x4x6x6xf32>, %w: memref<8x1x3x3xf32>, %y: memref<1x8x4x4xf32>) {
  linalg.generic {indexing_maps = [#in3, #w3, #out3], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%x, %w : memref<1x4x6x6xf32>, memref<8x1x3x3xf32>) outs(%y : memref<1x8x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The padded buffer is also read by another op: it stays, and the call
// reads it (6x6) with no padding of its own.
// CHECK-LABEL: func.func @padding_read_twice(
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK: %[[PAD:.*]] = memref.alloc() : memref<1x2x6x6xf32>
// CHECK: linalg.fill {{.*}} outs(%[[PAD]]
// CHECK: memref.copy
// CHECK: memref.extract_strided_metadata %[[PAD]]
// CHECK: call @dlc_dwconv2d(%{{.*}}, %[[C2]], %[[C6]], %[[C6]], {{.*}}, %[[C0]], %[[C0]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %[[C0]], {{.*}})
// CHECK: memref.copy %[[PAD]]
#in4 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d3 + d5, d4 + d6)>
#w4 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
#out4 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
func.func @padding_read_twice(%x: memref<1x2x4x4xf32>, %w: memref<2x1x3x3xf32>, %y: memref<1x2x4x4xf32>, %z: memref<1x2x6x6xf32>) {
  %zero = arith.constant 0.0 : f32
  %pad = memref.alloc() : memref<1x2x6x6xf32>
  linalg.fill ins(%zero : f32) outs(%pad : memref<1x2x6x6xf32>)
  %interior = memref.subview %pad[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : memref<1x2x6x6xf32> to memref<1x2x4x4xf32, strided<[72, 36, 6, 1], offset: 7>>
  memref.copy %x, %interior : memref<1x2x4x4xf32> to memref<1x2x4x4xf32, strided<[72, 36, 6, 1], offset: 7>>
  linalg.fill ins(%zero : f32) outs(%y : memref<1x2x4x4xf32>)
  linalg.generic {indexing_maps = [#in4, #w4, #out4], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%pad, %w : memref<1x2x6x6xf32>, memref<2x1x3x3xf32>) outs(%y : memref<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  memref.copy %pad, %z : memref<1x2x6x6xf32> to memref<1x2x6x6xf32>
  memref.dealloc %pad : memref<1x2x6x6xf32>
  return
}

// -----

// The copy into the padding was the source's last use, so the source is
// freed before the conv (and its memory could go to the output's buffer):
// the call reads the source, so its dealloc moves after the call.
#in5 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1 + d2, d3 + d5, d4 + d6)>
#w5 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
#out5 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-LABEL: func.func @source_freed_after_copy(
// CHECK: %[[SRC:.*]] = memref.alloc() : memref<1x2x4x4xf32>
// CHECK: linalg.copy {{.*}} outs(%[[SRC]]
// CHECK-NOT: memref.dealloc %[[SRC]]
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<1x2x4x4xf32>
// CHECK-NOT: memref.dealloc %[[SRC]]
// CHECK: call @dlc_dwconv2d(
// CHECK-NEXT: memref.dealloc %[[SRC]]
// CHECK: return %[[OUT]]
func.func @source_freed_after_copy(%x: memref<1x2x4x4xf32>, %w: memref<2x1x3x3xf32>) -> memref<1x2x4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %src = memref.alloc() : memref<1x2x4x4xf32>
  linalg.copy ins(%x : memref<1x2x4x4xf32>) outs(%src : memref<1x2x4x4xf32>)
  %pad = memref.alloc() : memref<1x2x6x6xf32>
  linalg.fill ins(%zero : f32) outs(%pad : memref<1x2x6x6xf32>)
  %interior = memref.subview %pad[0, 0, 1, 1] [1, 2, 4, 4] [1, 1, 1, 1] : memref<1x2x6x6xf32> to memref<1x2x4x4xf32, strided<[72, 36, 6, 1], offset: 7>>
  memref.copy %src, %interior : memref<1x2x4x4xf32> to memref<1x2x4x4xf32, strided<[72, 36, 6, 1], offset: 7>>
  memref.dealloc %src : memref<1x2x4x4xf32>
  %out = memref.alloc() : memref<1x2x4x4xf32>
  linalg.fill ins(%zero : f32) outs(%out : memref<1x2x4x4xf32>)
  linalg.generic {indexing_maps = [#in5, #w5, #out5], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]} ins(%pad, %w : memref<1x2x6x6xf32>, memref<2x1x3x3xf32>) outs(%out : memref<1x2x4x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  memref.dealloc %pad : memref<1x2x6x6xf32>
  return %out : memref<1x2x4x4xf32>
}

// -----

// An ungrouped 3x3 conv at stride 2 (dl-to-linalg's direct-convs form) with
// a dynamic batch: one dlc_sconv2d call (the implicit GEMM) reading the
// unpadded input with pads (1, 1); the filter [8, 27] (stride 27 per output
// channel) gets a cache slot, being a constant global; the output and the
// bias go per output channel and pixel (strides 64, 1 and 1, 0); the ReLU
// is the clamp.
// CHECK-LABEL: func.func @ungrouped(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x3x16x16xf32>, %[[B:[^:]*]]: memref<8xf32>, %[[Y:[^:]*]]: memref<?x8x8x8xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.*]] = arith.constant 16 : index
// CHECK-DAG: %[[C27:.*]] = arith.constant 27 : index
// CHECK-DAG: %[[C64:.*]] = arith.constant 64 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK-DAG: %[[C512:.*]] = arith.constant 512 : index
// CHECK-DAG: %[[C768:.*]] = arith.constant 768 : index
// CHECK-DAG: %[[ACC0:.*]] = arith.constant 0 : i32
// CHECK-DAG: %[[SLOT:.*]] = llvm.mlir.addressof @__dlc_packed_operand
// CHECK-DAG: %[[LO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[INF:.*]] = arith.constant 0x7F800000 : f32
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK: %[[N:.*]] = memref.dim %[[X]], %[[C0]]
// CHECK: call @dlc_sconv2d(%[[N]], %[[C3]], %[[C16]], %[[C16]], %{{.*}}, %[[C0]], %[[C768]], %[[C256]], %[[C16]], %[[C1]], %[[C8]], %[[C3]], %[[C3]], %{{.*}}, %[[C0]], %[[C27]], %[[C2]], %[[C2]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C8]], %[[C8]], %{{.*}}, %[[C0]], %[[C512]], %[[C64]], %[[C1]], %[[ACC0]], %[[SLOT]], %{{.*}}, %[[C0]], %[[C0]], %[[C1]], %[[C0]], %{{.*}}, %[[C0]], %[[C0]], %[[C0]], %[[C0]], %[[LO]], %[[INF]])
// CHECK-NOT: linalg.
// CHECK: func.func private @dlc_sconv2d(index, index, index, index, !llvm.ptr, index, index, index, index, index, index, index, index, !llvm.ptr, index, index, index, index, index, index, index, index, index, index, !llvm.ptr, index, index, index, index, i32, !llvm.ptr, !llvm.ptr, index, index, index, index, !llvm.ptr, index, index, index, index, f32, f32)
#in6 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d4, d2 * 2 + d5, d3 * 2 + d6)>
#w6 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d4, d5, d6)>
#out6 = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d2, d3)>
#id6 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch6 = affine_map<(d0, d1, d2, d3) -> (d1)>
memref.global "private" constant @filter : memref<8x3x3x3xf32> = dense<1.0>
func.func @ungrouped(%x: memref<?x3x16x16xf32>, %bias: memref<8xf32>, %y: memref<?x8x8x8xf32>) {
  %zero = arith.constant 0.0 : f32
  %c0 = arith.constant 0 : index
  %w = memref.get_global @filter : memref<8x3x3x3xf32>
  %n = memref.dim %x, %c0 : memref<?x3x16x16xf32>
  %pad = memref.alloc(%n) : memref<?x3x18x18xf32>
  linalg.fill ins(%zero : f32) outs(%pad : memref<?x3x18x18xf32>)
  %interior = memref.subview %pad[0, 0, 1, 1] [%n, 3, 16, 16] [1, 1, 1, 1] : memref<?x3x18x18xf32> to memref<?x3x16x16xf32, strided<[972, 324, 18, 1], offset: 19>>
  memref.copy %x, %interior : memref<?x3x16x16xf32> to memref<?x3x16x16xf32, strided<[972, 324, 18, 1], offset: 19>>
  %acc = memref.alloc(%n) : memref<?x8x8x8xf32>
  linalg.fill ins(%zero : f32) outs(%acc : memref<?x8x8x8xf32>)
  linalg.generic {indexing_maps = [#in6, #w6, #out6], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%pad, %w : memref<?x3x18x18xf32>, memref<8x3x3x3xf32>) outs(%acc : memref<?x8x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  }
  memref.dealloc %pad : memref<?x3x18x18xf32>
  linalg.generic {indexing_maps = [#id6, #ch6, #id6], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%acc, %bias : memref<?x8x8x8xf32>, memref<8xf32>) outs(%y : memref<?x8x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %s = arith.addf %a, %b : f32
    %r = arith.maximumf %s, %zero : f32
    linalg.yield %r : f32
  }
  memref.dealloc %acc : memref<?x8x8x8xf32>
  return
}

// -----

// A 3x3 stride-2 max pool with a dynamic batch: its -inf padding (buffer,
// fill, copy), the -inf fill of its output and the window-shape buffer go;
// one dlc_maxpool2d call reads the unpadded input with pads (1, 1).
// CHECK-LABEL: func.func @max_pool(
// CHECK-SAME: %[[X:[^:]*]]: memref<?x4x12x12xf32>)
// CHECK-DAG: %[[C0:.*]] = arith.constant 0 : index
// CHECK-DAG: %[[C1:.*]] = arith.constant 1 : index
// CHECK-DAG: %[[C2:.*]] = arith.constant 2 : index
// CHECK-DAG: %[[C3:.*]] = arith.constant 3 : index
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK-DAG: %[[C6:.*]] = arith.constant 6 : index
// CHECK-DAG: %[[C12:.*]] = arith.constant 12 : index
// CHECK-NOT: linalg.
// CHECK-NOT: memref.copy
// CHECK: %[[Y:.*]] = memref.alloc(%{{.*}}) : memref<?x4x6x6xf32>
// CHECK-NOT: memref.alloc
// CHECK: call @dlc_maxpool2d(%{{.*}}, %[[C4]], %[[C12]], %[[C12]], %{{.*}}, %[[C0]], %{{.*}}, %{{.*}}, %[[C12]], %[[C1]], %[[C3]], %[[C3]], %[[C2]], %[[C2]], %[[C1]], %[[C1]], %[[C1]], %[[C1]], %[[C6]], %[[C6]], %{{.*}}, %[[C0]], %{{.*}}, %{{.*}}, %[[C6]], %[[C1]])
// CHECK-NOT: linalg.
// CHECK: return %[[Y]]
#pin = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d5 * 2 + d4)>
#pwin = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d4)>
#pout = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2, d5)>
#pid = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
func.func @max_pool(%x: memref<?x4x12x12xf32>) -> memref<?x4x6x6xf32> {
  %ninf = arith.constant 0xFF800000 : f32
  %c0 = arith.constant 0 : index
  %n = memref.dim %x, %c0 : memref<?x4x12x12xf32>
  %pad = memref.alloc(%n) : memref<?x4x14x14xf32>
  linalg.map outs(%pad : memref<?x4x14x14xf32>)
    (%init: f32) {
      linalg.yield %ninf : f32
    }
  %interior = memref.subview %pad[0, 0, 1, 1] [%n, 4, 12, 12] [1, 1, 1, 1] : memref<?x4x14x14xf32> to memref<?x4x12x12xf32, strided<[784, 196, 14, 1], offset: 15>>
  memref.copy %x, %interior : memref<?x4x12x12xf32> to memref<?x4x12x12xf32, strided<[784, 196, 14, 1], offset: 15>>
  %window = memref.alloc() : memref<3x3xf32>
  %y = memref.alloc(%n) : memref<?x4x6x6xf32>
  linalg.generic {indexing_maps = [#pid], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} outs(%y : memref<?x4x6x6xf32>) {
  ^bb0(%o: f32):
    linalg.yield %ninf : f32
  }
  linalg.generic {indexing_maps = [#pin, #pwin, #pout], iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "parallel"]} ins(%pad, %window : memref<?x4x14x14xf32>, memref<3x3xf32>) outs(%y : memref<?x4x6x6xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.maximumf %o, %a : f32
    linalg.yield %m : f32
  }
  memref.dealloc %window : memref<3x3xf32>
  memref.dealloc %pad : memref<?x4x14x14xf32>
  return %y : memref<?x4x6x6xf32>
}
