// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// dl.matmul follows numpy matmul: the last two dims multiply, the leading
// (batch) dims broadcast, and a 1-D operand is promoted to a matrix and its
// dim dropped from the result.

// CHECK-LABEL: func.func @matmul_2d(
func.func @matmul_2d(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x4xf32> {
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %0 = dl.matmul %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// CHECK-LABEL: func.func @matmul_element_types(
func.func @matmul_element_types(%a: tensor<2x3xf16>, %b: tensor<3x4xf16>,
                                %c: tensor<2x3xbf16>, %d: tensor<3x4xbf16>,
                                %e: tensor<2x3xi32>, %f: tensor<3x4xi32>,
                                %g: tensor<2x3xf64>, %h: tensor<3x4xf64>)
    -> (tensor<2x4xf16>, tensor<2x4xbf16>, tensor<2x4xi32>, tensor<2x4xf64>) {
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16>
  %0 = dl.matmul %a, %b : (tensor<2x3xf16>, tensor<3x4xf16>) -> tensor<2x4xf16>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xbf16>, tensor<3x4xbf16>) -> tensor<2x4xbf16>
  %1 = dl.matmul %c, %d : (tensor<2x3xbf16>, tensor<3x4xbf16>) -> tensor<2x4xbf16>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  %2 = dl.matmul %e, %f : (tensor<2x3xi32>, tensor<3x4xi32>) -> tensor<2x4xi32>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf64>, tensor<3x4xf64>) -> tensor<2x4xf64>
  %3 = dl.matmul %g, %h : (tensor<2x3xf64>, tensor<3x4xf64>) -> tensor<2x4xf64>
  return %0, %1, %2, %3 : tensor<2x4xf16>, tensor<2x4xbf16>, tensor<2x4xi32>, tensor<2x4xf64>
}

// CHECK-LABEL: func.func @matmul_batched(
func.func @matmul_batched(%a: tensor<5x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<5x2x4xf32> {
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  %0 = dl.matmul %a, %b : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
  return %0 : tensor<5x2x4xf32>
}

// CHECK-LABEL: func.func @matmul_broadcast_batch(
func.func @matmul_broadcast_batch(%a: tensor<1x2x3xf32>, %b: tensor<7x3x4xf32>,
                                  %c: tensor<2x3xf32>, %d: tensor<6x1x2x3xf32>,
                                  %e: tensor<5x3x4xf32>)
    -> (tensor<7x2x4xf32>, tensor<7x2x4xf32>, tensor<6x5x2x4xf32>) {
  // A size-1 batch dim stretches.
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<1x2x3xf32>, tensor<7x3x4xf32>) -> tensor<7x2x4xf32>
  %0 = dl.matmul %a, %b : (tensor<1x2x3xf32>, tensor<7x3x4xf32>) -> tensor<7x2x4xf32>
  // A matrix against a batch: the missing batch dims are 1.
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<7x3x4xf32>) -> tensor<7x2x4xf32>
  %1 = dl.matmul %c, %b : (tensor<2x3xf32>, tensor<7x3x4xf32>) -> tensor<7x2x4xf32>
  // Batch dims 6x1 and 5 broadcast to 6x5.
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<6x1x2x3xf32>, tensor<5x3x4xf32>) -> tensor<6x5x2x4xf32>
  %2 = dl.matmul %d, %e : (tensor<6x1x2x3xf32>, tensor<5x3x4xf32>) -> tensor<6x5x2x4xf32>
  return %0, %1, %2 : tensor<7x2x4xf32>, tensor<7x2x4xf32>, tensor<6x5x2x4xf32>
}

// CHECK-LABEL: func.func @matmul_vector(
func.func @matmul_vector(%v: tensor<3xf32>, %m: tensor<3x4xf32>, %n: tensor<2x3xf32>,
                         %b: tensor<5x3x4xf32>, %c: tensor<5x2x3xf32>)
    -> (tensor<4xf32>, tensor<2xf32>, tensor<f32>, tensor<5x4xf32>, tensor<5x2xf32>) {
  // 1-D lhs: a row vector, its dim dropped.
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  %0 = dl.matmul %v, %m : (tensor<3xf32>, tensor<3x4xf32>) -> tensor<4xf32>
  // 1-D rhs: a column vector, its dim dropped.
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  %1 = dl.matmul %n, %v : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2xf32>
  // Both 1-D: the dot product, rank 0.
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  %2 = dl.matmul %v, %v : (tensor<3xf32>, tensor<3xf32>) -> tensor<f32>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<3xf32>, tensor<5x3x4xf32>) -> tensor<5x4xf32>
  %3 = dl.matmul %v, %b : (tensor<3xf32>, tensor<5x3x4xf32>) -> tensor<5x4xf32>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<5x2x3xf32>, tensor<3xf32>) -> tensor<5x2xf32>
  %4 = dl.matmul %c, %v : (tensor<5x2x3xf32>, tensor<3xf32>) -> tensor<5x2xf32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<2xf32>, tensor<f32>, tensor<5x4xf32>, tensor<5x2xf32>
}

