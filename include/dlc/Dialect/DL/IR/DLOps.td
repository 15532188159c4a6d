//===- DLOps.td - dl operations ----------------------------*- tablegen -*-===//
//
// Every op: ODS type constraints, result-shape inference (InferTypeOpAdaptor,
// implemented per op family under lib/Dialect/DL/IR/), a verifier message a
// user can act on, and a folder where it is cheap.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_DLOPS_TD
#define DLC_DIALECT_DL_IR_DLOPS_TD

include "dlc/Dialect/DL/IR/DLBase.td"
include "dlc/Dialect/DL/IR/DLInterfaces.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/RegionKindInterface.td"
include "mlir/Interfaces/CastInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

def DL_ConstantOp : DL_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>]> {
  let summary = "A constant tensor";
  let description = [{
    `%w = dl.constant dense<[1.0, 2.0]> : tensor<2xf32>`. Large weights use
    `dense_resource` blobs so they are never copied through the printer.
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs DL_Tensor:$result);
  let hasCustomAssemblyFormat = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

// `floatFn` computes the result from `double x` (and the op's attributes) for
// the constant folder.
class DL_UnaryOp<string mnemonic, Type type, code floatFn, dag attrs = (ins),
                 list<Trait> traits = [],
                 list<string> evaluators = ["evalFloat"]>
    : DL_Op<mnemonic, traits # [Pure, AllTypesMatch<["input", "result"]>,
        DeclareOpInterfaceMethods<DL_ElementwiseOpInterface, evaluators>]> {
  let arguments = !con((ins type:$input), attrs);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasFolder = 1;
  code intFnDefinition = "";
  let extraClassDefinition = [{
    std::optional<double> $cppClass::evalFloat(::llvm::ArrayRef<double> args) {
      [[maybe_unused]] double x = args[0];
      return }] # floatFn # [{;
    }
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::dlc::dl::foldElementwise(getOperation(), adaptor.getOperands());
    }
  }] # intFnDefinition;
}

// Unary ops that also apply to signed integers; `intFn` computes from
// `const llvm::APInt &x`.
class DL_UnarySignedOp<string mnemonic, code floatFn, code intFn,
                       dag attrs = (ins), list<Trait> traits = []>
    : DL_UnaryOp<mnemonic, DL_SignedTensor, floatFn, attrs, traits,
                 ["evalFloat", "evalInt"]> {
  let intFnDefinition = [{
    std::optional<::llvm::APInt>
    $cppClass::evalInt(::llvm::ArrayRef<::llvm::APInt> args) {
      const ::llvm::APInt &x = args[0];
      return }] # intFn # [{;
    }
  }];
}

class DL_UnaryFloatOp<string mnemonic, code floatFn, dag attrs = (ins),
                      list<Trait> traits = []>
    : DL_UnaryOp<mnemonic, DL_FloatTensor, floatFn, attrs, traits>;

// Involution folds neg(neg(x)) to x; its static check wants
// SameOperandsAndResultType besides the stricter AllTypesMatch.
def DL_NegOp : DL_UnarySignedOp<"neg", "-x", "-x", (ins),
                                [Involution, SameOperandsAndResultType]>;
def DL_AbsOp : DL_UnarySignedOp<"abs", "std::fabs(x)", "x.abs()">;
def DL_SignOp : DL_UnarySignedOp<"sign", "x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0)",
    "::llvm::APInt(x.getBitWidth(), x.isStrictlyPositive() ? 1 : (x.isNegative() ? -1 : 0), true)">;
def DL_ReluOp : DL_UnarySignedOp<"relu", "x > 0 ? x : 0.0",
    "x.isNegative() ? ::llvm::APInt::getZero(x.getBitWidth()) : x">;
def DL_ClipOp : DL_UnarySignedOp<"clip",
    "std::min(std::max(x, getMin() ? getMin()->convertToDouble() : -HUGE_VAL), getMax() ? getMax()->convertToDouble() : HUGE_VAL)",
    "::dlc::dl::clipInt(x, getMin(), getMax())",
    (ins OptionalAttr<F64Attr>:$min, OptionalAttr<F64Attr>:$max)> {
  let summary = "Clamps to [min, max]; a missing bound is unbounded";
  let hasVerifier = 1;
}

def DL_ExpOp : DL_UnaryFloatOp<"exp", "std::exp(x)">;
def DL_LogOp : DL_UnaryFloatOp<"log", "std::log(x)">;
def DL_SqrtOp : DL_UnaryFloatOp<"sqrt", "std::sqrt(x)">;
def DL_RsqrtOp : DL_UnaryFloatOp<"rsqrt", "1.0 / std::sqrt(x)">;
def DL_ReciprocalOp : DL_UnaryFloatOp<"reciprocal", "1.0 / x">;
def DL_TanhOp : DL_UnaryFloatOp<"tanh", "std::tanh(x)">;
def DL_SigmoidOp : DL_UnaryFloatOp<"sigmoid", "1.0 / (1.0 + std::exp(-x))">;
def DL_LeakyReluOp : DL_UnaryFloatOp<"leaky_relu",
    "x >= 0 ? x : getAlpha().convertToDouble() * x",
    (ins DefaultValuedAttr<F64Attr, "0.01">:$alpha)>;
def DL_EluOp : DL_UnaryFloatOp<"elu",
    "x > 0 ? x : getAlpha().convertToDouble() * std::expm1(x)",
    (ins DefaultValuedAttr<F64Attr, "1.0">:$alpha)>;
def DL_SeluOp : DL_UnaryFloatOp<"selu",
    "getGamma().convertToDouble() * (x > 0 ? x : getAlpha().convertToDouble() * std::expm1(x))",
    (ins DefaultValuedAttr<F64Attr, "1.6732632423543772">:$alpha,
         DefaultValuedAttr<F64Attr, "1.0507009873554805">:$gamma)>;
