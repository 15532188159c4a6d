// Shape and data-movement gradient rules: concat, split (one piece unused),
// slice with steps 1, 2, -1 and -2 on two axes, constant pads that grow and
// crop, edge and reflect pads, and tile. Every result is weighted by a
// slice of %w, so a misrouted row shows.
func.func @loss(%x: tensor<4x5xf64>, %y: tensor<4x2xf64>, %w: tensor<8x9xf64>) -> tensor<f64> {
  %cat = dl.concat %x, %y {axis = 1 : i64} : (tensor<4x5xf64>, tensor<4x2xf64>) -> tensor<4x7xf64>
  %p0, %p1, %p2 = dl.split %cat {axis = -1 : i64, sizes = array<i64: 3, 1, 3>} : tensor<4x7xf64> -> tensor<4x3xf64>, tensor<4x1xf64>, tensor<4x3xf64>
  %sp = dl.concat %p2, %p0 {axis = 0 : i64} : (tensor<4x3xf64>, tensor<4x3xf64>) -> tensor<8x3xf64>
  %s0 = dl.slice %x {starts = array<i64: 1, 0>, ends = array<i64: 3, 5>, steps = array<i64: 1, 2>} : tensor<4x5xf64> -> tensor<2x3xf64>
  %s1 = dl.slice %x {starts = array<i64: -1, 4>, ends = array<i64: -100, 0>, axes = array<i64: 0, 1>, steps = array<i64: -1, -2>} : tensor<4x5xf64> -> tensor<4x2xf64>
  %s2 = dl.slice %x {starts = array<i64: 1>, ends = array<i64: 4>, axes = array<i64: 1>} : tensor<4x5xf64> -> tensor<4x3xf64>
  %c0 = dl.pad %x {pads = array<i64: 2, -1, -1, 1>, value = 3.0 : f64} : tensor<4x5xf64> -> tensor<5x5xf64>
  %e0 = dl.pad %y {mode = #dl<pad_mode edge>, pads = array<i64: 2, 1, 1, 2>} : tensor<4x2xf64> -> tensor<7x5xf64>
  %r0 = dl.pad %x {mode = #dl<pad_mode reflect>, pads = array<i64: 2, 1, 1, 3>} : tensor<4x5xf64> -> tensor<7x9xf64>
  %t0 = dl.tile %y {repeats = array<i64: 2, 3>} : tensor<4x2xf64> -> tensor<8x6xf64>

  %w0 = dl.slice %w {starts = array<i64: 0, 0>, ends = array<i64: 8, 3>} : tensor<8x9xf64> -> tensor<8x3xf64>
  %w1 = dl.slice %w {starts = array<i64: 0, 3>, ends = array<i64: 2, 6>} : tensor<8x9xf64> -> tensor<2x3xf64>
  %w2 = dl.slice %w {starts = array<i64: 2, 3>, ends = array<i64: 6, 5>} : tensor<8x9xf64> -> tensor<4x2xf64>
  %w3 = dl.slice %w {starts = array<i64: 0, 0>, ends = array<i64: 5, 5>} : tensor<8x9xf64> -> tensor<5x5xf64>
  %w4 = dl.slice %w {starts = array<i64: 1, 4>, ends = array<i64: 8, 9>} : tensor<8x9xf64> -> tensor<7x5xf64>
  %w5 = dl.slice %w {starts = array<i64: 1, 0>, ends = array<i64: 8, 9>} : tensor<8x9xf64> -> tensor<7x9xf64>
  %w6 = dl.slice %w {starts = array<i64: 0, 2>, ends = array<i64: 8, 8>} : tensor<8x9xf64> -> tensor<8x6xf64>
  %w7 = dl.slice %w {starts = array<i64: 4, 6>, ends = array<i64: 8, 9>} : tensor<8x9xf64> -> tensor<4x3xf64>

  %m0 = dl.mul %sp, %w0 : (tensor<8x3xf64>, tensor<8x3xf64>) -> tensor<8x3xf64>
  %m1 = dl.mul %s0, %w1 : (tensor<2x3xf64>, tensor<2x3xf64>) -> tensor<2x3xf64>
  %m2 = dl.mul %s1, %w2 : (tensor<4x2xf64>, tensor<4x2xf64>) -> tensor<4x2xf64>
  %m3 = dl.mul %c0, %w3 : (tensor<5x5xf64>, tensor<5x5xf64>) -> tensor<5x5xf64>
  %m4 = dl.mul %e0, %w4 : (tensor<7x5xf64>, tensor<7x5xf64>) -> tensor<7x5xf64>
  %m5 = dl.mul %r0, %w5 : (tensor<7x9xf64>, tensor<7x9xf64>) -> tensor<7x9xf64>
  %m6 = dl.mul %t0, %w6 : (tensor<8x6xf64>, tensor<8x6xf64>) -> tensor<8x6xf64>
  %m7 = dl.mul %s2, %w7 : (tensor<4x3xf64>, tensor<4x3xf64>) -> tensor<4x3xf64>
  %q0 = dl.reduce_sum %m0 {keepdims = false} : tensor<8x3xf64> -> tensor<f64>
  %q1 = dl.reduce_sum %m1 {keepdims = false} : tensor<2x3xf64> -> tensor<f64>
  %q2 = dl.reduce_sum %m2 {keepdims = false} : tensor<4x2xf64> -> tensor<f64>
  %q3 = dl.reduce_sum %m3 {keepdims = false} : tensor<5x5xf64> -> tensor<f64>
  %q4 = dl.reduce_sum %m4 {keepdims = false} : tensor<7x5xf64> -> tensor<f64>
  %q5 = dl.reduce_sum %m5 {keepdims = false} : tensor<7x9xf64> -> tensor<f64>
  %q6 = dl.reduce_sum %m6 {keepdims = false} : tensor<8x6xf64> -> tensor<f64>
  %q7 = dl.reduce_sum %m7 {keepdims = false} : tensor<4x3xf64> -> tensor<f64>
  %a0 = dl.add %q0, %q1 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %a1 = dl.add %a0, %q2 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %a2 = dl.add %a1, %q3 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %a3 = dl.add %a2, %q4 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %a4 = dl.add %a3, %q5 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %a5 = dl.add %a4, %q6 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  %loss = dl.add %a5, %q7 : (tensor<f64>, tensor<f64>) -> tensor<f64>
  return %loss : tensor<f64>
}
