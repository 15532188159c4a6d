//===- Pipelines.h - every pass pipeline of dlc -----------------*- C++ -*-===//
//
// Each stage of the compiler as a function that fills a pass manager. dlc
// calls these functions and nothing else to transform IR, and dlc-opt
// registers the same functions (registerDLCPipelines), so
// `dlc-opt --dlc-<stage>` reproduces exactly what `dlc` does:
//
//   dlc-simplify        canonicalize, dl-shape-inference, canonicalize, cse
//   dlc-train{...}      dl-shape-inference, dl-train-step{...}, dlc-simplify
//   dlc-to-linalg       backend contract, dl-to-linalg (what --emit=linalg
//                       prints)
//   dlc-cpu-lowering{...}  dl -> linalg -> bufferized loops -> LLVM dialect
//
//===----------------------------------------------------------------------===//

#ifndef DLC_PIPELINES_PIPELINES_H
#define DLC_PIPELINES_PIPELINES_H

#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

namespace dlc {

/// Options of the CPU pipelines.
struct CPUPipelineOptions
    : public mlir::PassPipelineOptions<CPUPipelineOptions> {
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level 0-3 (at 2 and up, contractions are "
                     "generalized and their reductions interchanged)"),
      llvm::cl::init(2)};
  Option<bool> threads{
      *this, "threads",
      llvm::cl::desc("Run each kernel's outermost parallel loops on the "
                     "runtime's thread pool (OpenMP lowering)"),
      llvm::cl::init(true)};
  Option<bool> microkernels{
      *this, "microkernels",
      llvm::cl::desc(
          "At opt-level 1 and up, f32 contractions call the "
          "runtime's blocked GEMM (dl-contractions-to-microkernels)"),
      llvm::cl::init(true)};
  Option<bool> gpuSchedules{
      *this, "gpu-schedules",
      llvm::cl::desc("Emulate the GPU: the schedules of --dlc-gpu-lowering "
                     "(dl-gpu-map-parallel-loops), their block loops on the "
                     "thread pool and their thread loops serial; no "
                     "reduction interchange or microkernels (dlc "
                     "--gpu-emulate)"),
      llvm::cl::init(false)};
  Option<bool> attentionLayout{
      *this, "attention-layout",
      llvm::cl::desc(
          "Where the runtime's kernels run, attention heads as views of the "
          "projection and transposes moved to where they compose "
          "(dl-attention-heads, dl-sink-transposes); off to compare"),
      llvm::cl::init(true)};
  Option<bool> planMemory{
      *this, "plan-memory",
      llvm::cl::desc("Static-size intermediates as views of one arena, by "
                     "liveness (dl-plan-memory)"),
      llvm::cl::init(true)};
  Option<bool> reportMemory{
      *this, "report-memory",
      llvm::cl::desc("Print each function's planned arena to stderr "
                     "(dl-plan-memory)"),
      llvm::cl::init(false)};
  Option<bool> reportFusion{
      *this, "report-fusion",
      llvm::cl::desc("Print each function's dl-fuse groups and kernels, "
                     "with the ONNX nodes fused into each, to stderr "
                     "(dl-fuse, dl-report-kernels)"),
      llvm::cl::init(false)};
  Option<bool> vnni{
      *this, "vnni",
      llvm::cl::desc("At opt-level 1 and up, int8 GEMMs with packed weights "
                     "use AVX-512 VNNI (dl-int8-gemm-to-vnni); dlc sets it "
                     "when the target has avx512vnni"),
      llvm::cl::init(false)};
  ListOption<std::string> rename{
      *this, "rename",
      llvm::cl::desc("Functions to rename first, as OLD:NEW (see "
                     "dl-prepare-entry-points)")};
};

/// Cleanup after import or any dl rewrite: canonicalization, shape
/// inference, CSE.
void buildSimplifyPipeline(mlir::OpPassManager &pm);

/// Graph rewrites for inference after simplification: batch norm, scales
/// and biases folded into constant conv/gemm weights, then cleanup.
void buildInferenceRewritePipeline(mlir::OpPassManager &pm);

/// The training step (dl-train-step) and the cleanup after it.
void buildTrainPipeline(mlir::OpPassManager &pm,
                        const dl::DLTrainStepOptions &options);

/// INT8 quantization (dlc --quantize): dl-quantize with `mode` (static or
/// dynamic) and the node names to `exclude`, then canonicalize and CSE.
void buildQuantizePipeline(mlir::OpPassManager &pm, llvm::StringRef mode,
                           llvm::ArrayRef<std::string> exclude);

/// The CPU target's chunk of a conv's im2col matrix (dl-to-linalg's
/// im2col-bytes): half of a core's 1 MiB L2.
constexpr int64_t kCPUIm2colBytes = 512 * 1024;

/// dl -> linalg on tensors, with the backend contract checked first. Convs
/// build their im2col matrix in chunks of at most `im2colBytes` (0: whole);
/// with `cpuKernels` (the CPU's), softmax and layer/instance norm are one
/// kernel per row and static reshapes are views (dl-to-linalg's row-kernels
/// and reshape-views); with `runtimeKernels`, convs with a window are direct
/// generics for the runtime's implicit GEMM and the train step's pool and
/// conv weight gradients are runtime calls (dl-to-linalg's direct-convs and
/// runtime-calls); with `int8Convs` too, quantized convs are calls of the
/// runtime's VNNI kernel (int8-conv-calls). With `fuse`, dl-fuse groups
/// the ops that are to become one kernel first (printing the groups with
/// `reportFusion`), after dl-attention-heads and dl-sink-transposes where
/// `runtimeKernels` and `attentionLayout`.
void buildDLToLinalgPipeline(
    mlir::OpPassManager &pm, int64_t im2colBytes = kCPUIm2colBytes,
    bool cpuKernels = true, bool runtimeKernels = false, bool int8Convs = false,
    bool fuse = false, bool reportFusion = false, bool attentionLayout = true);

/// dl -> LLVM dialect for the CPU: dlc-to-linalg, elementwise fusion,
/// bufferization and deallocation, loops (outermost parallel loops on
/// threads), the LLVM dialect. Public functions get a C interface.
void buildCPULoweringPipeline(mlir::OpPassManager &pm,
                              const CPUPipelineOptions &options);

/// Tensors -> buffers freed at last use, for the CPU and GPU pipelines:
/// one-shot bufferization across function boundaries (identity layouts),
/// MLIR's deallocation pipeline, dl-dealloc-at-last-use. `loopAllocs`: loops
/// may yield buffers they allocate (recurrent layers, ONNX Loop/Scan).
void buildBufferizePipeline(mlir::OpPassManager &pm, bool loopAllocs);

/// Host code (affine, scf, memref through the runtime's allocator, math,
/// arith, func, cf) to the LLVM dialect; `libm`: the math calls LLVM cannot
/// lower inline go to libm; `target` adds the target's own conversions
/// (OpenMP, GPU launches) before the casts are reconciled.
void buildHostToLLVMPipeline(
    mlir::OpPassManager &pm, bool libm,
    llvm::function_ref<void(mlir::OpPassManager &)> target);

/// Registers the pipelines above with the pass registry (for dlc-opt and
/// dlc's --mlir-* options), and dlc's own passes.
void registerDLCPipelines();

/// Every dialect and interface the pipelines need, for dlc and dlc-opt alike.
void registerDLCDialects(mlir::DialectRegistry &registry);

} // namespace dlc

#endif // DLC_PIPELINES_PIPELINES_H
