//===- dlc-opt.cpp - mlir-opt with the dl dialect and passes --------------===//
//
// The driver for lit tests and for reproducing dlc step by step: every
// upstream dialect and pass, dl's passes, and dlc's pipelines
// (--dlc-simplify, --dlc-train, --dlc-to-linalg, --dlc-cpu-lowering), the
// same functions dlc calls.
//
//===----------------------------------------------------------------------===//

#include "dlc/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  dlc::registerDLCPipelines();

  mlir::DialectRegistry registry;
  dlc::registerDLCDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "dlc optimizer driver\n", registry));
}
