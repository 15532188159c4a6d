// RUN: dlc-opt %s --dl-to-linalg --mlir-print-debuginfo | FileCheck %s

// A dl.fusion's body is inlined and its ops lower one by one; each carries
// the region's mark, a FusedLoc whose metadata is a DistinctAttr of
// "dl.fusion" around the op's own location (FusionGroup.h). Two regions
// have two marks; an op outside any region has none.
// CHECK-DAG: #[[G0:.*]] = distinct[{{[0-9]+}}]<"dl.fusion">
// CHECK-DAG: #[[G1:.*]] = distinct[{{[0-9]+}}]<"dl.fusion">
// CHECK-DAG: #[[E:.*]] = loc("E")
// CHECK-DAG: #[[N:.*]] = loc("N")
// CHECK-DAG: #[[L:.*]] = loc("L")
// CHECK-DAG: #[[S:.*]] = loc("S")
// CHECK-DAG: #[[EM:.*]] = loc(fused<#[[G0]]>[#[[E]]])
// CHECK-DAG: #[[LM:.*]] = loc(fused<#[[G1]]>[#[[L]]])
// CHECK-LABEL: func.func @marks(
// CHECK: math.exp
// CHECK: } -> tensor<4xf32> loc(#[[EM]])
// CHECK: arith.negf
// CHECK: } -> tensor<4xf32> loc(#[[NM:.*]])
// CHECK: math.log
// CHECK: } -> tensor<4xf32> loc(#[[LM]])
// CHECK: math.sqrt
// CHECK: } -> tensor<4xf32> loc(#[[S]])
// CHECK: #[[NM]] = loc(fused<#[[G0]]>[#[[N]]])
func.func @marks(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = dl.fusion(%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %e = dl.exp %x : tensor<4xf32> loc("E")
    %n = dl.neg %e : tensor<4xf32> loc("N")
    dl.yield %n : tensor<4xf32>
  }
  %1 = dl.fusion(%0) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %l = dl.log %x : tensor<4xf32> loc("L")
    dl.yield %l : tensor<4xf32>
  }
  %2 = dl.sqrt %1 : tensor<4xf32> loc("S")
  return %2 : tensor<4xf32>
}