def DL_GeluOp : DL_UnaryFloatOp<"gelu",
    "getApproximate() == ::dlc::dl::GeluApproximation::tanh ? 0.5 * x * (1.0 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))) : 0.5 * x * (1.0 + std::erf(x * 0.7071067811865476))",
    (ins DefaultValuedAttr<DL_GeluApproximationAttr,
                           "::dlc::dl::GeluApproximation::none">:$approximate)>;
def DL_SiluOp : DL_UnaryFloatOp<"silu", "x / (1.0 + std::exp(-x))">;
def DL_SoftplusOp : DL_UnaryFloatOp<"softplus",
    "x > 20.0 ? x : std::log1p(std::exp(x))">;
def DL_HardSigmoidOp : DL_UnaryFloatOp<"hard_sigmoid",
    "std::min(1.0, std::max(0.0, getAlpha().convertToDouble() * x + getBeta().convertToDouble()))",
    (ins DefaultValuedAttr<F64Attr, "0.2">:$alpha,
         DefaultValuedAttr<F64Attr, "0.5">:$beta)>;
def DL_HardSwishOp : DL_UnaryFloatOp<"hard_swish",
    "x * std::min(1.0, std::max(0.0, x / 6.0 + 0.5))">;
def DL_ErfOp : DL_UnaryFloatOp<"erf", "std::erf(x)">;
def DL_SinOp : DL_UnaryFloatOp<"sin", "std::sin(x)">;
def DL_CosOp : DL_UnaryFloatOp<"cos", "std::cos(x)">;
def DL_TanOp : DL_UnaryFloatOp<"tan", "std::tan(x)">;
def DL_AsinOp : DL_UnaryFloatOp<"asin", "std::asin(x)">;
def DL_AcosOp : DL_UnaryFloatOp<"acos", "std::acos(x)">;
def DL_AtanOp : DL_UnaryFloatOp<"atan", "std::atan(x)">;
def DL_SinhOp : DL_UnaryFloatOp<"sinh", "std::sinh(x)">;
def DL_CoshOp : DL_UnaryFloatOp<"cosh", "std::cosh(x)">;
def DL_AsinhOp : DL_UnaryFloatOp<"asinh", "std::asinh(x)">;
def DL_AcoshOp : DL_UnaryFloatOp<"acosh", "std::acosh(x)">;
def DL_AtanhOp : DL_UnaryFloatOp<"atanh", "std::atanh(x)">;
def DL_FloorOp : DL_UnaryFloatOp<"floor", "std::floor(x)">;
def DL_CeilOp : DL_UnaryFloatOp<"ceil", "std::ceil(x)">;
// Rounds half to even, as ONNX Round does.
def DL_RoundOp : DL_UnaryFloatOp<"round", "std::nearbyint(x)">;

def DL_NotOp : DL_Op<"not", [Pure, Involution, SameOperandsAndResultType,
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<DL_ElementwiseOpInterface, ["evalInt"]>]> {
  let summary = "Logical not of a boolean tensor";
  let arguments = (ins DL_BoolTensor:$input);
  let results = (outs DL_BoolTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise binary, numpy broadcasting
//===----------------------------------------------------------------------===//

// `floatFn` and `intFn` compute one element from `a` and `b` (doubles, or
// `const llvm::APInt &` of the operand width) for the constant folder.
class DL_BinaryOp<string mnemonic, Type operandType, Type resultType,
                  code floatFn, code intFn, list<Trait> traits = []>
    : DL_Op<mnemonic, traits # [Pure, SameOperandsElementType,
        InferTypeOpAdaptor,
        DeclareOpInterfaceMethods<DL_ElementwiseOpInterface,
                                  ["evalFloat", "evalInt"]>]> {
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let results = (outs resultType:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::dlc::dl::inferBinaryResult(context, location,
          adaptor.getOperands(), }] # !if(!eq(resultType, DL_BoolTensor),
                                          "true", "false") # [{, inferred);
    }
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::dlc::dl::foldBinary(getOperation(), adaptor.getOperands());
    }
    std::optional<double> $cppClass::evalFloat(::llvm::ArrayRef<double> args) {
      [[maybe_unused]] double a = args[0], b = args[1];
      return }] # floatFn # [{;
    }
    std::optional<::llvm::APInt>
    $cppClass::evalInt(::llvm::ArrayRef<::llvm::APInt> args) {
      [[maybe_unused]] const ::llvm::APInt &a = args[0], &b = args[1];
      return }] # intFn # [{;
    }
  }];
}

// Arithmetic: the result has the operands' element type.
class DL_ArithOp<string mnemonic, Type type, code floatFn, code intFn,
                 list<Trait> traits = []>
    : DL_BinaryOp<mnemonic, type, type, floatFn, intFn,
                  traits # [SameOperandsAndResultElementType]>;

def DL_AddOp : DL_ArithOp<"add", DL_NumericTensor, "a + b", "a + b",
                          [Commutative]>;
def DL_SubOp : DL_ArithOp<"sub", DL_NumericTensor, "a - b", "a - b">;
def DL_MulOp : DL_ArithOp<"mul", DL_NumericTensor, "a * b", "a * b",
                          [Commutative]>;
def DL_DivOp : DL_ArithOp<"div", DL_NumericTensor, "a / b",
    "b.isZero() || (!getIsUnsigned() && a.isMinSignedValue() && b.isAllOnes()) ? std::optional<::llvm::APInt>() : getIsUnsigned() ? a.udiv(b) : a.sdiv(b)"> {
  let summary = "Division; integer division truncates toward zero";
  let description = "is_unsigned: integer operands are unsigned.";
  let arguments = (ins DL_NumericTensor:$lhs, DL_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned);
}
def DL_PowOp : DL_ArithOp<"pow", DL_FloatTensor, "std::pow(a, b)",
                          "std::nullopt">;
