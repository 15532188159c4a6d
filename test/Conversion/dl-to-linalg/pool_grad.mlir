// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// max_pool_grad: (a) a generic over (n, c, o..., k...) finds each window's
// first maximum as a row-major kernel index (i64, -1 before any valid
// position): positions outside the input never win, a greater value or an
// equal one at a smaller index does. (b) A gather over (n, c, h..., k...)
// adds g[o] where h = o * stride + k - pad for a whole o in range and the
// window's index is k.
// CHECK-LABEL: func.func @max_pool_grad
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 2, 2]
// CHECK: %[[IDX0:.*]] = linalg.fill ins(%c-1_i64 : i64) {{.*}} -> tensor<?x2x5x5xi64>
// CHECK: %[[AM:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}}, %[[IDX0]] : tensor<?x2x5x5xf32>, tensor<?x2x5x5xi64>)
// CHECK: arith.cmpf ogt
// CHECK: arith.cmpf oeq
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i64
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<?x2x8x8xf32>)
// CHECK: arith.remsi
// CHECK: arith.divsi
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %[[AM]]#1
// CHECK: arith.cmpi eq
// CHECK-NOT: dl.
func.func @max_pool_grad(%x: tensor<?x2x8x8xf32>, %g: tensor<?x2x5x5xf32>) -> tensor<?x2x8x8xf32> {
  %0 = dl.max_pool_grad %x, %g {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : (tensor<?x2x8x8xf32>, tensor<?x2x5x5xf32>) -> tensor<?x2x8x8xf32>
  return %0 : tensor<?x2x8x8xf32>
}

// -----

// avg_pool_grad: one gather dividing by compile-time divisors that count
// the input positions of each window (pads excluded by default): 1 for the
// windows that start in the begin pad, 4 for the others.
// CHECK-LABEL: func.func @avg_pool_grad
// CHECK: %[[C:.*]] = arith.constant dense<{{\[}}[1.000000e+00, 2.000000e+00, 2.000000e+00], [2.000000e+00, 4.000000e+00, 4.000000e+00], [2.000000e+00, 4.000000e+00, 4.000000e+00]]> : tensor<3x3xf32>
// CHECK: linalg.generic
// CHECK: tensor.extract %arg0
// CHECK: tensor.extract %[[C]]
// CHECK: arith.divf
// CHECK-NOT: dl.
func.func @avg_pool_grad(%g: tensor<?x2x3x3xf32>) -> tensor<?x2x5x5xf32> {
  %0 = dl.avg_pool_grad %g {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 0, 0>} : (tensor<?x2x3x3xf32>) -> tensor<?x2x5x5xf32>
  return %0 : tensor<?x2x5x5xf32>
}

// -----

// With count_include_pad the begin pad counts too; the ceil_mode window past
// the end (the third) never counts what lies beyond the input.
// CHECK-LABEL: func.func @avg_pool_grad_include_pad
// CHECK: arith.constant dense<[2.000000e+00, 2.000000e+00, 1.000000e+00]> : tensor<3xf32>
func.func @avg_pool_grad_include_pad(%g: tensor<1x1x3xf32>) -> tensor<1x1x4xf32> {
  %0 = dl.avg_pool_grad %g {kernel_shape = array<i64: 2>, strides = array<i64: 2>, pads = array<i64: 1, 0>, ceil_mode = true, count_include_pad = true} : (tensor<1x1x3xf32>) -> tensor<1x1x4xf32>
  return %0 : tensor<1x1x4xf32>
}
