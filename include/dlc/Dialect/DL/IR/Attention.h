//===- Attention.h - scaled dot-product attention in dl ops -----*- C++ -*-===//
//
// The one matcher of attention, matmul(softmax(S [+ M]), V) with S =
// matmul(Q', K^T), which dl-to-linalg makes one dlc_attention /
// dlc_attention4 call (the scores are never stored) and which dl-fuse
// therefore leaves alone. Both read it, so what one calls an attention the
// other does too.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_IR_ATTENTION_H
#define DLC_DIALECT_DL_IR_ATTENTION_H

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "llvm/ADT/SmallVector.h"

#include <string>

namespace dlc::dl {

/// An attention's parts, as `matchAttention` found them.
struct Attention {
  MatMulOp pv; ///< matmul(softmax(...), V), the result
  SoftmaxOp softmax;
  MatMulOp qk; ///< matmul(Q, K^T), the scores
  mlir::Value q, kt, v;
  mlir::Value mask; ///< the addend of the scores, or null
  float scale = 1.0f;
  bool divide = false; ///< Q / scale (or S / scale) rather than * scale
  /// The dl.mul / dl.div by the scale (its rhs is the constant), or null;
  /// it scales Q where `scalesQ`, the scores otherwise.
  mlir::Operation *scaleOp = nullptr;
  bool scalesQ = false;
  AddOp maskAdd;    ///< S + M, or null
  int64_t rank = 0; ///< 3: [groups, rows, dims]; 4: [batch, heads, ...]
  /// Every op of the attention (pv, softmax, qk, the mask's add, the
  /// scale), the result first.
  llvm::SmallVector<mlir::Operation *, 6> ops;
  /// Their locations in the order the fused call names them.
  llvm::SmallVector<mlir::Location, 6> locs;
};

/// Scaled dot-product attention ending at `pv`: matmul(softmax(S [+ M]),
/// V) with the scores S = matmul(Q', K^T), Q' = Q / c, Q * c or Q, or S =
/// matmul(Q, K^T) / c or * c (the scale applied to Q instead: the same up
/// to rounding), over f32 tensors [groups, rows, dims] (as
/// nn.MultiheadAttention's ONNX export writes it) or [batch, heads, rows,
/// dims] (a Transformer written with per-head tensors). Groups, batch,
/// heads and lengths may be dynamic (the kernel checks that they agree
/// when it runs); the head sizes are static and at most 1024; a mask M
/// broadcasts to the scores (static unless of the scores' rank), not over
/// the keys; the softmax is over the keys and each intermediate has one
/// use. Not in a function with a dl.recompute_barrier: a checkpointed train
/// step recomputes the forward and must get the stored values bit for bit,
/// and the fused kernel rounds unlike the separate ops. On failure, `why`
/// (when given) says what does not fit.
std::optional<Attention> matchAttention(MatMulOp pv,
                                        std::string *why = nullptr);

} // namespace dlc::dl

#endif // DLC_DIALECT_DL_IR_ATTENTION_H
