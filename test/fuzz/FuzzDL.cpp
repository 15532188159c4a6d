//===- FuzzDL.cpp - libFuzzer target: dl parser, verifier, shape inference ===//
//
// Parses bytes as MLIR with the dl dialect, verifies the module and runs
// dl-shape-inference and canonicalization (the folders) on what verifies.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

#include <cstddef>
#include <cstdint>

#include <memory>
#include <string>

namespace {
/// The context and pipeline, kept across inputs: making the context, loading
/// its dialects and freezing the canonicalizer's patterns cost several times
/// what a small module's parse and passes do. They are made afresh every
/// kInputsPerContext inputs, so that what the context uniques (types,
/// attributes) stays bounded. Nothing else survives an input.
struct Session {
  static constexpr int kInputsPerContext = 1000;
  mlir::MLIRContext context;
  mlir::ScopedDiagnosticHandler quiet;
  mlir::PassManager pm;
  int inputs = 0;

  static mlir::DialectRegistry registry() {
    // The dialects of dl IR as the importer and dlc-opt --dlc-simplify see it.
    mlir::DialectRegistry registry;
    registry.insert<dlc::dl::DLDialect, mlir::func::FuncDialect,
                    mlir::tensor::TensorDialect, mlir::arith::ArithDialect>();
    return registry;
  }
  Session()
      : context(registry(), mlir::MLIRContext::Threading::DISABLED),
        quiet(&context, [](mlir::Diagnostic &) { return mlir::success(); }),
        pm(&context) {
    context.allowUnregisteredDialects(false);
    context.printOpOnDiagnostic(false);
    pm.enableVerifier(true);
    pm.addPass(dlc::dl::createDLShapeInference());
    pm.addPass(mlir::createCanonicalizerPass());
  }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<Session> session;
  if (!session || ++session->inputs >= Session::kInputsPerContext) {
    session.reset();
    session = std::make_unique<Session>();
  }
  mlir::ParserConfig config(&session->context);
  // MLIR's lexer reads up to a NUL, as in every buffer dlc-opt or dlc reads
  // from a file; libFuzzer's bytes have none at their end.
  std::string source(reinterpret_cast<const char *>(data), size);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(source, config);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  (void)session->pm.run(*module);
  return 0;
}
