//===- AttentionHeads.cpp - attention over [batch, heads, rows, dims] -----===//
//
// dl-attention-heads: an attention whose groups are a batch and its heads
// merged by a reshape of the projection (nn.MultiheadAttention's export)
// becomes one over rank-4 operands, each a transposed reshape of the
// projection that dl-to-linalg reads as a view (no copy before the call).
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/Attention.h"
#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::dl {
#define GEN_PASS_DEF_DLATTENTIONHEADS
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

bool isDynamic(int64_t d) { return ShapedType::isDynamic(d); }

/// One of Q, K^T, V as `transpose(reshape(s, [L, B*H, D]), perm)` with
/// `s: [L, B, H*D]` and perm taking the merged dim first.
struct HeadSplit {
  ReshapeOp reshape;
  TransposeOp transpose;
  Value source;   ///< s
  int64_t heads;  ///< H
  int64_t length; ///< L
  int64_t batch;  ///< B
  int64_t dim;    ///< D
};

/// `x` as a head split, if it is one.
std::optional<HeadSplit> matchHeadSplit(Value x) {
  auto tr = x.getDefiningOp<TransposeOp>();
  if (!tr || tr.getPerm().size() != 3 || tr.getPerm()[0] != 1)
    return std::nullopt;
  auto reshape = tr.getInput().getDefiningOp<ReshapeOp>();
  if (!reshape)
    return std::nullopt;
  auto in = cast<RankedTensorType>(reshape.getInput().getType());
  auto out = reshape.getType();
  if (in.getRank() != 3 || out.getRank() != 3)
    return std::nullopt;
  int64_t length = in.getDimSize(0), batch = in.getDimSize(1),
          width = in.getDimSize(2);
  int64_t groups = out.getDimSize(1), dim = out.getDimSize(2);
  if (isDynamic(width) || isDynamic(dim) || dim <= 0 || width % dim != 0)
    return std::nullopt;
  int64_t heads = width / dim;
  // The rows are kept and the merged dim is B * H: with one dim dynamic
  // on each side at the same place, the element count says so.
  bool rowsKept = !isDynamic(length) && out.getDimSize(0) == length;
  bool groupsKnown =
      !isDynamic(batch) && !isDynamic(groups) && groups == batch * heads;
  bool ok = rowsKept ? (groupsKnown || (isDynamic(batch) && isDynamic(groups)))
                     : (isDynamic(length) && isDynamic(out.getDimSize(0)) &&
                        groupsKnown);
  if (!ok)
    return std::nullopt;
  return HeadSplit{reshape, tr, reshape.getInput(), heads, length, batch, dim};
}

/// `h`'s operand at rank 4: transpose(reshape(s, [L, B, H, D]), perm) with
/// the merged dim of the old perm expanded into B, H.
Value buildRank4(PatternRewriter &rewriter, HeadSplit h) {
  auto in = cast<RankedTensorType>(h.source.getType());
  auto type = RankedTensorType::get({h.length, h.batch, h.heads, h.dim},
                                    in.getElementType());
  Value r = ReshapeOp::create(rewriter, h.reshape.getLoc(), type, h.source,
                              Value(), false);
  SmallVector<int64_t> perm;
  for (int64_t p : h.transpose.getPerm()) {
    if (p == 0)
      perm.push_back(0);
    else if (p == 1)
      perm.append({1, 2});
    else
      perm.push_back(3);
  }
  return TransposeOp::create(rewriter, h.transpose.getLoc(), r,
                             rewriter.getDenseI64ArrayAttr(perm));
}

/// A binary op like `op` (same name and attributes) of `lhs` and `rhs`.
Value rebuildBinary(PatternRewriter &rewriter, Operation *op, Value lhs,
                    Value rhs, Type type) {
  OperationState state(op->getLoc(), op->getName());
  state.addOperands({lhs, rhs});
  state.addAttributes(op->getAttrs());
  state.addTypes(type);
  return rewriter.create(state)->getResult(0);
}

/// The shape of a matmul of `a` and `b` (rank 4, no broadcasting).
RankedTensorType productType(Value a, Value b) {
  auto at = cast<RankedTensorType>(a.getType());
  auto bt = cast<RankedTensorType>(b.getType());
  return RankedTensorType::get(
      {at.getDimSize(0), at.getDimSize(1), at.getDimSize(2), bt.getDimSize(3)},
      at.getElementType());
}

