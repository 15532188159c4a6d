//===- DLDynamicOps.td - dl ops with run-time shape operands -*- tablegen -*-===//
//
// The forms of slice, split, squeeze, unsqueeze, tile, pad and the sum-like
// reductions whose axes, bounds, sizes or repeats are tensors computed at run
// time (ONNX inputs that are neither initializers nor folded), and TopK,
// whose k is always an input. The result rank is static; the dims the
// run-time values decide are dynamic in the result type, which the creator
// gives. Every lowering checks the run-time values first and fails the entry
// point with a message at the op's location (the ONNX node) instead of
// reading or writing out of bounds. Implemented in
// lib/Dialect/DL/IR/Dynamic.cpp; lowered in
// lib/Conversion/DLToLinalg/Dynamic.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_DLDYNAMICOPS_TD
#define DLC_DIALECT_DL_IR_DLDYNAMICOPS_TD

def DL_DynamicSliceOp : DL_Op<"dynamic_slice", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "ONNX Slice with run-time starts, ends, axes and steps";
  let description = [{
    `starts`, `ends`, `axes` and `steps` are 1-D i64 tensors of one length k
    (the sliced axes). As in ONNX Slice: negative axes count from the end,
    negative starts and ends add the dim, then they clamp to [0, dim] for a
    positive step and [-1, dim - 1] for a negative one. At run time an axis
    out of range, a repeated axis or a zero step is an error. The result
    has the input's rank; its dims that are not sliced may be static.
  }];
  let arguments = (ins DL_Tensor:$input, DL_I64Tensor:$starts,
                   DL_I64Tensor:$ends, DL_I64Tensor:$axes,
                   DL_I64Tensor:$steps);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `,` $starts `,` $ends `,` $axes `,` $steps "
                       "attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_DynamicSplitOp : DL_Op<"dynamic_split", [Pure, InferTypeOpAdaptor]> {
  let summary = "Splits along `axis` into pieces of run-time sizes";
  let description = [{
    `sizes` is a 1-D i64 tensor with one entry per result. At run time a
    negative size, or sizes that do not add up to the dim, is an error.
  }];
  let arguments = (ins DL_Tensor:$input, DL_I64Tensor:$sizes, I64Attr:$axis);
  let results = (outs Variadic<DL_Tensor>:$results);
  let assemblyFormat = "$input `,` $sizes attr-dict `:` "
                       "functional-type(operands, results)";
}

def DL_DynamicSqueezeOp : DL_Op<"dynamic_squeeze", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Removes the size-1 dims listed in run-time `axes`";
  let description = [{
    `axes` is a 1-D i64 tensor of static length k; the result has rank
    rank - k. At run time an axis out of range, a repeated axis or a listed
    dim whose size is not 1 is an error.
  }];
  let arguments = (ins DL_Tensor:$input, DL_I64Tensor:$axes);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `,` $axes attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_DynamicUnsqueezeOp : DL_Op<"dynamic_unsqueeze", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Inserts size-1 dims at run-time `axes` (result positions)";
  let description = [{
    `axes` is a 1-D i64 tensor of static length k; the result has rank
    rank + k. At run time an axis out of range or a repeated axis is an
    error.
  }];
  let arguments = (ins DL_Tensor:$input, DL_I64Tensor:$axes);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `,` $axes attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_DynamicReduceOp : DL_Op<"dynamic_reduce", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reduction over run-time `axes` (sum, mean, max, min, prod)";
  let description = [{
    `axes` is a 1-D i64 tensor of static length k >= 1. With `keepdims` the
    result has the input's rank (reduced dims become 1), else rank - k. At
    run time an axis out of range or a repeated axis is an error.
  }];
  let arguments = (ins DL_NumericTensor:$input, DL_I64Tensor:$axes,
                   StrAttr:$kind,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$input `,` $axes attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_DynamicTileOp : DL_Op<"dynamic_tile", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Repeats the tensor run-time `repeats[i]` times along dim i";
  let description = [{
    `repeats` is a 1-D i64 tensor with one entry per dim; a negative entry
    is an error at run time.
  }];
  let arguments = (ins DL_Tensor:$input, DL_I64Tensor:$repeats);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `,` $repeats attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_DynamicPadOp : DL_Op<"dynamic_pad", [Pure,
    AllElementTypesMatch<["input", "value", "result"]>]> {
  let summary = "Pads with run-time [begin..., end...]; negative pads crop";
  let description = [{
    `pads` is a 1-D i64 tensor of 2 * rank entries; `value` (one element)
    fills in constant mode. At run time a result dim below 0, or edge or
    reflect padding of an empty dim, is an error.
  }];
  let arguments = (ins DL_Tensor:$input, DL_I64Tensor:$pads, DL_Tensor:$value,
                   DefaultValuedAttr<DL_PadModeAttr,
                                     "::dlc::dl::PadMode::constant">:$mode);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `,` $pads `,` $value attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_TopKOp : DL_Op<"topk", [Pure, InferTypeOpAdaptor]> {
  let summary = "The k largest (or smallest) elements along `axis`";
  let description = [{
    `k` is a one-element i64 tensor. `values` and `indices` (i64) have the
    input's shape with dim `axis` of size k (static when k is a constant).
    Equal values keep their order (the lower index first); the results are
    sorted. At run time k outside [0, dim] is an error.
  }];
  let arguments = (ins DL_NumericTensor:$input, DL_I64Tensor:$k,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$largest);
  let results = (outs DL_NumericTensor:$values, DL_I64Tensor:$indices);
  let assemblyFormat = "$input `,` $k attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // DLC_DIALECT_DL_IR_DLDYNAMICOPS_TD
