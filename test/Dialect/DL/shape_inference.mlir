// RUN: dlc-opt %s -split-input-file --dl-shape-inference | FileCheck %s
// RUN: dlc-opt %s -split-input-file --dl-shape-inference=refine-function-results=false | FileCheck %s --check-prefix=NOREFINE

// CHECK-LABEL: func.func @broadcast_add(
// CHECK-SAME: -> tensor<2x3xf32>
// CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK: return %{{.*}} : tensor<2x3xf32>

// Without refine-function-results the signature stays, and the IR stays
// valid (the returned value still has the declared type where it is returned).
// NOREFINE-LABEL: func.func @broadcast_add(
// NOREFINE-SAME: -> tensor<?x3xf32>
// NOREFINE: return %{{.*}} : tensor<?x3xf32>
func.func @broadcast_add(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A dynamic dim against a static 0 is 0 (dl takes `?` to equal the other
// dim; numpy would allow 0 or 1, which gives 0 as well).
// CHECK-LABEL: func.func @broadcast_dynamic_zero(
// CHECK: dl.add %{{.*}}, %{{.*}} : (tensor<?x3xf32>, tensor<0x1xf32>) -> tensor<0x3xf32>
func.func @broadcast_dynamic_zero(%a: tensor<?x3xf32>, %b: tensor<0x1xf32>) -> tensor<?x3xf32> {
  %0 = dl.add %a, %b : (tensor<?x3xf32>, tensor<0x1xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Refinement propagates down a chain: each op sees its operands' refined types.
// conv with pads 1: 32; max_pool 3/2 in ceil mode: ceil(29 / 2) + 1 = 16.
// CHECK-LABEL: func.func @cnn_chain(
// CHECK-SAME: -> tensor<1x8xf32>
// CHECK: dl.conv {{.*}} -> tensor<1x8x32x32xf32>
// CHECK: dl.relu {{.*}} : tensor<1x8x32x32xf32>
// CHECK: dl.max_pool {{.*}} : tensor<1x8x32x32xf32> -> tensor<1x8x16x16xf32>
// CHECK: dl.global_avg_pool {{.*}} : tensor<1x8x16x16xf32> -> tensor<1x8x1x1xf32>
// CHECK: dl.flatten {{.*}} : tensor<1x8x1x1xf32> -> tensor<1x8xf32>
// CHECK: return %{{.*}} : tensor<1x8xf32>

// Intermediate values are refined either way.
// NOREFINE-LABEL: func.func @cnn_chain(
// NOREFINE-SAME: -> tensor<?x?xf32>
// NOREFINE: dl.max_pool {{.*}} : tensor<1x8x32x32xf32> -> tensor<1x8x16x16xf32>
// NOREFINE: return %{{.*}} : tensor<?x?xf32>
func.func @cnn_chain(%x: tensor<1x3x32x32xf32>, %w: tensor<8x3x3x3xf32>) -> tensor<?x?xf32> {
  %0 = dl.conv %x, %w {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x3x32x32xf32>, tensor<8x3x3x3xf32>) -> tensor<?x?x?x?xf32>
  %1 = dl.relu %0 : tensor<?x?x?x?xf32>
  %2 = dl.max_pool %1 {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = true} : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %3 = dl.global_avg_pool %2 : tensor<?x?x?x?xf32> -> tensor<?x?x?x?xf32>
  %4 = dl.flatten %3 : tensor<?x?x?x?xf32> -> tensor<?x?xf32>
  return %4 : tensor<?x?xf32>
}

// -----

// Shape ops in a chain: transpose, concat, slice, gather.
// CHECK-LABEL: func.func @shape_chain(
// CHECK-SAME: -> tensor<2x3xf32>
// CHECK: dl.transpose {{.*}} -> tensor<4x2xf32>
// CHECK: dl.concat {{.*}} -> tensor<7x2xf32>
// CHECK: dl.slice {{.*}} -> tensor<3x2xf32>
// CHECK: dl.transpose {{.*}} -> tensor<2x3xf32>
func.func @shape_chain(%x: tensor<2x4xf32>, %y: tensor<3x2xf32>) -> tensor<?x?xf32> {
  %0 = dl.transpose %x {perm = array<i64: 1, 0>} : tensor<2x4xf32> -> tensor<?x?xf32>
  %1 = dl.concat %0, %y {axis = 0 : i64} : (tensor<?x?xf32>, tensor<3x2xf32>) -> tensor<?x?xf32>
  %2 = dl.slice %1 {starts = array<i64: 1>, ends = array<i64: 7>, steps = array<i64: 2>, axes = array<i64: 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  %3 = dl.transpose %2 {perm = array<i64: 1, 0>} : tensor<?x?xf32> -> tensor<?x?xf32>
  return %3 : tensor<?x?xf32>
}

// -----

// A genuinely dynamic dim stays dynamic; the function type is unchanged.
// CHECK-LABEL: func.func @stays_dynamic(
// CHECK-SAME: -> tensor<?x3xf32>
// CHECK: dl.add {{.*}} -> tensor<?x3xf32>
func.func @stays_dynamic(%a: tensor<?x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = dl.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// A declared type more precise than the inferred one is kept, and only the
// dynamic dims are filled in.
// CHECK-LABEL: func.func @keeps_declared(
// CHECK-SAME: -> tensor<4x3xf32>
// CHECK: dl.add {{.*}} : (tensor<?x3xf32>, tensor<?xf32>) -> tensor<4x3xf32>
func.func @keeps_declared(%a: tensor<?x3xf32>, %b: tensor<?xf32>) -> tensor<4x?xf32> {
  %0 = dl.add %a, %b : (tensor<?x3xf32>, tensor<?xf32>) -> tensor<4x?xf32>
  return %0 : tensor<4x?xf32>
}

// -----

// Ops with several results refine each one.
// CHECK-LABEL: func.func @multi_result(
// CHECK-SAME: -> (tensor<3x4xf32>, tensor<7x4xf32>, tensor<3xf32>)
// CHECK: dl.split {{.*}} : tensor<10x4xf32> -> tensor<3x4xf32>, tensor<7x4xf32>
// CHECK: dl.batch_norm_train {{.*}} -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
func.func @multi_result(%x: tensor<10x4xf32>, %y: tensor<2x3xf32>, %s: tensor<3xf32>) -> (tensor<?x4xf32>, tensor<?x?xf32>, tensor<?xf32>) {
  %0:2 = dl.split %x {axis = 0 : i64, sizes = array<i64: 3, 7>} : tensor<10x4xf32> -> tensor<?x4xf32>, tensor<?x?xf32>
  %1:3 = dl.batch_norm_train %y, %s, %s : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x?xf32>, tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1, %1#1 : tensor<?x4xf32>, tensor<?x?xf32>, tensor<?xf32>
}

// -----

// A refined value passed to a non-dl op whose types are fixed (a call to a
// declared function) must keep that op valid.
// CHECK-LABEL: func.func @non_dl_user(
// CHECK: call @consume(%{{.*}}) : (tensor<?x3xf32>) -> ()
// NOREFINE-LABEL: func.func @non_dl_user(
// NOREFINE: call @consume(%{{.*}}) : (tensor<?x3xf32>) -> ()
func.func private @consume(tensor<?x3xf32>)
func.func @non_dl_user(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  call @consume(%0) : (tensor<?x3xf32>) -> ()
  return
}

// -----

// A function that is called keeps its signature, so its call sites stay
// valid: the refined value reaches func.return through a tensor.cast.
// CHECK-LABEL: func.func @callee(
// CHECK-SAME: -> tensor<?x3xf32>
// CHECK: %[[SUM:.*]] = dl.add {{.*}} -> tensor<2x3xf32>
// CHECK: %[[CAST:.*]] = tensor.cast %[[SUM]] : tensor<2x3xf32> to tensor<?x3xf32>
// CHECK: return %[[CAST]]
// CHECK-LABEL: func.func @caller(
// CHECK: call @callee({{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
func.func @callee(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = dl.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}
func.func @caller(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<?x3xf32> {
  %0 = call @callee(%a, %b) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %0 : tensor<?x3xf32>
}

// -----

// Each op's inferred shape, exactly: every result is declared all-dynamic and
// the pass fills in what inference computes.
// CHECK-LABEL: func.func @window_ops_inferred
// CHECK: dl.conv {{.*}} -> tensor<1x4x6x4xf32>
// CHECK: dl.conv {{.*}} -> tensor<1x16x4x6xf32>
// CHECK: dl.conv_transpose {{.*}} -> tensor<1x8x10x10xf32>
// CHECK: dl.conv_transpose {{.*}} -> tensor<1x3x14xf32>
// CHECK: dl.max_pool {{.*}} -> tensor<1x4x3x3xf32>
// CHECK: dl.avg_pool {{.*}} -> tensor<1x4x4x4xf32>
// CHECK: dl.global_max_pool {{.*}} -> tensor<1x4x1x1xf32>
func.func @window_ops_inferred(%x: tensor<1x2x10x10xf32>, %w: tensor<4x2x3x3xf32>,
                               %y: tensor<1x8x5x5xf32>, %gw: tensor<16x2x3x3xf32>,
                               %t: tensor<1x4x5x5xf32>, %tw: tensor<4x8x3x3xf32>,
                               %t1: tensor<1x2x4xf32>, %tw1: tensor<2x3x3xf32>,
                               %p: tensor<1x4x5x5xf32>, %q: tensor<1x4x6x6xf32>) {
  // Dilations [2, 3]: (10 - 5) + 1 = 6, (10 - 7) + 1 = 4.
  %0 = dl.conv %x, %w {dilations = array<i64: 2, 3>} : (tensor<1x2x10x10xf32>, tensor<4x2x3x3xf32>) -> tensor<?x?x?x?xf32>
  // Grouped, asymmetric pads [0, 1, 1, 2]: 5 + 1 - 3 + 1 = 4, 5 + 3 - 3 + 1 = 6.
  %1 = dl.conv %y, %gw {groups = 4 : i64, pads = array<i64: 0, 1, 1, 2>} : (tensor<1x8x5x5xf32>, tensor<16x2x3x3xf32>) -> tensor<?x?x?x?xf32>
  // 2 * 4 + 1 + 2 + 1 - 2 = 10.
  %2 = dl.conv_transpose %t, %tw {strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>} : (tensor<1x4x5x5xf32>, tensor<4x8x3x3xf32>) -> tensor<?x?x?x?xf32>
  // 3 * 3 + 2 * 2 + 1 = 14.
  %3 = dl.conv_transpose %t1, %tw1 {strides = array<i64: 3>, dilations = array<i64: 2>} : (tensor<1x2x4xf32>, tensor<2x3x3xf32>) -> tensor<?x?x?xf32>
  // Ceil mode drops the window that would start in the end padding: 3.
  %4 = dl.max_pool %p {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true} : tensor<1x4x5x5xf32> -> tensor<?x?x?x?xf32>
  // Ceil mode keeps a window that starts inside: ceil(5 / 2) + 1 = 4.
  %5 = dl.avg_pool %q {kernel_shape = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>, ceil_mode = true, count_include_pad = true} : tensor<1x4x6x6xf32> -> tensor<?x?x?x?xf32>
  %6 = dl.global_max_pool %q : tensor<1x4x6x6xf32> -> tensor<?x?x?x?xf32>
  return
}

// -----

// CHECK-LABEL: func.func @shape_ops_inferred
// CHECK: dl.slice {{.*}} -> tensor<3x5xf32>
// CHECK: dl.squeeze {{.*}} -> tensor<10xf32>
// CHECK: dl.unsqueeze {{.*}} -> tensor<1x10x1x20xf32>
// CHECK: dl.flatten {{.*}} -> tensor<10x20xf32>
// CHECK: dl.pad {{.*}} -> tensor<11x19xf32>
// CHECK: dl.tile {{.*}} -> tensor<30x20xf32>
// CHECK: dl.shape_of {{.*}} -> tensor<2xi64>
// CHECK: dl.gather {{.*}} -> tensor<10x2x3xf32>
// CHECK: dl.gather_elements {{.*}} -> tensor<4x20xf32>
// CHECK: dl.one_hot {{.*}} -> tensor<10x7xf32>
// CHECK: dl.resize {{.*}} -> tensor<20x30xf32>
// CHECK: dl.resize {{.*}} -> tensor<5x6xf32>
func.func @shape_ops_inferred(%x: tensor<10x20xf32>, %s: tensor<1x10xf32>, %i: tensor<2x3xi64>,
                              %e: tensor<4x20xi64>, %h: tensor<10xi32>) {
  // Rows 8, 5, 2 (negative step); columns 0, 4, 8, 12, 16.
  %0 = dl.slice %x {starts = array<i64: 8, 0>, ends = array<i64: 1, 100>, steps = array<i64: -3, 4>} : tensor<10x20xf32> -> tensor<?x?xf32>
  %1 = dl.squeeze %s : tensor<1x10xf32> -> tensor<?xf32>
  %2 = dl.unsqueeze %x {axes = array<i64: 0, 2>} : tensor<10x20xf32> -> tensor<?x?x?x?xf32>
  %3 = dl.flatten %x : tensor<10x20xf32> -> tensor<?x?xf32>
  %4 = dl.pad %x {pads = array<i64: 2, -1, -1, 0>} : tensor<10x20xf32> -> tensor<?x?xf32>
  %5 = dl.tile %x {repeats = array<i64: 3, 1>} : tensor<10x20xf32> -> tensor<?x?xf32>
  %6 = dl.shape_of %x : tensor<10x20xf32> -> tensor<?xi64>
  %7 = dl.gather %x, %i {axis = 1 : i64} : (tensor<10x20xf32>, tensor<2x3xi64>) -> tensor<?x?x?xf32>
  %8 = dl.gather_elements %x, %e : (tensor<10x20xf32>, tensor<4x20xi64>) -> tensor<?x?xf32>
  %9 = dl.one_hot %h {depth = 7 : i64, element_type = f32} : tensor<10xi32> -> tensor<?x?xf32>
  %10 = dl.resize %x {scales = array<f64: 2.0, 1.5>} : tensor<10x20xf32> -> tensor<?x?xf32>
  %11 = dl.resize %x {sizes = array<i64: 5, 6>, mode = #dl<resize_mode linear>} : tensor<10x20xf32> -> tensor<?x?xf32>
  return
}