struct SplitHeads : OpRewritePattern<MatMulOp> {
  SplitHeads(MLIRContext *ctx, llvm::Statistic *count)
      : OpRewritePattern(ctx), count(count) {}

  LogicalResult matchAndRewrite(MatMulOp pv,
                                PatternRewriter &rewriter) const override {
    std::string why;
    std::optional<Attention> a = matchAttention(pv, &why);
    if (!a)
      return rewriter.notifyMatchFailure(pv, why);
    if (a->rank != 3)
      return rewriter.notifyMatchFailure(pv, "not over merged groups");
    std::optional<HeadSplit> q = matchHeadSplit(a->q),
                             k = matchHeadSplit(a->kt),
                             v = matchHeadSplit(a->v);
    if (!q || !k || !v)
      return rewriter.notifyMatchFailure(pv, "Q, K or V is not a head split");
    if (q->heads != k->heads || q->heads != v->heads)
      return rewriter.notifyMatchFailure(pv, "head counts differ");
    if (a->mask) {
      auto mt = cast<RankedTensorType>(a->mask.getType());
      if (mt.getRank() > 3 || (mt.getRank() == 3 && mt.getDimSize(0) != 1))
        return rewriter.notifyMatchFailure(pv, "a mask per group");
    }
    // What replaces the result: a [1, 0, 2] transpose of it (the export's
    // next op), or the result itself; one dynamic dim at most, which a
    // reshape finds from the element count.
    auto tr = pv->hasOneUse() ? dyn_cast<TransposeOp>(*pv->getUsers().begin())
                              : TransposeOp();
    if (tr && !llvm::equal(tr.getPerm(), ArrayRef<int64_t>{1, 0, 2}))
      tr = {};
    Operation *replaced = tr ? tr.getOperation() : pv.getOperation();
    auto replacedType =
        cast<RankedTensorType>(replaced->getResult(0).getType());
    if (replacedType.getNumDynamicDims() > 1)
      return rewriter.notifyMatchFailure(pv, "two dynamic dims in the result");

    rewriter.setInsertionPoint(pv);
    Value q4 = buildRank4(rewriter, *q);
    Value k4 = buildRank4(rewriter, *k);
    Value v4 = buildRank4(rewriter, *v);
    auto f32 = [](Value x) { return cast<RankedTensorType>(x.getType()); };
    Value scale = a->scaleOp ? a->scaleOp->getOperand(1) : Value();
    if (a->scalesQ)
      q4 = rebuildBinary(rewriter, a->scaleOp, q4, scale, f32(q4));
    Value s =
        MatMulOp::create(rewriter, a->qk.getLoc(), productType(q4, k4), q4, k4);
    if (a->scaleOp && !a->scalesQ)
      s = rebuildBinary(rewriter, a->scaleOp, s, scale, f32(s));
    if (a->maskAdd) {
      bool maskFirst = a->maskAdd.getLhs() == a->mask;
      s = rebuildBinary(rewriter, a->maskAdd, maskFirst ? a->mask : s,
                        maskFirst ? s : a->mask, f32(s));
    }
    Value p = SoftmaxOp::create(
        rewriter, a->softmax.getLoc(), f32(s), s,
        IntegerAttr::get(a->softmax.getAxisAttr().getType(), -1));
    Value o =
        MatMulOp::create(rewriter, pv.getLoc(), productType(p, v4), p, v4);
    if (tr)
      o = TransposeOp::create(rewriter, tr.getLoc(), o,
                              rewriter.getDenseI64ArrayAttr({2, 0, 1, 3}));
    rewriter.replaceOpWithNewOp<ReshapeOp>(replaced, replacedType, o, Value(),
                                           false);
    if (tr)
      rewriter.eraseOp(pv);
    ++*count;
    return success();
  }

  llvm::Statistic *count;
};

struct DLAttentionHeadsPass
    : dlc::dl::impl::DLAttentionHeadsBase<DLAttentionHeadsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SplitHeads>(&getContext(), &numRewritten);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
