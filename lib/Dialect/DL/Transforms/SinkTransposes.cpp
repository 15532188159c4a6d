//===- SinkTransposes.cpp - transposes moved below their cones ------------===//
//
// dl-sink-transposes: a transpose whose every path ends in another
// transpose moves below the ops on those paths, which then run on the
// untransposed tensor; the transposes at the ends compose with it. A
// Transformer exported batch-first transposes its input to [L, B, E]
// before the input projection; sunk, the projection's product keeps the
// batch outermost, and its bias becomes the GEMM's epilogue.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace dlc::dl {
#define GEN_PASS_DEF_DLSINKTRANSPOSES
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

using Perm = SmallVector<int64_t, 4>;

bool keepsLast(ArrayRef<int64_t> perm) {
  return perm.back() == static_cast<int64_t>(perm.size()) - 1;
}

bool isIdentity(ArrayRef<int64_t> perm) {
  for (auto [i, p] : llvm::enumerate(perm))
    if (static_cast<int64_t>(i) != p)
      return false;
  return true;
}

/// The type `t` has before the transpose by `perm` that gives it: dim
/// perm[i] of the result is t's dim i.
RankedTensorType untransposed(RankedTensorType t, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape(t.getRank());
  for (auto [i, p] : llvm::enumerate(perm))
    shape[p] = t.getDimSize(i);
  return RankedTensorType::get(shape, t.getElementType());
}

/// Whether `other`, the second operand of an elementwise op on a tensor of
/// rank `rank` transposed by `perm`, broadcasts the same either way: a
/// scalar, or (with perm keeping the last dim) a tensor that varies along
/// the last dim only.
bool broadcastsAlongLast(Value other, ArrayRef<int64_t> perm) {
  auto t = dyn_cast<RankedTensorType>(other.getType());
  if (!t)
    return false;
  ArrayRef<int64_t> shape = t.getShape();
  if (t.getRank() > static_cast<int64_t>(perm.size()))
    return false;
  bool leadingOnes = llvm::all_of(shape.drop_back(shape.empty() ? 0 : 1),
                                  [](int64_t d) { return d == 1; });
  if (!leadingOnes)
    return false;
  return shape.empty() || shape.back() == 1 || keepsLast(perm);
}

/// How `user` takes `v` (transposed by `perm`): the perm its result is
/// transposed by once it runs on the untransposed tensor, or nullopt when
/// it cannot.
std::optional<Perm> sinkThrough(Operation *user, Value v,
                                ArrayRef<int64_t> perm) {
  auto vt = cast<RankedTensorType>(v.getType());
  if (auto mm = dyn_cast<MatMulOp>(user)) {
    auto rt = cast<RankedTensorType>(mm.getRhs().getType());
    if (mm.getLhs() != v || mm.getRhs() == v || rt.getRank() != 2 ||
        !keepsLast(perm) || mm.getType().getRank() != vt.getRank())
      return std::nullopt;
    return Perm(perm);
  }
  if (isa<AddOp, SubOp, MulOp, DivOp>(user)) {
    Value other =
        user->getOperand(0) == v ? user->getOperand(1) : user->getOperand(0);
    if (other == v || user->getResult(0).getType() != vt ||
        !broadcastsAlongLast(other, perm))
      return std::nullopt;
    return Perm(perm);
  }
  if (isa<SliceOp>(user))
    return Perm(perm);
  if (auto reshape = dyn_cast<ReshapeOp>(user)) {
    // [d0, ..., dk-1, E] -> [d0, ..., dk-1, H, D]: the last dim split.
    auto out = reshape.getType();
    int64_t k = vt.getRank() - 1;
    if (!keepsLast(perm) || out.getRank() != k + 2 ||
        vt.getNumDynamicDims() > 1 || vt.isDynamicDim(k) ||
        out.isDynamicDim(k) || out.isDynamicDim(k + 1) ||
        out.getDimSize(k) * out.getDimSize(k + 1) != vt.getDimSize(k))
      return std::nullopt;
    for (int64_t i = 0; i < k; ++i)
      if (out.getDimSize(i) != vt.getDimSize(i))
        return std::nullopt;
    Perm extended(perm);
    extended.push_back(k + 1);
    return extended;
  }
  return std::nullopt;
}

