//===- Utils.h - helpers shared by the dl lowerings -------------*- C++ -*-===//

#ifndef DLC_LIB_CONVERSION_DLTOLINALG_UTILS_H
#define DLC_LIB_CONVERSION_DLTOLINALG_UTILS_H

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc {

/// A tensor.empty of `type` whose dynamic dims are read from `sources`:
/// result dim i comes from the first source that has a matching dynamic or
/// equal dim at the same position counted from the right.
mlir::Value emptyLike(mlir::OpBuilder &b, mlir::Location loc,
                      mlir::RankedTensorType type, mlir::ValueRange sources);

/// tensor.empty of `type` with explicit dynamic sizes (one per `?`).
mlir::Value emptyTensor(mlir::OpBuilder &b, mlir::Location loc,
                        mlir::RankedTensorType type,
                        mlir::ValueRange dynamicSizes);

/// The dynamic dims of `v` (tensor.dim), for emptyTensor / generate.
llvm::SmallVector<mlir::Value> dynamicSizes(mlir::OpBuilder &b,
                                            mlir::Location loc, mlir::Value v);

/// `v` with its dims permuted (result dim i is input dim perm[i]), as a
/// linalg.transpose.
mlir::Value permute(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                    llvm::ArrayRef<int64_t> perm);

/// The body of a contraction generic: acc + lhs * rhs (float or integer).
void multiplyAdd(mlir::OpBuilder &b, mlir::Location l, mlir::ValueRange args);

/// A scalar constant of `type` (float or integer).
mlir::Value scalarConstant(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Type type, double value);

/// The indexing map that reads `operand` broadcast to a result of `rank`:
/// leading dims are dropped and static size-1 dims read index 0.
mlir::AffineMap broadcastMap(mlir::MLIRContext *ctx,
                             mlir::RankedTensorType operand,
                             mlir::RankedTensorType result);

/// A filled tensor for an accumulator.
mlir::Value filledTensor(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::RankedTensorType type, mlir::Value init,
                         mlir::ValueRange sources);

/// Reshapes `input` to `type` with tensor.reshape; `dims` gives every result
/// dim (static ones as constants are made here when null).
mlir::Value reshapeTo(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      mlir::RankedTensorType type,
                      llvm::ArrayRef<mlir::Value> dims);

/// A reshape as views: the dims are split into the smallest groups whose
/// sizes agree on both sides; `input` is collapsed by its groups and
/// expanded by the result's (tensor.collapse_shape / expand_shape, which
/// bufferize to views of a strided buffer such as a slice, where
/// tensor.reshape needs a contiguous one and copies). With one dynamic dim
/// on each side (a batch), the static groups are formed from the front and
/// from the back, and the dims left between them, the dynamic ones among
/// them, are one group on each side (collapsed, then expanded: its size is
/// fixed by the element count). Null for more dynamic dims, a 0 or rank 0.
mlir::Value reshapeByGroups(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value input, mlir::RankedTensorType type);

/// An axis attribute (stored as a signless 64-bit value) in [0, rank).
inline int64_t normalizedAxis(uint64_t axis, int64_t rank) {
  int64_t a = static_cast<int64_t>(axis);
  return a < 0 ? a + rank : a;
}

/// The size of dim `i` of `v` as an index value (a constant when static).
mlir::Value dimValue(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                     int64_t i);

/// tensor.pad with a constant; the input itself when every pad is 0.
/// A copy of `source` into a new tensor of `shape` (element type and
/// dynamic leading dim from `source`'s dim 0 when shape[0] is dynamic):
/// out[i...] = source[sourceExprs(i...)], all loops parallel. The im2col
/// gathers of the f32 and integer convs.
mlir::Value gatherCopy(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value source, llvm::ArrayRef<int64_t> shape,
                       llvm::ArrayRef<mlir::AffineExpr> sourceExprs);

mlir::Value padTensor(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      llvm::ArrayRef<int64_t> low, llvm::ArrayRef<int64_t> high,
                      mlir::Value padValue);

/// A linalg.generic over `type` computing each element from its indices
/// (inputs are read inside `fn`, e.g. with tensor.extract).
mlir::Value
generate(mlir::OpBuilder &b, mlir::Location loc, mlir::RankedTensorType type,
         mlir::ValueRange dynamicSizes,
         llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                        mlir::ValueRange)>
             fn);

