// RUN: dlc-opt %s --dlc-cpu-lowering="opt-level=3" --mlir-print-ir-after=dl-plan-memory -o /dev/null 2>&1 | FileCheck %s

// In the CPU pipeline a softmax is one scf.forall over its rows that reads
// the row through a subview and writes the result row in place into the
// output buffer (eliminate-empty-tensors before bufferization): no buffer
// or copy per row.
// CHECK-LABEL: func.func @softmax
// CHECK: %[[OUT:.*]] = memref.alloc() {{.*}} : memref<4x64x64xf32>
// CHECK: scf.forall (%[[I:.*]], %[[J:.*]]) in (4, 64) {
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.copy
// CHECK:   %[[ROW:.*]] = memref.subview %arg0[%[[I]], %[[J]], 0] [1, 1, 64]
// CHECK:   scf.for
// CHECK:   scf.for
// CHECK-NOT: memref.alloc
// CHECK:   %[[DST:.*]] = memref.subview %[[OUT]][%[[I]], %[[J]], 0] [1, 1, 64]
// CHECK:   linalg.generic {{.*}} ins(%[[ROW]] : {{.*}}) outs(%[[DST]] : {{.*}})
// CHECK-NOT: linalg.copy
// CHECK: }
// CHECK: linalg.generic {{.*}} ins(%[[OUT]] : memref<4x64x64xf32>)
func.func @softmax(%a: tensor<4x64x64xf32>) -> tensor<4x64x64xf32> {
  %0 = dl.softmax %a : tensor<4x64x64xf32>
  %1 = dl.relu %0 : tensor<4x64x64xf32>
  return %1 : tensor<4x64x64xf32>
}
