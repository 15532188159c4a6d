//===- dlc.cpp - the dlc compiler driver ----------------------------------===//
//
// dlc MODEL.onnx [-o OUT] [--emit=mlir|mlir-raw] [--input-shape NAME=DxD...]
//
//===----------------------------------------------------------------------===//

#include "dlc/Driver/Driver.h"
#include "dlc/Pipelines/Pipelines.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

#ifndef ONNX_NAMESPACE
#define ONNX_NAMESPACE onnx
#endif
#include "onnx/common/version.h"

using namespace llvm;
using namespace dlc;
using namespace dlc::driver;

static cl::OptionCategory category("dlc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.onnx>"),
                                      cl::Required, cl::cat(category));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(category));
static cl::opt<Emit> emit(
    "emit", cl::desc("What to produce"), cl::init(Emit::Mlir),
    cl::values(clEnumValN(Emit::Mlir, "mlir",
                          "dl IR after shape inference, canonicalization "
                          "and (for inference) the graph rewrites"),
               clEnumValN(Emit::MlirRaw, "mlir-raw",
                          "dl IR as imported, before any simplification"),
               clEnumValN(Emit::Linalg, "linalg", "after lowering to linalg"),
               clEnumValN(Emit::MlirLLVM, "mlir-llvm",
                          "the LLVM dialect module (what dlc-opt "
                          "--dlc-cpu-lowering makes)"),
               clEnumValN(Emit::Llvm, "llvm", "optimized LLVM IR"),
               clEnumValN(Emit::Asm, "asm", "assembly for the target"),
               clEnumValN(Emit::Obj, "obj", "an object file"),
               clEnumValN(Emit::Lib, "lib",
                          "a static library and its C header NAME.h"),
               clEnumValN(Emit::Shared, "shared",
                          "a shared library and its C header NAME.h"),
               clEnumValN(Emit::Exe, "exe",
                          "a standalone program (inputs from .npy/.pb files)"),
               clEnumValN(Emit::Header, "header", "the model's C header"),
               clEnumValN(Emit::MlirCalibrated, "mlir-calibrated",
                          "dl IR with the calibrated ranges (--quantize)")),
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
static cl::opt<bool>
    printWeights("print-weights",
                 cl::desc("Print weights in full in MLIR output"),
                 cl::cat(category));
static cl::list<std::string>
    entries("entry",
            cl::desc("Entry function (default: NAME_forward from -o "
                     "NAME.ext); repeat it to make more functions entry "
                     "points (FUNCTION_run)"),
            cl::cat(category));
static cl::opt<unsigned> optLevel("O", cl::desc("Optimization level 0-3"),
                                  cl::Prefix, cl::init(2), cl::cat(category));
static cl::opt<std::string> mcpu("mcpu", cl::desc("Target CPU (default: host)"),
                                 cl::cat(category));
static cl::opt<std::string>
    mattr("mattr",
          cl::desc("Target features to add or remove, e.g. -avx512f,+fma "
                   "(default: the CPU's)"),
          cl::cat(category));
static cl::opt<std::string> mtriple("mtriple",
                                    cl::desc("Target triple (default: host)"),
                                    cl::cat(category));
enum class Weights { Embedded, External };
static cl::opt<Weights>
    weights("weights", cl::desc("Where the weights go"),
            cl::init(Weights::Embedded),
            cl::values(clEnumValN(Weights::Embedded, "embedded",
                                  "in the code's read-only data"),
                       clEnumValN(Weights::External, "external",
                                  "in NAME.weights, loaded by NAME_init")),
            cl::cat(category));
static cl::opt<int64_t> maxElements(
    "max-elements",
    cl::desc("Refuse a model with a static tensor of more elements than this "
             "(default 2^40)"),
    cl::init(int64_t(1) << 40), cl::cat(category));
static cl::opt<bool> uncheckedIndices(
    "unchecked-indices",
    cl::desc("Do not range-check gather indices at run time (faster; an "
             "index out of range then reads out of bounds)"),
    cl::cat(category));
static cl::opt<bool> verbose("v", cl::desc("Print each stage with its time"),
                             cl::cat(category));

static cl::opt<bool> threadPool("thread-pool",
                                cl::desc("Run each kernel's outer parallel "
                                         "loop on the runtime's thread pool "
                                         "(default on)"),
                                cl::init(true), cl::cat(category));

static cl::opt<bool> microkernels(
    "microkernels",
    cl::desc(
        "Lower f32 contractions (matmul, gemm, convs) to the runtime's "
        "blocked GEMM, dlc_sgemm (default on; off: LLVM-vectorized loops)"),
    cl::init(true), cl::cat(category));

static cl::opt<bool> attentionLayout(
    "attention-layout",
    cl::desc("Attention heads as views of the projection, transposes moved "
             "where they compose (dl-attention-heads, dl-sink-transposes; "
             "default on; off: as before them, to compare)"),
    cl::init(true), cl::cat(category));

static cl::opt<bool> planMemory(
    "plan-memory",
    cl::desc("Place static-size intermediates in one arena by liveness "
             "(dl-plan-memory; default on; off: one allocation per buffer)"),
    cl::init(true), cl::cat(category));

static cl::opt<std::string>
    target("target",
           cl::desc("What the code runs on: cpu (default) or cuda (NVIDIA "
                    "GPUs: kernels as PTX in the host code, run through the "
                    "CUDA driver; no CUDA toolkit needed)"),
           cl::init("cpu"), cl::cat(category));
static cl::opt<std::string>
    gpuArch("gpu-arch",
            cl::desc("--target=cuda: sm_70, sm_72, sm_75, sm_80 (default), "
                     "sm_86, sm_87, sm_89 or sm_90"),
            cl::init("sm_80"), cl::cat(category));
static cl::opt<std::string>
    gpuFormat("gpu-format",
              cl::desc("--target=cuda: ptx (default; JIT-compiled by the "
                       "driver), cubin or fatbin (need ptxas/fatbinary)"),
              cl::init("ptx"), cl::cat(category));
static cl::opt<bool> gpuEmulate(
    "gpu-emulate",
    cl::desc("Compile for the CPU with the GPU schedules (block and thread "
             "loops as loops), to check their numerics on the host"),
    cl::init(false), cl::cat(category));

static cl::OptionCategory quantCategory("dlc --quantize options (INT8)");
enum class Quantize { None, Static, Dynamic };
static cl::opt<Quantize> quantize(
    "quantize", cl::desc("Quantize convs, gemms and matmuls to INT8"),
    cl::init(Quantize::None),
    cl::values(clEnumValN(Quantize::None, "none", "float (default)"),
               clEnumValN(Quantize::Static, "static",
                          "activation ranges calibrated on --calibration DIR"),
               clEnumValN(Quantize::Dynamic, "dynamic",
                          "matmul/gemm only; activation ranges computed at "
                          "run time")),
    cl::cat(quantCategory));
static cl::opt<std::string> calibrationDir(
    "calibration",
    cl::desc("Input sets for --quantize=static and --report=quant: one "
             "subdirectory per set holding the model's inputs as .npy or .pb "
             "files in (natural) name order, or one file per set for a "
             "one-input model"),
    cl::value_desc("dir"), cl::cat(quantCategory));
static cl::opt<std::string> calibrateMethod(
    "calibrate",
    cl::desc("Range calibration: minmax (default), percentile (99.99% of "
             "|x|) or entropy (KL divergence, as TensorRT)"),
    cl::init("minmax"), cl::cat(quantCategory));
static cl::list<std::string>
    quantizeExclude("quantize-exclude",
                    cl::desc("ONNX node names to keep in float (repeatable, or "
                             "comma-separated)"),
                    cl::CommaSeparated, cl::value_desc("node"),
                    cl::cat(quantCategory));

// The training flags write straight into dl-train-step's options struct,
// whose enum values are spelled once (TrainOptions.h).
static Options options;
static dl::DLTrainStepOptions &trainOptions = options.trainOptions;

static cl::OptionCategory trainCategory(
    "dlc --train options (a training step: forward, loss, gradients, "
    "optimizer update)");
static cl::opt<bool, true> train("train",
                                 cl::desc("Compile a training step "
                                          "(NAME_train_init, NAME_train_step) "
                                          "beside inference (NAME_run)"),
                                 cl::location(options.train),
                                 cl::cat(trainCategory));
static cl::opt<dl::Loss, true> loss("loss", cl::desc("The loss"),
                                    cl::values(DL_LOSS_VALUES),
                                    cl::location(trainOptions.loss),
                                    cl::cat(trainCategory));
static cl::opt<dl::Reduction, true>
    reduction("reduction", cl::desc("Reduction of the loss over the batch"),
              cl::values(DL_REDUCTION_VALUES),
              cl::location(trainOptions.reduction), cl::cat(trainCategory));
static cl::opt<dl::Optimizer, true>
    optimizer("optimizer", cl::desc("The optimizer"),
              cl::values(DL_OPTIMIZER_VALUES),
              cl::location(trainOptions.optimizer), cl::cat(trainCategory));
static cl::opt<dl::InitScheme, true>
    initScheme("init",
               cl::desc("Initialization of parameters given as model inputs"),
               cl::values(DL_INIT_VALUES), cl::location(trainOptions.init),
               cl::cat(trainCategory));
static cl::opt<double, true> momentum("momentum", cl::desc("Momentum (0.9)"),
                                      cl::location(trainOptions.momentum),
                                      cl::cat(trainCategory));
static cl::opt<double, true> beta1("beta1", cl::desc("Adam beta1 (0.9)"),
                                   cl::location(trainOptions.beta1),
                                   cl::cat(trainCategory));
static cl::opt<double, true> beta2("beta2", cl::desc("Adam beta2 (0.999)"),
                                   cl::location(trainOptions.beta2),
                                   cl::cat(trainCategory));
static cl::opt<double, true>
    epsilon("eps", cl::desc("Adam (1e-8) / Adagrad (1e-10) epsilon"),
            cl::location(trainOptions.epsilon), cl::cat(trainCategory));
static cl::opt<double, true>
    weightDecay("weight-decay",
                cl::desc("L2 weight decay (decoupled for adamw)"),
                cl::location(trainOptions.weightDecay), cl::cat(trainCategory));
static cl::opt<double, true> clipNorm("clip-norm",
                                      cl::desc("Clip the global gradient norm"),
                                      cl::location(trainOptions.clipNorm),
                                      cl::cat(trainCategory));
static cl::opt<double, true>
    labelSmoothing("label-smoothing", cl::desc("Label smoothing epsilon"),
                   cl::location(trainOptions.labelSmoothing),
                   cl::cat(trainCategory));
static cl::opt<double, true> huberDelta("huber-delta",
                                        cl::desc("Huber delta (1)"),
                                        cl::location(trainOptions.huberDelta),
                                        cl::cat(trainCategory));
static cl::opt<double, true>
    distillAlpha("distill-alpha",
                 cl::desc("Distillation: weight of the hard-label loss (0.5)"),
                 cl::location(trainOptions.distillAlpha),
                 cl::cat(trainCategory));
static cl::opt<double, true> distillTemperature(
    "distill-temperature", cl::desc("Distillation temperature (1)"),
    cl::location(trainOptions.distillTemperature), cl::cat(trainCategory));
static cl::opt<double, true>
    bnMomentum("bn-momentum",
               cl::desc("Batch-norm running statistics momentum (0.1, as "
                        "PyTorch)"),
               cl::location(trainOptions.bnMomentum), cl::cat(trainCategory));
static cl::opt<int64_t, true>
    seed("seed", cl::desc("Seed of dropout masks and parameter initialization"),
         cl::location(trainOptions.seed), cl::cat(trainCategory));
static cl::opt<unsigned, true>
    numData("data-inputs",
            cl::desc("How many leading model inputs are data (1); later "
                     "inputs are parameters"),
            cl::location(trainOptions.numData), cl::cat(trainCategory));
static cl::opt<std::string, true>
    checkpoint("checkpoint",
               cl::desc("Gradient checkpointing of the train step: none, sqrt, "
                        "per-block or budget=SIZE (e.g. budget=256MiB)"),
               cl::location(trainOptions.checkpoint), cl::cat(trainCategory));
static cl::opt<std::string, true> checkpointAt(
    "checkpoint-at",
    cl::desc("Checkpoint segments start at the nodes whose name matches "
             "this regex (implies --checkpoint=per-block)"),
    cl::location(trainOptions.checkpointAt), cl::cat(trainCategory));
enum class Report { None, Memory, Fusion, Quant };
static cl::opt<Report> report(
    "report", cl::desc("Print a report to stderr"),
    cl::values(clEnumValN(Report::Memory, "memory",
                          "each function's planned arena (static-size "
                          "intermediates placed by liveness); with --train "
                          "also the train step's estimated peak memory with "
                          "and without checkpointing, its segments and the "
                          "recompute FLOPs"),
               clEnumValN(Report::Fusion, "fusion",
                          "each function's dl-fuse groups (the ops meant "
                          "to be one kernel) and kernels (loop nests and "
                          "runtime kernel calls) with the ONNX nodes fused "
                          "into each, their count, and the groups that "
                          "became several kernels"),
               clEnumValN(Report::Quant, "quant",
                          "with --quantize: the SQNR of each quantized layer "
                          "and each output against the float model on the "
                          "--calibration sets")),
    cl::init(Report::None), cl::cat(trainCategory));

static cl::opt<bool, true> dataParallel(
    "data-parallel",
    cl::desc("Data-parallel training over MPI ranks (mpirun): the step "
             "all-reduces the gradients and the loss in buckets; links "
             "libdlcrt_mpi and MPI"),
    cl::location(trainOptions.dataParallel), cl::cat(trainCategory));
static cl::opt<double, true>
    bucketMB("bucket-mb",
             cl::desc("Gradient bucket size in MB for --data-parallel (25)"),
             cl::location(trainOptions.bucketMB), cl::cat(trainCategory));
static cl::opt<bool, true> syncBatchNorm(
    "sync-batchnorm",
    cl::desc("With --data-parallel: batch norm uses the statistics of the "
             "global batch (all ranks), forward and backward"),
    cl::location(trainOptions.syncBatchNorm), cl::cat(trainCategory));
static cl::list<std::string> freeze("freeze",
                                    cl::desc("An initializer not to train "
                                             "(repeatable)"),
                                    cl::cat(trainCategory));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  // MLIR's own options: --mlir-print-ir-after-all, --mlir-timing,
  // --mlir-pass-statistics, --mlir-disable-threading, ...
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  // Pass names in --mlir-print-ir-* and pipeline printing.
  dlc::registerDLCPipelines();
  cl::HideUnrelatedOptions({&category, &trainCategory, &quantCategory});
  // ... but list the MLIR options a user debugging a compile reaches for.
  static cl::OptionCategory mlirCategory("MLIR options (see mlir-opt --help)");
  auto &registered = cl::getRegisteredOptions();
  for (StringRef name :
       {"mlir-print-ir-after-all", "mlir-print-ir-before-all",
        "mlir-print-ir-after-failure", "mlir-print-ir-after-change",
        "mlir-timing", "mlir-pass-statistics", "mlir-disable-threading",
        "mlir-print-debuginfo"})
    if (cl::Option *o = registered.lookup(name)) {
      o->setHiddenFlag(cl::NotHidden);
      o->addCategory(mlirCategory);
    }
  cl::SetVersionPrinter([](raw_ostream &os) {
    os << "dlc " << DLC_VERSION << "\n"
       << "  LLVM and MLIR " << LLVM_VERSION_STRING << "\n"
       << "  ONNX " << onnx::LAST_RELEASE_VERSION << "\n";
  });
  // A bad command line is a usage error (exit 3), not cl's exit 1, which
  // means an import error.
  if (!cl::ParseCommandLineOptions(argc, argv, "dlc: deep-learning compiler\n",
                                   &errs()))
    return kUsageError;
  options.input = inputFile;
  options.output = outputFile;
  options.emit = emit;
  options.inputFormat = inputFormat;
  options.targetOpset = opset;
  options.printWeights = printWeights;
  options.verbose = verbose;
  if (!entries.empty()) {
    options.entry = entries.front();
    options.extraEntries.assign(entries.begin() + 1, entries.end());
  }
  options.externalWeights = weights == Weights::External;
  if (optLevel > 3) {
    errs() << "error: -O" << optLevel << " is not 0 to 3\n";
    return kUsageError;
  }
  options.optLevel = optLevel;
  if (maxElements < 1) {
    errs() << "error: --max-elements must be positive\n";
    return kUsageError;
  }
  options.maxElements = maxElements;
  options.uncheckedIndices = uncheckedIndices;
  options.mcpu = mcpu;
  options.mattr = mattr;
  options.mtriple = mtriple;
  options.threads = threadPool;
  options.microkernels = microkernels;
  options.attentionLayout = attentionLayout;
  options.planMemory = planMemory;
  options.target = target;
  options.gpuArch = gpuArch;
  options.gpuFormat = gpuFormat;
  options.gpuEmulate = gpuEmulate;
  options.mlirCLOptions = true;
  trainOptions.freeze.assign(freeze.begin(), freeze.end());
  trainOptions.reportMemory = report == Report::Memory;
  options.reportArena = report == Report::Memory;
  options.reportFusion = report == Report::Fusion;
  options.reportQuant = report == Report::Quant;
  options.quantize = quantize == Quantize::Static    ? "static"
                     : quantize == Quantize::Dynamic ? "dynamic"
                                                     : "";
  options.calibrationDir = calibrationDir;
  if (calibrateMethod != "minmax" && calibrateMethod != "percentile" &&
      calibrateMethod != "entropy") {
    errs() << "error: --calibrate=" << calibrateMethod
           << " is not one dlc takes (minmax, percentile, entropy)\n";
    return kUsageError;
  }
  options.calibrationMethod = calibrateMethod;
  options.quantizeExclude.assign(quantizeExclude.begin(),
                                 quantizeExclude.end());
  if (trainOptions.syncBatchNorm && !trainOptions.dataParallel) {
    errs() << "error: --sync-batchnorm synchronizes batch norm across "
              "data-parallel ranks; add --data-parallel\n";
    return kUsageError;
  }
  for (const std::string &spec : inputShapes) {
    std::string error = parseInputShape(spec, options.inputShapes);
    if (!error.empty()) {
      errs() << "error: " << error << "\n";
      return kUsageError;
    }
  }
  return run(options, errs(), errs());
}
