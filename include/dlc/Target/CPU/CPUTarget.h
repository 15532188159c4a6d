//===- CPUTarget.h - dl to x86-64 object code, in-process -------*- C++ -*-===//

#ifndef DLC_TARGET_CPU_CPUTARGET_H
#define DLC_TARGET_CPU_CPUTARGET_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>

namespace dlc::cpu {

/// The target machine (the IR pipeline is lib/Pipelines).
struct CPUOptions {
  /// LLVM optimization level, 0 to 3.
  unsigned optLevel = 2;
  /// Target triple and CPU; empty: the host's.
  std::string triple;
  std::string cpu;
};

/// LLVM dialect -> LLVM IR, optimized at options.optLevel for the target.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &context,
                                                const CPUOptions &options,
                                                std::string &error);

/// Writes `module` as an object file for the target.
mlir::LogicalResult emitObject(llvm::Module &module, const CPUOptions &options,
                               llvm::raw_pwrite_stream &out,
                               std::string &error);

} // namespace dlc::cpu

#endif // DLC_TARGET_CPU_CPUTARGET_H
