// RUN: dlc-opt %s --split-input-file --dl-to-linalg="im2col-bytes=8192" | FileCheck %s
// RUN: dlc-opt %s --split-input-file --dl-to-linalg | FileCheck %s --check-prefix=WHOLE

// A 3x3 conv whose im2col matrix (27 x 1024 floats, 110592 bytes) is over
// the budget. An output row is 64 columns of 6912 bytes: one row fits 8192
// bytes but is narrower than 256 columns, so a chunk is 4 rows (the
// smallest divisor of 16 that gives 256 columns), 4 steps. Each step copies
// the 6 padded input rows it reads (4 * stride 1 + 3 - 1), builds a
// [1, 27, 256] matrix and accumulates into columns [i * 256, + 256) of the
// result (zero-filled once, before the loop) in place.
// CHECK-LABEL: func.func @chunked
// CHECK-DAG: %[[C4:.*]] = arith.constant 4 : index
// CHECK: %[[PAD:.*]] = tensor.pad
// CHECK: %[[EMPTY:.*]] = tensor.empty() : tensor<1x8x1024xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%[[EMPTY]] : tensor<1x8x1024xf32>)
// CHECK: %[[LOOP:.*]] = scf.for %[[I:.*]] = %{{.*}} to %[[C4]] step %{{.*}} iter_args(%[[ACC:.*]] = %[[INIT]]) -> (tensor<1x8x1024xf32>)
// CHECK: %[[ROW:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK: %[[X:.*]] = tensor.extract_slice %[[PAD]][0, 0, %[[ROW]], 0] [1, 3, 6, 66] [1, 1, 1, 1]
// CHECK: %[[COLS:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<1x3x6x66xf32>) outs(%{{.*}} : tensor<1x3x3x3x4x64xf32>)
// CHECK: %[[M:.*]] = tensor.collapse_shape %[[COLS]] {{.*}} into tensor<1x27x256xf32>
// CHECK: %[[COL:.*]] = arith.muli %[[I]], %{{.*}} : index
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[ACC]][0, 0, %[[COL]]] [1, 8, 256] [1, 1, 1]
// CHECK-NOT: linalg.fill
// CHECK: %[[PROD:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[M]] : tensor<8x27xf32>, tensor<1x27x256xf32>) outs(%[[SLICE]] : tensor<1x8x256xf32>)
// CHECK: %[[NEXT:.*]] = tensor.insert_slice %[[PROD]] into %[[ACC]][0, 0, %[[COL]]] [1, 8, 256] [1, 1, 1]
// CHECK: scf.yield %[[NEXT]]
// CHECK: tensor.expand_shape %[[LOOP]] {{.*}} into tensor<1x8x16x64xf32>
// WHOLE-LABEL: func.func @chunked
// WHOLE-NOT: scf.for
// WHOLE: tensor<1x3x3x3x16x64xf32>
// WHOLE-NOT: scf.for
func.func @chunked(%x: tensor<1x3x16x64xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<1x8x16x64xf32> {
  %y = dl.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x16x64xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x16x64xf32>
  return %y : tensor<1x8x16x64xf32>
}

// -----

// Strided and dilated, batch 2: 7 output rows (a prime) of 64 x 259
// floats (66304 bytes per sample), none fitting: one row per chunk (259
// columns), reading 4 input rows ((1 - 1) * 2 + (2 - 1) * 3 + 1) from row
// 2 * i.
// CHECK-LABEL: func.func @strided
// CHECK-DAG: %[[C7:.*]] = arith.constant 7 : index
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %[[C7]] step
// CHECK: tensor.extract_slice %{{.*}}[0, 0, %{{.*}}, 0] [2, 16, 4, 520] [1, 1, 1, 1]
// CHECK: outs(%{{.*}} : tensor<2x16x2x2x1x259xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, %{{.*}}] [2, 4, 259] [1, 1, 1]
func.func @strided(%x: tensor<2x16x16x520xf32>, %w: tensor<4x16x2x2xf32>) -> tensor<2x4x7x259xf32> {
  %y = dl.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 3, 3>} : (tensor<2x16x16x520xf32>, tensor<4x16x2x2xf32>) -> tensor<2x4x7x259xf32>
  return %y : tensor<2x4x7x259xf32>
}

// -----

// A pointwise conv needs no im2col matrix: no chunks, whatever the budget.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT: scf.for
// CHECK: tensor.collapse_shape
// CHECK-NOT: scf.for
func.func @pointwise(%x: tensor<1x64x32x32xf32>, %w: tensor<64x64x1x1xf32>) -> tensor<1x64x32x32xf32> {
  %y = dl.conv %x, %w : (tensor<1x64x32x32xf32>, tensor<64x64x1x1xf32>) -> tensor<1x64x32x32xf32>
  return %y : tensor<1x64x32x32xf32>
}