def DL_MaxOp : DL_ArithOp<"max", DL_NumericTensor,
    "std::isnan(a) || std::isnan(b) ? NAN : std::max(a, b)",
    "(getIsUnsigned() ? a.uge(b) : a.sge(b)) ? a : b", [Commutative]> {
  let arguments = (ins DL_NumericTensor:$lhs, DL_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned);
}
def DL_MinOp : DL_ArithOp<"min", DL_NumericTensor,
    "std::isnan(a) || std::isnan(b) ? NAN : std::min(a, b)",
    "(getIsUnsigned() ? a.ule(b) : a.sle(b)) ? a : b", [Commutative]> {
  let arguments = (ins DL_NumericTensor:$lhs, DL_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned);
}
def DL_ModOp : DL_ArithOp<"mod", DL_NumericTensor,
    "getFmod() ? std::fmod(a, b) : ::dlc::dl::floorMod(a, b)",
    "getIsUnsigned() ? (b.isZero() ? std::optional<::llvm::APInt>() : a.urem(b)) : ::dlc::dl::intMod(a, b, getFmod())"> {
  let summary = "Remainder: sign of the divisor (Python) unless fmod is set";
  let description = "Float operands need fmod = true, as in ONNX Mod.";
  let arguments = (ins DL_NumericTensor:$lhs, DL_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$fmod,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned);
  let hasVerifier = 1;
}

// Comparisons: i1 result.
class DL_CompareOp<string mnemonic, code floatFn, code intFn,
                   list<Trait> traits = []>
    : DL_BinaryOp<mnemonic, DL_NumericTensor, DL_BoolTensor,
                  "(" # floatFn # ") ? 1.0 : 0.0",
                  "::llvm::APInt(1, (" # intFn # ") ? 1 : 0)", traits> {
  let arguments = (ins DL_NumericTensor:$lhs, DL_NumericTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned);
}

def DL_EqualOp : DL_CompareOp<"equal", "a == b", "a == b", [Commutative]>;
def DL_LessOp : DL_CompareOp<"less", "a < b", "getIsUnsigned() ? a.ult(b) : a.slt(b)">;
def DL_LessEqualOp : DL_CompareOp<"less_equal", "a <= b", "getIsUnsigned() ? a.ule(b) : a.sle(b)">;
def DL_GreaterOp : DL_CompareOp<"greater", "a > b", "getIsUnsigned() ? a.ugt(b) : a.sgt(b)">;
def DL_GreaterEqualOp : DL_CompareOp<"greater_equal", "a >= b", "getIsUnsigned() ? a.uge(b) : a.sge(b)">;

// Logical: i1 in, i1 out.
def DL_AndOp : DL_ArithOp<"and", DL_BoolTensor, "std::nullopt", "a & b",
                          [Commutative]>;
def DL_OrOp : DL_ArithOp<"or", DL_BoolTensor, "std::nullopt", "a | b",
                         [Commutative]>;
def DL_XorOp : DL_ArithOp<"xor", DL_BoolTensor, "std::nullopt", "a ^ b",
                          [Commutative]>;

// Bit shifts of integers (ONNX BitShift, defined on unsigned types): a shift
// by the bit width or more gives 0.
def DL_ShiftLeftOp : DL_ArithOp<"shift_left", DL_IntTensor, "std::nullopt",
    "b.uge(a.getBitWidth()) ? ::llvm::APInt::getZero(a.getBitWidth()) : a.shl(b)">;
def DL_ShiftRightOp : DL_ArithOp<"shift_right", DL_IntTensor, "std::nullopt",
    "b.uge(a.getBitWidth()) ? ::llvm::APInt::getZero(a.getBitWidth()) : a.lshr(b)"> {
  let summary = "Logical (unsigned) right shift";
}

