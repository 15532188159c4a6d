//===- FuzzONNX.cpp - libFuzzer target: the ONNX importer -----------------===//
//
// Feeds bytes to the importer as a binary ONNX model (dlc-fuzz-onnx) or as
// ONNX text (dlc-fuzz-onnx-text, DLC_FUZZ_TEXT): checks, library shape
// inference, version conversion and the import into dl. Any crash, abort or
// sanitizer report is a finding; a rejected input is fine.
//
//===----------------------------------------------------------------------===//

#include "dlc/Frontend/ONNX/Importer.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The importer loads the dialects it makes (dl, func).
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  context.printOpOnDiagnostic(false);
  // Diagnostics of the import are expected: swallow them.
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  dlc::onnx_frontend::ImportOptions options;
#ifdef DLC_FUZZ_TEXT
  options.textFormat = true;
#endif
  llvm::raw_null_ostream sink;
  // External data would be looked up in the working directory; the fuzzer's
  // inputs have none worth reading, and the importer refuses what escapes.
  (void)dlc::onnx_frontend::importModelBytes(
      context, llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "fuzz", options, sink, sink);
  return 0;
}
