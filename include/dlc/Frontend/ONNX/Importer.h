//===- Importer.h - ONNX models into the dl dialect -------------*- C++ -*-===//
//
// Loads an ONNX model (binary or ONNX text syntax) through the ONNX library:
// checker, version converter to one target opset, ONNX shape inference; then
// imports the graph into a func.func of dl ops. Unsupported nodes are all
// reported at once, each naming the node, op type and opset.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_FRONTEND_ONNX_IMPORTER_H
#define DLC_FRONTEND_ONNX_IMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace dlc::onnx_frontend {

struct ImportOptions {
  /// Input shapes that pin dynamic dims: name -> full shape.
  std::map<std::string, std::vector<int64_t>> inputShapes;
  /// Models at an older opset are converted to this one when the ONNX
  /// version converter can; newer models are imported as they are.
  int64_t targetOpset = 17;
  /// Name of the entry function; empty: the graph's name, or "main".
  std::string entryName;
  /// The input is ONNX's textual syntax rather than a binary protobuf.
  bool textFormat = false;
  /// Print stage information (opsets, timings) to `log`.
  bool verbose = false;
  /// Do not fold ops whose operands are float initializers (for training,
  /// where those are the parameters).
  bool keepWeights = false;
};

/// Imports the model at `path`. On failure, every error has been written to
/// `errors` (one line each, "error: ...") and the result is null.
mlir::OwningOpRef<mlir::ModuleOp> importModelFile(mlir::MLIRContext &context,
                                                  const std::string &path,
                                                  const ImportOptions &options,
                                                  llvm::raw_ostream &errors,
                                                  llvm::raw_ostream &log);

/// As importModelFile, from bytes in memory (`name` appears in messages).
mlir::OwningOpRef<mlir::ModuleOp>
importModelBytes(mlir::MLIRContext &context, llvm::StringRef bytes,
                 llvm::StringRef name, const ImportOptions &options,
                 llvm::raw_ostream &errors, llvm::raw_ostream &log);

/// Opsets the importer accepts for the default ONNX domain.
constexpr int64_t kMinOpset = 7;
constexpr int64_t kMaxOpset = 21;

} // namespace dlc::onnx_frontend

#endif // DLC_FRONTEND_ONNX_IMPORTER_H
