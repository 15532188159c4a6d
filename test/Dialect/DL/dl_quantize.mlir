// RUN: dlc-opt %s --split-input-file --dlc-quantize="mode=static" | FileCheck %s --check-prefix=STATIC
// RUN: dlc-opt %s --split-input-file --dlc-quantize="mode=static" --dl-rewrite-qdq | FileCheck %s --check-prefix=INT
// RUN: dlc-opt %s --split-input-file --dlc-quantize="mode=dynamic" | FileCheck %s --check-prefix=DYN
// RUN: dlc-opt %s --split-input-file --dlc-quantize="mode=static exclude=conv1" | FileCheck %s --check-prefix=EXCL
// RUN: not dlc-opt %s --split-input-file --dlc-quantize="mode=fast" 2>&1 | FileCheck %s --check-prefix=BAD

// A conv + ReLU with calibrated input and output ranges, then a matmul +
// bias whose result is the model's output (no output range).
//
// Static: the conv in QDQ form: uint8 input over [-1, 1] (scale 2/255, zero
// point 128), symmetric int8 weights per output channel (max |w| / 127:
// 1/127 and 0.25/127), the bias in int32 at x_scale * w_scale, the output
// over [0, 2] (zero point 0). The matmul + bias: an integer matmul on the
// quantized input, the bias added in int32 (127 / 0.0078431 / 0.0039370 =
// 32385 for 1.0), the sum dequantized with x_scale * w_scale.
// STATIC-LABEL: func.func @main(
// STATIC-DAG: %[[B2:.*]] = dl.constant dense<[32385, 64770, 97155]> : tensor<3xi32>
// STATIC-DAG: %[[W2:.*]] = dl.constant dense<127> : tensor<32x3xi8>
// STATIC-DAG: %[[B:.*]] = dl.constant dense<[1619, -12954]> : tensor<2xi32>
// STATIC-DAG: %[[W:.*]] = dl.constant dense<{{\[\[\[\[}}64]], {{\[\[}}-127]]], {{\[\[\[}}127]], {{\[\[}}64]]]]> : tensor<2x2x1x1xi8>
// STATIC: %[[XQ:.*]] = dl.quantize %arg0 {is_unsigned = true, scale = array<f64: 0.0078431372549019607>, zero_point = array<i64: 128>}
// STATIC: %[[XD:.*]] = dl.dequantize %[[XQ]] {is_unsigned = true, scale = array<f64: 0.0078431372549019607>, zero_point = array<i64: 128>}
// STATIC: %[[WD:.*]] = dl.dequantize %[[W]] {axis = 0 : i64, scale = array<f64: 0.0078740157480314959, 0.001968503937007874>, zero_point = array<i64: 0, 0>}
// STATIC: %[[BD:.*]] = dl.dequantize %[[B]] {axis = 0 : i64, scale = array<f64: 6.1756986259070556E-5, 1.5439246564767639E-5>, zero_point = array<i64: 0, 0>} : tensor<2xi32> -> tensor<2xf32>
// STATIC: %[[C:.*]] = dl.conv %[[XD]], %[[WD]], %[[BD]]
// STATIC: %[[R:.*]] = dl.relu %[[C]]
// STATIC: %[[RQ:.*]] = dl.quantize %[[R]] {is_unsigned = true, scale = array<f64: 0.0078431372549019607>, zero_point = array<i64: 0>}
// STATIC: dl.dequantize %[[RQ]]
// STATIC: %[[MQ:.*]] = dl.quantize %{{.*}} {is_unsigned = true
// STATIC: %[[ACC:.*]] = dl.matmul_integer %[[MQ]], %[[W2]], %{{.*}}, %{{.*}} {lhs_unsigned = true}
// STATIC: %[[SUM:.*]] = dl.add %[[ACC]], %[[B2]]
// STATIC: %[[F:.*]] = dl.cast %[[SUM]] : tensor<1x3xi32> -> tensor<1x3xf32>
// STATIC: %[[Y:.*]] = dl.mul %[[F]], %{{.*}}
// STATIC: return %[[Y]]
// STATIC-NOT: dl.input_range
// STATIC-NOT: dl.output_range
//
// Through dl-rewrite-qdq the conv is an integer conv whose requantize has
// the ReLU as its clamp; nothing is left in float.
// INT-LABEL: func.func @main(
// INT: %[[XQ:.*]] = dl.quantize %arg0
// INT: %[[ACC:.*]] = dl.conv_integer %[[XQ]], {{.*}} {input_unsigned = true}
// INT: dl.requantize %[[ACC]] bias %{{.*}} : tensor<2xi32> scale %{{.*}} zero_point %{{.*}} {axis = 1 : i64, clamp_min = 0 : i64, is_unsigned = true}
// INT: dl.matmul_integer
// INT-NOT: dl.conv %
// INT-NOT: dl.relu
// INT-NOT: dl.matmul %
//
// Dynamic: the conv stays float; the matmul's input is quantized by its own
// min and max when the model runs (a tiny scale, not 0, when all zero), the
// product is integer, the bias is added in float.
// DYN-LABEL: func.func @main(
// DYN: dl.conv %arg0
// DYN: %[[HI:.*]] = dl.reduce_max %[[IN:.*]] {keepdims = false}
// DYN: %[[LO:.*]] = dl.reduce_min %[[IN]] {keepdims = false}
// DYN: %[[DIV:.*]] = dl.div %{{.*}}, %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// DYN: %[[SCALE:.*]] = dl.max %[[DIV]], %{{.*}} : (tensor<f32>, tensor<f32>) -> tensor<f32>
// DYN: %[[Q:.*]] = dl.cast %{{.*}} {result_unsigned = true} : tensor<1x32xf32> -> tensor<1x32xi8>
// DYN: %[[ZP:.*]] = dl.cast %{{.*}} {result_unsigned = true} : tensor<f32> -> tensor<i8>
// DYN: %[[ACC:.*]] = dl.matmul_integer %[[Q]], %{{.*}}, %[[ZP]], %{{.*}} {lhs_unsigned = true}
// DYN: %[[F:.*]] = dl.cast %[[ACC]] : tensor<1x3xi32> -> tensor<1x3xf32>
// DYN: %[[S:.*]] = dl.mul %[[SCALE]], %{{.*}} : (tensor<f32>, tensor<3xf32>) -> tensor<3xf32>
// DYN: %[[Y:.*]] = dl.mul %[[F]], %[[S]]
// DYN: dl.add %[[Y]], %{{.*}} : (tensor<1x3xf32>, tensor<3xf32>)
//
// Excluded by its node name, the conv stays float; the matmul is quantized.
// EXCL-LABEL: func.func @main(
// EXCL: dl.conv %arg0
// EXCL: dl.matmul_integer
//
// BAD: dl-quantize: mode must be static or dynamic, got 'fast'
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x3xf32> {
  %w = dl.constant dense<[[[[0.5]], [[-1.0]]], [[[0.25]], [[0.125]]]]> : tensor<2x2x1x1xf32>
  %b = dl.constant dense<[0.1, -0.2]> : tensor<2xf32>
  %c = dl.conv %x, %w, %b {dl.input_range = array<f64: -1.0, 1.0>, dl.output_range = array<f64: 0.0, 2.0>} : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("conv1"("Conv"))
  %r = dl.relu %c : tensor<1x2x4x4xf32>
  %f = dl.reshape %r : (tensor<1x2x4x4xf32>) -> tensor<1x32xf32>
  %w2 = dl.constant dense<0.5> : tensor<32x3xf32>
  %m = dl.matmul %f, %w2 {dl.input_range = array<f64: 0.0, 2.0>} : (tensor<1x32xf32>, tensor<32x3xf32>) -> tensor<1x3xf32> loc("fc"("MatMul"))
  %b2 = dl.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = dl.add %m, %b2 : (tensor<1x3xf32>, tensor<3xf32>) -> tensor<1x3xf32>
  return %y : tensor<1x3xf32>
}

