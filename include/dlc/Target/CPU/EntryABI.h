//===- EntryABI.h - the C entry point and header of a model -----*- C++ -*-===//
//
// Every compiled model exports `int32_t NAME_run(const dlc_tensor *inputs,
// dlc_tensor *outputs)` (runtime/include/dlc/runtime.h). It is one call to
// the runtime's dlc_entry_run with constant tables of the model's inputs and
// outputs: inputs are checked (pointers, dtypes, ranks, static dims, the
// dynamic dims the model needs equal, strides) before any kernel runs, and
// a bad call returns a status with a message in dlc_last_error(); outputs
// come back in buffers allocated with malloc (the caller frees them, or
// calls NAME_release). The per-model header declares it with the model's
// signature, names and typed helpers.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_TARGET_CPU_ENTRYABI_H
#define DLC_TARGET_CPU_ENTRYABI_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <array>
#include <string>
#include <vector>

namespace dlc::cpu {

struct TensorSignature {
  std::string name; // the ONNX value name ("" if none)
  int32_t dtype;    // a dlc_dtype
  unsigned elementBytes;
  std::vector<int64_t> shape; // -1 for a dynamic dim
  std::vector<std::string> dimNames;
  /// For an input: per dim, its class in EntrySignature::classSize (dynamic
  /// dims the model needs equal), or -1.
  std::vector<int32_t> dimClass;
  /// For an output: the input whose buffer it overwrites (state updated in
  /// place, from the `dl.inplace` result attribute), or -1.
  int64_t inplace = -1;
};

struct EntrySignature {
  std::string entry;  // the MLIR function (its C interface is _mlir_ciface_)
  std::string prefix; // NAME in NAME_run / NAME_release
  /// The exported functions: PREFIX_run and PREFIX_release unless set.
  std::string runSymbol, releaseSymbol;
  /// What the header says the entry point does (one line), if anything.
  std::string summary;
  std::vector<TensorSignature> inputs, outputs;
  /// Per class of input dims that must agree: the size they must have, or
  /// -1 (see DimConstraints.h).
  std::vector<int64_t> classSize;
  /// What the code runs on, for the header: "cpu", or e.g. "cuda sm_80
  /// (ptx)".
  std::string target = "cpu";
  /// Also NAME_run_device / NAME_release_device (inputs and outputs in GPU
  /// memory; runtime/include/dlc/cuda.h).
  bool deviceEntry = false;
  /// Weights live in a file NAME_init loads (--weights=external).
  bool externalWeights = false;
  std::string weightsFile; // its file name, for executables
  /// Bytes of the static arenas a call plans (dl-plan-memory): what
  /// STEM_workspace_bytes(inputs) returns for a model without dynamic dims;
  /// a caller's workspace of this size holds them
  /// (STEM_run_with_workspace).
  int64_t workspaceBytes = 0;
  /// Arenas sized by an input's dynamic dim: (input, dim, bytes per unit of
  /// the dim), added by STEM_workspace_bytes(inputs) for a call's shapes.
  std::vector<std::array<int64_t, 3>> workspaceInputDims;
};

/// Reads the signature of `func` (tensor arguments and results, dl.name and
/// dl.dim_names attributes) and, while it is dl IR, the dynamic dims of its
/// inputs that must agree. Fails on an element type without a dlc_dtype.
mlir::FailureOr<EntrySignature> readSignature(mlir::func::FuncOp func,
                                              llvm::StringRef prefix);

/// Adds NAME_run and NAME_release (or sig.runSymbol / sig.releaseSymbol) to
/// `module`, which already holds `_mlir_ciface_<entry>`. Outputs with an
/// `inplace` input are copied into that input's buffer instead of being
/// returned; `outputs` holds only the others. Also exports
/// `dlc_entry_for_<entry>`, the names of the run and release functions, for
/// loaders that know the MLIR function's name. Fails if the module needs
/// more of the runtime than it provides (a parallel region with more
/// captured values than the OpenMP shim passes on). Calls of `abort` that
/// the lowering of run-time checks (cf.assert) left become calls of
/// dlc_entry_fail, which returns an error from the entry point.
mlir::LogicalResult emitEntryPoints(llvm::Module &module,
                                    const EntrySignature &sig,
                                    std::string &error);

/// Adds the symbols an executable's main() (runtime/src/exe/main.c) calls:
/// dlc_model_run / dlc_model_release (forwarding to NAME_run / NAME_release),
/// dlc_model_name, dlc_model_num_inputs and dlc_model_num_outputs.
void emitExecutableAliases(llvm::Module &module, const EntrySignature &sig);

/// Moves every constant global of at least `minBytes` out of `module` into
/// the file at `path`, and adds `int32_t NAME_init(const char *path)` that
/// loads them back (checking a magic and the size). NAME_run then fails
/// with DLC_STATUS_RUNTIME_ERROR until NAME_init succeeded. Sets
/// sig.externalWeights; call before emitEntryPoints.
mlir::LogicalResult externalizeWeights(llvm::Module &module,
                                       EntrySignature &sig,
                                       const std::string &path,
                                       uint64_t minBytes, std::string &error);

/// The outputs a caller receives (those not written back in place).
size_t numReturnedOutputs(const EntrySignature &sig);

/// Writes the per-model C header for one or more entry points (the first
/// is the model's NAME_run).
void writeHeader(llvm::raw_ostream &os, llvm::ArrayRef<EntrySignature> sigs);

} // namespace dlc::cpu

#endif // DLC_TARGET_CPU_ENTRYABI_H
