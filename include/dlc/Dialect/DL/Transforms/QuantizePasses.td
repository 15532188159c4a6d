//===- QuantizePasses.td - dl-quantize --------------------*- tablegen -*-===//
//
// dl-quantize, in a file of its own so that its options change nothing that
// includes Passes.h (the driver reads its candidate list too, see
// QuantizePasses.h).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_QUANTIZEPASSES_TD
#define DLC_DIALECT_DL_TRANSFORMS_QUANTIZEPASSES_TD

include "mlir/Pass/PassBase.td"

def DLQuantize : Pass<"dl-quantize", "::mlir::ModuleOp"> {
  let summary = "Quantize float contractions to INT8 (static or dynamic)";
  let description = [{
    Rewrites dl.conv, dl.gemm and dl.matmul with constant weights (and their
    epilogues: a constant bias add after a 2-D matmul, then a dl.relu or
    dl.clip that is the contraction's only user) to 8-bit arithmetic.
    Weights become symmetric int8 per output channel (scale max|w| / 127);
    activations uint8 with a zero point.

    mode=static: the ranges come from calibration, as attributes the driver
    puts on each contraction: `dl.input_range = array<f64: lo, hi>` (its
    activation input) and `dl.output_range` (its result after the epilogue).
    With both, the contraction is written in ONNX Runtime's QDQ form
    (dl.quantize/dl.dequantize of input, weights, int32 bias and output),
    which dl-rewrite-qdq then runs as dl.conv_integer / dl.matmul_integer
    and dl.requantize (the ReLU/Clip as its clamp). Without an output range
    (e.g. the layer gives a model output), the integer contraction's i32
    result is dequantized (x_scale * w_scale per channel) and the epilogue
    stays float. A contraction without an input range stays float.

    mode=dynamic: dl.matmul and dl.gemm only; the activation's scale and
    zero point are computed from its min and max when the model runs (as
    ONNX DynamicQuantizeLinear), the product is dl.matmul_integer, and its
    result is dequantized with x_scale * w_scale; bias and epilogue stay
    float.

    `exclude` names ONNX nodes (the contraction's node) to keep in float.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"static\"",
           "static (calibrated ranges) or dynamic (ranges at run time)">,
    ListOption<"exclude", "exclude", "std::string",
               "ONNX node names of contractions to leave in float">,
  ];
  let statistics = [
    Statistic<"numQuantized", "num-quantized", "Contractions quantized">,
  ];
}

#endif // DLC_DIALECT_DL_TRANSFORMS_QUANTIZEPASSES_TD
