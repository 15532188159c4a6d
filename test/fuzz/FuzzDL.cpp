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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  // The dialects of dl IR as the importer and dlc-opt --dlc-simplify see it.
  mlir::DialectRegistry registry;
  registry.insert<dlc::dl::DLDialect, mlir::func::FuncDialect,
                  mlir::tensor::TensorDialect, mlir::arith::ArithDialect>();
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  context.allowUnregisteredDialects(false);
  context.printOpOnDiagnostic(false);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::ParserConfig config(&context);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(
      llvm::StringRef(reinterpret_cast<const char *>(data), size), config);
  if (!module || mlir::failed(mlir::verify(*module)))
    return 0;
  mlir::PassManager pm(&context);
  pm.enableVerifier(true);
  pm.addPass(dlc::dl::createDLShapeInference());
  pm.addPass(mlir::createCanonicalizerPass());
  (void)pm.run(*module);
  return 0;
}
