// RUN: dlc-opt %s --dl-fuse-elementwise="transposes-into-contractions=true" --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dl-fuse-elementwise --split-input-file | FileCheck %s --check-prefix=OFF

// An attention's K transpose ([S, H, D] -> [H, D, S]) read as B of a batch
// matmul: fused into B's indexing map, so the GEMM reads K through its
// strides and no transpose runs. Without the option it stays a generic.
#tin = affine_map<(d0, d1, d2) -> (d2, d0, d1)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#bA = affine_map<(b, m, n, k) -> (b, m, k)>
#bB = affine_map<(b, m, n, k) -> (b, k, n)>
#bC = affine_map<(b, m, n, k) -> (b, m, n)>

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2, d3) -> (d2, d0, d3)>
// CHECK-LABEL: func.func @k_transpose
// CHECK-NOT: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[BT]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x64x32xf32>, tensor<64x4x32xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// OFF-LABEL: func.func @k_transpose
// OFF: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]}
// OFF: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
func.func @k_transpose(%q: tensor<4x64x32xf32>, %k: tensor<64x4x32xf32>) -> tensor<4x64x64xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x32x64xf32>
  %kt = linalg.generic {indexing_maps = [#tin, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%k : tensor<64x4x32xf32>) outs(%e : tensor<4x32x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<4x32x64xf32>
  %e2 = tensor.empty() : tensor<4x64x64xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e2 : tensor<4x64x64xf32>) -> tensor<4x64x64xf32>
  %mm = linalg.generic {indexing_maps = [#bA, #bB, #bC], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %kt : tensor<4x64x32xf32>, tensor<4x32x64xf32>) outs(%fill : tensor<4x64x64xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<4x64x64xf32>
  return %mm : tensor<4x64x64xf32>
}

// -----

// Not fused: a transpose into a contraction whose body is not out + a * b
// (here out + max(a, b)), and a transpose of f64.
#tin = affine_map<(d0, d1) -> (d1, d0)>
#id = affine_map<(d0, d1) -> (d0, d1)>
#mA = affine_map<(d0, d1, d2) -> (d0, d1)>
#mB = affine_map<(d0, d1, d2) -> (d1, d2)>
#mC = affine_map<(d0, d1, d2) -> (d0, d2)>

// CHECK-LABEL: func.func @not_a_product
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
func.func @not_a_product(%x: tensor<16x8xf32>, %w: tensor<16x4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %xt = linalg.generic {indexing_maps = [#tin, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x8xf32>) outs(%e : tensor<8x16xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<8x16xf32>
  %e2 = tensor.empty() : tensor<8x4xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e2 : tensor<8x4xf32>) -> tensor<8x4xf32>
  %mm = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%xt, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%fill : tensor<8x4xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.maximumf %a, %b : f32
    %s = arith.addf %o, %p : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  return %mm : tensor<8x4xf32>
}

// CHECK-LABEL: func.func @f64_transpose
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]}
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
func.func @f64_transpose(%x: tensor<16x8xf64>, %w: tensor<16x4xf64>) -> tensor<8x4xf64> {
  %zero = arith.constant 0.0 : f64
  %e = tensor.empty() : tensor<8x16xf64>
  %xt = linalg.generic {indexing_maps = [#tin, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<16x8xf64>) outs(%e : tensor<8x16xf64>) {
  ^bb0(%a: f64, %o: f64):
    linalg.yield %a : f64
  } -> tensor<8x16xf64>
  %e2 = tensor.empty() : tensor<8x4xf64>
  %fill = linalg.fill ins(%zero : f64) outs(%e2 : tensor<8x4xf64>) -> tensor<8x4xf64>
  %mm = linalg.generic {indexing_maps = [#mA, #mB, #mC], iterator_types = ["parallel", "reduction", "parallel"]}
      ins(%xt, %w : tensor<8x16xf64>, tensor<16x4xf64>) outs(%fill : tensor<8x4xf64>) {
  ^bb0(%a: f64, %b: f64, %o: f64):
    %p = arith.mulf %a, %b : f64
    %s = arith.addf %o, %p : f64
    linalg.yield %s : f64
  } -> tensor<8x4xf64>
  return %mm : tensor<8x4xf64>
}

// -----

// The transpose of a batch matmul's result ([H, S, D] -> [S, H, D], heads
// merged back) becomes the matmul's output map, accumulated into a zero
// fill of the transpose's destination: one contraction, no transpose.
#bA = affine_map<(b, m, n, k) -> (b, m, k)>
#bB = affine_map<(b, m, n, k) -> (b, k, n)>
#bC = affine_map<(b, m, n, k) -> (b, m, n)>
#tin = affine_map<(d0, d1, d2) -> (d1, d0, d2)>
#id3 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>

// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d0, d2)>
// CHECK-LABEL: func.func @output_transpose
// CHECK: %[[E:.*]] = tensor.empty() : tensor<64x4x32xf32>
// CHECK: %[[F:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[E]] : tensor<64x4x32xf32>)
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%arg0, %arg1 : tensor<4x64x64xf32>, tensor<4x64x32xf32>) outs(%[[F]] : tensor<64x4x32xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[P]]
// OFF-LABEL: func.func @output_transpose
// OFF: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// OFF: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]}
func.func @output_transpose(%p: tensor<4x64x64xf32>, %v: tensor<4x64x32xf32>) -> tensor<64x4x32xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64x32xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64x32xf32>) -> tensor<4x64x32xf32>
  %mm = linalg.generic {indexing_maps = [#bA, #bB, #bC], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<4x64x64xf32>, tensor<4x64x32xf32>) outs(%fill : tensor<4x64x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x64x32xf32>
  %e2 = tensor.empty() : tensor<64x4x32xf32>
  %t = linalg.generic {indexing_maps = [#tin, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%mm : tensor<4x64x32xf32>) outs(%e2 : tensor<64x4x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<64x4x32xf32>
  return %t : tensor<64x4x32xf32>
}

// A product with a second user keeps its own transpose.
// CHECK-LABEL: func.func @output_transpose_two_users
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel"]}
func.func @output_transpose_two_users(%p: tensor<4x64x64xf32>, %v: tensor<4x64x32xf32>) -> (tensor<64x4x32xf32>, tensor<4x64x32xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x64x32xf32>
  %fill = linalg.fill ins(%zero : f32) outs(%e : tensor<4x64x32xf32>) -> tensor<4x64x32xf32>
  %mm = linalg.generic {indexing_maps = [#bA, #bB, #bC], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%p, %v : tensor<4x64x64xf32>, tensor<4x64x32xf32>) outs(%fill : tensor<4x64x32xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %o, %m : f32
    linalg.yield %s : f32
  } -> tensor<4x64x32xf32>
  %e2 = tensor.empty() : tensor<64x4x32xf32>
  %t = linalg.generic {indexing_maps = [#tin, #id3], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%mm : tensor<4x64x32xf32>) outs(%e2 : tensor<64x4x32xf32>) {
  ^bb0(%a: f32, %o: f32):
    linalg.yield %a : f32
  } -> tensor<64x4x32xf32>
  return %t, %mm : tensor<64x4x32xf32>, tensor<4x64x32xf32>
}