/// The cone below a transpose: the ops to run untransposed, in order, with
/// the perm of each value they make.
struct Cone {
  llvm::SetVector<Operation *> ops;
  DenseMap<Value, Perm> perms;
  SmallVector<TransposeOp> ends;
  SmallVector<ShapeOfOp> shapes;
};

std::optional<Cone> coneBelow(TransposeOp t) {
  Cone cone;
  cone.perms[t.getResult()] = Perm(t.getPerm());
  SmallVector<Value> work = {t.getResult()};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    Perm perm = cone.perms[v];
    for (Operation *user : v.getUsers()) {
      if (auto shape = dyn_cast<ShapeOfOp>(user)) {
        if (v != t.getResult())
          cone.shapes.push_back(shape);
        continue;
      }
      if (auto end = dyn_cast<TransposeOp>(user)) {
        cone.ends.push_back(end);
        continue;
      }
      if (user->getBlock() != t->getBlock() || cone.ops.contains(user))
        return std::nullopt;
      std::optional<Perm> next = sinkThrough(user, v, perm);
      if (!next)
        return std::nullopt;
      cone.ops.insert(user);
      cone.perms[user->getResult(0)] = *next;
      work.push_back(user->getResult(0));
    }
  }
  if (cone.ops.empty())
    return std::nullopt;
  return cone;
}

/// `user` rebuilt on `input`, the untransposed form of its operand `v`.
Value rebuild(OpBuilder &b, Operation *user, Value v, Value input,
              ArrayRef<int64_t> resultPerm) {
  auto type = untransposed(cast<RankedTensorType>(user->getResult(0).getType()),
                           resultPerm);
  Location loc = user->getLoc();
  if (auto mm = dyn_cast<MatMulOp>(user))
    return MatMulOp::create(b, loc, type, input, mm.getRhs());
  if (auto slice = dyn_cast<SliceOp>(user)) {
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    SmallVector<int64_t> axes;
    if (std::optional<ArrayRef<int64_t>> given = slice.getAxes()) {
      for (int64_t a : *given)
        axes.push_back(resultPerm[a < 0 ? a + rank : a]);
    } else {
      for (int64_t i = 0; i < static_cast<int64_t>(slice.getStarts().size());
           ++i)
        axes.push_back(resultPerm[i]);
    }
    return SliceOp::create(b, loc, type, input, slice.getStartsAttr(),
                           slice.getEndsAttr(), b.getDenseI64ArrayAttr(axes),
                           slice.getStepsAttr());
  }
  if (isa<ReshapeOp>(user))
    return ReshapeOp::create(b, loc, type, input, Value(), false);
  // A binary elementwise op: the same op with `v` replaced.
  OperationState state(loc, user->getName());
  for (Value operand : user->getOperands())
    state.addOperands(operand == v ? input : operand);
  state.addAttributes(user->getAttrs());
  state.addTypes(type);
  return b.create(state)->getResult(0);
}

