//===- dlc.cpp - the dlc compiler driver ----------------------------------===//
//
// dlc MODEL.onnx [-o OUT] [--emit=mlir|mlir-raw] [--input-shape NAME=DxD...]
//
//===----------------------------------------------------------------------===//

#include "dlc/Driver/Driver.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace dlc::driver;

static cl::OptionCategory category("dlc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o", cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
static cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Mlir),
    cl::values(clEnumValN(Emit::Mlir, "mlir",
                          "dl IR after shape inference and canonicalization"),
               clEnumValN(Emit::MlirRaw, "mlir-raw",
                          "dl IR as imported, before any simplification"),
               clEnumValN(Emit::Linalg, "linalg", "after lowering to linalg"),
               clEnumValN(Emit::Llvm, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Obj, "obj", "an object file"),
               clEnumValN(Emit::Lib, "lib",
                          "a static library and its C header NAME.h"),
               clEnumValN(Emit::Shared, "shared",
                          "a shared library and its C header NAME.h"),
               clEnumValN(Emit::Exe, "exe",
                          "a standalone program (inputs from .npy/.pb files)"),
               clEnumValN(Emit::Header, "header", "the model's C header")),
    cl::cat(category));
static cl::opt<InputFormat> inputFormat(
    "input-format", cl::desc("Input format (default: from the extension)"),
    cl::init(InputFormat::Auto),
    cl::values(clEnumValN(InputFormat::Onnx, "onnx", "binary ONNX protobuf"),
               clEnumValN(InputFormat::OnnxText, "onnx-text",
                          "ONNX textual syntax (.onnxtxt)")),
    cl::cat(category));
static cl::list<std::string>
    inputShapes("input-shape",
                cl::desc("Pin an input's shape: NAME=1x3x224x224 (repeatable)"),
                cl::value_desc("name=shape"), cl::cat(category));
static cl::opt<int64_t> opset("opset",
                              cl::desc("Opset older models are converted to"),
                              cl::init(17), cl::cat(category));
static cl::opt<bool> printWeights("print-weights",
                                  cl::desc("Print weights in full in MLIR output"),
                                  cl::cat(category));
static cl::opt<std::string> entry("entry",
                                  cl::desc("Entry symbol (default: NAME_forward "
                                           "from -o NAME.ext)"),
                                  cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3"),
                                  cl::Prefix, cl::init(2), cl::cat(category));
static cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: host)"),
                                 cl::cat(category));
static cl::opt<std::string> mtriple("mtriple",
                                    cl::desc("Target triple (default: host)"),
                                    cl::cat(category));
enum class Weights { Embedded, External };
static cl::opt<Weights> weights(
    "weights", cl::desc("Where the weights go"), cl::init(Weights::Embedded),
    cl::values(clEnumValN(Weights::Embedded, "embedded",
                          "in the code's read-only data"),
               clEnumValN(Weights::External, "external",
                          "in NAME.weights, loaded by NAME_init")),
    cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("Print each stage with its time"),
                             cl::cat(category));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv, "dlc: deep-learning compiler\n");
  Options options;
  options.input = inputFile;
  options.output = outputFile;
  options.emit = emit;
  options.inputFormat = inputFormat;
  options.targetOpset = opset;
  options.printWeights = printWeights;
  options.verbose = verbose;
  options.entry = entry;
  options.externalWeights = weights == Weights::External;
  if (optLevel > 3) {
    errs() << "error: -O" << optLevel << " is not 0 to 3\n";
    return kUsageError;
  }
  options.optLevel = optLevel;
  options.mcpu = mcpu;
  options.mtriple = mtriple;
  for (const std::string &spec : inputShapes) {
    std::string error = parseInputShape(spec, options.inputShapes);
    if (!error.empty()) {
      errs() << "error: " << error << "\n";
      return kUsageError;
    }
  }
  return run(options, errs(), errs());
}
