//===- Driver.h - what the dlc tool runs ------------------------*- C++ -*-===//
//
// The driver's small option struct and its entry point: input -> dl ->
// requested artifact. tools/dlc only parses the command line into Options.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DRIVER_DRIVER_H
#define DLC_DRIVER_DRIVER_H

#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace dlc::driver {

enum class Emit { Mlir, MlirRaw, Linalg, Llvm, Obj, Lib, Shared, Exe, Header };
enum class InputFormat { Auto, Onnx, OnnxText };

/// `dlc --train`: what dl-train-step builds (see its description in
/// include/dlc/Dialect/DL/Transforms/Passes.td).
struct TrainOptions {
  bool enabled = false;
  std::string loss = "cross_entropy";
  std::string reduction = "mean";
  std::string optimizer = "sgd";
  std::string init = "he_uniform";
  double labelSmoothing = 0, huberDelta = 1, distillAlpha = 0.5,
         distillTemperature = 1;
  double momentum = 0.9, beta1 = 0.9, beta2 = 0.999, epsilon = -1;
  double weightDecay = 0, clipNorm = 0, bnMomentum = 0.1;
  int64_t seed = 0;
  unsigned numData = 1;
  std::vector<std::string> freeze;
};

struct Options {
  std::string input;
  std::string output = "-";
  Emit emit = Emit::Mlir;
  InputFormat inputFormat = InputFormat::Auto;
  std::map<std::string, std::vector<int64_t>> inputShapes;
  int64_t targetOpset = 17;
  bool printWeights = false;
  bool verbose = false;
  /// Entry symbol for code generation; empty: from the output name.
  std::string entry;
  unsigned optLevel = 2;
  /// Weights in NAME.weights, loaded by NAME_init, instead of in the code.
  bool externalWeights = false;
  std::string mcpu;
  std::string mtriple;
  TrainOptions train;
};

/// Exit codes, so scripts can tell failures apart.
enum ExitCode : int {
  kSuccess = 0,
  kImportError = 1,
  kCompileError = 2,
  kUsageError = 3,
};

/// Parses "NAME=1x3x224x224" into `shapes`; returns an error message or "".
std::string parseInputShape(llvm::StringRef spec,
                            std::map<std::string, std::vector<int64_t>> &shapes);

/// Runs the driver; diagnostics go to `errs`, progress (-v) to `log`.
int run(const Options &options, llvm::raw_ostream &errs, llvm::raw_ostream &log);

} // namespace dlc::driver

#endif // DLC_DRIVER_DRIVER_H