def DL_SelectOp : DL_Op<"select", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["true_value", "false_value", "result"]>]> {
  let summary = "Picks true_value where cond is set, else false_value";
  let description = "All three operands broadcast together (ONNX Where).";
  let arguments = (ins DL_BoolTensor:$cond, DL_Tensor:$true_value,
                   DL_Tensor:$false_value);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$cond `,` $true_value `,` $false_value attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

def DL_CastOp : DL_Op<"cast", [Pure, SameOperandsAndResultShape,
    DeclareOpInterfaceMethods<CastOpInterface>]> {
  let summary = "Converts the element type; float to int truncates";
  let description = [{
    input_unsigned / result_unsigned: an integer input or result is unsigned
    (zero extension, unsigned int-float conversions).
  }];
  let arguments = (ins DL_Tensor:$input,
                   DefaultValuedAttr<BoolAttr, "false">:$input_unsigned,
                   DefaultValuedAttr<BoolAttr, "false">:$result_unsigned);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def DL_MatMulOp : DL_Op<"matmul", [Pure, InferTypeOpAdaptor,
    SameOperandsAndResultElementType]> {
  let summary = "numpy matmul: batched, broadcast batch dims, 1-D promotion";
  let arguments = (ins DL_NumericTensor:$lhs, DL_NumericTensor:$rhs);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def DL_GemmOp : DL_Op<"gemm", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["a", "b", "result"]>]> {
  let summary = "alpha * op(A) * op(B) + beta * C, C broadcast to the result";
  let arguments = (ins DL_NumericTensor:$a, DL_NumericTensor:$b,
                   Optional<DL_NumericTensor>:$c,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_a,
                   DefaultValuedAttr<BoolAttr, "false">:$trans_b,
                   DefaultValuedAttr<F64Attr, "1.0">:$alpha,
                   DefaultValuedAttr<F64Attr, "1.0">:$beta);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$a `,` $b (`,` $c^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Convolution and pooling (NC + spatial layout)
//===----------------------------------------------------------------------===//

// Windowed ops share their attributes: per spatial dim strides and
// dilations (default 1) and pads as [begin..., end...] (default 0).
defvar DL_WindowAttrs = (ins OptionalAttr<DenseI64ArrayAttr>:$strides,
                             OptionalAttr<DenseI64ArrayAttr>:$pads,
                             OptionalAttr<DenseI64ArrayAttr>:$dilations);

def DL_ConvOp : DL_Op<"conv", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "weight", "result"]>]> {
  let summary = "N-d convolution (1-D to 3-D), grouped and depthwise";
  let description = [{
    input N x C x D1..Dk, weight M x C/groups x K1..Kk, optional bias M.
    Integer element types (i32, from dl.conv_integer's lowering) accumulate
    in the element type.
  }];
  let arguments = !con((ins DL_NumericTensor:$input, DL_NumericTensor:$weight,
                            Optional<DL_NumericTensor>:$bias),
                       DL_WindowAttrs,
                       (ins DefaultValuedAttr<I64Attr, "1">:$groups));
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def DL_ConvTransposeOp : DL_Op<"conv_transpose", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "weight", "result"]>]> {
  let summary = "Transposed (fractionally strided) convolution";
  let description = [{
    input N x C x D1..Dk, weight C x M/groups x K1..Kk, optional bias M.
    Output size: stride*(in-1) + output_padding + (k-1)*dilation + 1
    - pad_begin - pad_end.
  }];
  let arguments = !con((ins DL_FloatTensor:$input, DL_FloatTensor:$weight,
                            Optional<DL_FloatTensor>:$bias),
                       DL_WindowAttrs,
                       (ins DefaultValuedAttr<I64Attr, "1">:$groups,
                            OptionalAttr<DenseI64ArrayAttr>:$output_padding));
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input `,` $weight (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

class DL_PoolOp<string mnemonic, dag extraAttrs = (ins)>
    : DL_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                       SameOperandsAndResultElementType]> {
  let arguments = !con((ins DL_FloatTensor:$input,
                            DenseI64ArrayAttr:$kernel_shape),
                       DL_WindowAttrs,
                       (ins DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extraAttrs);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def DL_MaxPoolOp : DL_PoolOp<"max_pool"> {
  let summary = "Max pooling; padding never wins the max";
}
def DL_AvgPoolOp : DL_PoolOp<"avg_pool",
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad)> {
  let summary = "Average pooling";
}

class DL_GlobalPoolOp<string mnemonic>
    : DL_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                       SameOperandsAndResultElementType]> {
  let summary = "Pools all spatial dims to 1";
  let arguments = (ins DL_FloatTensor:$input);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}
def DL_GlobalMaxPoolOp : DL_GlobalPoolOp<"global_max_pool">;
def DL_GlobalAvgPoolOp : DL_GlobalPoolOp<"global_avg_pool">;

// Gradients of the windowed ops that no composition of other dl ops expresses
// well; built by the rules in ConvGradients.cpp.

def DL_ConvWeightGradOp : DL_Op<"conv_weight_grad", [Pure,
    AllElementTypesMatch<["input", "grad_output", "result"]>]> {
  let summary = "Gradient of dl.conv with respect to its weight";
  let description = [{
    `input` (N x C x D1..Dk) and `grad_output` (N x M x O1..Ok) are the input
    and result gradient of a dl.conv with these strides, pads, dilations and
    groups; the result (M x C/groups x K1..Kk, its type gives the kernel size)
    is the weight gradient:
    result[m, c, k] = sum over n, o of grad_output[n, m, o] * padded_input[n,
      (m / (M/groups)) * C/groups + c, o * stride + k * dilation].
    The output sizes O must be the conv's for this input and kernel.
  }];
  let arguments = !con((ins DL_FloatTensor:$input,
                            DL_FloatTensor:$grad_output),
                       DL_WindowAttrs,
                       (ins DefaultValuedAttr<I64Attr, "1">:$groups));
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad_output attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_MaxPoolGradOp : DL_Op<"max_pool_grad", [Pure,
    AllTypesMatch<["input", "result"]>,
    AllElementTypesMatch<["input", "grad_output"]>]> {
  let summary = "Gradient of dl.max_pool, routed to each window's first max";
  let description = [{
    Routes grad_output[n, c, o] to the input position of the first maximum
    (in row-major window order) of window o, as PyTorch does; padding never
    wins, and ties do not split. Positions that are no window's first
    maximum get 0. The attributes are those of the dl.max_pool.
  }];
  let arguments = !con((ins DL_FloatTensor:$input, DL_FloatTensor:$grad_output,
                            DenseI64ArrayAttr:$kernel_shape),
                       DL_WindowAttrs,
                       (ins DefaultValuedAttr<BoolAttr, "false">:$ceil_mode));
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input `,` $grad_output attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_AvgPoolGradOp : DL_Op<"avg_pool_grad", [Pure,
    AllElementTypesMatch<["grad_output", "result"]>]> {
  let summary = "Gradient of dl.avg_pool";
  let description = [{
    Spreads grad_output[n, c, o] / count(o) over the input positions of window
    o, where count(o) is the divisor dl.avg_pool used for that window (with
    count_include_pad the real pads count, the ceil_mode extension never).
    The result type is the pool's input type; the attributes are the pool's.
  }];
  let arguments = !con((ins DL_FloatTensor:$grad_output,
                            DenseI64ArrayAttr:$kernel_shape),
                       DL_WindowAttrs,
                       (ins DefaultValuedAttr<BoolAttr, "false">:$ceil_mode,
                            DefaultValuedAttr<BoolAttr,
                                              "false">:$count_include_pad));
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$grad_output attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization and softmax
//===----------------------------------------------------------------------===//

def DL_BatchNormOp : DL_Op<"batch_norm", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "scale", "bias", "mean", "variance",
                          "result"]>]> {
  let summary = "Inference batch norm with running statistics (channel dim 1)";
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$scale,
                   DL_FloatTensor:$bias, DL_FloatTensor:$mean,
                   DL_FloatTensor:$variance,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance "
                       "attr-dict `:` functional-type(operands, results)";
}

def DL_BatchNormTrainOp : DL_Op<"batch_norm_train", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "scale", "bias", "result", "batch_mean",
                          "batch_variance"]>]> {
  let summary = "Training batch norm: normalizes with the batch statistics";
  let description = [{
    Returns the normalized tensor and the per-channel batch mean and (biased)
    variance, from which the caller updates its running statistics.
  }];
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$scale,
                   DL_FloatTensor:$bias,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DL_FloatTensor:$result, DL_FloatTensor:$batch_mean,
                      DL_FloatTensor:$batch_variance);
  let assemblyFormat = "$input `,` $scale `,` $bias attr-dict `:` "
                       "functional-type(operands, results)";
}

def DL_LayerNormOp : DL_Op<"layer_norm", [Pure, InferTypeOpAdaptor,
    AttrSizedOperandSegments]> {
  let summary = "Normalizes over dims [axis, rank); scale/bias broadcast";
  let arguments = (ins DL_FloatTensor:$input, Optional<DL_FloatTensor>:$scale,
                   Optional<DL_FloatTensor>:$bias,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input (`scale` $scale^)? (`bias` $bias^)? attr-dict "
                       "`:` functional-type(operands, results)";
}

def DL_InstanceNormOp : DL_Op<"instance_norm", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "scale", "bias", "result"]>]> {
  let summary = "Normalizes each (sample, channel) over its spatial dims";
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$scale,
                   DL_FloatTensor:$bias,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias attr-dict `:` "
                       "functional-type(operands, results)";
}

