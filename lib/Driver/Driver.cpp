//===- Driver.cpp - input -> dl -> artifact -------------------------------===//

#include "dlc/Driver/Driver.h"
#include "Calibrate.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLAttrNames.h"
#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/IR/NodeLocation.h"
#include "dlc/Dialect/DL/IR/ShapeUtils.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"
#include "dlc/Frontend/ONNX/Importer.h"
#include "dlc/Pipelines/GPUPipelines.h"
#include "dlc/Pipelines/Pipelines.h"
#include "dlc/Target/CPU/CPUTarget.h"
#include "dlc/Target/CPU/EntryABI.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ToolOutputFile.h"

#include <chrono>

using namespace mlir;
using namespace dlc;
using namespace dlc::driver;

std::string
driver::parseInputShape(llvm::StringRef spec,
                        std::map<std::string, std::vector<int64_t>> &shapes) {
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
  if (!shapes.emplace(name.str(), std::move(shape)).second)
    return "--input-shape gives '" + name.str() + "' twice";
  return "";
}

static bool isTextInput(const Options &o) {
  if (o.inputFormat != InputFormat::Auto)
    return o.inputFormat == InputFormat::OnnxText;
  llvm::StringRef in(o.input);
  return in.ends_with(".onnxtxt") || in.ends_with(".onnx.txt");
}

/// Where libdlcrt.a and libdlcrt_exe.a are: next to the dlc binary's build
/// tree (bin/../runtime) or install tree (bin/../lib), else where CMake
/// built them.
static std::string findRuntimeDir() {
  std::string self = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  llvm::SmallVector<std::string> candidates;
  if (!self.empty()) {
    llvm::StringRef bin = llvm::sys::path::parent_path(self);
    llvm::StringRef prefix = llvm::sys::path::parent_path(bin);
    candidates.push_back((prefix + "/runtime").str());
    candidates.push_back((prefix + "/lib").str());
  }
#ifdef DLC_RUNTIME_LIB_DIR
  candidates.push_back(DLC_RUNTIME_LIB_DIR);
#endif
  for (const std::string &dir : candidates)
    if (llvm::sys::fs::exists(dir + "/libdlcrt_exe.a") &&
        llvm::sys::fs::exists(dir + "/libdlcrt.a"))
      return dir;
  return "";
}

static bool printModule(ModuleOp module, const Options &options,
                        llvm::raw_ostream &errs) {
  std::string error;
  auto out = openOutputFile(options.output, &error);
  if (!out) {
    errs << "error: " << error << "\n";
    return false;
  }
  OpPrintingFlags flags;
  if (!options.printWeights)
    flags.elideLargeElementsAttrs(16).elideLargeResourceString(64);
  module->print(out->os(), flags);
  out->os() << "\n";
  out->keep();
  return true;
}

/// Runs one stage's pipeline (`build` fills the pass manager) on `module`,
/// with MLIR's pass-manager options from the command line
/// (--mlir-print-ir-after-all, --mlir-pass-statistics, ...) and the pass
/// timings nested under the stage's timer. Returns kSuccess or an exit code.
static int runStage(ModuleOp module, TimingScope &parent, llvm::StringRef name,
                    const Options &options,
                    llvm::function_ref<void(OpPassManager &)> build) {
  TimingScope timer = parent.nest(name);
  PassManager pm(module.getContext());
  if (options.mlirCLOptions && failed(applyPassManagerCLOptions(pm)))
    return kUsageError;
  pm.enableTiming(timer);
  build(pm);
  return failed(pm.run(module)) ? kCompileError : kSuccess;
}

