//===- GPUPipelines.cpp - dl to NVVM/PTX and host code --------------------===//
//
// What `dlc --target=cuda` runs (GPUPipelines.h). The front half (dl to
// bufferized linalg) is the CPU pipeline's, minus the CPU-only steps
// (reduction interchange, microkernels); then the schedule maps each
// kernel's loops to blocks and threads, and upstream's GPU passes outline,
// lower and serialize the kernels. Anchor: upstream's
// mlir/lib/Dialect/GPU/Pipelines/GPUToNVVMPipeline.cpp.
//
//===----------------------------------------------------------------------===//

#include "dlc/Pipelines/GPUPipelines.h"
#include "dlc/Conversion/GPUPasses.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Pipelines/Pipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/OptimizeForNVVM.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVM/NVVM/Target.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace dlc {

std::string ptxFeatureFor(llvm::StringRef arch) {
  static const std::pair<const char *, const char *> table[] = {
      {"sm_70", "+ptx60"}, {"sm_72", "+ptx61"}, {"sm_75", "+ptx63"},
      {"sm_80", "+ptx70"}, {"sm_86", "+ptx71"}, {"sm_87", "+ptx74"},
      {"sm_89", "+ptx78"}, {"sm_90", "+ptx78"}};
  for (auto [name, feature] : table)
    if (arch == name)
      return feature;
  return "";
}

std::string checkGPUPipelineOptions(const GPUPipelineOptions &options) {
  if (ptxFeatureFor(options.arch).empty())
    return "--gpu-arch " + options.arch +
           " is not one dlc takes (sm_70, sm_72, sm_75, sm_80, sm_86, sm_87, "
           "sm_89, sm_90)";
  if (options.format != "ptx" && options.format != "cubin" &&
      options.format != "fatbin")
    return "--gpu-format " + options.format +
           " is not one dlc takes (ptx, cubin, fatbin)";
  if (options.blockSize < 32 || options.blockSize > 1024 ||
      options.blockSize % 32)
    return "the block size must be a multiple of 32 from 32 to 1024, not " +
           std::to_string(options.blockSize);
  return "";
}

void buildGPULoweringPipeline(OpPassManager &pm,
                              const GPUPipelineOptions &options) {
  DLPrepareEntryPointsOptions entryPoints;
  entryPoints.rename.assign(options.rename.begin(), options.rename.end());
  pm.addPass(createDLPrepareEntryPoints(entryPoints));
  buildDLToLinalgPipeline(pm, /*im2colBytes=*/0, /*cpuKernels=*/false);
  pm.addPass(createDLFuseElementwise());

  // Tensors -> buffers, freed at last use (as on the CPU).
  buildBufferizePipeline(pm, /*loopAllocs=*/true);
  pm.addPass(createDLCopyToLinalg());

  // The schedules: matmuls in shared-memory tiles, long reductions as
  // block reductions, then each other linalg op's parallel dims as one
  // grid.
  pm.addNestedPass<func::FuncOp>(createDLGPUTileContractions());
  DLGPUBlockReductionsOptions reductions;
  reductions.blockSize = int64_t(1) << llvm::Log2_64(options.blockSize);
  pm.addNestedPass<func::FuncOp>(createDLGPUBlockReductions(reductions));
  pm.addPass(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createDLSerializeNestedParallelLoops());
  DLGPUMapParallelLoopsOptions schedule;
  schedule.blockSize = options.blockSize;
  pm.addNestedPass<func::FuncOp>(createDLGPUMapParallelLoops(schedule));
  pm.addNestedPass<func::FuncOp>(createDLGPULaunchPhases());

  // Kernels: launches, device buffers, outlining, streams.
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createDLGPUDeviceMemory());
  pm.addPass(createGpuLaunchSinkIndexComputationsPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());

  // The kernels to NVVM.
  GpuNVVMAttachTargetOptions target;
  target.chip = options.arch;
  target.features = ptxFeatureFor(options.arch);
  target.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(target));
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  // pow, trigonometric and hyperbolic functions in terms of exp/log/sin/
  // cos, those and exp/log/tanh/erf as polynomials: no libdevice (a CUDA
  // toolkit file) to link.
  kernels.addPass(createDLGPUExpandMath());
  kernels.addPass(createDLMathApproximation());
  // a * b + c as one fma.rn.
  kernels.addPass(createDLGPUContractFMA());
  kernels.addPass(memref::createExpandStridedMetadataPass());
  kernels.addPass(createLowerAffinePass());
  kernels.addPass(createSCFToControlFlowPass());
  ConvertGpuOpsToNVVMOpsOptions nvvm;
  nvvm.indexBitwidth = 64;
  kernels.addPass(createConvertGpuOpsToNVVMOps(nvvm));
  // libdevice calls (__nv_floorf, __nv_fmaf) back to instructions: no CUDA
  // toolkit file to link.
  kernels.addPass(createDLGPUNativeMath());
  kernels.addPass(LLVM::createNVVMOptimizeForTargetPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());

  // The host side to the LLVM dialect (its allocations through the
  // runtime's allocator, as on the CPU), then the runtime calls.
  pm.addPass(createDLReportFailedAsserts());
  buildHostToLLVMPipeline(pm, /*libm=*/false, [](OpPassManager &host) {
    host.addPass(createGpuToLLVMConversionPass());
  });

  // The kernels as PTX text (or a cubin/fatbin) in the host module.
  GpuModuleToBinaryPassOptions binary;
  binary.toolkitPath = options.toolkit;
  binary.compilationTarget = options.format == "ptx"     ? "isa"
                             : options.format == "cubin" ? "bin"
                                                         : "fatbin";
  pm.addPass(createGpuModuleToBinaryPass(binary));
}

void registerDLCGPUDialects(DialectRegistry &registry) {
  // gpu-module-to-binary serializes through the NVVM target's interface.
  NVVM::registerNVVMTargetInterfaceExternalModels(registry);
}

void registerDLCGPUPipelines() {
  registerDLGPUPasses();
  PassPipelineRegistration<GPUPipelineOptions>(
      "dlc-gpu-lowering",
      "What dlc --target=cuda runs from dl IR to the LLVM dialect with the "
      "kernels embedded as PTX (e.g. --dlc-gpu-lowering=\"arch=sm_90\")",
      buildGPULoweringPipeline);
}

} // namespace dlc
