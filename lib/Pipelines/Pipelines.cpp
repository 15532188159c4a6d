//===- Pipelines.cpp - every pass pipeline of dlc -------------------------===//
//
// The stages of the compiler as pass-manager builders (see Pipelines.h).
// Anchors: llvm-project's SparseTensorPipelines.cpp and torch-mlir's
// TorchConversion/Transforms/Passes.cpp.
//
//===----------------------------------------------------------------------===//

#include "dlc/Pipelines/Pipelines.h"
#include "dlc/Conversion/GPUPasses.h"
#include "dlc/Conversion/Int8Passes.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "dlc/Dialect/DL/Transforms/QuantizePasses.h"
#include "dlc/Pipelines/GPUPipelines.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

namespace dlc {

void buildSimplifyPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(dl::createDLShapeInference());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildInferenceRewritePipeline(OpPassManager &pm) {
  pm.addPass(dl::createDLFoldIntoContractions());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

/// The train pipeline around an already configured dl-train-step pass.
static void addTrainPasses(OpPassManager &pm, std::unique_ptr<Pass> trainStep) {
  // Before any folding, so the initializers are still named constants.
  pm.addPass(dl::createDLShapeInference());
  pm.addPass(std::move(trainStep));
  buildSimplifyPipeline(pm);
  // Gradient checkpointing as dl-train-step's options asked (the train
  // step's dl.checkpoint attribute); nothing without them.
  pm.addNestedPass<func::FuncOp>(dl::createDLCheckpoint());
}

void buildTrainPipeline(OpPassManager &pm,
                        const dl::DLTrainStepOptions &options) {
  addTrainPasses(pm, dl::createDLTrainStep(options));
}

static void addQuantizePasses(OpPassManager &pm,
                              std::unique_ptr<Pass> quantize) {
  pm.addPass(std::move(quantize));
  // Quantize of dequantize with equal parameters folds: each tensor between
  // two quantized layers is quantized once.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void buildQuantizePipeline(OpPassManager &pm, StringRef mode,
                           ArrayRef<std::string> exclude) {
  dl::DLQuantizeOptions options;
  options.mode = mode.str();
  options.exclude.assign(exclude.begin(), exclude.end());
  addQuantizePasses(pm, dl::createDLQuantize(options));
}

void buildDLToLinalgPipeline(OpPassManager &pm, int64_t im2colBytes,
                             bool cpuKernels, bool runtimeKernels,
                             bool int8Convs, bool fuse, bool reportFusion,
                             bool attentionLayout) {
  // QDQ-format contractions run as integer kernels.
  pm.addPass(dl::createDLRewriteQDQ());
  pm.addPass(createDLLowerDistributed());
  pm.addPass(createDLVerifyBackendContract());
  if (runtimeKernels && attentionLayout) {
    // Attention heads as views of the projection (dlc_attention4 reads
    // them), and the batch-first input's transpose below the projection:
    // the product keeps the batch outermost, its bias the GEMM's epilogue.
    pm.addPass(dl::createDLAttentionHeads());
    pm.addNestedPass<func::FuncOp>(dl::createDLSinkTransposes());
  }
  if (fuse) {
    dl::DLFuseOptions fusion;
    fusion.report = reportFusion;
    pm.addNestedPass<func::FuncOp>(dl::createDLFuse(fusion));
  }
  DLToLinalgOptions toLinalg;
  toLinalg.im2colBytes = im2colBytes;
  toLinalg.rowKernels = cpuKernels;
  toLinalg.reshapeViews = cpuKernels;
  toLinalg.directConvs = runtimeKernels;
  toLinalg.runtimeCalls = runtimeKernels;
  toLinalg.int8ConvCalls = runtimeKernels && int8Convs;
  pm.addPass(createDLToLinalg(toLinalg));
  pm.addPass(createCanonicalizerPass());
}

void buildCPULoweringPipeline(OpPassManager &pm,
                              const CPUPipelineOptions &options) {
  DLPrepareEntryPointsOptions entryPoints;
  entryPoints.rename.assign(options.rename.begin(), options.rename.end());
  pm.addPass(createDLPrepareEntryPoints(entryPoints));
  // Where the runtime's kernels run, convs with a window stay direct for
  // dl-convs-to-microkernels' implicit GEMM.
  bool runtimeKernels =
      options.optLevel >= 1 && options.microkernels && !options.gpuSchedules;
  buildDLToLinalgPipeline(pm, options.gpuSchedules ? 0 : kCPUIm2colBytes,
                          /*cpuKernels=*/!options.gpuSchedules, runtimeKernels,
                          /*int8Convs=*/options.vnni,
                          /*fuse=*/!options.gpuSchedules, options.reportFusion,
                          options.attentionLayout);
  // Run-time shape arithmetic (a dynamic batch's Reshape targets) as scalar
  // code, not loop nests.
  if (!options.gpuSchedules) {
    pm.addPass(createDLScalarizeSmallTensors());
    pm.addPass(createCanonicalizerPass());
  }
  if (options.optLevel >= 2 && !options.gpuSchedules) {
    pm.addPass(createLinalgGeneralizeNamedOpsPass());
    pm.addPass(createDLInterchangeReductions());
  }
  {
    // Transposes into the operand maps of the contractions the runtime's
    // GEMM takes with any strides.
    DLFuseElementwiseOptions fuse;
    fuse.transposesIntoContractions = runtimeKernels;
    pm.addPass(createDLFuseElementwise(fuse));
  }
  // Every dynamic size as a dim of the function's arguments, so buffers
  // sized by the same batch dim share an arena (dl-plan-memory). No CSE
  // here: it would merge equal destinations across layers.
  if (options.planMemory)
    pm.addPass(memref::createResolveShapedTypeResultDimsPass());

  // A tensor.empty that is computed into and then inserted into a larger
  // tensor (a row kernel's row, a concat's part) becomes a slice of that
  // tensor, so the result is written in place, not to a buffer then copied.
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  // Tensors -> buffers, freed at last use. Loops over time (recurrent
  // layers, ONNX Loop/Scan) carry states that each step replaces by a new
  // tensor.
  buildBufferizePipeline(pm, /*loopAllocs=*/true);
  // f32 contractions to the runtime's blocked GEMM (runtime/src/cpu/gemm.c).
  // Convs (with their padding and epilogue) to the runtime's implicit
  // GEMM dlc_sconv2d and vectorized depthwise dlc_dwconv2d.
  if (runtimeKernels) {
    pm.addPass(createDLContractionsToMicrokernels());
    pm.addPass(createDLConvsToMicrokernels());
  }
  // Packed int8 GEMMs on AVX-512 VNNI when the target has it.
  // Packed int8 GEMMs: vpdpbusd with VNNI, portable vector code without.
  if (options.optLevel >= 1 && !options.gpuSchedules)
    pm.addPass(options.vnni ? createDLInt8GemmToVNNI()
                            : createDLInt8GemmToVectors());
  pm.addPass(createDLCopyToLinalg());
  pm.addPass(createDLReportFailedAsserts());
  // An optimizer's per-parameter updates as one kernel over all parameters.
  if (options.optLevel >= 1 && !options.gpuSchedules)
    pm.addNestedPass<func::FuncOp>(createDLMultiTensorKernels());
  // Static-size intermediates as views of one arena, by liveness.
  if (options.planMemory) {
    DLPlanMemoryOptions plan;
    plan.report = options.reportMemory;
    pm.addNestedPass<func::FuncOp>(createDLPlanMemory(plan));
  }
  if (options.reportFusion)
    pm.addNestedPass<func::FuncOp>(createDLReportKernels());

  // Elementwise kernels over short rows as one long inner loop LLVM
  // vectorizes.
  if (options.optLevel >= 1 && !options.gpuSchedules)
    pm.addNestedPass<func::FuncOp>(createDLCollapseElementwiseDims());

  // Row kernels (scf.forall over rows) as parallel loops like the rest.
  pm.addPass(createForallToParallelLoopPass());

  // Loops. With threads, the outermost parallel loops of each kernel become
  // OpenMP worksharing loops, which the runtime's OpenMP shim
  // (runtime/src/cpu/openmp_shim.c) runs on dlc's thread pool.
  if (options.gpuSchedules) {
    // The GPU's loops (GPUPipelines.cpp), run on the host: blocks on the
    // thread pool (or serial), each block's threads serial.
    DLGPUTileContractionsOptions tiles;
    tiles.workgroupMemory = false;
    pm.addNestedPass<func::FuncOp>(createDLGPUTileContractions(tiles));
    DLGPUBlockReductionsOptions reductions;
    reductions.workgroupMemory = false;
    pm.addNestedPass<func::FuncOp>(createDLGPUBlockReductions(reductions));
    pm.addPass(createConvertLinalgToParallelLoopsPass());
    pm.addPass(createDLSerializeNestedParallelLoops());
    pm.addNestedPass<func::FuncOp>(createDLGPUMapParallelLoops());
    pm.addPass(createDLSerializeNestedParallelLoops());
    // The kernels' math, not libm's.
    pm.addPass(createDLGPUExpandMath());
    if (options.threads) {
      pm.addPass(createConvertSCFToOpenMPPass());
      pm.addPass(createDLInlineAllocaScopes());
    }
  } else if (options.threads) {
    pm.addPass(createConvertLinalgToParallelLoopsPass());
    pm.addPass(createDLSerializeNestedParallelLoops());
    pm.addPass(createDLThreadOuterDims());
    pm.addPass(createConvertSCFToOpenMPPass());
    pm.addPass(createDLInlineAllocaScopes());
  } else {
    pm.addPass(createConvertLinalgToLoopsPass());
  }

  // f32 exp/log/tanh/erf as polynomials LLVM can vectorize, not libm calls.
  pm.addPass(createDLMathApproximation());

  // The arenas from the caller's workspace or the runtime's allocator.
  if (options.planMemory)
    pm.addPass(createDLArenaToRuntime());

  // The LLVM dialect.
  buildHostToLLVMPipeline(pm, /*libm=*/true, [](OpPassManager &host) {
    host.addPass(createConvertOpenMPToLLVMPass());
  });
}

void buildBufferizePipeline(OpPassManager &pm, bool loopAllocs) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.allowReturnAllocsFromLoops = loopAllocs;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
  pm.addPass(createDLDeallocAtLastUse());
}

void buildHostToLLVMPipeline(OpPassManager &pm, bool libm,
                             llvm::function_ref<void(OpPassManager &)> target) {
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  // The int8 VNNI kernels' vector loads (dl-int8-gemm-to-vnni).
  pm.addPass(createConvertVectorToLLVMPass());
  // Allocations go through the runtime's caching allocator
  // (runtime/src/cpu/memref_alloc.c).
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useGenericFunctions = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  if (libm)
    pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  target(pm);
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void registerDLCPipelines() {
  dl::registerDLPasses();
  dl::registerDLQuantizePasses();
  registerDLConversionPasses();
  registerDLInt8Passes();
  PassPipelineRegistration<>(
      "dlc-simplify",
      "dl cleanup: canonicalize, dl-shape-inference, canonicalize, cse",
      buildSimplifyPipeline);
  PassPipelineRegistration<>("dlc-inference-rewrites",
                             "What dlc runs after dlc-simplify for inference: "
                             "dl-fold-into-contractions, canonicalize, cse",
                             buildInferenceRewritePipeline);
  // dlc-train takes dl-train-step's own options, parsed by the pass itself,
  // so they are declared once (Passes.td).
  registerPassPipeline(
      "dlc-train",
      "What dlc --train runs: dl-shape-inference, dl-train-step (with the "
      "options given, e.g. --dlc-train=\"loss=mse optimizer=adam prefix=m\"), "
      "dlc-simplify, dl-checkpoint",
      [](OpPassManager &pm, StringRef options,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        std::unique_ptr<Pass> trainStep = dl::createDLTrainStep();
        if (failed(trainStep->initializeOptions(options, errorHandler)))
          return failure();
        addTrainPasses(pm, std::move(trainStep));
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)>) {});
  // dlc-quantize takes dl-quantize's options (QuantizePasses.td).
  registerPassPipeline(
      "dlc-quantize",
      "What dlc --quantize runs after calibration: dl-quantize (with the "
      "options given, e.g. --dlc-quantize=\"mode=dynamic exclude=fc1\"), "
      "canonicalize, cse",
      [](OpPassManager &pm, StringRef options,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        std::unique_ptr<Pass> quantize = dl::createDLQuantize();
        if (failed(quantize->initializeOptions(options, errorHandler)))
          return failure();
        addQuantizePasses(pm, std::move(quantize));
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)>) {});
  PassPipelineRegistration<>(
      "dlc-to-linalg",
      "What dlc --emit=linalg runs: dl-rewrite-qdq, dl-lower-distributed, "
      "dl-verify-backend-contract, dl-to-linalg, canonicalize",
      [](OpPassManager &pm) { buildDLToLinalgPipeline(pm); });
  PassPipelineRegistration<CPUPipelineOptions>(
      "dlc-cpu-lowering",
      "What dlc runs from dl IR to the LLVM dialect for the CPU",
      buildCPULoweringPipeline);
  registerDLCGPUPipelines();
}

void registerDLCDialects(DialectRegistry &registry) {
  registry.insert<dl::DLDialect>();
  registerDLBufferizationInterfaces(registry);
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerAllToLLVMIRTranslations(registry);
  registerDLCGPUDialects(registry);
}

} // namespace dlc
