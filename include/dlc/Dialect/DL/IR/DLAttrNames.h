//===- DLAttrNames.h - names of dl's discardable attributes -----*- C++ -*-===//
//
// Attributes dl puts on functions, their arguments and results, read by the
// C header and entry points (lib/Target/CPU/EntryABI.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_DLATTRNAMES_H
#define DLC_DIALECT_DL_IR_DLATTRNAMES_H

#include "llvm/ADT/StringRef.h"

namespace dlc::dl {

/// The ONNX name of an entry point's argument or result.
inline constexpr llvm::StringLiteral kNameAttr = "dl.name";
/// On an entry point's argument or result: its integers are unsigned (ONNX
/// uint8..uint64; dl integers are signless), so the C ABI takes U8..U64.
inline constexpr llvm::StringLiteral kUnsignedAttr = "dl.unsigned";
/// The ONNX names of an argument's dims (symbolic dims like "batch").
inline constexpr llvm::StringLiteral kDimNamesAttr = "dl.dim_names";
/// On a module: gather indices are not range-checked at run time (dlc
/// --unchecked-indices), for speed where the indices are known good.
inline constexpr llvm::StringLiteral kUncheckedIndicesAttr =
    "dl.unchecked_indices";
/// On a dl.one_hot: its indices are class labels, which must lie in
/// [0, depth) (the train step's losses); a run-time check returns an error
/// status instead of ONNX's wrap-around or all-off row.
inline constexpr llvm::StringLiteral kCheckedLabelsAttr = "dl.checked_labels";

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_IR_DLATTRNAMES_H