def DL_GroupNormOp : DL_Op<"group_norm", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "scale", "bias", "result"]>]> {
  let summary = "Normalizes channel groups; per-channel scale and bias";
  let arguments = (ins DL_FloatTensor:$input, DL_FloatTensor:$scale,
                   DL_FloatTensor:$bias, I64Attr:$num_groups,
                   DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input `,` $scale `,` $bias attr-dict `:` "
                       "functional-type(operands, results)";
}

class DL_SoftmaxOp<string mnemonic>
    : DL_Op<mnemonic, [Pure, AllTypesMatch<["input", "result"]>]> {
  let arguments = (ins DL_FloatTensor:$input,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}
def DL_SoftmaxOp : DL_SoftmaxOp<"softmax"> {
  let summary = "Softmax along one axis (ONNX 13 semantics)";
}
def DL_LogSoftmaxOp : DL_SoftmaxOp<"log_softmax"> {
  let summary = "Log of softmax along one axis";
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class DL_ReduceOp<string mnemonic, Type type = DL_NumericTensor>
    : DL_Op<mnemonic, [Pure, InferTypeOpAdaptor,
                       SameOperandsAndResultElementType]> {
  let summary = "Reduction over `axes` (empty: all dims)";
  let arguments = (ins type:$input,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims);
  let results = (outs type:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::dlc::dl::inferReduceResult(location, adaptor.getInput(),
          adaptor.getAxes(), adaptor.getKeepdims(), inferred);
    }
    ::mlir::OpFoldResult $cppClass::fold(FoldAdaptor adaptor) {
      return ::dlc::dl::foldReduce(getOperation(), adaptor.getAxes());
    }
  }];
}

def DL_ReduceSumOp : DL_ReduceOp<"reduce_sum">;
def DL_ReduceMeanOp : DL_ReduceOp<"reduce_mean">;
def DL_ReduceMaxOp : DL_ReduceOp<"reduce_max">;
def DL_ReduceMinOp : DL_ReduceOp<"reduce_min">;
def DL_ReduceProdOp : DL_ReduceOp<"reduce_prod">;
def DL_ReduceL1Op : DL_ReduceOp<"reduce_l1">;
def DL_ReduceL2Op : DL_ReduceOp<"reduce_l2", DL_FloatTensor>;
def DL_ReduceSumSquareOp : DL_ReduceOp<"reduce_sum_square">;
def DL_ReduceLogSumExpOp : DL_ReduceOp<"reduce_log_sum_exp", DL_FloatTensor>;

class DL_ArgReduceOp<string mnemonic>
    : DL_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = "Index of the extreme element along `axis` (i64)";
  let arguments = (ins DL_NumericTensor:$input,
                   DefaultValuedAttr<I64Attr, "0">:$axis,
                   DefaultValuedAttr<BoolAttr, "true">:$keepdims,
                   DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs DL_I64Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::dlc::dl::inferArgReduceResult(location, adaptor.getInput(),
          adaptor.getAxis(), adaptor.getKeepdims(), inferred);
    }
  }];
}
def DL_ArgMaxOp : DL_ArgReduceOp<"argmax">;
def DL_ArgMinOp : DL_ArgReduceOp<"argmin">;

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

def DL_ReshapeOp : DL_Op<"reshape", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Reshapes to the result type";
  let description = [{
    Without `shape`, the result type says the new shape and may have at most
    one dynamic dim, found from the element count. With `shape` (a 1-D i64
    tensor computed at run time, one value per result dim), any result dim
    may be dynamic; its values follow ONNX Reshape: one -1 is found from the
    element count and 0 copies the input dim at that position unless
    `allow_zero` is set.
  }];
  let arguments = (ins DL_Tensor:$input, Optional<DL_I64Tensor>:$shape,
                   DefaultValuedAttr<BoolAttr, "false">:$allow_zero);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input (`,` $shape^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}

def DL_TransposeOp : DL_Op<"transpose", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Permutes dims: result dim i is input dim perm[i]";
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def DL_ConcatOp : DL_Op<"concat", [Pure, InferTypeOpAdaptor,
    SameOperandsAndResultElementType]> {
  let summary = "Joins tensors along `axis`";
  let arguments = (ins Variadic<DL_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, results)";
  let hasFolder = 1;
}

