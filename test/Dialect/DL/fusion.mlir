// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// CHECK-LABEL: func.func @fusion(
func.func @fusion(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  // CHECK: %[[F:.*]]:2 = dl.fusion(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  // CHECK-NEXT: ^bb0(%[[X:.*]]: tensor<2x3xf32>, %[[Y:.*]]: tensor<3xf32>):
  // CHECK-NEXT:   %[[S:.*]] = dl.add %[[X]], %[[Y]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // CHECK-NEXT:   %[[R:.*]] = dl.relu %[[S]] : tensor<2x3xf32>
  // CHECK-NEXT:   %[[C:.*]] = dl.greater %[[R]], %[[Y]] : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  // CHECK-NEXT:   dl.yield %[[R]], %[[C]] : tensor<2x3xf32>, tensor<2x3xi1>
  // CHECK-NEXT: }
  // CHECK: return %[[F]]#0, %[[F]]#1
  %0:2 = dl.fusion (%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> (tensor<2x3xf32>, tensor<2x3xi1>) {
  ^bb0(%x: tensor<2x3xf32>, %y: tensor<3xf32>):
    %s = dl.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %r = dl.relu %s : tensor<2x3xf32>
    %c = dl.greater %r, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
    dl.yield %r, %c : tensor<2x3xf32>, tensor<2x3xi1>
  }
  return %0#0, %0#1 : tensor<2x3xf32>, tensor<2x3xi1>
}

// CHECK-LABEL: func.func @fusion_dynamic(
func.func @fusion_dynamic(%a: tensor<?x?xf16>) -> tensor<?x?xf16> {
  // CHECK: dl.fusion(%{{.*}}) : (tensor<?x?xf16>) -> tensor<?x?xf16> {
  // CHECK: dl.gelu %{{.*}} {approximate = #dl<gelu_approximation tanh>} : tensor<?x?xf16>
  // CHECK: dl.yield %{{.*}} : tensor<?x?xf16>
  %0 = dl.fusion (%a) : (tensor<?x?xf16>) -> tensor<?x?xf16> {
  ^bb0(%x: tensor<?x?xf16>):
    %g = dl.gelu %x {approximate = #dl<gelu_approximation tanh>} : tensor<?x?xf16>
    dl.yield %g : tensor<?x?xf16>
  }
  return %0 : tensor<?x?xf16>
}

// A body may use constants defined inside it, and an input may be yielded
// as is.
// CHECK-LABEL: func.func @fusion_constant_inside(
func.func @fusion_constant_inside(%a: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  // CHECK: dl.fusion
  // CHECK: dl.constant dense<2.000000e+00> : tensor<f32>
  // CHECK: dl.mul
  // CHECK: dl.yield %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>
  %0:2 = dl.fusion (%a) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%x: tensor<4xf32>):
    %two = dl.constant dense<2.0> : tensor<f32>
    %m = dl.mul %x, %two : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    dl.yield %m, %x : tensor<4xf32>, tensor<4xf32>
  }
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// No results: the empty dl.yield is implicit and elided.
// CHECK-LABEL: func.func @fusion_no_results(
func.func @fusion_no_results(%a: tensor<2xi32>) {
  // CHECK: dl.fusion(%{{.*}}) : (tensor<2xi32>) -> () {
  // CHECK-NEXT: ^bb0(%{{.*}}: tensor<2xi32>):
  // CHECK-NEXT: }
  dl.fusion (%a) : (tensor<2xi32>) -> () {
  ^bb0(%x: tensor<2xi32>):
    dl.yield
  }
  return
}
