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

static cl::OptionCategory trainCategory(
    "dlc --train options (a training step: forward, loss, gradients, "
    "optimizer update)");
static cl::opt<bool> train("train",
                           cl::desc("Compile a training step "
                                    "(NAME_train_init, NAME_train_step) "
                                    "beside inference (NAME_run)"),
                           cl::cat(trainCategory));
static cl::opt<std::string>
    loss("loss",
         cl::desc("cross_entropy (integer labels), nll, mse, huber, "
                  "bce_with_logits, distillation"),
         cl::init("cross_entropy"), cl::cat(trainCategory));
static cl::opt<std::string> reduction("reduction", cl::desc("mean or sum"),
                                      cl::init("mean"), cl::cat(trainCategory));
static cl::opt<std::string>
    optimizer("optimizer",
              cl::desc("sgd, momentum, nesterov, adam, adamw, adagrad"),
              cl::init("sgd"), cl::cat(trainCategory));
static cl::opt<double> momentum("momentum", cl::desc("Momentum (0.9)"),
                                cl::init(0.9), cl::cat(trainCategory));
static cl::opt<double> beta1("beta1", cl::desc("Adam beta1 (0.9)"),
                             cl::init(0.9), cl::cat(trainCategory));
static cl::opt<double> beta2("beta2", cl::desc("Adam beta2 (0.999)"),
                             cl::init(0.999), cl::cat(trainCategory));
static cl::opt<double>
    epsilon("eps", cl::desc("Adam (1e-8) / Adagrad (1e-10) epsilon"),
            cl::init(-1), cl::cat(trainCategory));
static cl::opt<double> weightDecay("weight-decay",
                                   cl::desc("L2 weight decay (decoupled for "
                                            "adamw)"),
                                   cl::init(0), cl::cat(trainCategory));
static cl::opt<double> clipNorm("clip-norm",
                                cl::desc("Clip the global gradient norm"),
                                cl::init(0), cl::cat(trainCategory));
static cl::opt<double> labelSmoothing("label-smoothing",
                                      cl::desc("Label smoothing epsilon"),
                                      cl::init(0), cl::cat(trainCategory));
static cl::opt<double> huberDelta("huber-delta", cl::desc("Huber delta (1)"),
                                  cl::init(1), cl::cat(trainCategory));
static cl::opt<double> distillAlpha("distill-alpha",
                                    cl::desc("Distillation: weight of the "
                                             "hard-label loss (0.5)"),
                                    cl::init(0.5), cl::cat(trainCategory));
static cl::opt<double> distillTemperature("distill-temperature",
                                          cl::desc("Distillation temperature "
                                                   "(1)"),
                                          cl::init(1), cl::cat(trainCategory));
static cl::opt<double> bnMomentum("bn-momentum",
                                  cl::desc("Batch-norm running statistics "
                                           "momentum (0.1, as PyTorch)"),
                                  cl::init(0.1), cl::cat(trainCategory));
static cl::opt<int64_t> seed("seed",
                             cl::desc("Seed of dropout masks and parameter "
                                      "initialization"),
                             cl::init(0), cl::cat(trainCategory));
static cl::opt<std::string>
    initScheme("init",
               cl::desc("Initialization of parameters given as model inputs: "
                        "xavier_uniform, xavier_normal, he_uniform, "
                        "he_normal"),
               cl::init("he_uniform"), cl::cat(trainCategory));
static cl::opt<unsigned> numData("data-inputs",
                                 cl::desc("How many leading model inputs are "
                                          "data (1); later inputs are "
                                          "parameters"),
                                 cl::init(1), cl::cat(trainCategory));
static cl::list<std::string> freeze("freeze",
                                    cl::desc("An initializer not to train "
                                             "(repeatable)"),
                                    cl::cat(trainCategory));

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions({&category, &trainCategory});
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
  TrainOptions &t = options.train;
  t.enabled = train;
  t.loss = loss;
  t.reduction = reduction;
  t.optimizer = optimizer;
  t.momentum = momentum;
  t.beta1 = beta1;
  t.beta2 = beta2;
  t.epsilon = epsilon;
  t.weightDecay = weightDecay;
  t.clipNorm = clipNorm;
  t.labelSmoothing = labelSmoothing;
  t.huberDelta = huberDelta;
  t.distillAlpha = distillAlpha;
  t.distillTemperature = distillTemperature;
  t.bnMomentum = bnMomentum;
  t.seed = seed;
  t.init = initScheme;
  t.numData = numData;
  t.freeze.assign(freeze.begin(), freeze.end());
  for (const std::string &spec : inputShapes) {
    std::string error = parseInputShape(spec, options.inputShapes);
    if (!error.empty()) {
      errs() << "error: " << error << "\n";
      return kUsageError;
    }
  }
  return run(options, errs(), errs());
}
