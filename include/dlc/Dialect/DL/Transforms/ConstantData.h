//===- ConstantData.h - reading and writing dl.constant data ----*- C++ -*-===//
//
// Compile-time rewrites that compute new weights (quantization, folding
// into contractions) read constants that are either dense attributes or
// resource blobs, and write large results back as blobs.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_CONSTANTDATA_H
#define DLC_DIALECT_DL_TRANSFORMS_CONSTANTDATA_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>

namespace dlc::dl {

/// The values of a constant, statically shaped f32 tensor (a dense
/// attribute or a resource blob); nullopt for anything else.
std::optional<llvm::SmallVector<float>> constantFloats(mlir::Value v);

/// A dl.constant of `type` (static shape, f32) holding `values`: a resource
/// blob named after `name` when large (so the printer never copies it), a
/// dense attribute otherwise.
mlir::Value createF32Constant(mlir::OpBuilder &b, mlir::Location loc,
                              mlir::RankedTensorType type,
                              llvm::ArrayRef<float> values,
                              llvm::StringRef name);

/// The output channels of a contraction's (dl.conv, dl.gemm, dl.matmul)
/// weight: their count and where element i's channel is
/// (i / inner % count).
struct Channels {
  int64_t count, inner;
  int64_t of(int64_t i) const { return i / inner % count; }
};
Channels channelsOf(mlir::Operation *contraction);

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_TRANSFORMS_CONSTANTDATA_H