/// Checks the simplified dl IR for what generated code cannot do safely: a
/// static tensor larger than `maxElements` (its byte size could wrap, or
/// the allocation hang the machine), and integer division by a constant
/// zero (or INT_MIN / -1) left unfolded in shape arithmetic. Each is an
/// error at the op, so it names the model's node.
static LogicalResult checkGeneratedSafety(ModuleOp module,
                                          int64_t maxElements) {
  bool ok = true;
  module.walk([&](Operation *op) {
    for (Type t : op->getResultTypes()) {
      auto ranked = dyn_cast<RankedTensorType>(t);
      if (!ranked || !ranked.hasStaticShape())
        continue;
      int64_t count = 1;
      bool tooLarge = false;
      for (int64_t d : ranked.getShape())
        tooLarge |= llvm::MulOverflow(count, d, count) || count > maxElements;
      if (tooLarge) {
        op->emitError() << "result of " << dl::shapeToString(ranked.getShape())
                        << " elements is larger than the limit of "
                        << maxElements << " (--max-elements)";
        ok = false;
        return;
      }
    }
    if (!isa<dl::DivOp, dl::ModOp>(op) ||
        !isa<IntegerType>(getElementTypeOrSelf(op->getResult(0).getType())))
      return;
    DenseIntElementsAttr lhs, rhs;
    if (!matchPattern(op->getOperand(1), m_Constant(&rhs)))
      return;
    bool lhsConstant = matchPattern(op->getOperand(0), m_Constant(&lhs));
    for (const APInt &b : rhs.getValues<APInt>()) {
      if (b.isZero()) {
        op->emitError() << "integer division by zero";
        ok = false;
        return;
      }
      if (b.isAllOnes() && lhsConstant &&
          llvm::any_of(lhs.getValues<APInt>(),
                       [](const APInt &a) { return a.isMinSignedValue(); })) {
        op->emitError() << "integer division overflows (the minimum value "
                           "divided by -1)";
        ok = false;
        return;
      }
    }
  });
  return success(ok);
}

