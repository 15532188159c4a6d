// RUN: dlc-opt %s --dl-report-failed-asserts | FileCheck %s

// A failed run-time check calls the runtime (which unwinds the entry point
// and returns an error) with the node named, instead of aborting.
// CHECK-DAG: llvm.func @dlc_entry_fail(!llvm.ptr)
// CHECK-DAG: llvm.mlir.global internal constant @dlc_check_0("node 'Add_3' (Add): dims disagree\00")
// CHECK-LABEL: func.func @check(
// CHECK-SAME: %[[C:.*]]: i1
// CHECK: %[[T:.*]] = arith.constant true
// CHECK: %[[F:.*]] = arith.xori %[[C]], %[[T]] : i1
// CHECK: scf.if %[[F]] {
// CHECK:   %[[P:.*]] = llvm.mlir.addressof @dlc_check_0
// CHECK:   llvm.call @dlc_entry_fail(
// CHECK: }
// CHECK-NOT: cf.assert
func.func @check(%c: i1) {
  cf.assert %c, "dims disagree" loc(fused["Add_3"("Add"), "x.mlir":1:1])
  return
}