def DL_SliceOp : DL_Op<"slice", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Strided slice; bounds clamp as in ONNX Slice";
  let description = [{
    For each listed axis: start, end (exclusive), step (non-zero, default 1).
    Negative starts/ends count from the end; out-of-range values clamp.
  }];
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$starts,
                   DenseI64ArrayAttr:$ends, OptionalAttr<DenseI64ArrayAttr>:$axes,
                   OptionalAttr<DenseI64ArrayAttr>:$steps);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
  let dlExtraClassDeclaration = [{
    /// One sliced axis: the dim in [0, rank) and its start, end and step as
    /// written (clampSlice clamps them against a static dim).
    struct SlicedAxis {
      int64_t axis, start, end, step;
    };
    /// Decodes starts / ends / axes / steps for an input of rank `rank`:
    /// axes default to 0, 1, ... and steps to 1; negative axes wrap. Fails,
    /// with a message at `loc` when given, on lengths that differ, axes out
    /// of range or repeated, or a zero step.
    static ::mlir::FailureOr<::llvm::SmallVector<SlicedAxis>>
    decodeSlice(std::optional<::mlir::Location> loc, int64_t rank,
                ::llvm::ArrayRef<int64_t> starts,
                ::llvm::ArrayRef<int64_t> ends,
                std::optional<::llvm::ArrayRef<int64_t>> axes,
                std::optional<::llvm::ArrayRef<int64_t>> steps);
    /// This op's sliced axes; fails only where the verifier would.
    ::mlir::FailureOr<::llvm::SmallVector<SlicedAxis>> getSlicedAxes();
  }];
}

def DL_SplitOp : DL_Op<"split", [Pure, InferTypeOpAdaptor]> {
  let summary = "Splits along `axis` into pieces of the given sizes";
  let arguments = (ins DL_Tensor:$input, I64Attr:$axis,
                   DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<DL_Tensor>:$results);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($results)";
}

