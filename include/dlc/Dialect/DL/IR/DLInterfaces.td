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

#endif // DLC_DIALECT_DL_IR_DLINTERFACES_TD
