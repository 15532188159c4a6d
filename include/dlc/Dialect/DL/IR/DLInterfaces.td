//===- DLInterfaces.td - dl op interfaces ------------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DL_IR_DLINTERFACES_TD
#define DLC_DIALECT_DL_IR_DLINTERFACES_TD

include "mlir/IR/OpBase.td"

def DL_ElementwiseOpInterface : OpInterface<"ElementwiseOpInterface"> {
  let description = [{
    An op that computes each result element from the elements at the same
    (broadcast) position of its operands. The scalar evaluators let one
    generic folder fold any such op on small constants, and tell later passes
    (fusion) that the op is elementwise.
  }];
  let cppNamespace = "::dlc::dl";
  let methods = [
    InterfaceMethod<
      "Evaluates the op on floating-point scalars; nullopt if the op does "
      "not apply to floats or the value is not representable.",
      "std::optional<double>", "evalFloat",
      (ins "llvm::ArrayRef<double>":$args), [{}],
      [{ return std::nullopt; }]>,
    InterfaceMethod<
      "Evaluates the op on integer scalars (all of the operand width); "
      "nullopt if the op does not apply to integers or would trap.",
      "std::optional<llvm::APInt>", "evalInt",
      (ins "llvm::ArrayRef<llvm::APInt>":$args), [{}],
      [{ return std::nullopt; }]>,
  ];
}

def DL_GradientOpInterface : OpInterface<"GradientOpInterface"> {
  let description = [{
    The op's reverse-mode rule (vector-Jacobian product): given the
    gradients of its results, build the gradients of its operands. The rules
    live with the ops (lib/Dialect/DL/IR/Gradients.cpp); dl-autodiff only
    walks the graph backwards and accumulates.
  }];
  let cppNamespace = "::dlc::dl";
  let methods = [
    InterfaceMethod<
      "Builds the operand gradients from `resultGrads` (one per result, null "
      "where a result has none) into `operandGrads` (one per operand, null "
      "where an operand is not differentiable). Each gradient has its "
      "operand's type.",
      "::llvm::LogicalResult", "vjp",
      (ins "::mlir::OpBuilder &":$builder,
           "::mlir::ValueRange":$resultGrads,
           "::llvm::SmallVectorImpl<::mlir::Value> &":$operandGrads)>,
  ];
}

#endif // DLC_DIALECT_DL_IR_DLINTERFACES_TD