/// Sinks `t` through `cone`; the transposes it erases go to `erased`.
void sink(TransposeOp t, Cone &cone,
          llvm::SmallPtrSetImpl<Operation *> &erased) {
  DenseMap<Value, Value> untransposedOf;
  untransposedOf[t.getResult()] = t.getInput();
  SmallVector<Operation *> ops(cone.ops.begin(), cone.ops.end());
  llvm::sort(ops,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  for (Operation *op : ops) {
    Value v;
    for (Value operand : op->getOperands())
      if (untransposedOf.count(operand))
        v = operand;
    OpBuilder b(op);
    untransposedOf[op->getResult(0)] =
        rebuild(b, op, v, untransposedOf[v], cone.perms[op->getResult(0)]);
  }
  for (TransposeOp end : cone.ends) {
    Value from = end.getInput();
    ArrayRef<int64_t> p = cone.perms[from];
    Perm composed;
    for (int64_t q : end.getPerm())
      composed.push_back(p[q]);
    Value input = untransposedOf[from];
    OpBuilder b(end);
    Value replacement =
        isIdentity(composed) && input.getType() == end.getType()
            ? input
            : TransposeOp::create(b, end.getLoc(), input,
                                  b.getDenseI64ArrayAttr(composed))
                  .getResult();
    end.replaceAllUsesWith(replacement);
    erased.insert(end);
    end.erase();
  }
  for (ShapeOfOp shape : cone.shapes) {
    Value from = shape.getInput();
    OpBuilder b(shape);
    Value view = TransposeOp::create(b, from.getLoc(), untransposedOf[from],
                                     b.getDenseI64ArrayAttr(cone.perms[from]));
    shape.getInputMutable().assign(view);
  }
  for (Operation *op : llvm::reverse(ops))
    op->erase();
  if (t.use_empty()) {
    erased.insert(t);
    t.erase();
  }
}

/// transpose(reshape(P, [L, B, N]), [1, 0, 2]) of a row-wise product P =
/// gemm or matmul (a 2-D weight, a bias per column at most) of
/// reshape(T, [L*B, K]) (through reshapes), T: [L, B, ...] a transpose: the
/// same product of T's rows in batch-first order,
/// reshape(P'(reshape(transpose(T, [1, 0, ...]), [B*L, K])), [B, L, N]). The
/// transpose moves to T, where it composes with the one that made T (an
/// attention's result, which the call then writes in that order), and the
/// product's result is in the order its reader wants: a residual add of the
/// batch-first input becomes the GEMM's epilogue.
struct RowsBatchFirst : OpRewritePattern<TransposeOp> {
  RowsBatchFirst(MLIRContext *ctx, llvm::Statistic *count)
      : OpRewritePattern(ctx), count(count) {}

  LogicalResult matchAndRewrite(TransposeOp end,
                                PatternRewriter &rewriter) const override {
    if (!llvm::equal(end.getPerm(), ArrayRef<int64_t>{1, 0, 2}))
      return rewriter.notifyMatchFailure(end, "not a [1, 0, 2] transpose");
    auto split = end.getInput().getDefiningOp<ReshapeOp>();
    if (!split || !split->hasOneUse())
      return rewriter.notifyMatchFailure(end, "not of a reshape");
    Operation *product = split.getInput().getDefiningOp();
    if (!product || !product->hasOneUse())
      return rewriter.notifyMatchFailure(end, "not of one product");
    Value rows;
    if (auto gemm = dyn_cast<GemmOp>(product)) {
      auto cType = gemm.getC() ? cast<RankedTensorType>(gemm.getC().getType())
                               : RankedTensorType();
      if (gemm.getTransA() ||
          (cType && cType.getRank() == 2 && cType.getDimSize(0) != 1))
        return rewriter.notifyMatchFailure(end, "not row-wise");
      rows = gemm.getA();
    } else if (auto mm = dyn_cast<MatMulOp>(product)) {
      if (cast<RankedTensorType>(mm.getRhs().getType()).getRank() != 2)
        return rewriter.notifyMatchFailure(end, "not a 2-D weight");
      rows = mm.getLhs();
    } else {
      return rewriter.notifyMatchFailure(end, "not a gemm or matmul");
    }
    // The rows: reshapes (each used once) of a transposed tensor.
    auto merge = rows.getDefiningOp<ReshapeOp>();
    if (!merge || !merge->hasOneUse())
      return rewriter.notifyMatchFailure(end, "rows are no reshape");
    Value t = merge.getInput();
    while (auto inner = t.getDefiningOp<ReshapeOp>()) {
      if (!inner->hasOneUse())
        break;
      t = inner.getInput();
    }
    if (!t.getDefiningOp<TransposeOp>() || !t.hasOneUse())
      return rewriter.notifyMatchFailure(end, "rows are no transposed tensor");
    auto tType = cast<RankedTensorType>(t.getType());
    auto outType = split.getType();
    auto productType = cast<RankedTensorType>(product->getResult(0).getType());
    auto rowsType = cast<RankedTensorType>(rows.getType());
    if (outType.getRank() != 3 || tType.getRank() < 3 ||
        productType.getRank() != 2 || rowsType.getRank() != 2 ||
        outType.getDimSize(2) != productType.getDimSize(1))
      return rewriter.notifyMatchFailure(end, "shapes are not [L, B, ...]");
    // T's first two dims are the rows' L and B: one of them static and
    // equal on both sides, the other then equal by the element count.
    int64_t l = tType.getDimSize(0), b = tType.getDimSize(1);
    bool lKnown = !ShapedType::isDynamic(l) && outType.getDimSize(0) == l;
    bool bKnown = !ShapedType::isDynamic(b) && outType.getDimSize(1) == b;
    if (!lKnown && !bKnown)
      return rewriter.notifyMatchFailure(end, "L and B not known equal");
    auto dynamicOrProduct = [](int64_t x, int64_t y) {
      return ShapedType::isDynamic(x) || ShapedType::isDynamic(y)
                 ? ShapedType::kDynamic
                 : x * y;
    };
    int64_t k = 1;
    for (int64_t d : tType.getShape().drop_front(2))
      k = dynamicOrProduct(k, d);
    if (ShapedType::isDynamic(k) || rowsType.getDimSize(1) != k)
      return rewriter.notifyMatchFailure(end, "not one row per (L, B)");
    if (ShapedType::isDynamic(l) && ShapedType::isDynamic(b))
      return rewriter.notifyMatchFailure(end, "two dynamic dims");

    rewriter.setInsertionPoint(merge);
    SmallVector<int64_t> perm = {1, 0};
    for (int64_t i = 2; i < tType.getRank(); ++i)
      perm.push_back(i);
    Value swapped = TransposeOp::create(rewriter, end.getLoc(), t,
                                        rewriter.getDenseI64ArrayAttr(perm));
    auto newRows = RankedTensorType::get({dynamicOrProduct(b, l), k},
                                         tType.getElementType());
    Value a = ReshapeOp::create(rewriter, merge.getLoc(), newRows, swapped,
                                Value(), false);
    rewriter.setInsertionPoint(product);
    Operation *newProduct = rewriter.clone(*product);
    newProduct->setOperand(0, a);
    newProduct->getResult(0).setType(RankedTensorType::get(
        {newRows.getDimSize(0), productType.getDimSize(1)},
        productType.getElementType()));
    rewriter.setInsertionPoint(end);
    rewriter.replaceOpWithNewOp<ReshapeOp>(
        end, end.getType(), newProduct->getResult(0), Value(), false);
    ++*count;
    return success();
  }

  llvm::Statistic *count;
};

struct DLSinkTransposesPass
    : dlc::dl::impl::DLSinkTransposesBase<DLSinkTransposesPass> {
  void runOnOperation() override {
    // A sunk transpose makes new ones at the ends, which may sink further.
    for (int round = 0; round < 8; ++round) {
      SmallVector<TransposeOp> transposes;
      getOperation().walk([&](TransposeOp t) { transposes.push_back(t); });
      bool changed = false;
      // The ends of a cone are erased (each replaced by a new transpose,
      // which the next round visits).
      llvm::SmallPtrSet<Operation *, 16> erased;
      for (TransposeOp t : transposes) {
        if (erased.contains(t) || isIdentity(t.getPerm()))
          continue;
        std::optional<Cone> cone = coneBelow(t);
        if (!cone)
          continue;
        sink(t, *cone, erased);
        ++numSunk;
        changed = true;
      }
      if (!changed)
        break;
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<RowsBatchFirst>(&getContext(), &numSunk);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
