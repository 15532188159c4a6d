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
  /// Feature changes on top of the CPU's (LLVM's -mattr syntax, e.g.
  /// "-avx512f,+fma"); with the host CPU they apply over the host's features.
  std::string features;
  /// The vector width the vectorizer should prefer, in bits; 0: chosen from
  /// the target (512 with AVX-512, else the target's default).
  unsigned preferVectorWidth = 0;
};

/// Checks the triple, CPU name and feature names against the LLVM target,
/// so an unknown one is one clear error instead of LLVM's warnings and fatal
/// error at code generation. Returns the message, or empty.
std::string checkTarget(const CPUOptions &options);

/// LLVM dialect -> LLVM IR, optimized at options.optLevel for the target. Every
/// function carries the target's "target-cpu", "target-features" and
/// "prefer-vector-width", so LLVM's per-function codegen and vectorizer see the
/// same target as the TargetMachine.
std::unique_ptr<llvm::Module> translateToLLVMIR(mlir::ModuleOp module,
                                                llvm::LLVMContext &context,
                                                const CPUOptions &options,
                                                std::string &error);

/// Writes `module` as an object file for the target (assembly text with
/// `assembly`).
mlir::LogicalResult emitObject(llvm::Module &module, const CPUOptions &options,
                               llvm::raw_pwrite_stream &out, std::string &error,
                               bool assembly = false);

/// Whether the target (its CPU with the feature changes) has `feature`,
/// e.g. "avx512vnni"; false when no target machine can be made.
bool targetHasFeature(const CPUOptions &options, llvm::StringRef feature);

} // namespace dlc::cpu

#endif // DLC_TARGET_CPU_CPUTARGET_H
