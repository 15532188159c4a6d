// RUN: not dlc-opt %s --dl-train-step="optimizer=rmsprop" 2>&1 | FileCheck %s --check-prefix=OPT
// RUN: not dlc-opt %s --dl-train-step="loss=hinge" 2>&1 | FileCheck %s --check-prefix=LOSS
// RUN: not dlc-opt %s --dl-train-step="freeze=fc.wieght" 2>&1 | FileCheck %s --check-prefix=FREEZE
// RUN: not dlc-opt %s --dl-train-step="freeze=fc.weight" 2>&1 | FileCheck %s --check-prefix=NONE
// RUN: not dlc-opt %s --dl-train-step="num-data=2" 2>&1 | FileCheck %s --check-prefix=DATA
// RUN: not dlc-opt %s --dl-train-step="entry=nope" 2>&1 | FileCheck %s --check-prefix=ENTRY

// OPT: Cannot find option named 'rmsprop'
// LOSS: Cannot find option named 'hinge'
// FREEZE: error: dl-train-step: --freeze names 'fc.wieght', which is not a float initializer
// NONE: error: dl-train-step: the model has no parameters to train
// DATA: error: dl-train-step: 2 data inputs asked for, the model has 1 inputs
// ENTRY: error: dl-train-step: no function 'nope' to train
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %w = dl.constant dense<0.5> : tensor<3x4xf32> loc("fc.weight")
  %h = dl.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}