/// x + bias broadcast along dim 1 (the channels of N x C x ... tensors).
mlir::Value addChannelBias(mlir::OpBuilder &b, mlir::Location loc,
                           mlir::Value x, mlir::Value bias);

/// The number of elements in the dims of `v` marked in `dims`, as a scalar
/// of element type `et` (for means).
mlir::Value elementCount(mlir::OpBuilder &b, mlir::Location loc, mlir::Value v,
                         llvm::ArrayRef<bool> dims, mlir::Type et);

/// An index constant.
inline mlir::Value cidx(mlir::OpBuilder &b, mlir::Location loc, int64_t v) {
  return mlir::arith::ConstantIndexOp::create(b, loc, v);
}

/// The body of a reduction: combine the inputs' elements into `acc`.
using ReduceBodyFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange ins, mlir::Value acc)>;

/// Reduces over the dims marked in `reduced`: one linalg.generic whose
/// output drops those dims, initialized with `init`. `extra` inputs are
/// indexed like the output (broadcast along the reduced dims).
mlir::Value reduceDims(mlir::OpBuilder &b, mlir::Location loc,
                       mlir::Value input, llvm::ArrayRef<bool> reduced,
                       mlir::Value init, ReduceBodyFn body,
                       mlir::ValueRange extra = {});

/// An elementwise map over `input` with `extra` operands indexed like a
/// reduction's output (the dims in `reduced` dropped).
mlir::Value
mapWithReduced(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
               llvm::ArrayRef<bool> reduced, mlir::ValueRange extra,
               llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                              mlir::ValueRange)>
                   fn);

/// One kernel per row: an scf.forall over the dims of `input` before
/// `axis`, each iteration a row (the dims from `axis` on). `body` gets the
/// row's indices (the induction variables), the input's row and the result's
/// row (tensors of rank `rank - axis`) and returns the written result row. The
/// result has `input`'s type. Softmax and layer norm use it so that a row's
/// statistics and its normalized values are one loop nest, the row in cache
/// between the passes.
using RowBodyFn = llvm::function_ref<mlir::Value(
    mlir::OpBuilder &, mlir::Location, mlir::ValueRange ivs, mlir::Value row,
    mlir::Value outRow)>;
mlir::Value rowKernel(mlir::OpBuilder &b, mlir::Location loc, mlir::Value input,
                      int64_t axis, RowBodyFn body);

/// Every element of `row` combined into one scalar, starting from `init`: a
/// nest of scf.for carrying the accumulator (the row is read with
/// tensor.extract).
mlir::Value
reduceRow(mlir::OpBuilder &b, mlir::Location loc, mlir::Value row,
          mlir::Value init,
          llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                         mlir::Value x, mlir::Value acc)>
              combine);

/// The sum over `row` of term(x) for each element x, from 0 (reduceRow with
/// a reassociable fadd, so the sum vectorizes).
mlir::Value
sumRow(mlir::OpBuilder &b, mlir::Location loc, mlir::Value row,
       llvm::function_ref<mlir::Value(mlir::OpBuilder &, mlir::Location,
                                      mlir::Value x)>
           term);

/// Asserts that every class label in `labels` (an integer tensor) is in
/// [0, depth): a scalar loop over the labels, then a cf.assert, both on the
/// calling thread (a failed assert is an error status naming the range).
void assertLabelsInRange(mlir::OpBuilder &b, mlir::Location loc,
                         mlir::Value labels, int64_t depth);

} // namespace dlc

#endif // DLC_LIB_CONVERSION_DLTOLINALG_UTILS_H
