// RUN: dlc-opt %s --dlc-train="prefix=m optimizer=momentum loss=mse" | FileCheck %s

// What dlc --train runs on the imported model: the train step, then the
// dlc-simplify cleanup (the step's constants folded, shapes refined).
// CHECK-DAG: func.func @m_train_init() -> (tensor<3x4xf32> {dl.name = "fc.weight"}
// CHECK-DAG: func.func @m_train_step(
// CHECK-DAG: func.func @m_forward(
// CHECK-NOT: func.func @main
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x4xf32> {
  %w = dl.constant dense<0.5> : tensor<3x4xf32> loc("fc.weight")
  %h = dl.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %h : tensor<2x4xf32>
}
