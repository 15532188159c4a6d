//===- QuantizePasses.h - dl-quantize ---------------------------*- C++ -*-===//
//
// The pass, and what the driver's calibration shares with it: which
// contractions dl-quantize takes and which tensors of each it needs ranges
// of, and the attributes the ranges are given in.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_QUANTIZEPASSES_H
#define DLC_DIALECT_DL_TRANSFORMS_QUANTIZEPASSES_H

#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <string>

namespace dlc::dl {

#define GEN_PASS_DECL
#include "dlc/Dialect/DL/Transforms/QuantizePasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "dlc/Dialect/DL/Transforms/QuantizePasses.h.inc"

/// Calibrated [lo, hi] of a contraction's activation input and of its
/// result after the epilogue (array<f64: lo, hi>).
constexpr llvm::StringLiteral kInputRangeAttr = "dl.input_range";
constexpr llvm::StringLiteral kOutputRangeAttr = "dl.output_range";

/// A contraction dl-quantize can take, with its simple epilogue.
struct QuantCandidate {
  mlir::Operation *contraction = nullptr; // dl.conv, dl.gemm or dl.matmul
  mlir::Operation *biasAdd = nullptr;     // dl.add of a constant bias, or null
  mlir::Operation *activation = nullptr;  // dl.relu or dl.clip, or null
  std::string name;                       // the ONNX node, "" if unnamed
  mlir::Value input() const;
  /// The layer's float result: after the bias add and the activation.
  mlir::Value output() const;
};

/// The contractions of `module` dl-quantize takes, in program order: f32,
/// constant weights, not named in `exclude`; with `dynamic`, matmul and
/// gemm only.
llvm::SmallVector<QuantCandidate>
findQuantCandidates(mlir::ModuleOp module, llvm::ArrayRef<std::string> exclude,
                    bool dynamic);

/// The ONNX node name of `loc` ("" if none).
std::string nodeName(mlir::Location loc);

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_TRANSFORMS_QUANTIZEPASSES_H
