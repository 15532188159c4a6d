// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// A broadcasting binary op is one linalg.generic; the size-1 / missing dims
// of the smaller operand read index 0 or are dropped.
// CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @add_broadcast
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[ROW]], #[[ID]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<2x3xf32>, tensor<3xf32>) outs(%[[E]] : tensor<2x3xf32>)
// CHECK: arith.addf
// CHECK-NOT: dl.add
func.func @add_broadcast(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Dynamic result dims are read from an operand that has them.
// CHECK-LABEL: func.func @relu_dynamic
// CHECK: %[[D:.*]] = tensor.dim %arg0, %c0
// CHECK: tensor.empty(%[[D]]) : tensor<?x4xf32>
// CHECK: arith.cmpf ugt
// CHECK: arith.select
func.func @relu_dynamic(%a: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %0 = dl.relu %a : tensor<?x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

// A size-1 dim broadcast against a larger one reads index 0.
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @mul_column
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[COL]], #{{.*}}]
// CHECK: arith.muli
func.func @mul_column(%a: tensor<4x5xi32>, %b: tensor<4x1xi32>) -> tensor<4x5xi32> {
  %0 = dl.mul %a, %b : (tensor<4x5xi32>, tensor<4x1xi32>) -> tensor<4x5xi32>
  return %0 : tensor<4x5xi32>
}

// -----

// Comparisons give i1; select and casts are elementwise too.
// CHECK-LABEL: func.func @compare_select_cast
// CHECK: arith.cmpf olt
// CHECK: arith.select
// CHECK: arith.fptosi {{.*}} : f32 to i32
func.func @compare_select_cast(%a: tensor<3xf32>, %b: tensor<3xf32>) -> tensor<3xi32> {
  %c = dl.less %a, %b : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xi1>
  %s = dl.select %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
  %i = dl.cast %s : tensor<3xf32> -> tensor<3xi32>
  return %i : tensor<3xi32>
}

// -----

// Activations with attributes keep them in the scalar code.
// CHECK-LABEL: func.func @activations
// CHECK: arith.constant 2.000000e-01 : f32
// CHECK: math.erf
// CHECK: math.expm1
func.func @activations(%a: tensor<8xf32>) -> tensor<8xf32> {
  %0 = dl.leaky_relu %a {alpha = 0.2 : f64} : tensor<8xf32>
  %1 = dl.gelu %0 : tensor<8xf32>
  %2 = dl.elu %1 : tensor<8xf32>
  return %2 : tensor<8xf32>
}

// -----

// Python-style integer mod fixes the sign of a non-zero remainder.
// CHECK-LABEL: func.func @mod_python
// CHECK: arith.remsi
// CHECK: arith.xori
// CHECK: arith.addi
// CHECK: arith.select
func.func @mod_python(%a: tensor<4xi64>, %b: tensor<4xi64>) -> tensor<4xi64> {
  %0 = dl.mod %a, %b : (tensor<4xi64>, tensor<4xi64>) -> tensor<4xi64>
  return %0 : tensor<4xi64>
}