int driver::run(const Options &options, llvm::raw_ostream &errs,
                llvm::raw_ostream &log) {
  auto start = std::chrono::steady_clock::now();
  // Stage timings go through MLIR's timing manager: --mlir-timing or -v
  // print its report (passes nested under their stage) when dlc ends.
  DefaultTimingManager timing;
  if (options.mlirCLOptions)
    applyDefaultTimingManagerCLOptions(timing);
  if (options.verbose)
    timing.setEnabled(true);
  TimingScope rootTimer = timing.getRootScope();
  // On a terminal, a compile that takes a while shows which stage it has
  // reached on one status line.
  bool progress = !options.verbose && errs.is_displayed();
  bool progressShown = false;
  auto stage = [&](llvm::StringRef what) {
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - start)
                    .count();
    if (progress && ms > 1000) {
      errs << "\rdlc: " << what << " done (" << llvm::format("%.1f", ms / 1000)
           << " s)\x1b[K";
      progressShown = true;
    }
  };
  llvm::scope_exit endProgress([&] {
    if (progressShown)
      errs << "\n";
  });
  if (options.targetOpset < onnx_frontend::kMinOpset ||
      options.targetOpset > onnx_frontend::kMaxOpset) {
    errs << "error: --opset " << options.targetOpset
         << " is not one dlc takes (" << onnx_frontend::kMinOpset << " to "
         << onnx_frontend::kMaxOpset << ")\n";
    return kUsageError;
  }
  if (!options.mcpu.empty() || !options.mattr.empty() ||
      !options.mtriple.empty()) {
    cpu::CPUOptions target;
    target.triple = options.mtriple;
    target.cpu = options.mcpu;
    target.features = options.mattr;
    std::string error = cpu::checkTarget(target);
    if (!error.empty()) {
      errs << "error: " << error << "\n";
      return kUsageError;
    }
  }
  bool cuda = options.target == "cuda";
  GPUPipelineOptions gpu;
  if (options.target != "cpu" && !cuda) {
    errs << "error: --target " << options.target
         << " is not one dlc takes (cpu, cuda)\n";
    return kUsageError;
  }
  if (cuda) {
    gpu.arch = options.gpuArch;
    gpu.format = options.gpuFormat;
    gpu.optLevel = std::min(options.optLevel, 3u);
    std::string error = checkGPUPipelineOptions(gpu);
    if (error.empty() && options.train)
      error = "--train compiles for the CPU only (--target=cpu)";
    if (error.empty() && options.reportFusion)
      error = "--report=fusion reports the CPU target's kernels; use it "
              "with --target=cpu";
    if (error.empty() && options.gpuEmulate)
      error = "--gpu-emulate compiles the GPU schedules for the CPU; use it "
              "with --target=cpu";
    if (error.empty() && gpu.format != "ptx") {
      // cubin and fatbin are made by the CUDA toolkit's ptxas (and
      // fatbinary); PTX needs nothing of it.
      std::string toolkit;
      if (auto ptxas = llvm::sys::findProgramByName("ptxas"))
        toolkit =
            llvm::sys::path::parent_path(llvm::sys::path::parent_path(*ptxas))
                .str();
      else if (llvm::sys::fs::can_execute("/usr/local/cuda/bin/ptxas"))
        toolkit = "/usr/local/cuda";
      if (toolkit.empty() ||
          (gpu.format == "fatbin" &&
           !llvm::sys::fs::can_execute(toolkit + "/bin/fatbinary")))
        error = "--gpu-format=" + gpu.format + " needs " +
                (gpu.format == "fatbin" ? "ptxas and fatbinary"
                                        : std::string("ptxas")) +
                " from a CUDA toolkit (on PATH or in /usr/local/cuda/bin); "
                "--gpu-format=ptx needs none";
      gpu.toolkit = toolkit;
    }
    if (!error.empty()) {
      errs << "error: " << error << "\n";
      return kUsageError;
    }
  }
  DialectRegistry registry;
  registerDLCDialects(registry);
  MLIRContext context(registry);
  context
      .loadDialect<dl::DLDialect, func::FuncDialect, tensor::TensorDialect>();
  // Errors name the user's node through its location ("Conv_0"("Conv")):
  // print them as "error: node 'Conv_0' (Conv): ...", one line each.
  context.printOpOnDiagnostic(false);
  ScopedDiagnosticHandler diagnostics(&context, [&](Diagnostic &diag) {
    const char *kind = diag.getSeverity() == DiagnosticSeverity::Error ? "error"
                       : diag.getSeverity() == DiagnosticSeverity::Warning
                           ? "warning"
                           : "note";
    errs << kind << ": " << dl::describeNode(diag.getLocation()) << diag.str()
         << "\n";
    return success();
  });

  onnx_frontend::ImportOptions importOptions;
  importOptions.inputShapes = options.inputShapes;
  importOptions.targetOpset = options.targetOpset;
  importOptions.textFormat = isTextInput(options);
  importOptions.verbose = options.verbose;
  importOptions.keepWeights = options.train;
  OwningOpRef<ModuleOp> module;
  TimingScope importTimer = rootTimer.nest("import");
  if (llvm::StringRef(options.input).ends_with(".mlir")) {
    // dl IR as text (from dlc-opt, or written by hand).
    context.loadDialect<tensor::TensorDialect>();
    module = parseSourceFile<ModuleOp>(options.input, &context);
  } else {
    module = onnx_frontend::importModelFile(context, options.input,
                                            importOptions, errs, log);
  }
  if (!module)
    return kImportError;
  if (options.uncheckedIndices)
    (*module)->setAttr(dl::kUncheckedIndicesAttr, UnitAttr::get(&context));
  importTimer.stop();
  stage("import");

  // Name the entry point after the output.
  std::string entry = options.entry;
  if (entry.empty()) {
    std::string stem = options.output == "-"
                           ? "model"
                           : llvm::sys::path::stem(options.output).str();
    // libNAME.a / libNAME.so name the model NAME.
    if ((options.emit == Emit::Lib || options.emit == Emit::Shared) &&
        llvm::StringRef(stem).starts_with("lib") && stem.size() > 3)
      stem = stem.substr(3);
    for (char &c : stem)
      if (!isalnum(static_cast<unsigned char>(c)))
        c = '_';
    if (stem.empty() || isdigit(static_cast<unsigned char>(stem[0])))
      stem = "m" + stem;
    entry = stem + "_forward";
  }
  // The C entry points are named after the model: NAME_run, NAME_release.
  std::string prefix = llvm::StringRef(entry).ends_with("_forward")
                           ? entry.substr(0, entry.size() - 8)
                           : entry;
  if (options.train && (options.emit == Emit::Exe || options.externalWeights)) {
    errs << "error: --train makes a library (--emit=obj, lib, shared, header "
            "or mlir); --emit=exe and --weights=external are for inference\n";
    return kUsageError;
  }
  if (options.emit != Emit::MlirRaw) {
    int rc = runStage(*module, rootTimer,
                      options.train ? "train step and simplification"
                                    : "simplification",
                      options, [&](OpPassManager &pm) {
                        if (!options.train)
                          return buildSimplifyPipeline(pm);
                        dl::DLTrainStepOptions train = options.trainOptions;
                        train.entry = "main";
                        train.prefix = prefix;
                        buildTrainPipeline(pm, train);
                      });
    if (rc == kCompileError)
      errs << "error: dl simplification failed (see the diagnostics above)\n";
    if (rc != kSuccess)
      return rc;
    if (!options.train) {
      rc = runStage(*module, rootTimer, "graph rewrites", options,
                    buildInferenceRewritePipeline);
      if (rc != kSuccess)
        return rc;
    }
    if (failed(checkGeneratedSafety(*module, options.maxElements)))
      return kCompileError;
    stage("shape inference and canonicalization");
  }
  if (options.emit == Emit::MlirCalibrated && options.quantize.empty()) {
    errs << "error: --emit=mlir-calibrated needs --quantize\n";
    return kUsageError;
  }
  if (!options.quantize.empty() || options.reportQuant) {
    if (options.train || options.emit == Emit::MlirRaw) {
      errs << "error: --quantize and --report=quant are for inference "
              "(not --train or --emit=mlir-raw)\n";
      return kUsageError;
    }
    if (options.quantize.empty()) {
      errs << "error: --report=quant needs --quantize=static or dynamic\n";
      return kUsageError;
    }
    if (int rc = calibrate(*module, options, errs))
      return rc;
    if (options.emit == Emit::MlirCalibrated)
      return printModule(*module, options, errs) ? kSuccess : kUsageError;
    if (int rc = runStage(*module, rootTimer, "quantization", options,
                          [&](OpPassManager &pm) {
                            buildQuantizePipeline(pm, options.quantize,
                                                  options.quantizeExclude);
                          }))
      return rc;
    stage("quantization");
  }
  if (options.emit == Emit::Mlir || options.emit == Emit::MlirRaw)
    return printModule(*module, options, errs) ? kSuccess : kUsageError;

  // The lowering renames `main` after the model, and moves the train
  // step's functions aside for the C entry points that take their names.
  CPUPipelineOptions lowering;
  lowering.optLevel = options.optLevel;
  lowering.threads = options.threads;
  lowering.microkernels = options.microkernels;
  lowering.attentionLayout = options.attentionLayout;
  lowering.reportMemory = options.reportArena;
  lowering.reportFusion = options.reportFusion;
  // Not for train steps: their buffers of parameter shape and of batch
  // shape would get one arena each, each as large as its own peak, and the
  // two peaks fall at different points of the step (the checkpoint tests'
  // CNN: 320 KB measured peak per buffer, 536 KB with arenas). Their
  // memory is what checkpointing plans.
  lowering.planMemory = options.planMemory && !options.train;
  lowering.gpuSchedules = options.gpuEmulate;
  std::map<std::string, std::string> renamed;
  if (options.train) {
    entry = prefix + "_forward";
    renamed[prefix + "_train_step"] = prefix + "_train_step_impl";
    renamed[prefix + "_train_init"] = prefix + "_train_init_impl";
  } else if (entry != "main" && module->lookupSymbol<func::FuncOp>("main")) {
    renamed["main"] = entry;
  }
  for (auto &[from, to] : renamed)
    lowering.rename.push_back(from + ":" + to);
  // The entry points: NAME_run, and with --train NAME_train_step and
  // NAME_train_init.
  std::vector<cpu::EntrySignature> signatures;
  // `function` is the lowered name; the dl function may still have its
  // name before the renaming.
  auto addEntry = [&](const std::string &function, const std::string &run,
                      const std::string &release,
                      const std::string &summary) -> bool {
    std::string original = function;
    for (auto &[from, to] : renamed)
      if (to == function)
        original = from;
    auto f = module->lookupSymbol<func::FuncOp>(original);
    if (!f) {
      errs << "error: the model has no function '" << function << "'\n";
      return false;
    }
    auto sig = cpu::readSignature(f, prefix);
    if (failed(sig))
      return false;
    sig->entry = function;
    if (!run.empty()) {
      sig->runSymbol = run;
      sig->releaseSymbol = release;
    }
    sig->summary = summary;
    signatures.push_back(std::move(*sig));
    return true;
  };
  if (!addEntry(entry, "", "",
                options.train ? "inference: the state (as for " + prefix +
                                    "_train_step), then the data inputs"
                              : ""))
    return kCompileError;
  if (options.train &&
      (!addEntry(prefix + "_train_step_impl", prefix + "_train_step",
                 prefix + "_train_step_release",
                 "one training step (forward, loss, gradients, optimizer "
                 "update): returns the loss and the prediction and updates "
                 "the state inputs in place") ||
       !addEntry(prefix + "_train_init_impl", prefix + "_train_init",
                 prefix + "_train_init_release",
                 "fills `outputs` with the initial state (parameters, "
                 "running statistics, optimizer slots, step)")))
    return kCompileError;
  for (const std::string &extra : options.extraEntries) {
    if (extra == entry || renamed.count(extra)) {
      errs << "error: --entry names '" << extra << "' twice\n";
      return kUsageError;
    }
    if (!addEntry(extra, extra + "_run", extra + "_release", ""))
      return kCompileError;
  }
  for (cpu::EntrySignature &sig : signatures) {
    if (cuda) {
      sig.target = "cuda " + gpu.arch + " (" + gpu.format + ")";
      sig.deviceEntry = true;
    } else if (options.gpuEmulate) {
      sig.target = "cpu (GPU schedules emulated)";
    }
  }
  cpu::EntrySignature *signature = &signatures.front();
  std::string headerPath =
      options.output == "-"
          ? std::string("-")
          : (llvm::sys::path::parent_path(options.output).empty()
                 ? prefix + ".h"
                 : (llvm::sys::path::parent_path(options.output) + "/" +
                    prefix + ".h")
                       .str());
  auto writeHeaderFile = [&](const std::string &path) -> bool {
    std::string err;
    auto out = openOutputFile(path, &err);
    if (!out) {
      errs << "error: " << err << "\n";
      return false;
    }
    cpu::writeHeader(out->os(), signatures);
    out->keep();
    return true;
  };
  if (options.emit == Emit::Header)
    return writeHeaderFile(options.output) ? kSuccess : kUsageError;
  if (options.emit == Emit::Linalg) {
    if (int rc =
            runStage(*module, rootTimer, "dl to linalg", options,
                     [](OpPassManager &pm) { buildDLToLinalgPipeline(pm); }))
      return rc;
    return printModule(*module, options, errs) ? kSuccess : kUsageError;
  }
  cpu::CPUOptions cpuOptions;
  cpuOptions.optLevel = options.optLevel;
  cpuOptions.cpu = options.mcpu;
  cpuOptions.features = options.mattr;
  cpuOptions.triple = options.mtriple;
  // int8 GEMMs on vpdpbusd where the target has AVX-512 VNNI.
  lowering.vnni = !cuda && cpu::targetHasFeature(cpuOptions, "avx512vnni");
  if (int rc = runStage(*module, rootTimer,
                        cuda ? "lowering to NVVM and the LLVM dialect"
                             : "lowering to the LLVM dialect",
                        options, [&](OpPassManager &pm) {
                          if (!cuda)
                            return buildCPULoweringPipeline(pm, lowering);
                          gpu.rename = lowering.rename;
                          buildGPULoweringPipeline(pm, gpu);
                        }))
    return rc;
  stage("lowering to the LLVM dialect");
  // Each entry's workspace: its own static arena and those of the functions
  // that are no entry point (which it may call).
  if (auto arenas =
          (*module)->getAttrOfType<DictionaryAttr>("dl.workspace_bytes")) {
    int64_t shared = 0;
    for (NamedAttribute arena : arenas)
      if (llvm::none_of(signatures, [&](const cpu::EntrySignature &sig) {
            return sig.entry == arena.getName().strref();
          }))
        shared += cast<IntegerAttr>(arena.getValue()).getInt();
    for (cpu::EntrySignature &sig : signatures) {
      sig.workspaceBytes = shared;
      if (auto own = arenas.getAs<IntegerAttr>(sig.entry))
        sig.workspaceBytes += own.getInt();
    }
  }
  // And the arenas sized by an input's dynamic dim (a batch).
  if (auto dims =
          (*module)->getAttrOfType<DictionaryAttr>("dl.workspace_input_dims"))
    for (cpu::EntrySignature &sig : signatures)
      if (auto list = dims.getAs<ArrayAttr>(sig.entry))
        for (auto term : list.getAsRange<DenseI64ArrayAttr>())
          sig.workspaceInputDims.push_back({term[0], term[1], term[2]});
  if (options.emit == Emit::MlirLLVM)
    return printModule(*module, options, errs) ? kSuccess : kUsageError;
  TimingScope llvmTimer = rootTimer.nest("LLVM IR and optimization");
  llvm::LLVMContext llvmContext;
  std::string error;
  auto llvmModule =
      cpu::translateToLLVMIR(*module, llvmContext, cpuOptions, error);
  if (!llvmModule) {
    errs << "error: " << error << "\n";
    return kCompileError;
  }
  if (options.externalWeights) {
    if (options.output == "-") {
      errs << "error: --weights=external needs -o NAME\n";
      return kUsageError;
    }
    llvm::SmallString<256> weightsPath(
        llvm::sys::path::parent_path(options.output));
    llvm::sys::path::append(weightsPath, prefix + ".weights");
    if (failed(cpu::externalizeWeights(*llvmModule, *signature,
                                       weightsPath.str().str(),
                                       /*minBytes=*/1024, error))) {
      errs << "error: " << error << "\n";
      return kUsageError;
    }
    stage("weights written to " + weightsPath.str().str());
  }
  for (const cpu::EntrySignature &sig : signatures)
    if (failed(cpu::emitEntryPoints(*llvmModule, sig, error))) {
      errs << "error: " << error << "\n";
      return kCompileError;
    }
  if (options.emit == Emit::Exe)
    cpu::emitExecutableAliases(*llvmModule, *signature);
  llvmTimer.stop();
  stage("LLVM IR and optimization");
  if (options.emit == Emit::Llvm) {
    auto out = openOutputFile(options.output, &error);
    if (!out) {
      errs << "error: " << error << "\n";
      return kUsageError;
    }
    llvmModule->print(out->os(), nullptr);
    out->keep();
    return kSuccess;
  }
  std::string objPath = options.output;
  llvm::SmallString<128> tempObj;
  if (options.emit == Emit::Shared || options.emit == Emit::Exe ||
      options.emit == Emit::Lib) {
    if (options.output == "-") {
      errs << "error: --emit=lib, --emit=shared and --emit=exe need -o NAME\n";
      return kUsageError;
    }
    if (auto ec = llvm::sys::fs::createTemporaryFile("dlc", "o", tempObj)) {
      errs << "error: cannot create a temporary file: " << ec.message() << "\n";
      return kUsageError;
    }
    objPath = tempObj.str().str();
  }
  {
    TimingScope timer = rootTimer.nest("object code");
    auto out = openOutputFile(objPath, &error);
    if (!out) {
      errs << "error: " << error << "\n";
      return kUsageError;
    }
    if (failed(cpu::emitObject(*llvmModule, cpuOptions, out->os(), error,
                               options.emit == Emit::Asm))) {
      errs << "error: " << error << "\n";
      return kCompileError;
    }
    out->keep();
  }
  stage("object code");
  if (options.emit == Emit::Obj || options.emit == Emit::Asm)
    return kSuccess;
  if (!writeHeaderFile(headerPath))
    return kUsageError;
  if (options.emit == Emit::Lib) {
    // A static library of the one object, written in-process.
    llvm::FileRemover removeObj(tempObj);
    auto member =
        llvm::NewArchiveMember::getFile(objPath, /*Deterministic=*/true);
    if (!member) {
      errs << "error: " << llvm::toString(member.takeError()) << "\n";
      return kCompileError;
    }
    std::string memberName = llvm::sys::path::stem(options.output).str() + ".o";
    member->MemberName = memberName;
    if (llvm::Error e = llvm::writeArchive(
            options.output, {std::move(*member)},
            llvm::SymtabWritingMode::NormalSymtab, llvm::object::Archive::K_GNU,
            /*Deterministic=*/true, /*Thin=*/false)) {
      errs << "error: " << llvm::toString(std::move(e)) << "\n";
      return kCompileError;
    }
    stage("archive");
    return kSuccess;
  }
  llvm::FileRemover removeTemp(tempObj);
  // The system linker makes the shared library (libm for the math calls).
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc) {
    errs << "error: no C compiler driver 'cc' on PATH to link the shared "
            "library\n";
    return kCompileError;
  }
  // Both link the runtime (thread pool, OpenMP shim) in statically.
  std::string runtimeDir = findRuntimeDir();
  if (cuda && !runtimeDir.empty() &&
      !llvm::sys::fs::exists(runtimeDir + "/libdlcrt_cuda.a")) {
    errs << "error: cannot find the dlc CUDA runtime (libdlcrt_cuda.a) in "
         << runtimeDir << "\n";
    return kCompileError;
  }
  if (runtimeDir.empty()) {
    errs << "error: cannot find the dlc runtime (libdlcrt.a, libdlcrt_exe.a) "
            "to link against\n";
    return kCompileError;
  }
  TimingScope linkTimer = rootTimer.nest("link");
  llvm::SmallVector<std::string> argStorage;
  if (options.emit == Emit::Shared) {
    argStorage = {*cc, "-shared", "-o", options.output, objPath};
    // --data-parallel: the MPI component of the runtime, and MPI.
    if (options.train && options.trainOptions.dataParallel) {
#ifdef DLC_MPI_LIBRARIES
      std::string mpiRuntime = runtimeDir + "/libdlcrt_mpi.a";
      if (!llvm::sys::fs::exists(mpiRuntime)) {
        errs << "error: --data-parallel needs " << mpiRuntime << "\n";
        return kCompileError;
      }
      argStorage.push_back(mpiRuntime);
      llvm::SmallVector<llvm::StringRef> mpiLibs;
      llvm::StringRef(DLC_MPI_LIBRARIES).split(mpiLibs, '|', -1, false);
      for (llvm::StringRef lib : mpiLibs)
        argStorage.push_back(lib.str());
#else
      errs << "error: --data-parallel needs MPI, and this dlc was built "
              "without it (install libopenmpi-dev and rebuild)\n";
      return kCompileError;
#endif
    }
    if (cuda)
      argStorage.push_back(runtimeDir + "/libdlcrt_cuda.a");
    argStorage.append({runtimeDir + "/libdlcrt.a", "-lm", "-lpthread"});
  } else {
    argStorage = {*cc, "-o", options.output, objPath,
                  runtimeDir + "/libdlcrt_exe.a"};
    if (cuda)
      argStorage.push_back(runtimeDir + "/libdlcrt_cuda.a");
    argStorage.append({runtimeDir + "/libdlcrt.a", "-lm", "-lpthread"});
  }
  // The CUDA runtime loads the driver with dlopen.
  if (cuda)
    argStorage.push_back("-ldl");
  llvm::SmallVector<llvm::StringRef> args(argStorage.begin(), argStorage.end());
  std::string linkError;
  int rc =
      llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, {}, 0, 0, &linkError);
  if (rc != 0) {
    errs << "error: linking " << options.output << " failed"
         << (linkError.empty() ? "" : ": " + linkError) << "\n";
    return kCompileError;
  }
  stage("link");
  return kSuccess;
}