// CHECK-LABEL: func.func @matmul_dynamic(
func.func @matmul_dynamic(%a: tensor<?x3xf32>, %b: tensor<3x?xf32>, %c: tensor<2x?xf32>,
                          %d: tensor<?x4xf32>, %e: tensor<?x2x3xf32>, %f: tensor<3x4xf32>,
                          %g: tensor<?x?x?xf32>, %h: tensor<?xf32>)
    -> (tensor<?x?xf32>, tensor<2x4xf32>, tensor<?x2x4xf32>, tensor<?x?x4xf32>, tensor<?x?xf32>) {
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>
  %0 = dl.matmul %a, %b : (tensor<?x3xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>
  // A dynamic inner dim is checked at run time; the outer dims are static.
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<2x?xf32>, tensor<?x4xf32>) -> tensor<2x4xf32>
  %1 = dl.matmul %c, %d : (tensor<2x?xf32>, tensor<?x4xf32>) -> tensor<2x4xf32>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<?x2x3xf32>, tensor<3x4xf32>) -> tensor<?x2x4xf32>
  %2 = dl.matmul %e, %f : (tensor<?x2x3xf32>, tensor<3x4xf32>) -> tensor<?x2x4xf32>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<?x?x?xf32>, tensor<?x4xf32>) -> tensor<?x?x4xf32>
  %3 = dl.matmul %g, %d : (tensor<?x?x?xf32>, tensor<?x4xf32>) -> tensor<?x?x4xf32>
  // CHECK: dl.matmul %{{.*}}, %{{.*}} : (tensor<?x?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  %4 = dl.matmul %g, %h : (tensor<?x?x?xf32>, tensor<?xf32>) -> tensor<?x?xf32>
  return %0, %1, %2, %3, %4 : tensor<?x?xf32>, tensor<2x4xf32>, tensor<?x2x4xf32>, tensor<?x?x4xf32>, tensor<?x?xf32>
}

// dl.gemm: alpha * op(A) * op(B) + beta * C on matrices.

// CHECK-LABEL: func.func @gemm(
func.func @gemm(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %c: tensor<2x4xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>) {
  // No C, default attributes elided.
  // CHECK: dl.gemm %{{[^ ]+}}, %{{[^ ]+}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %0 = dl.gemm %a, %b : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  // CHECK: dl.gemm %{{[^ ]+}}, %{{[^ ]+}}, %{{[^ ]+}} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %1 = dl.gemm %a, %b, %c : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %0, %1 : tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @gemm_attrs(
func.func @gemm_attrs(%at: tensor<3x2xf32>, %bt: tensor<4x3xf32>, %a: tensor<2x3xf32>,
                      %b: tensor<3x4xf32>, %c: tensor<2x4xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  // CHECK: dl.gemm %{{.*}}, %{{.*}} {trans_a = true} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %0 = dl.gemm %at, %b {trans_a = true} : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  // CHECK: dl.gemm %{{.*}}, %{{.*}} {trans_b = true} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  %1 = dl.gemm %a, %bt {trans_b = true} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
  // CHECK: dl.gemm %{{.*}}, %{{.*}}, %{{.*}} {alpha = 5.000000e-01 : f64, beta = 2.000000e+00 : f64, trans_a = true, trans_b = true} : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = dl.gemm %at, %bt, %c {trans_a = true, trans_b = true, alpha = 0.5 : f64, beta = 2.0 : f64}
      : (tensor<3x2xf32>, tensor<4x3xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  // Explicit defaults are elided on print.
  // CHECK: dl.gemm %{{[^ ]+}}, %{{[^ ]+}} : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %3 = dl.gemm %a, %b {trans_a = false, trans_b = false, alpha = 1.0 : f64, beta = 1.0 : f64}
      : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @gemm_c_broadcast(
func.func @gemm_c_broadcast(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>, %row: tensor<4xf32>,
                            %col: tensor<2x1xf32>, %s: tensor<f32>, %one: tensor<1x4xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
  // C broadcasts to the M x N result (numpy rules).
  // CHECK: dl.gemm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %0 = dl.gemm %a, %b, %row : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  // CHECK: dl.gemm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %1 = dl.gemm %a, %b, %col : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  // CHECK: dl.gemm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  %2 = dl.gemm %a, %b, %s : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<f32>) -> tensor<2x4xf32>
  // CHECK: dl.gemm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  %3 = dl.gemm %a, %b, %one : (tensor<2x3xf32>, tensor<3x4xf32>, tensor<1x4xf32>) -> tensor<2x4xf32>
  return %0, %1, %2, %3 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
}

// CHECK-LABEL: func.func @gemm_dynamic(
func.func @gemm_dynamic(%a: tensor<?x3xf16>, %b: tensor<3x?xf16>, %c: tensor<?xf16>,
                        %at: tensor<?x?xi32>, %bi: tensor<?x8xi32>)
    -> (tensor<?x?xf16>, tensor<?x8xi32>) {
  // CHECK: dl.gemm %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x3xf16>, tensor<3x?xf16>, tensor<?xf16>) -> tensor<?x?xf16>
  %0 = dl.gemm %a, %b, %c : (tensor<?x3xf16>, tensor<3x?xf16>, tensor<?xf16>) -> tensor<?x?xf16>
  // CHECK: dl.gemm %{{.*}}, %{{.*}} {trans_a = true} : (tensor<?x?xi32>, tensor<?x8xi32>) -> tensor<?x8xi32>
  %1 = dl.gemm %at, %bi {trans_a = true} : (tensor<?x?xi32>, tensor<?x8xi32>) -> tensor<?x8xi32>
  return %0, %1 : tensor<?x?xf16>, tensor<?x8xi32>
}
