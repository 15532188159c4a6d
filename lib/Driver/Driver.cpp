//===- Driver.cpp - input -> dl -> artifact -------------------------------===//

#include "dlc/Driver/Driver.h"
#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"
#include "dlc/Frontend/ONNX/Importer.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using namespace mlir;
using namespace dlc;
using namespace dlc::driver;

std::string driver::parseInputShape(
    llvm::StringRef spec, std::map<std::string, std::vector<int64_t>> &shapes) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty())
    return "--input-shape expects NAME=DxDx..., got '" + spec.str() + "'";
  std::vector<int64_t> shape;
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x');
  for (llvm::StringRef p : parts) {
    int64_t d;
    if (p.getAsInteger(10, d) || d < 0)
      return "--input-shape " + name.str() + ": '" + p.str() +
             "' is not a dim size (expected a non-negative integer)";
    shape.push_back(d);
  }
  shapes[name.str()] = std::move(shape);
  return "";
}

static bool isTextInput(const Options &o) {
  if (o.inputFormat != InputFormat::Auto)
    return o.inputFormat == InputFormat::OnnxText;
  llvm::StringRef in(o.input);
  return in.ends_with(".onnxtxt") || in.ends_with(".onnx.txt");
}

int driver::run(const Options &options, llvm::raw_ostream &errs,
                llvm::raw_ostream &log) {
  auto start = std::chrono::steady_clock::now();
  auto stage = [&](llvm::StringRef what) {
    if (options.verbose)
      log << "dlc: " << what << " done at "
          << llvm::format("%.1f",
                          std::chrono::duration<double, std::milli>(
                              std::chrono::steady_clock::now() - start)
                              .count())
          << " ms\n";
  };
  MLIRContext context;
  context.loadDialect<dl::DLDialect, func::FuncDialect,
                      tensor::TensorDialect>();
  // Errors name the user's node through its location; print them plainly.
  context.printOpOnDiagnostic(false);

  onnx_frontend::ImportOptions importOptions;
  importOptions.inputShapes = options.inputShapes;
  importOptions.targetOpset = options.targetOpset;
  importOptions.textFormat = isTextInput(options);
  importOptions.verbose = options.verbose;
  OwningOpRef<ModuleOp> module = onnx_frontend::importModelFile(
      context, options.input, importOptions, errs, log);
  if (!module)
    return kImportError;
  stage("import");

  if (options.emit == Emit::Mlir) {
    PassManager pm(&context);
    pm.addPass(createCanonicalizerPass());
    pm.addPass(dl::createDLShapeInference());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (failed(pm.run(*module))) {
      errs << "error: dl simplification failed (see the diagnostics above)\n";
      return kCompileError;
    }
    stage("shape inference and canonicalization");
  }

  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    errs << "error: " << error << "\n";
    return kUsageError;
  }
  OpPrintingFlags flags;
  if (!options.printWeights)
    flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
  module->print(out->os(), flags);
  out->os() << "\n";
  out->keep();
  stage("print");
  return kSuccess;
}
