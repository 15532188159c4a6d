//===- CPUTarget.cpp - dl to x86-64 object code, in-process ---------------===//

#include "dlc/Target/CPU/CPUTarget.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/SubtargetFeature.h"

#include <mutex>

using namespace mlir;

namespace dlc::cpu {

/// The bufferization and LLVM lowering, as a pipeline of upstream passes
/// (parsed into a module pass manager, so without the builtin.module anchor).
static const char *kLoweringPipeline =
    "dl-fuse-elementwise,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "buffer-deallocation-pipeline,"
    "convert-bufferization-to-memref";

/// After bufferization: loops. With threads, the outermost parallel loops of
/// each kernel become OpenMP worksharing loops, which the runtime's OpenMP
/// shim (runtime/src/cpu/openmp_shim.c) runs on dlc's thread pool.
static const char *kParallelLoopPipeline = "convert-linalg-to-parallel-loops";
static const char *kSerialLoopPipeline = "convert-linalg-to-loops";
static const char *kOpenMPPipeline = "convert-scf-to-openmp";
static const char *kLoopPipeline =
    "expand-strided-metadata,"
    "lower-affine,"
    "convert-scf-to-cf,"
    // Allocations go through the runtime's caching allocator
    // (runtime/src/cpu/memref_alloc.c).
    "finalize-memref-to-llvm{use-generic-functions=true},"
    "convert-math-to-llvm,"
    "convert-math-to-libm,"
    "convert-arith-to-llvm,"
    "convert-func-to-llvm,"
    "convert-cf-to-llvm,"
    "convert-openmp-to-llvm,"
    "reconcile-unrealized-casts";

static void registerOnce(MLIRContext *context) {
  static std::once_flag flag;
  std::call_once(flag, [] {
    registerAllPasses();
    dlc::registerDLFuseElementwise();
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  context->appendDialectRegistry(registry);
}

LogicalResult lowerToLLVMDialect(ModuleOp module, const CPUOptions &options) {
  MLIRContext *context = module.getContext();
  registerOnce(context);
  // Public functions are entry points: callers get a C interface. The dl.*
  // argument attributes (ONNX names) have served the header; LLVM has no
  // use for them.
  module.walk([&](func::FuncOp f) {
    if (f.isPublic() && !f.isExternal())
      f->setAttr("llvm.emit_c_interface", UnitAttr::get(context));
    for (unsigned i = 0; i < f.getNumArguments(); ++i)
      for (StringRef name : {"dl.name", "dl.dim_names"})
        f.removeArgAttr(i, name);
    for (unsigned i = 0; i < f.getNumResults(); ++i)
      for (StringRef name : {"dl.name", "dl.dim_names"})
        f.removeResultAttr(i, StringAttr::get(context, name));
  });
  PassManager pm(context);
  pm.addPass(createDLVerifyBackendContract());
  pm.addPass(createDLToLinalg());
  pm.addPass(createCanonicalizerPass());
  if (options.optLevel >= 2) {
    pm.addPass(createLinalgGeneralizeNamedOpsPass());
    pm.addPass(createDLInterchangeReductions());
  }
  if (failed(pm.run(module)))
    return failure();
  std::string errors;
  llvm::raw_string_ostream os(errors);
  PassManager bufferize(context), toLoops(context), toOpenMP(context),
      loops(context);
  if (failed(parsePassPipeline(kLoweringPipeline, bufferize, os)) ||
      failed(parsePassPipeline(kOpenMPPipeline, toOpenMP, os)) ||
      failed(parsePassPipeline(options.threads ? kParallelLoopPipeline
                                               : kSerialLoopPipeline,
                               toLoops, os)) ||
      failed(parsePassPipeline(kLoopPipeline, loops, os))) {
    module.emitError("internal error: bad lowering pipeline: ") << errors;
    return failure();
  }
  if (failed(bufferize.run(module)))
    return failure();
  // memref.copy -> linalg.copy, which convert-linalg-to-loops expands.
  SmallVector<memref::CopyOp> copies;
  module.walk([&](memref::CopyOp c) { copies.push_back(c); });
  for (memref::CopyOp c : copies) {
    OpBuilder b(c);
    linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
    c.erase();
  }
  if (failed(toLoops.run(module)))
    return failure();
  // Only a kernel's outermost parallel loops run on threads: a parallel loop
  // inside another loop becomes serial (a region per iteration would cost
  // more than it gains).
  SmallVector<scf::ParallelOp> nested;
  module.walk([&](scf::ParallelOp p) {
    Operation *parent = p->getParentOp();
    while (parent && !isa<func::FuncOp>(parent)) {
      if (isa<scf::ParallelOp, scf::ForOp>(parent)) {
        nested.push_back(p);
        break;
      }
      parent = parent->getParentOp();
    }
  });
  for (scf::ParallelOp p : nested) {
    OpBuilder b(p);
    scf::buildLoopNest(
        b, p.getLoc(), p.getLowerBound(), p.getUpperBound(), p.getStep(),
        [&](OpBuilder &nb, Location, ValueRange ivs) {
          IRMapping map;
          map.map(p.getInductionVars(), ivs);
          for (Operation &op : p.getBody()->without_terminator())
            nb.clone(op, map);
        });
    p.erase();
  }
  if (failed(toOpenMP.run(module)))
    return failure();
  // scf-to-openmp wraps each loop body in memref.alloca_scope, which must
  // stay a single block; our bodies allocate on the heap, never with
  // alloca, so the scopes are inlined before loops become branches.
  SmallVector<memref::AllocaScopeOp> scopes;
  module.walk([&](memref::AllocaScopeOp s) { scopes.push_back(s); });
  for (memref::AllocaScopeOp scope : scopes) {
    bool allocates = false;
    scope.walk([&](memref::AllocaOp) { allocates = true; });
    if (allocates)
      continue;
    Block &body = scope.getBodyRegion().front();
    auto ret = cast<memref::AllocaScopeReturnOp>(body.getTerminator());
    SmallVector<Value> results(ret.getResults());
    ret.erase();
    scope->getBlock()->getOperations().splice(Block::iterator(scope),
                                              body.getOperations());
    scope->replaceAllUsesWith(results);
    scope.erase();
  }
  return loops.run(module);
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
  std::string features;
  if (cpu.empty() || cpu == "native") {
    cpu = llvm::sys::getHostCPUName().str();
    llvm::SubtargetFeatures f;
    for (auto &[name, enabled] : llvm::sys::getHostCPUFeatures())
      f.AddFeature(name, enabled);
    features = f.getString();
  }
  llvm::TargetOptions to;
  auto level = options.optLevel == 0   ? llvm::CodeGenOptLevel::None
               : options.optLevel == 1 ? llvm::CodeGenOptLevel::Less
               : options.optLevel == 2 ? llvm::CodeGenOptLevel::Default
                                       : llvm::CodeGenOptLevel::Aggressive;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, cpu, features, to, llvm::Reloc::PIC_, std::nullopt, level));
}

std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &context,
                                                const CPUOptions &options,
                                                std::string &error) {
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

LogicalResult emitObject(llvm::Module &module, const CPUOptions &options,
                         llvm::raw_pwrite_stream &out, std::string &error) {
  auto tm = createTargetMachine(options, error);
  if (!tm)
    return failure();
  llvm::legacy::PassManager pm;
  if (tm->addPassesToEmitFile(pm, out, nullptr,
                              llvm::CodeGenFileType::ObjectFile)) {
    error = "the target cannot emit object files";
    return failure();
  }
  pm.run(module);
  return success();
}

} // namespace dlc::cpu
