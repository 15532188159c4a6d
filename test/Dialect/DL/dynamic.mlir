// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// RUN: dlc-opt %s --dl-shape-inference | FileCheck %s --check-prefix=INFER

// The ops whose axes, bounds, sizes, repeats, pads or k are run-time
// tensors (DLDynamicOps.td) round-trip; dl.dynamic_split and dl.topk infer
// their result types (a constant k gives a static dim).

// CHECK-LABEL: func.func @slice
// CHECK: dl.dynamic_slice %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x5xf32>
func.func @slice(%x: tensor<20x10x5xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>, %st: tensor<2xi64>) -> tensor<?x?x5xf32> {
  %a = dl.constant dense<[0, 1]> : tensor<2xi64>
  %0 = dl.dynamic_slice %x, %s, %e, %a, %st : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x5xf32>
  return %0 : tensor<?x?x5xf32>
}

// CHECK-LABEL: func.func @split
// CHECK: dl.dynamic_split %{{[^ ]*}}, %{{[^ ]*}} {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x?xf32>)
func.func @split(%x: tensor<2x6xf32>, %n: tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x?xf32>) {
  %0:2 = dl.dynamic_split %x, %n {axis = 1 : i64} : (tensor<2x6xf32>, tensor<2xi64>) -> (tensor<2x?xf32>, tensor<2x?xf32>)
  return %0#0, %0#1 : tensor<2x?xf32>, tensor<2x?xf32>
}

// CHECK-LABEL: func.func @squeeze_unsqueeze
// CHECK: dl.dynamic_squeeze %{{[^ ]*}}, %{{[^ ]*}} : (tensor<1x3x1xf32>, tensor<2xi64>) -> tensor<?xf32>
// CHECK: dl.dynamic_unsqueeze %{{[^ ]*}}, %{{[^ ]*}} : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x?x?xf32>
func.func @squeeze_unsqueeze(%x: tensor<1x3x1xf32>, %a: tensor<2xi64>) -> tensor<?x?x?xf32> {
  %0 = dl.dynamic_squeeze %x, %a : (tensor<1x3x1xf32>, tensor<2xi64>) -> tensor<?xf32>
  %1 = dl.dynamic_unsqueeze %0, %a : (tensor<?xf32>, tensor<2xi64>) -> tensor<?x?x?xf32>
  return %1 : tensor<?x?x?xf32>
}

// CHECK-LABEL: func.func @reduce
// CHECK: dl.dynamic_reduce %{{[^ ]*}}, %{{[^ ]*}} {kind = "sum"} : (tensor<3x1x2xf32>, tensor<1xi64>) -> tensor<?x1x?xf32>
// CHECK: dl.dynamic_reduce %{{[^ ]*}}, %{{[^ ]*}} {keepdims = false, kind = "max"} : (tensor<3x1x2xf32>, tensor<1xi64>) -> tensor<?x?xf32>
func.func @reduce(%x: tensor<3x1x2xf32>, %a: tensor<1xi64>) -> (tensor<?x1x?xf32>, tensor<?x?xf32>) {
  %0 = dl.dynamic_reduce %x, %a {kind = "sum"} : (tensor<3x1x2xf32>, tensor<1xi64>) -> tensor<?x1x?xf32>
  %1 = dl.dynamic_reduce %x, %a {kind = "max", keepdims = false} : (tensor<3x1x2xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0, %1 : tensor<?x1x?xf32>, tensor<?x?xf32>
}

// CHECK-LABEL: func.func @tile_pad
// CHECK: dl.dynamic_tile %{{[^ ]*}}, %{{[^ ]*}} : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK: dl.dynamic_pad %{{[^ ]*}}, %{{[^ ]*}}, %{{[^ ]*}} {mode = #dl<pad_mode reflect>} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
func.func @tile_pad(%x: tensor<2x3xf32>, %r: tensor<2xi64>, %p: tensor<4xi64>, %v: tensor<f32>) -> (tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = dl.dynamic_tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %1 = dl.dynamic_pad %x, %p, %v {mode = #dl<pad_mode reflect>} : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
  return %0, %1 : tensor<?x?xf32>, tensor<?x?xf32>
}

// INFER-LABEL: func.func @topk
// INFER: dl.topk %{{[^ ]*}}, %{{[^ ]*}} {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
// INFER: dl.topk %{{[^ ]*}}, %{{[^ ]*}} {largest = false} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
func.func @topk(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>, tensor<3x2xf32>) {
  %0:2 = dl.topk %x, %k {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  %two = dl.constant dense<2> : tensor<1xi64>
  %1:2 = dl.topk %x, %two {largest = false} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x2xf32>, tensor<3x2xi64>)
  return %0#0, %0#1, %1#0 : tensor<3x?xf32>, tensor<3x?xi64>, tensor<3x2xf32>
}
