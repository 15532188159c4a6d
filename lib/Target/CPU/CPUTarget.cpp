//===- CPUTarget.cpp - dl to x86-64 object code, in-process ---------------===//

#include "dlc/Target/CPU/CPUTarget.h"

#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <mutex>

using namespace mlir;

namespace dlc::cpu {

static void initializeNativeTarget() {
  static std::once_flag flag;
  std::call_once(flag, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
}

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CPUOptions &options, std::string &error) {
  std::string tripleName = options.triple.empty()
                               ? llvm::sys::getDefaultTargetTriple()
                               : options.triple;
  llvm::Triple triple(tripleName);
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  std::string cpu = options.cpu;
  llvm::SubtargetFeatures f;
  if (cpu.empty() || cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    for (auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      f.AddFeature(name, enabled);
  }
  // Later entries win, so --mattr overrides the host's features.
  llvm::SmallVector<llvm::StringRef> extra;
  llvm::StringRef(options.features).split(extra, ',', -1, false);
  for (llvm::StringRef feature : extra) {
    feature = feature.trim();
    if (!feature.empty())
      f.AddFeature(feature);
  }
  std::string features = f.getString();
  llvm::TargetOptions to;
  auto level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
               : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                       : llvm::CodeGenOptLevel::Aggressive;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, level));
}

std::string checkTarget(const CPUOptions &options) {
  initializeNativeTarget();
  std::string tripleName = options.triple.empty()
                               ? llvm::sys::getDefaultTargetTriple()
                               : options.triple;
  llvm::Triple triple(tripleName);
  std::string error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return "--mtriple '" + tripleName + "': " + error;
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      target->createMCSubtargetInfo(triple, "", ""));
  if (!sti)
    return "";
  if (!options.cpu.empty() && options.cpu != "native" &&
      !sti->isCPUStringValid(options.cpu))
    return "--mcpu '" + options.cpu + "' is not a CPU of " + tripleName +
           " (e.g. x86-64, x86-64-v3, skylake-avx512, znver4, native)";
  llvm::SmallVector<llvm::StringRef> features;
  llvm::StringRef(options.features).split(features, ',', -1, false);
  for (llvm::StringRef feature : features) {
    feature = feature.trim();
    if (feature.empty())
      continue;
    llvm::StringRef name = feature;
    if (!name.consume_front("+"))
      (void)name.consume_front("-");
    bool known = llvm::any_of(
        sti->getAllProcessorFeatures(),
        [&](const llvm::SubtargetFeatureKV &kv) { return name == kv.Key; });
    if (!known)
      return "--mattr names '" + name.str() + "', which is not a feature of " +
             tripleName + " (e.g. avx2, fma, avx512f)";
  }
  return "";
}

/// Gives every defined function the TargetMachine's CPU and features, so
/// LLVM's function passes (the vectorizer's cost model above all) and the
/// per-function subtarget see the target, not a generic x86-64.
static void setTargetAttributes(llvm::Module &module,
                                const llvm::TargetMachine &tm,
                                const CPUOptions &options) {
  unsigned width = options.preferVectorWidth;
  // Some AVX-512 CPUs are tuned for 256-bit vectors ("prefer-256-bit"); on
  // bench/run.py's matmul (AMD EPYC, AVX-512) 512 bits ran in 5.35 ms against
  // 6.53 ms with 256.
  if (width == 0 && tm.getMCSubtargetInfo()->checkFeatures("+avx512f"))
    width = 512;
  for (llvm::Function &fn : module) {
    if (fn.isDeclaration())
      continue;
    if (!fn.hasFnAttribute("target-cpu"))
      fn.addFnAttr("target-cpu", tm.getTargetCPU());
    if (!fn.hasFnAttribute("target-features") &&
        !tm.getTargetFeatureString().empty())
      fn.addFnAttr("target-features", tm.getTargetFeatureString());
    if (width && !fn.hasFnAttribute("prefer-vector-width"))
      fn.addFnAttr("prefer-vector-width", std::to_string(width));
  }
}

std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &context,
                                                const CPUOptions &options,
                                                std::string &error) {
  initializeNativeTarget();
  auto llvmModule = translateModuleToLLVMIR(module, context);
  if (!llvmModule) {
    error = "translation to LLVM IR failed";
    return nullptr;
  }
  auto tm = createTargetMachine(options, error);
  if (!tm)
    return nullptr;
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(tm->getTargetTriple());
  setTargetAttributes(*llvmModule, *tm, options);
  if (options.optLevel > 0) {
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::OptimizationLevel level =
        options.optLevel == 1   ? llvm::OptimizationLevel::O1
        : options.optLevel == 2 ? llvm::OptimizationLevel::O2
                                : llvm::OptimizationLevel::O3;
    pb.buildPerModuleDefaultPipeline(level).run(*llvmModule, mam);
  }
  return llvmModule;
}

bool targetHasFeature(const CPUOptions &options, llvm::StringRef feature) {
  initializeNativeTarget();
  std::string error;
  auto tm = createTargetMachine(options, error);
  return tm && tm->getMCSubtargetInfo()->checkFeatures(("+" + feature).str());
}

LogicalResult emitObject(llvm::Module &module, const CPUOptions &options,
                         llvm::raw_pwrite_stream &out, std::string &error,
                         bool assembly) {
  initializeNativeTarget();
  auto tm = createTargetMachine(options, error);
  if (!tm)
    return failure();
  // The entry-point wrappers were added after translateToLLVMIR.
  setTargetAttributes(module, *tm, options);
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out, nullptr,
                              assembly ? llvm::CodeGenFileType::AssemblyFile
                                       : llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(module);
  return success();
}

} // namespace dlc::cpu
