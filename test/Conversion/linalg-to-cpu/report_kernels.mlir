// RUN: dlc-opt %s --dl-report-kernels --mlir-disable-threading -o /dev/null 2>&1 | FileCheck %s

// Each linalg op is a loop nest, each dlc_ GEMM call a library kernel; the
// nodes of a kernel come from its location and its body's (elementwise
// fusion keeps the producers' body ops with their locations; the GEMM
// epilogue's call has a fused location). Names without an op type
// (weights) are not nodes; a kernel inside a loop is marked.

// CHECK: dl-report-kernels: @f: kernel 0: dlc_sgemm_epilogue: Conv_0 (Conv), Add_1 (Add), Relu_2 (Relu)
// CHECK-NEXT: dl-report-kernels: @f: kernel 1: linalg.generic: Add_1 (Add), Relu_2 (Relu)
// CHECK-NEXT: dl-report-kernels: @f: kernel 2: linalg.fill: (no ONNX node)
// CHECK-NEXT: dl-report-kernels: @f: kernel 3: linalg.copy (in a loop): Pad_3 (Pad)
// CHECK-NEXT: dl-report-kernels: @f: 4 kernels (1 runtime kernel calls, 3 loop nests) for 4 ONNX nodes; 2 kernels fuse several nodes
// CHECK-NOT: dl-report-kernels: @dlc_sgemm_epilogue

#conv = loc("Conv_0"("Conv"))
#add = loc("Add_1"("Add"))
#relu = loc("Relu_2"("Relu"))
#pad = loc("Pad_3"("Pad"))
#weight = loc("conv.weight")
#map = affine_map<(d0) -> (d0)>
func.func private @dlc_sgemm_epilogue(i64)
func.func @f(%a: memref<4xf32>, %b: memref<4xf32>, %n: index) {
  %c0 = arith.constant 0 : i64 loc(#weight)
  func.call @dlc_sgemm_epilogue(%c0) : (i64) -> () loc(fused[#conv, #add, #relu])
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %0 = arith.addf %x, %x : f32 loc(#add)
    %1 = arith.maximumf %0, %x : f32 loc(#relu)
    linalg.yield %1 : f32 loc(#relu)
  } loc(#relu)
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%b : memref<4xf32>)
  %i0 = arith.constant 0 : index
  %i1 = arith.constant 1 : index
  scf.for %i = %i0 to %n step %i1 {
    linalg.copy ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) loc(#pad)
  }
  return
}

// dl-fuse's groups (the mark each kernel's location carries, FusionGroup.h):
// one that became two kernels is named with them, then the count.
// CHECK: dl-report-kernels: @groups: kernel 0: linalg.fill: (no ONNX node)
// CHECK-NEXT: dl-report-kernels: @groups: kernel 1: linalg.generic: Exp_0 (Exp)
// CHECK-NEXT: dl-report-kernels: @groups: kernel 2: linalg.generic: Log_1 (Log)
// CHECK-NEXT: dl-report-kernels: @groups: 3 kernels (0 runtime kernel calls, 3 loop nests) for 2 ONNX nodes; 0 kernels fuse several nodes
// CHECK-NEXT: dl-report-kernels: @groups: one dl-fuse group is kernels 0, 1
// CHECK-NEXT: dl-report-kernels: @groups: 2 dl-fuse groups, 1 of them several kernels
func.func @groups(%a: memref<4xf32>, %b: memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%b : memref<4xf32>) loc(fused<distinct[0]<"dl.fusion">>["fill"])
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%a : memref<4xf32>) outs(%b : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %0 = math.exp %x : f32
    linalg.yield %0 : f32
  } loc(fused<distinct[0]<"dl.fusion">>["Exp_0"("Exp")])
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]} ins(%b : memref<4xf32>) outs(%a : memref<4xf32>) {
  ^bb0(%x: f32, %y: f32):
    %0 = math.log %x : f32
    linalg.yield %0 : f32
  } loc(fused<distinct[1]<"dl.fusion">>["Log_1"("Log")])
  return
}
