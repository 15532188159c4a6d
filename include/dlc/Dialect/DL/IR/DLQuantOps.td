//===- DLQuantOps.td - dl integer (quantized) kernels ------*- tablegen -*-===//
//
// The integer contractions that quantized models run as: 8-bit operands
// (signless i8; whether each is uint8 or int8 is an attribute, as for the
// other dl ops whose meaning depends on the sign) minus their zero points,
// multiplied and summed exactly in i32, and dl.requantize, the epilogue that
// brings the i32 accumulator back to 8 bits. Implemented in
// lib/Dialect/DL/IR/Quant.cpp, lowered in
// lib/Conversion/DLToLinalg/Quant.cpp; the ONNX integer ops import to them
// and dl-rewrite-qdq turns DequantizeLinear -> MatMul/Gemm/Conv ->
// QuantizeLinear chains into them.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_DLQUANTOPS_TD
#define DLC_DIALECT_DL_IR_DLQUANTOPS_TD

def DL_I8Tensor : RankedTensorOf<[I8]>;
def DL_I32Tensor : RankedTensorOf<[I32]>;

def DL_MatMulIntegerOp : DL_Op<"matmul_integer", [Pure, InferTypeOpAdaptor]> {
  let summary = "(lhs - lhs_zero_point) x (rhs - rhs_zero_point), exact in i32";
  let description = [{
    numpy matmul semantics (batched, broadcast batch dims) on 8-bit
    operands, accumulated in i32 (ONNX MatMulInteger). `lhs_zero_point` is
    a scalar or 1-D with one value per row of lhs (M); `rhs_zero_point` a
    scalar or 1-D with one value per column of rhs (N). `lhs_unsigned` /
    `rhs_unsigned` say whether an operand and its zero point are uint8.
  }];
  let arguments = (ins DL_I8Tensor:$lhs, DL_I8Tensor:$rhs,
                   DL_I8Tensor:$lhs_zero_point, DL_I8Tensor:$rhs_zero_point,
                   DefaultValuedAttr<BoolAttr, "false">:$lhs_unsigned,
                   DefaultValuedAttr<BoolAttr, "false">:$rhs_unsigned);
  let results = (outs DL_I32Tensor:$result);
  let assemblyFormat = "$lhs `,` $rhs `,` $lhs_zero_point `,` $rhs_zero_point "
                       "attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_ConvIntegerOp : DL_Op<"conv_integer", [Pure, InferTypeOpAdaptor]> {
  let summary = "Convolution of (input - input_zero_point) and "
                "(weight - weight_zero_point), exact in i32";
  let description = [{
    dl.conv's layout and window attributes on 8-bit operands (ONNX
    ConvInteger): input N x C x D1..Dk, weight M x C/groups x K1..Kk.
    Padding is with the input's zero point (a real 0). `input_zero_point`
    is a scalar; `weight_zero_point` a scalar or 1-D with one value per
    output channel.
  }];
  let arguments = !con((ins DL_I8Tensor:$input, DL_I8Tensor:$weight,
                            DL_I8Tensor:$input_zero_point,
                            DL_I8Tensor:$weight_zero_point),
                       DL_WindowAttrs,
                       (ins DefaultValuedAttr<I64Attr, "1">:$groups,
                            DefaultValuedAttr<BoolAttr, "false">:$input_unsigned,
                            DefaultValuedAttr<BoolAttr, "false">:$weight_unsigned));
  let results = (outs DL_I32Tensor:$result);
  let assemblyFormat = "$input `,` $weight `,` $input_zero_point `,` "
                       "$weight_zero_point attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_RequantizeOp : DL_Op<"requantize", [Pure]> {
  let summary = "i32 accumulator to 8 bits: saturate(round(f32(x + bias) * "
                "scale) + zero_point)";
  let description = [{
    The epilogue of an integer contraction. `bias` (i32, optional) is added
    to the accumulator; the sum, converted to f32, is multiplied by `scale`
    (f32: a scalar, or 1-D with one value per slice of `axis`), rounded
    half to even, offset by `zero_point` (a scalar or 1-D along `axis`) and
    saturated to uint8 (`is_unsigned`) or int8. `clamp_min` / `clamp_max`
    (quantized values) narrow the range further: a fused ReLU is
    `clamp_min = zero_point`, a ReLU6 also `clamp_max = zero_point +
    round(6 / output scale)`.
  }];
  let arguments = (ins DL_I32Tensor:$input, Optional<DL_I32Tensor>:$bias,
                   RankedTensorOf<[F32]>:$scale, DL_I8Tensor:$zero_point,
                   OptionalAttr<I64Attr>:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned,
                   OptionalAttr<I64Attr>:$clamp_min,
                   OptionalAttr<I64Attr>:$clamp_max);
  let results = (outs DL_I8Tensor:$result);
  let assemblyFormat = "$input (`bias` $bias^ `:` type($bias))? `scale` $scale "
                       "`zero_point` $zero_point attr-dict `:` type($input) "
                       "`,` type($scale) `,` type($zero_point) `->` "
                       "type($result)";
  let hasVerifier = 1;
}

#endif // DLC_DIALECT_DL_IR_DLQUANTOPS_TD
