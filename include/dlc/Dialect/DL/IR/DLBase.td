//===- DLBase.td - dl dialect, types and attributes --------*- tablegen -*-===//
//
// The dl dialect: tensor-level deep-learning ops with value semantics.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_DLBASE_TD
#define DLC_DIALECT_DL_IR_DLBASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def DL_Dialect : Dialect {
  let name = "dl";
  let cppNamespace = "::dlc::dl";
  let summary = "Tensor-level deep-learning operations";
  let description = [{
    Ops on ranked tensors with value semantics, as imported from ONNX or built
    by the Python API. Every op verifies its operands with a message a user can
    act on, infers its result shape (static or dynamic dimensions) and folds
    where that is cheap.
  }];
  let hasConstantMaterializer = 1;
  // Recurrent layers and control flow expand to scf loops over tensors.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect"];
  let useDefaultAttributePrinterParser = 1;
}

//===----------------------------------------------------------------------===//
// Element and tensor types
//===----------------------------------------------------------------------===//

// Integers are signless, as in arith: ONNX's unsigned types map to the
// integer of their width, and the ops whose meaning depends on the sign
// (div, mod, max, min, comparisons, casts) carry it in an attribute.

def DL_FloatType : AnyTypeOf<[F16, BF16, F32, F64]>;
def DL_IntType : AnyTypeOf<[I8, I16, I32, I64]>;
def DL_ElementType : AnyTypeOf<[F16, BF16, F32, F64, I1, I8, I16, I32, I64]>;

def DL_Tensor : RankedTensorOf<[DL_ElementType]>;
def DL_FloatTensor : RankedTensorOf<[DL_FloatType]>;
def DL_IntTensor : RankedTensorOf<[I8, I16, I32, I64]>;
def DL_BoolTensor : RankedTensorOf<[I1]>;
def DL_IndexTensor : RankedTensorOf<[I32, I64]>;
def DL_I64Tensor : RankedTensorOf<[I64]>;
def DL_NumericTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I16, I32, I64]>;
def DL_SignedTensor : RankedTensorOf<[F16, BF16, F32, F64, I8, I16, I32, I64]>;
def DL_LogicalTensor : RankedTensorOf<[I1, I8, I16, I32, I64]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

def DL_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>,
    I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>]> {
  let cppNamespace = "::dlc::dl";
  let genSpecializedAttr = 0;
}
def DL_PadModeAttr : EnumAttr<DL_Dialect, DL_PadMode, "pad_mode">;

def DL_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "approximation used by gelu", [
    I32EnumAttrCase<"none", 0>,
    I32EnumAttrCase<"tanh", 1>]> {
  let cppNamespace = "::dlc::dl";
  let genSpecializedAttr = 0;
}
def DL_GeluApproximationAttr
    : EnumAttr<DL_Dialect, DL_GeluApproximation, "gelu_approximation">;

def DL_ResizeMode : I32EnumAttr<"ResizeMode", "resize interpolation", [
    I32EnumAttrCase<"nearest", 0>,
    I32EnumAttrCase<"linear", 1>]> {
  let cppNamespace = "::dlc::dl";
  let genSpecializedAttr = 0;
}
def DL_ResizeModeAttr : EnumAttr<DL_Dialect, DL_ResizeMode, "resize_mode">;

def DL_CoordinateTransform : I32EnumAttr<"CoordinateTransform",
    "how resize maps output to input coordinates", [
    I32EnumAttrCase<"half_pixel", 0>,
    I32EnumAttrCase<"pytorch_half_pixel", 1>,
    I32EnumAttrCase<"align_corners", 2>,
    I32EnumAttrCase<"asymmetric", 3>]> {
  let cppNamespace = "::dlc::dl";
  let genSpecializedAttr = 0;
}
def DL_CoordinateTransformAttr
    : EnumAttr<DL_Dialect, DL_CoordinateTransform, "coordinate_transform">;

def DL_NearestMode : I32EnumAttr<"NearestMode",
    "rounding of nearest-neighbour resize", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>,
    I32EnumAttrCase<"ceil", 3>]> {
  let cppNamespace = "::dlc::dl";
  let genSpecializedAttr = 0;
}
def DL_NearestModeAttr : EnumAttr<DL_Dialect, DL_NearestMode, "nearest_mode">;

//===----------------------------------------------------------------------===//
// Base op class
//===----------------------------------------------------------------------===//

class DL_Op<string mnemonic, list<Trait> traits = []>
    : Op<DL_Dialect, mnemonic, traits> {
  // Declarations an op adds on top of the ones every dl op has.
  code dlExtraClassDeclaration = "";
  let extraClassDeclaration = [{
    /// Inferred and declared result types agree when they have the same
    /// element type and rank and every dimension is equal or dynamic on one
    /// side, so a declared type may be more precise than the inferred one.
    static bool isCompatibleReturnTypes(::mlir::TypeRange l,
                                        ::mlir::TypeRange r) {
      return ::dlc::dl::areRefinableTypes(l, r);
    }
  }] # dlExtraClassDeclaration;
}

#endif // DLC_DIALECT_DL_IR_DLBASE_TD
