//===- DLCanonicalization.td - dl rewrites in DRR --------*- tablegen -*-===//
//
// The canonicalization rewrites that are plain matches of op trees; the ops'
// getCanonicalizationPatterns add them by name. Three stay in C++ because DRR
// does not express them: dl.dropout's (two results, a mask constant made only
// when used), and dl.reshape's two, which keep or drop the optional `shape`
// operand (DRR passes an absent optional operand on as a null value).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_DLCANONICALIZATION_TD
#define DLC_DIALECT_DL_IR_DLCANONICALIZATION_TD

include "dlc/Dialect/DL/IR/DLOps.td"
include "mlir/IR/PatternBase.td"

def SameType : Constraint<CPred<"$0.getType() == $1.getType()">,
                          "values of the same type">;
def EqualAttrs : Constraint<CPred<"$0 == $1">, "equal attributes">;

// quantize(dequantize(q)) with the same parameters and type is q: every
// integer value round-trips exactly.
def QuantizeOfDequantize : Pat<
  (DL_QuantizeOp:$result (DL_DequantizeOp $q, $dqScale, $dqZeroPoint, $dqAxis,
                                          $dqUnsigned),
                         $scale, $zeroPoint, $axis, $isUnsigned),
  (replaceWithValue $q),
  [(SameType $q, $result), (EqualAttrs $dqScale, $scale),
   (EqualAttrs $dqZeroPoint, $zeroPoint), (EqualAttrs $dqAxis, $axis),
   (EqualAttrs $dqUnsigned, $isUnsigned)]>;

#endif // DLC_DIALECT_DL_IR_DLCANONICALIZATION_TD
