//===- ShapeUtils.h - shape helpers shared by dl ops ------------*- C++ -*-===//
//
// Broadcasting, axis normalization and type refinement used by the ops'
// shape inference, verifiers and folders.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_SHAPEUTILS_H
#define DLC_DIALECT_DL_IR_SHAPEUTILS_H

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeRange.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APInt.h"
#include <optional>

namespace dlc::dl {

/// The ranked tensor type of `v` (every dl operand has one).
inline mlir::RankedTensorType tensorTypeOf(mlir::Value v) {
  return mlir::cast<mlir::RankedTensorType>(v.getType());
}

/// True if each pair of types has the same element type and rank and every
/// dimension is equal or dynamic on one side.
bool areRefinableTypes(mlir::TypeRange lhs, mlir::TypeRange rhs);

/// numpy broadcasting of two shapes (upstream's getBroadcastedShape) with
/// dl's dynamic dims: a dynamic dim against 1 stays dynamic; against any
/// other static n (0 too) it becomes n. Fails on incompatible static dims.
mlir::FailureOr<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// Broadcasts the shapes of `operands`; emits "operands are not
/// broadcast-compatible" with both shapes when that fails.
mlir::LogicalResult inferBroadcastShape(std::optional<mlir::Location> loc,
                                        mlir::ValueRange operands,
                                        llvm::SmallVectorImpl<int64_t> &shape);

/// Maps `axis` in [-rank, rank) to [0, rank); fails with a message naming
/// `what` otherwise.
mlir::FailureOr<int64_t> normalizeAxis(std::optional<mlir::Location> loc,
                                       int64_t axis, int64_t rank,
                                       llvm::StringRef what = "axis");

/// Normalizes a list of distinct axes; fails on a repeat or out of range.
mlir::FailureOr<llvm::SmallVector<int64_t>>
normalizeAxes(std::optional<mlir::Location> loc, llvm::ArrayRef<int64_t> axes,
              int64_t rank, llvm::StringRef what = "axes");

/// Renders a shape as "2x?x3" for messages.
std::string shapeToString(llvm::ArrayRef<int64_t> shape);

/// Product of the dims, or dynamic if any dim is dynamic.
int64_t shapeProduct(llvm::ArrayRef<int64_t> shape);

/// Output size of a sliding window, or dynamic if `in` is dynamic.
int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode);

/// Result type of a reduction over `axes` (empty: all dims).
mlir::LogicalResult
inferReduceResult(std::optional<mlir::Location> loc, mlir::Value input,
                  llvm::ArrayRef<int64_t> axes, bool keepdims,
                  llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Result type of argmax / argmin along one axis (i64 indices).
mlir::LogicalResult
inferArgReduceResult(std::optional<mlir::Location> loc, mlir::Value input,
                     int64_t axis, bool keepdims,
                     llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Folds a reduction that only covers size-1 dims and keeps the type, for
/// the reductions that are the identity on one element.
mlir::OpFoldResult foldReduce(mlir::Operation *op,
                              llvm::ArrayRef<int64_t> axes);

/// Strides, pads ([begin..., end...]) and dilations of a windowed op with
/// their defaults filled in.
struct WindowAttrs {
  llvm::SmallVector<int64_t> strides, pads, dilations;
};

/// Reads and checks window attributes for `spatial` dims: lengths, strides
/// and dilations >= 1, pads >= 0.
mlir::FailureOr<WindowAttrs>
readWindowAttrs(std::optional<mlir::Location> loc,
                std::optional<llvm::ArrayRef<int64_t>> strides,
                std::optional<llvm::ArrayRef<int64_t>> pads,
                std::optional<llvm::ArrayRef<int64_t>> dilations,
                int64_t spatial);

/// One axis of dl.slice on a static dim, with ONNX's wrap-around and
/// clamping applied: the first index read, the clamped end, the step and the
/// number of elements read.
struct SliceDim {
  int64_t start, end, step, size;
};
SliceDim clampSlice(int64_t dim, int64_t start, int64_t end, int64_t step);

/// Folds an op implementing ElementwiseOpInterface when all its operands
/// are constant and the result is small enough to materialize.
mlir::OpFoldResult foldElementwise(mlir::Operation *op,
                                   llvm::ArrayRef<mlir::Attribute> operands);

/// Result type of a broadcasting binary op: the broadcast shape, with the
/// operands' element type or i1 for comparisons.
mlir::LogicalResult
inferBinaryResult(mlir::MLIRContext *context, std::optional<mlir::Location> loc,
                  mlir::ValueRange operands, bool boolResult,
                  llvm::SmallVectorImpl<mlir::Type> &inferred);

/// Folds a binary op: identities (x + 0, x * 1, ...) that keep the type, then
/// constants through foldElementwise.
mlir::OpFoldResult foldBinary(mlir::Operation *op,
                              llvm::ArrayRef<mlir::Attribute> operands);

/// Python-style float remainder: the result has the sign of the divisor.
double floorMod(double a, double b);

/// Integer remainder, truncated (fmod) or with the divisor's sign; nullopt on
/// division by zero.
std::optional<llvm::APInt> intMod(const llvm::APInt &a, const llvm::APInt &b,
                                  bool fmod);

/// Clamps an integer to optional float bounds (for dl.clip on integers).
llvm::APInt clipInt(const llvm::APInt &x, std::optional<llvm::APFloat> min,
                    std::optional<llvm::APFloat> max);

/// Largest constant (in elements) that folders create; bigger results stay as
/// ops so the IR does not balloon.
constexpr int64_t kMaxFoldElements = 1 << 16;
/// Largest kernel size, stride, dilation or pad of a windowed op: the index
/// arithmetic of the generated loops stays far from int64 overflow.
constexpr int64_t kMaxWindowValue = (int64_t(1) << 31) - 1;
/// Most window steps (outputs x kernel elements) one pool may take: about
/// 20 s of one core; the largest pool of a ResNet-18 takes 7e6.
constexpr int64_t kMaxPoolSteps = int64_t(1) << 34;

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_IR_SHAPEUTILS_H
