//===- GPUPipelines.h - the pipelines of dlc --target=cuda ------*- C++ -*-===//
//
// dl IR to the LLVM dialect with the kernels as PTX inside (gpu.binary), the
// host side calling the runtime's mgpu* functions (runtime/src/cuda/).
// Registered for dlc-opt as --dlc-gpu-lowering="...".
//
//===----------------------------------------------------------------------===//

#ifndef DLC_PIPELINES_GPUPIPELINES_H
#define DLC_PIPELINES_GPUPIPELINES_H

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace dlc {

struct GPUPipelineOptions
    : public mlir::PassPipelineOptions<GPUPipelineOptions> {
  Option<std::string> arch{
      *this, "arch",
      llvm::cl::desc("The GPU architecture, sm_70 to sm_90 (default sm_80)"),
      llvm::cl::init("sm_80")};
  Option<std::string> format{
      *this, "format",
      llvm::cl::desc("What the kernels are embedded as: ptx (JIT-compiled by "
                     "the driver at load), cubin or fatbin (need ptxas / "
                     "fatbinary from a CUDA toolkit)"),
      llvm::cl::init("ptx")};
  Option<unsigned> optLevel{
      *this, "opt-level",
      llvm::cl::desc("Optimization level 0-3 of the NVVM back end"),
      llvm::cl::init(2)};
  Option<int64_t> blockSize{
      *this, "block-size",
      llvm::cl::desc("Threads per block of the generic schedule"),
      llvm::cl::init(256)};
  Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("The CUDA toolkit whose ptxas/fatbinary make cubin and "
                     "fatbin (not used for ptx)"),
      llvm::cl::init("")};
  ListOption<std::string> rename{
      *this, "rename",
      llvm::cl::desc("Functions to rename first, as OLD:NEW (see "
                     "dl-prepare-entry-points)")};
};

/// The PTX ISA version feature for `arch` ("+ptx70" for sm_80): the oldest
/// that has it, so older drivers can JIT the PTX. Empty for an arch dlc does
/// not take.
std::string ptxFeatureFor(llvm::StringRef arch);

/// Checks the options; returns an error message or "".
std::string checkGPUPipelineOptions(const GPUPipelineOptions &options);

void buildGPULoweringPipeline(mlir::OpPassManager &pm,
                              const GPUPipelineOptions &options);

void registerDLCGPUPipelines();

/// What the GPU pipeline needs registered beyond the CPU's dialects.
void registerDLCGPUDialects(mlir::DialectRegistry &registry);

} // namespace dlc

#endif // DLC_PIPELINES_GPUPIPELINES_H
