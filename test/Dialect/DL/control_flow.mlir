// RUN: dlc-opt %s --dlc-simplify | FileCheck %s --check-prefix=FOLD

// ONNX If imports as scf.if on the extracted condition; once the condition
// folds to a constant, canonicalization keeps only the branch taken.
// FOLD-LABEL: func.func @constant_condition(
// FOLD-NOT: scf.if
// FOLD: %[[R:.*]] = dl.mul %arg0, %arg0
// FOLD-NOT: scf.if
// FOLD: return %[[R]]
func.func @constant_condition(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %c = dl.constant dense<false> : tensor<1xi1>
  %c0 = arith.constant 0 : index
  %b = tensor.extract %c[%c0] : tensor<1xi1>
  %r = scf.if %b -> (tensor<?x4xf32>) {
    %0 = dl.add %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    scf.yield %0 : tensor<?x4xf32>
  } else {
    %0 = dl.mul %x, %x : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
    scf.yield %0 : tensor<?x4xf32>
  }
  return %r : tensor<?x4xf32>
}
