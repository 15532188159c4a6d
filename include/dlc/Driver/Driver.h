//===- Driver.h - what the dlc tool runs ------------------------*- C++ -*-===//
//
// The driver's small option struct and its entry point: input -> dl ->
// requested artifact. tools/dlc only parses the command line into Options.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DRIVER_DRIVER_H
#define DLC_DRIVER_DRIVER_H

#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace dlc::driver {

enum class Emit {
  Mlir,
  MlirRaw,
  MlirCalibrated,
  Linalg,
  MlirLLVM,
  Llvm,
  Asm,
  Obj,
  Lib,
  Shared,
  Exe,
  Header
};
enum class InputFormat { Auto, Onnx, OnnxText };

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
  /// More functions to make entry points of (FUNCTION_run, FUNCTION_release
  /// beside NAME_run), e.g. the gradient functions of dl-autodiff.
  std::vector<std::string> extraEntries;
  unsigned optLevel = 2;
  /// Weights in NAME.weights, loaded by NAME_init, instead of in the code.
  bool externalWeights = false;
  std::string mcpu;
  /// LLVM target feature changes, e.g. "-avx512f" (dlc --mattr).
  std::string mattr;
  std::string mtriple;
  /// Apply MLIR's pass-manager and timing command-line options (the tool
  /// registered them: --mlir-print-ir-after-all, --mlir-timing, ...).
  bool mlirCLOptions = false;
  /// Whether the outermost parallel loops run on the runtime's thread pool.
  bool threads = true;
  /// f32 contractions through the runtime's GEMM (dlc_sgemm).
  bool microkernels = true;
  /// Attention heads as views, transposes sunk (dl-attention-heads,
  /// dl-sink-transposes).
  bool attentionLayout = true;
  /// Static-size intermediates in one arena by liveness (dl-plan-memory).
  bool planMemory = true;
  /// Print the planned arena of each function (dl-plan-memory) to stderr.
  bool reportArena = false;
  /// --report=fusion: each kernel with the ONNX nodes fused into it.
  bool reportFusion = false;
  /// `dlc --train`: compile a training step with dl-train-step's options
  /// (declared once, in include/dlc/Dialect/DL/Transforms/Passes.td). The
  /// driver sets `entry` and `prefix` itself.
  bool train = false;
  dl::DLTrainStepOptions trainOptions;
  /// The most elements a tensor of static shape may have (dlc
  /// --max-elements); a larger one is a compile error naming its node.
  int64_t maxElements = int64_t(1) << 40;
  /// Leave gather indices unchecked at run time (dlc --unchecked-indices).
  bool uncheckedIndices = false;
  /// "cpu" or "cuda" (dlc --target).
  std::string target = "cpu";
  /// --target=cuda: the architecture and what the kernels are embedded as
  /// (ptx, cubin, fatbin).
  std::string gpuArch = "sm_80";
  std::string gpuFormat = "ptx";
  /// dlc --quantize: "" (none), "static" (ranges calibrated on the input
  /// sets of `calibrationDir`) or "dynamic" (activation ranges at run time).
  std::string quantize;
  std::string calibrationDir;
  /// How ranges are calibrated: minmax, percentile or entropy.
  std::string calibrationMethod = "minmax";
  /// ONNX node names to leave in float (--quantize-exclude).
  std::vector<std::string> quantizeExclude;
  /// Print the per-layer SQNR of the quantized model (--report=quant).
  bool reportQuant = false;
  /// For the CPU: the GPU schedules, block and thread loops run as loops
  /// (checks their numerics without a GPU; dlc --gpu-emulate).
  bool gpuEmulate = false;
};

/// Exit codes, so scripts can tell failures apart.
enum ExitCode : int {
  kSuccess = 0,
  kImportError = 1,
  kCompileError = 2,
  kUsageError = 3,
};

/// Parses "NAME=1x3x224x224" into `shapes`; returns an error message or "".
std::string
parseInputShape(llvm::StringRef spec,
                std::map<std::string, std::vector<int64_t>> &shapes);

/// Runs the driver; diagnostics go to `errs`, progress (-v) to `log`.
int run(const Options &options, llvm::raw_ostream &errs,
        llvm::raw_ostream &log);

} // namespace dlc::driver

#endif // DLC_DRIVER_DRIVER_H
