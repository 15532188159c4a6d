// RUN: dlc-opt %s --split-input-file --dl-prepare-entry-points | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-prepare-entry-points="rename=main:net_forward" | FileCheck %s --check-prefix=RENAME
// RUN: not dlc-opt %s --split-input-file --dl-prepare-entry-points="rename=nope:x" 2>&1 | FileCheck %s --check-prefix=BAD

// Public functions with a body get a C interface; the header's attributes go.
// CHECK-LABEL: func.func @main(
// CHECK-SAME: %{{.*}}: tensor<2xf32>) -> tensor<2xf32>
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-NOT: dl.name
// CHECK-LABEL: func.func private @helper(
// CHECK-NOT: llvm.emit_c_interface
// CHECK: func.func private @external(
// CHECK-NOT: llvm.emit_c_interface
// RENAME: func.func @net_forward(
// RENAME: call @helper
// BAD: error: dl-prepare-entry-points: cannot rename 'nope:x' (expected OLD:NEW naming a function)
func.func @main(%x: tensor<2xf32> {dl.name = "x", dl.dim_names = ["n"]})
    -> (tensor<2xf32> {dl.name = "y"}) {
  %y = call @helper(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}
func.func private @external(tensor<2xf32>) -> tensor<2xf32>