// -----

// A gemm (transB, a Linear layer) whose output feeds another layer: QDQ
// form with the weight quantized along its rows (axis 0) and the bias in
// int32; a gemm without ranges stays float in static mode.
// STATIC-LABEL: func.func @gemm(
// STATIC: %[[WD:.*]] = dl.dequantize %{{.*}} {axis = 0 : i64, scale = array<f64: 0.015748031496062992, 0.031496062992125984>
// STATIC: dl.gemm %{{.*}}, %[[WD]], %{{.*}} {trans_b = true}
// STATIC: dl.quantize %{{.*}} {is_unsigned = true, scale = array<f64: 0.011764705882352941>, zero_point = array<i64: 85>}
// STATIC: dl.gemm %{{.*}}, %{{.*}} {trans_b = true} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
// DYN-LABEL: func.func @gemm(
// DYN-COUNT-2: dl.matmul_integer
func.func @gemm(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %w = dl.constant dense<[[1.0, 2.0, 0.0, -1.0], [4.0, 0.0, 0.0, 0.0]]> : tensor<2x4xf32>
  %b = dl.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %g = dl.gemm %x, %w, %b {trans_b = true, dl.input_range = array<f64: -3.0, 3.0>, dl.output_range = array<f64: -1.0, 2.0>} : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  %w2 = dl.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %g2 = dl.gemm %g, %w2 {trans_b = true} : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %g2 : tensor<2x2xf32>
}
