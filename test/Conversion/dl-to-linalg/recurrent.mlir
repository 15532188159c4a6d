// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// The input projections of all steps are one contraction before the loop;
// the loop over time carries h, c and the output being filled, and each step
// does one [B, H] x [H, 4H] matmul. No dl op is left.
// CHECK-LABEL: func.func @lstm(
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]{{.*}} ins(%arg0, %{{.*}} : tensor<7x?x3xf32>, tensor<3x20xf32>)
// CHECK: scf.for %{{.*}} = %c0 to %c7 step %c1 iter_args({{.*}}) -> (tensor<?x5xf32>, tensor<?x5xf32>, tensor<7x?x5xf32>)
// CHECK: tensor.extract_slice %{{.*}}[%{{.*}}, 0, 0] [1, %{{.*}}, 20] [1, 1, 1] : tensor<7x?x20xf32> to tensor<?x20xf32>
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<?x5xf32>, tensor<5x20xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[%{{.*}}, 0, 0] [1, %{{.*}}, 5] [1, 1, 1] : tensor<?x5xf32> into tensor<7x?x5xf32>
// CHECK: scf.yield
// CHECK-NOT: dl.
func.func @lstm(%x: tensor<7x?x3xf32>, %w: tensor<1x20x3xf32>, %r: tensor<1x20x5xf32>, %b: tensor<1x40xf32>)
    -> (tensor<7x1x?x5xf32>, tensor<1x?x5xf32>, tensor<1x?x5xf32>) {
  %y, %yh, %yc = dl.lstm %x, %w, %r bias %b {hidden_size = 5 : i64, activations = ["sigmoid", "tanh", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0>}
    : (tensor<7x?x3xf32>, tensor<1x20x3xf32>, tensor<1x20x5xf32>, tensor<1x40xf32>)
    -> (tensor<7x1x?x5xf32>, tensor<1x?x5xf32>, tensor<1x?x5xf32>)
  return %y, %yh, %yc : tensor<7x1x?x5xf32>, tensor<1x?x5xf32>, tensor<1x?x5xf32>
}

// -----

// Bidirectional with sequence lengths: one loop per direction; steps past a
// sequence's length (i64 compare of the step with the length) keep the
// state; without linear_before_reset the z/r and h recurrent matmuls are
// separate ([H, 2H] and [H, H]).
// CHECK-LABEL: func.func @gru_bidir_lens(
// CHECK: scf.for {{.*}} -> (tensor<2x6xf32>, tensor<4x2x6xf32>)
// CHECK: arith.cmpi slt, %{{.*}}, %{{.*}} : i64
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x6xf32>, tensor<6x12xf32>)
// CHECK: linalg.matmul ins(%{{.*}}, %{{.*}} : tensor<2x6xf32>, tensor<6x6xf32>)
// CHECK: scf.yield
// CHECK: scf.for {{.*}} -> (tensor<2x6xf32>, tensor<4x2x6xf32>)
// CHECK: scf.yield
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, %c1, 0, 0] [4, 1, 2, 6]
// CHECK-NOT: dl.
func.func @gru_bidir_lens(%x: tensor<4x2x3xf32>, %w: tensor<2x18x3xf32>, %r: tensor<2x18x6xf32>, %len: tensor<2xi32>)
    -> (tensor<4x2x2x6xf32>, tensor<2x2x6xf32>) {
  %y, %yh = dl.gru %x, %w, %r sequence_lens %len {hidden_size = 6 : i64, direction = #dl<rnn_direction bidirectional>,
      activations = ["sigmoid", "tanh", "sigmoid", "tanh"],
      activation_alpha = array<f64: 0.0, 0.0, 0.0, 0.0>, activation_beta = array<f64: 0.0, 0.0, 0.0, 0.0>}
    : (tensor<4x2x3xf32>, tensor<2x18x3xf32>, tensor<2x18x6xf32>, tensor<2xi32>) -> (tensor<4x2x2x6xf32>, tensor<2x2x6xf32>)
  return %y, %yh : tensor<4x2x2x6xf32>, tensor<2x2x6xf32>
}
