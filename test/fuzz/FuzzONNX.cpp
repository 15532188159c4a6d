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
#include <memory>

namespace {
/// The context, kept across inputs: making it and loading the dialects the
/// importer makes (dl, func) cost more than a small model's import. It is
/// made afresh every kInputsPerContext inputs, so that what it uniques
/// (types, attributes) stays bounded. Nothing else survives an input.
struct Session {
  static constexpr int kInputsPerContext = 1000;
  mlir::MLIRContext context{mlir::MLIRContext::Threading::DISABLED};
  // Diagnostics of the import are expected: swallow them.
  mlir::ScopedDiagnosticHandler quiet{
      &context, [](mlir::Diagnostic &) { return mlir::success(); }};
  int inputs = 0;

  Session() { context.printOpOnDiagnostic(false); }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<Session> session;
  if (!session || ++session->inputs >= Session::kInputsPerContext) {
    session.reset();
    session = std::make_unique<Session>();
  }
  dlc::onnx_frontend::ImportOptions options;
#ifdef DLC_FUZZ_TEXT
  options.textFormat = true;
#endif
  llvm::raw_null_ostream sink;
  // External data would be looked up in the working directory; the fuzzer's
  // inputs have none worth reading, and the importer refuses what escapes.
  (void)dlc::onnx_frontend::importModelBytes(
      session->context,
      llvm::StringRef(reinterpret_cast<const char *>(data), size), "fuzz",
      options, sink, sink);
  return 0;
}