def DL_SqueezeOp : DL_Op<"squeeze", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Removes size-1 dims (`axes`; empty: every static 1)";
  let arguments = (ins DL_Tensor:$input,
                   DefaultValuedAttr<DenseI64ArrayAttr, "{}">:$axes);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def DL_UnsqueezeOp : DL_Op<"unsqueeze", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Inserts size-1 dims at `axes` (positions in the result)";
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def DL_FlattenOp : DL_Op<"flatten", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "To 2-D: dims [0, axis) and [axis, rank) each multiply out";
  let arguments = (ins DL_Tensor:$input, DefaultValuedAttr<I64Attr, "1">:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def DL_ExpandOp : DL_Op<"expand", [Pure,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Broadcasts to the result type (numpy rules)";
  let description = [{
    Dynamic result dims take their size from the optional `shape` operand
    (1-D i64) or, without it, from the input.
  }];
  let arguments = (ins DL_Tensor:$input, Optional<DL_I64Tensor>:$shape);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input (`,` $shape^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DL_PadOp : DL_Op<"pad", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Pads with [begin..., end...] per dim; negative pads crop";
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$pads,
                   DefaultValuedAttr<DL_PadModeAttr,
                                     "::dlc::dl::PadMode::constant">:$mode,
                   DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def DL_TileOp : DL_Op<"tile", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Repeats the tensor `repeats[i]` times along dim i";
  let arguments = (ins DL_Tensor:$input, DenseI64ArrayAttr:$repeats);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def DL_GatherOp : DL_Op<"gather", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Takes slices along `axis` at `indices` (ONNX Gather)";
  let description = [{
    Result shape: input[:axis] ++ indices ++ input[axis+1:]. Negative indices
    count from the end.
  }];
  let arguments = (ins DL_Tensor:$input, DL_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
}

def DL_GatherElementsOp : DL_Op<"gather_elements", [Pure, InferTypeOpAdaptor,
    AllElementTypesMatch<["input", "result"]>]> {
  let summary = "Per-element gather along `axis`; result has indices' shape";
  let arguments = (ins DL_Tensor:$input, DL_IndexTensor:$indices,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input `,` $indices attr-dict `:` "
                       "functional-type(operands, results)";
}

def DL_ScatterAddOp : DL_Op<"scatter_add", [Pure,
    AllTypesMatch<["data", "result"]>,
    AllElementTypesMatch<["data", "updates"]>]> {
  let summary = "Adds updates into data at the slices dl.gather reads";
  let description = [{
    The inverse of dl.gather (its gradient): result = data, then
    `result[pre, indices[j...], post] += updates[pre, j..., post]` for every
    j, so repeated indices accumulate. `updates` has the shape
    `dl.gather(data, indices, axis)` has. Negative indices count from the
    end; out-of-range indices are undefined, as in gather.
  }];
  let arguments = (ins DL_NumericTensor:$data, DL_IndexTensor:$indices,
                   DL_NumericTensor:$updates,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_ScatterElementsAddOp : DL_Op<"scatter_elements_add", [Pure,
    AllTypesMatch<["data", "result"]>,
    AllElementTypesMatch<["data", "updates"]>]> {
  let summary = "Adds updates into data at the elements gather_elements reads";
  let description = [{
    The inverse of dl.gather_elements (ONNX ScatterElements with reduction
    add): result = data, then `result[i with i[axis] = indices[i]] +=
    updates[i]` for every position i of indices, which has the shape of
    updates. Repeated indices accumulate.
  }];
  let arguments = (ins DL_NumericTensor:$data, DL_IndexTensor:$indices,
                   DL_NumericTensor:$updates,
                   DefaultValuedAttr<I64Attr, "0">:$axis);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$data `,` $indices `,` $updates attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def DL_ShapeOfOp : DL_Op<"shape_of", [Pure, InferTypeOpAdaptor]> {
  let summary = "The shape of a tensor as a 1-D i64 tensor";
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_I64Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def DL_RangeOp : DL_Op<"range", [Pure,
    AllElementTypesMatch<["start", "limit", "delta", "result"]>]> {
  let summary = "1-D sequence start, start+delta, ... below limit";
  let arguments = (ins DL_NumericTensor:$start, DL_NumericTensor:$limit,
                   DL_NumericTensor:$delta);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def DL_OneHotOp : DL_Op<"one_hot", [Pure, InferTypeOpAdaptor]> {
  let summary = "One-hot encoding of indices, new dim of size depth at axis";
  let arguments = (ins DL_IndexTensor:$indices, I64Attr:$depth,
                   DefaultValuedAttr<I64Attr, "-1">:$axis,
                   DefaultValuedAttr<F64Attr, "0.0">:$off_value,
                   DefaultValuedAttr<F64Attr, "1.0">:$on_value,
                   TypeAttrOf<DL_ElementType>:$element_type);
  let results = (outs DL_NumericTensor:$result);
  let assemblyFormat = "$indices attr-dict `:` type($indices) `->` "
                       "type($result)";
}

def DL_ResizeOp : DL_Op<"resize", [Pure, InferTypeOpAdaptor,
    SameOperandsAndResultElementType]> {
  let summary = "Nearest or (multi)linear resize by scales or to sizes";
  let arguments = (ins DL_FloatTensor:$input,
                   OptionalAttr<DenseF64ArrayAttr>:$scales,
                   OptionalAttr<DenseI64ArrayAttr>:$sizes,
                   DefaultValuedAttr<DL_ResizeModeAttr,
                                     "::dlc::dl::ResizeMode::nearest">:$mode,
                   DefaultValuedAttr<DL_CoordinateTransformAttr,
                       "::dlc::dl::CoordinateTransform::half_pixel">
                       :$coordinate_transform,
                   DefaultValuedAttr<DL_NearestModeAttr,
                       "::dlc::dl::NearestMode::round_prefer_floor">
                       :$nearest_mode);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Training-time ops
//===----------------------------------------------------------------------===//

def DL_DropoutOp : DL_Op<"dropout", [Pure, InferTypeOpAdaptor]> {
  let summary = "Zeroes elements with probability `ratio` when training";
  let description = [{
    Kept elements are scaled by 1/(1-ratio). The mask comes from a
    counter-based generator keyed by `seed` and, when given, the run-time
    scalar `counter` (a training step), so the same seed and counter give the
    same mask. When `training` is false the op is the identity.
  }];
  let arguments = (ins DL_FloatTensor:$input,
                   Optional<0DTensorOf<[I64]>>:$counter,
                   DefaultValuedAttr<F64Attr, "0.5">:$ratio,
                   DefaultValuedAttr<I64Attr, "0">:$seed,
                   DefaultValuedAttr<BoolAttr, "false">:$training);
  let results = (outs DL_FloatTensor:$output, DL_BoolTensor:$mask);
  let assemblyFormat = "$input (`counter` $counter^)? attr-dict `:` "
                       "type($input) (`,` type($counter)^)? `->` "
                       "type($output) `,` type($mask)";
  let hasCanonicalizer = 1;
}

def DL_RandomUniformOp : DL_Op<"random_uniform", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Uniform samples in [low, high) with the input's shape";
  let description = [{
    Only the input's type and shape are read. The samples come from
    dl.dropout's counter-based generator keyed by `seed` and the element's
    linear index, so a dropout built from them (keep where sample >= ratio)
    draws the mask dl.dropout draws with the same seed. It serves dropout
    whose ratio or training flag is known only at run time.
  }];
  let arguments = (ins DL_FloatTensor:$input,
                   DefaultValuedAttr<F64Attr, "0.0">:$low,
                   DefaultValuedAttr<F64Attr, "1.0">:$high,
                   DefaultValuedAttr<I64Attr, "0">:$seed);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def DL_StopGradientOp : DL_Op<"stop_gradient", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "Identity that blocks gradients (torch's detach)";
  let description = [{
    Forwards its input unchanged; dl-autodiff sends no gradient through it.
    It has no folder, so canonicalization before dl-autodiff keeps it; the
    lowering forwards the input.
  }];
  let arguments = (ins DL_Tensor:$input);
  let results = (outs DL_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

def DL_SoftmaxCrossEntropyOp : DL_Op<"softmax_cross_entropy", [Pure,
    InferTypeOpAdaptor]> {
  let summary = "Per-sample cross-entropy of softmax(logits) and class labels";
  let description = [{
    `logits` is `[N, C]`, `labels` `[N]` class indices; the result is `[N]`:
    `loss[n] = -sum_c t[n, c] * log_softmax(logits)[n, c]`, the target
    `t = (1 - label_smoothing) * one_hot(labels) + label_smoothing / C`
    (PyTorch's `cross_entropy(..., reduction='none', label_smoothing=...)`).

    It is what `dl-train-step` builds for `--loss=cross_entropy`, so that the
    CPU backend computes a row's statistics and its loss in one kernel, and
    the gradient (`dl.softmax_cross_entropy_grad`) in one more, instead of a
    log-softmax, a one-hot matrix and its products. A label outside `[0, C)`
    is the caller's error: the lowering checks every label before the loss
    reads any (a failed check is an error status, as for `dl.one_hot` with
    `dl.checked_labels`).
  }];
  let arguments = (ins DL_FloatTensor:$logits, DL_IndexTensor:$labels,
                   DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` "
                       "functional-type(operands, results)";
}

def DL_SoftmaxCrossEntropyGradOp : DL_Op<"softmax_cross_entropy_grad", [Pure,
    AllTypesMatch<["logits", "result"]>]> {
  let summary = "Gradient of dl.softmax_cross_entropy for its logits";
  let description = [{
    `result[n, c] = grad[n] * (softmax(logits)[n, c] - t[n, c])`, with `t`
    the smoothed target of `dl.softmax_cross_entropy` (the sum of `t` over a
    row is 1). `grad` is `[N]`, the gradient of the per-sample losses.
    dl-autodiff makes it from a `dl.softmax_cross_entropy`, which checks the
    labels; this op compares labels with class indices and never reads
    memory at a label, so a bad label cannot make it read out of bounds (its
    row then has no target).
  }];
  let arguments = (ins DL_FloatTensor:$logits, DL_IndexTensor:$labels,
                   DL_FloatTensor:$grad,
                   DefaultValuedAttr<F64Attr, "0.0">:$label_smoothing);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$logits `,` $labels `,` $grad attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def DL_QuantizeOp : DL_Op<"quantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "q = saturate(round(x / scale) + zero_point)";
  let description = [{
    Per-tensor (one scale, no axis) or per-axis (one scale per slice of
    `axis`). Rounds half to even and saturates to the result type, read as
    uint8 when `is_unsigned`.
  }];
  let arguments = (ins DL_FloatTensor:$input, DenseF64ArrayAttr:$scale,
                   DenseI64ArrayAttr:$zero_point,
                   OptionalAttr<I64Attr>:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned);
  let results = (outs DL_IntTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasCanonicalizer = 1;
}

def DL_DequantizeOp : DL_Op<"dequantize", [Pure, SameOperandsAndResultShape]> {
  let summary = "x = (q - zero_point) * scale";
  let description = [{
    `q` is read as unsigned when `is_unsigned` (ONNX uint8).
  }];
  let arguments = (ins DL_IntTensor:$input, DenseF64ArrayAttr:$scale,
                   DenseI64ArrayAttr:$zero_point,
                   OptionalAttr<I64Attr>:$axis,
                   DefaultValuedAttr<BoolAttr, "false">:$is_unsigned);
  let results = (outs DL_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data-parallel training (lowered to libdlcrt_mpi calls by
// dl-lower-distributed)
//===----------------------------------------------------------------------===//

def DL_DistCheckOp : DL_Op<"dist_check", [MemoryEffects<[MemWrite]>]> {
  let summary = "Check that every rank runs the same model";
  let description = [{
    Exchanges `checksum` (of the state's names and types and the bucket
    layout), the state tensor count and the parameter element count with
    every rank, once per process; a mismatch fails the entry point on every
    rank with a message naming both models.
  }];
  let arguments = (ins I64Attr:$checksum, I64Attr:$tensors,
                   I64Attr:$elements);
  let assemblyFormat = "attr-dict";
}

def DL_AllReduceOp : DL_Op<"all_reduce", [Pure]> {
  let summary = "The mean or sum of tensors over the data-parallel ranks";
  let description = [{
    A blocking all-reduce (`kind = "mean"` or `"sum"`) of static f32
    tensors, differentiable: the gradient of each input is the same
    all-reduce of the results' cotangents. --sync-batchnorm builds the
    training batch norm's statistics with it. It is Pure for the
    transformations: every rank runs the same program, so CSE, DCE and
    rematerialization change the sequence of collectives alike on all of
    them. dl-lower-distributed makes each one a bucket of its own
    (dl.dist_start and dl.dist_wait).
  }];
  let arguments = (ins Variadic<DL_FloatTensor>:$inputs, StrAttr:$kind);
  let results = (outs Variadic<DL_FloatTensor>:$results);
  let assemblyFormat = "$inputs attr-dict `:` functional-type($inputs, $results)";
  let hasVerifier = 1;
}

def DL_DistStartOp : DL_Op<"dist_start", [MemoryEffects<[MemWrite]>]> {
  let summary = "Start a bucket's collective over its tensors";
  let description = [{
    Copies the f32 `inputs` into bucket `bucket` (one contiguous buffer, in
    order) and starts its collective without waiting: an all-reduce whose
    results are the mean (`kind = "mean"`) or sum (`"sum"`) over the ranks,
    or a broadcast of rank 0's values (`"broadcast"`). `dl.dist_wait` with
    the same bucket gives the results.
  }];
  let arguments = (ins Variadic<DL_FloatTensor>:$inputs, I64Attr:$bucket,
                   StrAttr:$kind);
  let assemblyFormat = "$inputs attr-dict `:` type($inputs)";
  let hasVerifier = 1;
}

def DL_DistWaitOp : DL_Op<"dist_wait", [MemoryEffects<[MemWrite]>]> {
  let summary = "Wait for a bucket's collective and take its results";
  let description = [{
    The results have the types of the started bucket's inputs, in order.
  }];
  let arguments = (ins I64Attr:$bucket);
  let results = (outs Variadic<DL_FloatTensor>:$results);
  let assemblyFormat = "attr-dict `:` type($results)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Structure
//===----------------------------------------------------------------------===//

def DL_FusionOp : DL_Op<"fusion", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "A region of dl ops compiled as one kernel";
  let description = [{
    The body's block arguments are the fusion's inputs, in order; its
    `dl.yield` gives the results. Regions do not nest.
  }];
  let arguments = (ins Variadic<DL_Tensor>:$inputs);
  let results = (outs Variadic<DL_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "`(` $inputs `)` attr-dict `:` "
                       "functional-type($inputs, $results) $body";
  let hasVerifier = 1;
  let skipDefaultBuilders = 1;
  let builders = [
    OpBuilder<(ins "::mlir::TypeRange":$resultTypes,
                   "::mlir::ValueRange":$inputs)>
  ];
}

def DL_RecomputeBarrierOp : DL_Op<"recompute_barrier", [InferTypeOpAdaptor,
    AttrSizedOperandSegments]> {
  let summary = "Forwards the inputs of a recomputed forward segment";
  let description = [{
    `%x2, %w2 = dl.recompute_barrier %x, %w after %g : tensor<..>, tensor<..>
    after tensor<..>` gives back `%x` and `%w` unchanged. dl-checkpoint
    clones a forward segment from the barrier's results, so the clones
    differ from the originals and CSE or canonicalization cannot merge them
    back (the op has no declared memory effects, so it is neither merged nor
    moved nor erased). The `after` operands (the cotangent flowing into the
    segment's backward) order the recomputation after them. Bufferization
    forwards each input's buffer, so the barrier costs nothing and is gone
    after one-shot bufferization.
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs,
                   Variadic<AnyRankedTensor>:$after);
  let results = (outs Variadic<AnyRankedTensor>:$results);
  let assemblyFormat = "$inputs (`after` $after^)? attr-dict `:` "
                       "type($inputs) (`after` type($after)^)?";
}

def DL_YieldOp : DL_Op<"yield", [Pure, Terminator, ReturnLike,
    HasParent<"FusionOp">]> {
  let summary = "Ends a dl.fusion body with its results";
  let arguments = (ins Variadic<DL_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
  let builders = [OpBuilder<(ins), [{ /* no results */ }]>];
}

include "dlc/Dialect/DL/IR/DLRecurrentOps.td"
include "dlc/Dialect/DL/IR/DLQuantOps.td"
include "dlc/Dialect/DL/IR/DLDynamicOps.td"

#endif // DLC_DIALECT_DL_IR_DLOPS_TD
