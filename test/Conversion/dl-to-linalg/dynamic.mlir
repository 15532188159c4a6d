// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s

// The ops with run-time axes, bounds, sizes, repeats, pads and k read them
// as scalars, check them (cf.assert: an error status naming the node), and
// compute the result dims and indices from them.

// Slice: per listed axis, range and step checks, then the bounds clamped as
// ONNX does; one generic reads input[start + i * step].
// CHECK-LABEL: func.func @slice
// CHECK: cf.assert %{{.*}}, "slice axis out of range of the rank"
// CHECK: cf.assert %{{.*}}, "slice step is 0"
// CHECK: arith.ceildivsi
// CHECK: cf.assert %{{.*}}, "slice axes repeat"
// CHECK: cf.assert %{{.*}}, "the result would have more than 2^40 elements"
// CHECK: tensor.empty({{.*}}) : tensor<?x?x?xf32>
// CHECK: linalg.generic
// CHECK: arith.muli
// CHECK: tensor.extract %arg0
func.func @slice(%x: tensor<20x10x5xf32>, %s: tensor<2xi64>, %e: tensor<2xi64>, %a: tensor<2xi64>, %st: tensor<2xi64>) -> tensor<?x?x?xf32> {
  %0 = dl.dynamic_slice %x, %s, %e, %a, %st : (tensor<20x10x5xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?x?xf32>
  return %0 : tensor<?x?x?xf32>
}

// -----

// CHECK-LABEL: func.func @split
// CHECK: cf.assert %{{.*}}, "split size is negative"
// CHECK: cf.assert %{{.*}}, "split sizes do not add up to the dim"
// CHECK: tensor.extract_slice %arg0
// CHECK: tensor.extract_slice %arg0
func.func @split(%x: tensor<6xf32>, %n: tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>) {
  %0:2 = dl.dynamic_split %x, %n {axis = 0 : i64} : (tensor<6xf32>, tensor<2xi64>) -> (tensor<?xf32>, tensor<?xf32>)
  return %0#0, %0#1 : tensor<?xf32>, tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @squeeze
// CHECK: cf.assert %{{.*}}, "squeeze axis out of range of the rank"
// CHECK: cf.assert %{{.*}}, "squeeze axes repeat"
// CHECK: cf.assert %{{.*}}, "squeezed dim is not 1"
// CHECK: tensor.reshape %arg0
func.func @squeeze(%x: tensor<1x3x1xf32>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  %0 = dl.dynamic_squeeze %x, %a : (tensor<1x3x1xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// CHECK-LABEL: func.func @unsqueeze
// CHECK: cf.assert %{{.*}}, "unsqueeze axis out of range of the rank"
// CHECK: cf.assert %{{.*}}, "unsqueeze axes repeat"
// CHECK: tensor.reshape %arg0
func.func @unsqueeze(%x: tensor<3xf32>, %a: tensor<1xi64>) -> tensor<?x?xf32> {
  %0 = dl.dynamic_unsqueeze %x, %a : (tensor<3xf32>, tensor<1xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Reduce: each dim in turn, reduced to 1 under an scf.if when listed; the
// mean divides by the reduced count; keepdims = false drops the listed dims.
// CHECK-LABEL: func.func @reduce
// CHECK: cf.assert %{{.*}}, "reduce axis out of range of the rank"
// CHECK: scf.if
// CHECK: linalg.generic {{.*}}iterator_types = ["reduction", "parallel"]
// CHECK: scf.if
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: arith.divf
// CHECK: tensor.reshape
func.func @reduce(%x: tensor<3x2xf32>, %a: tensor<1xi64>) -> tensor<?xf32> {
  %0 = dl.dynamic_reduce %x, %a {kind = "mean", keepdims = false} : (tensor<3x2xf32>, tensor<1xi64>) -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

// CHECK-LABEL: func.func @tile
// CHECK: cf.assert %{{.*}}, "tile repeats are negative"
// CHECK: linalg.generic
// CHECK: arith.remui
// CHECK: tensor.extract %arg0
func.func @tile(%x: tensor<2x3xf32>, %r: tensor<2xi64>) -> tensor<?x?xf32> {
  %0 = dl.dynamic_tile %x, %r : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// Constant pad: positions outside the input take the value; the input is
// read only inside (an empty input has nothing to read).
// CHECK-LABEL: func.func @pad
// CHECK: cf.assert %{{.*}}, "pads crop more than the dim has"
// CHECK: tensor.extract %arg2
// CHECK: linalg.generic
// CHECK: scf.if
// CHECK: tensor.extract %arg0
func.func @pad(%x: tensor<2x3xf32>, %p: tensor<4xi64>, %v: tensor<f32>) -> tensor<?x?xf32> {
  %0 = dl.dynamic_pad %x, %p, %v : (tensor<2x3xf32>, tensor<4xi64>, tensor<f32>) -> tensor<?x?xf32>
  return %0 : tensor<?x?xf32>
}

// -----

// TopK: k checked, then k passes, each a reduction over the axis picking the
// next element after the previous pick, inserted at column p.
// CHECK-LABEL: func.func @topk
// CHECK: cf.assert %{{.*}}, "topk k is outside [0, the axis' size]"
// CHECK: scf.for
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction"]
// CHECK: tensor.insert_slice
// CHECK: tensor.insert_slice
// CHECK: scf.yield
func.func @topk(%x: tensor<3x4xf32>, %k: tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>) {
  %0:2 = dl.topk %x, %k {axis = 1 : i64} : (tensor<3x4xf32>, tensor<1xi64>) -> (tensor<3x?xf32>, tensor<3x?xi64>)
  return %0#0, %0#1 : tensor<3x?xf32>, tensor<3x?xi64>
}
