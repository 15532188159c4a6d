//===- RuntimeCalls.cpp - dl ops as calls of the runtime's kernels --------===//
//
// dl-to-linalg's `runtime-calls` option (the CPU pipeline sets it where the
// runtime's kernels run):
//   - the two backward ops whose linalg form is a gather, dl.max_pool_grad
//     and dl.conv_weight_grad of 2-D f32 tensors, become one call each of
//     dlc_maxpool2d_grad and dlc_sconv2d_wgrad;
//   - attention, matmul(softmax(matmul(Q', K^T) [+ mask]), V) over rank-3
//     f32 tensors (dynamic groups and lengths included; static head sizes),
//     becomes one dlc_attention call (online softmax: the scores are never
//     stored).
// (runtime/include/dlc/runtime.h). Operands cross as memrefs with any
// layout (bufferization.to_buffer, read-only; memref.transpose views of
// the inputs of transposes feeding the attention); the result is a fresh
// buffer the call fills, seen as a tensor again through
// bufferization.to_tensor (restrict: nothing else aliases it).
//
//===----------------------------------------------------------------------===//

#include "../LinalgToCPU/MicrokernelUtils.h"
#include "Utils.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>: what the runtime
/// functions take (DLC_MEMREF4_PARAMS).
MemRefType anyMemref4(MLIRContext *ctx) {
  int64_t d = ShapedType::kDynamic;
  return MemRefType::get({d, d, d, d}, Float32Type::get(ctx),
                         StridedLayoutAttr::get(ctx, d, {d, d, d, d}));
}

/// Whether `t` is a rank-4 f32 tensor (a 2-D window op's operand).
bool isF32Rank4(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && rt.getRank() == 4 && rt.getElementType().isF32();
}

/// Tensor `t` as the runtime's memref operand (read only).
Value operand(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t d = ShapedType::kDynamic;
  auto exact =
      MemRefType::get(type.getShape(), type.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), d, {d, d, d, d}));
  Value buffer =
      bufferization::ToBufferOp::create(b, loc, exact, t, /*read_only=*/true);
  return memref::CastOp::create(b, loc, anyMemref4(b.getContext()), buffer);
}

/// A fresh buffer of `type` (its dynamic dims those of tensor `like`), and
/// its cast to the runtime's memref type.
std::pair<Value, Value> result(OpBuilder &b, Location loc,
                               RankedTensorType type, Value like) {
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, loc, like, i));
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = memref::AllocOp::create(b, loc, memType, sizes);
  return {buffer,
          memref::CastOp::create(b, loc, anyMemref4(b.getContext()), buffer)};
}

Value i64(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}

/// Calls `name` with three memrefs and the i64 `scalars`; the op's result
/// is the third, a fresh buffer shaped as the op's result (its dynamic dims
/// those of `in0`).
LogicalResult replaceWithCall(PatternRewriter &rewriter, Operation *op,
                              StringRef name, Value in0, Value in1,
                              ArrayRef<int64_t> scalars) {
  Location loc = op->getLoc();
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(op, "not inside a module");
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Value a = operand(rewriter, loc, in0), b = operand(rewriter, loc, in1);
  auto [buffer, out] = result(rewriter, loc, type, in0);
  SmallVector<Value> args = {a, b, out};
  SmallVector<Type> types(3, anyMemref4(rewriter.getContext()));
  for (int64_t s : scalars) {
    args.push_back(i64(rewriter, loc, s));
    types.push_back(rewriter.getI64Type());
  }
  func::FuncOp callee = cpu::declareRuntimeFunction(module, name, types);
  func::CallOp::create(rewriter, loc, callee, args);
  rewriter.replaceOpWithNewOp<bufferization::ToTensorOp>(
      op, type, buffer, /*restrict=*/true, /*writable=*/true);
  return success();
}

/// dl.max_pool_grad of a 2-D pool (floor or ceil mode: the runtime reads
/// only in-bounds positions) -> dlc_maxpool2d_grad.
struct MaxPoolGradToCall : public OpRewritePattern<MaxPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolGradOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Rank4(op.getInput().getType()) ||
        !isF32Rank4(op.getGradOutput().getType()))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 pool");
    auto w = readWindowAttrs(op.getLoc(), op.getStrides(), op.getPads(),
                             op.getDilations(), 2);
    if (failed(w))
      return failure();
    ArrayRef<int64_t> k = op.getKernelShape();
    return replaceWithCall(
        rewriter, op, "dlc_maxpool2d_grad", op.getInput(), op.getGradOutput(),
        {k[0], k[1], w->strides[0], w->strides[1], w->dilations[0],
         w->dilations[1], w->pads[0], w->pads[1]});
  }
};

/// dl.conv_weight_grad of an ungrouped 2-D conv with a static weight shape
/// -> dlc_sconv2d_wgrad (the weight gradient, summed over the batch).
struct ConvWeightGradToCall : public OpRewritePattern<ConvWeightGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvWeightGradOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Rank4(op.getInput().getType()) ||
        !isF32Rank4(op.getGradOutput().getType()) ||
        !isF32Rank4(op.getType()) || !op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a static 2-D f32 conv");
    if (op.getGroups() != 1)
      return rewriter.notifyMatchFailure(op, "grouped");
    auto w = readWindowAttrs(op.getLoc(), op.getStrides(), op.getPads(),
                             op.getDilations(), 2);
    if (failed(w))
      return failure();
    return replaceWithCall(rewriter, op, "dlc_sconv2d_wgrad", op.getInput(),
                           op.getGradOutput(),
                           {w->strides[0], w->strides[1], w->dilations[0],
                            w->dilations[1], w->pads[0], w->pads[1]});
  }
};

/// memref<?x?x?xf32, strided<[?, ?, ?], offset: ?>> (DLC_MEMREF3_PARAMS).
MemRefType anyMemref3(MLIRContext *ctx) {
  int64_t d = ShapedType::kDynamic;
  return MemRefType::get({d, d, d}, Float32Type::get(ctx),
                         StridedLayoutAttr::get(ctx, d, {d, d, d}));
}

/// Whether `t` is a rank-3 f32 tensor.
bool isF32Rank3(Value t) {
  auto rt = dyn_cast<RankedTensorType>(t.getType());
  return rt && rt.getRank() == 3 && rt.getElementType().isF32();
}

/// Whether dims `a` and `b` can be equal (either is dynamic, or they are):
/// dlc_attention checks dynamic ones when it runs.
bool mayEqual(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

/// The rank-3 tensor `t` with its dims permuted by `perm` (result dim i is
/// t's dim perm[i]) as a read-only memref view for the runtime. A dl.transpose
/// producing `t` is looked through: the view permutes its input's buffer
/// (memref.transpose), so no transposed copy is made.
Value permutedView(OpBuilder &b, Location loc, Value t,
                   ArrayRef<int64_t> perm) {
  Value src = t;
  SmallVector<int64_t> total(perm);
  if (auto tr = t.getDefiningOp<TransposeOp>();
      tr && cast<RankedTensorType>(tr.getInput().getType()).getRank() == 3) {
    src = tr.getInput();
    ArrayRef<int64_t> inner = tr.getPerm();
    for (int64_t i = 0; i < 3; ++i)
      total[i] = inner[perm[i]];
  }
  auto type = cast<RankedTensorType>(src.getType());
  int64_t d = ShapedType::kDynamic;
  auto exact =
      MemRefType::get(type.getShape(), type.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), d, {d, d, d}));
  Value view =
      bufferization::ToBufferOp::create(b, loc, exact, src, /*read_only=*/true);
  if (total != ArrayRef<int64_t>{0, 1, 2})
    view = memref::TransposeOp::create(
        b, loc, view,
        AffineMapAttr::get(AffineMap::getPermutationMap(
            SmallVector<unsigned>(total.begin(), total.end()),
            b.getContext())));
  return memref::CastOp::create(b, loc, anyMemref3(b.getContext()), view);
}

/// The value of a splat f32 constant (a scale), if `v` is one.
std::optional<float> splatConstant(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<float>();
}

/// Scaled dot-product attention, matmul(softmax(matmul(Q', K^T) [+ M]), V)
/// over rank-3 f32 tensors [groups, rows, dims] (as nn.MultiheadAttention's
/// ONNX export writes it; groups and rows may be dynamic, the head sizes are
/// static and at most 1024, a mask is static), with Q' = Q / c, Q * c or
/// Q and the mask M broadcastable to the scores, the softmax over the keys
/// and the scores used only there -> one dlc_attention call: the scores are
/// never stored. Transposes feeding Q, K^T and V are read as views.
/// With `tr`, the only user of `op`, a transpose of the result (back to
/// [rows, groups, dims]) is written directly: the call stores through a
/// permuted view of its buffer.
LogicalResult rewriteAttention(MatMulOp op, TransposeOp tr,
                               PatternRewriter &rewriter) {
  MLIRContext *ctx = rewriter.getContext();
  // A checkpointed train step recomputes the forward and must get the
  // stored values bit for bit; the fused kernel rounds unlike the separate
  // ops, and whether a softmax has the one use fusion needs differs between
  // the forward and its recomputation.
  if (auto fn = op->getParentOfType<func::FuncOp>();
      fn && fn.walk([](RecomputeBarrierOp) {
                return WalkResult::interrupt();
              }).wasInterrupted())
    return rewriter.notifyMatchFailure(op, "a checkpointed function");
  auto softmax = op.getLhs().getDefiningOp<SoftmaxOp>();
  int64_t axis = softmax ? static_cast<int64_t>(softmax.getAxis()) : 0;
  if (!softmax || !softmax->hasOneUse() || (axis != -1 && axis != 2))
    return rewriter.notifyMatchFailure(op, "not softmax(...) * V");
  Value scores = softmax.getInput(), mask;
  if (auto add = scores.getDefiningOp<AddOp>(); add && add->hasOneUse()) {
    bool lhsIsProduct = add.getLhs().getDefiningOp<MatMulOp>() != nullptr;
    scores = lhsIsProduct ? add.getLhs() : add.getRhs();
    mask = lhsIsProduct ? add.getRhs() : add.getLhs();
  }
  auto qk = scores.getDefiningOp<MatMulOp>();
  if (!qk || !qk->hasOneUse())
    return rewriter.notifyMatchFailure(op, "scores are not one Q * K^T");
  Value q = qk.getLhs(), kt = qk.getRhs(), v = op.getRhs();
  // Q scaled as the model scales it: Q / c rounds unlike Q * (1 / c).
  float scale = 1.0f;
  bool divide = false;
  if (auto div = q.getDefiningOp<DivOp>()) {
    if (auto c = splatConstant(div.getRhs())) {
      scale = *c;
      divide = true;
      q = div.getLhs();
    }
  } else if (auto mul = q.getDefiningOp<MulOp>()) {
    if (auto c = splatConstant(mul.getRhs())) {
      scale = *c;
      q = mul.getLhs();
    }
  }
  for (Value t : {q, kt, v, Value(op.getResult())})
    if (!isF32Rank3(t))
      return rewriter.notifyMatchFailure(op, "not rank-3 f32");
  auto qt = cast<RankedTensorType>(q.getType());
  auto ktt = cast<RankedTensorType>(kt.getType());
  auto vt = cast<RankedTensorType>(v.getType());
  int64_t groups = qt.getDimSize(0), queries = qt.getDimSize(1),
          dim = qt.getDimSize(2), keys = ktt.getDimSize(2),
          dimV = vt.getDimSize(2);
  if (ShapedType::isDynamic(dim) || ShapedType::isDynamic(dimV) || dim > 1024 ||
      dimV > 1024)
    return rewriter.notifyMatchFailure(op, "head sizes not static, <= 1024");
  if (!mayEqual(ktt.getDimSize(0), groups) ||
      !mayEqual(vt.getDimSize(0), groups) || ktt.getDimSize(1) != dim ||
      !mayEqual(vt.getDimSize(1), keys))
    return rewriter.notifyMatchFailure(op, "shapes are not attention's");
  SmallVector<Location> locs = {qk.getLoc(), softmax.getLoc(), op.getLoc()};
  if (q != qk.getLhs())
    locs.push_back(qk.getLhs().getLoc());
  if (mask)
    locs.push_back(softmax.getInput().getLoc());
  Location loc = rewriter.getFusedLoc(locs);
  Value maskView;
  if (mask) {
    auto mt = dyn_cast<RankedTensorType>(mask.getType());
    if (!mt || !mt.hasStaticShape() || !mt.getElementType().isF32() ||
        mt.getRank() < 2 || mt.getRank() > 3)
      return rewriter.notifyMatchFailure(op, "mask is not 2-D or 3-D f32");
    SmallVector<int64_t, 3> want = {groups, queries, keys};
    for (int64_t i = 0; i < mt.getRank(); ++i) {
      int64_t d = mt.getDimSize(mt.getRank() - 1 - i);
      if (d != 1 && !mayEqual(d, want[2 - i]))
        return rewriter.notifyMatchFailure(op, "mask does not broadcast");
    }
    if (!mayEqual(mt.getDimSize(mt.getRank() - 1), keys) ||
        (mt.getDimSize(mt.getRank() - 1) == 1 && keys != 1))
      return rewriter.notifyMatchFailure(op, "mask broadcasts over keys");
    Value m3 = mask;
    if (mt.getRank() == 2)
      m3 = tensor::ExpandShapeOp::create(
          rewriter, loc,
          RankedTensorType::get({1, mt.getDimSize(0), mt.getDimSize(1)},
                                mt.getElementType()),
          mask, SmallVector<ReassociationIndices>{{0, 1}, {2}});
    maskView = permutedView(rewriter, loc, m3, {0, 1, 2});
  }
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(op, "not inside a module");
  Value qv = permutedView(rewriter, loc, q, {0, 1, 2});
  Value kv = permutedView(rewriter, loc, kt, {0, 2, 1});
  Value vv = permutedView(rewriter, loc, v, {0, 1, 2});
  Operation *replaced = op;
  auto type = cast<RankedTensorType>(op.getType());
  SmallVector<unsigned> inverse = {0, 1, 2};
  if (tr) {
    replaced = tr;
    type = cast<RankedTensorType>(tr.getType());
    for (unsigned i = 0; i < 3; ++i)
      inverse[tr.getPerm()[i]] = i;
    locs.push_back(tr.getLoc());
    loc = rewriter.getFusedLoc(locs);
  }
  // The result's dynamic dims: [groups, queries, Dv] are Q's first two and
  // V's last, permuted as the transpose permutes them.
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < 3; ++i) {
    if (!type.isDynamicDim(i))
      continue;
    int64_t src = replaced != op ? tr.getPerm()[i] : i;
    sizes.push_back(src == 2 ? tensor::DimOp::create(rewriter, loc, v, 2)
                             : tensor::DimOp::create(rewriter, loc, q, src));
  }
  Value out = memref::AllocOp::create(
      rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()),
      sizes);
  Value outView = out;
  if (replaced != op)
    outView = memref::TransposeOp::create(
        rewriter, loc, out,
        AffineMapAttr::get(AffineMap::getPermutationMap(inverse, ctx)));
  outView = memref::CastOp::create(rewriter, loc, anyMemref3(ctx), outView);
  Type m3 = anyMemref3(ctx);
  func::FuncOp callee = cpu::declareRuntimeFunction(
      module, "dlc_attention",
      {m3, m3, m3, m3, m3, rewriter.getF32Type(), rewriter.getI32Type(),
       rewriter.getI32Type()});
  func::CallOp::create(
      rewriter, loc, callee,
      ValueRange{qv, kv, vv, maskView ? maskView : qv, outView,
                 arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getF32FloatAttr(scale)),
                 arith::ConstantOp::create(
                     rewriter, loc, rewriter.getI32IntegerAttr(divide ? 1 : 0)),
                 arith::ConstantOp::create(
                     rewriter, loc, rewriter.getI32IntegerAttr(mask ? 1 : 0))});
  rewriter.replaceOpWithNewOp<bufferization::ToTensorOp>(
      replaced, type, out, /*restrict=*/true, /*writable=*/true);
  if (replaced != op)
    rewriter.eraseOp(op);
  return success();
}

/// The attention's last matmul, unless a transpose of its result will take
/// it (AttentionTransposeToCall).
struct AttentionToCall : public OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    if (op->hasOneUse() && isa<TransposeOp>(*op->getUsers().begin()) &&
        cast<RankedTensorType>(op.getType()).getRank() == 3)
      return rewriter.notifyMatchFailure(op, "its transpose takes it");
    return rewriteAttention(op, nullptr, rewriter);
  }
};

/// A rank-3 transpose of an attention's result, with the attention.
struct AttentionTransposeToCall : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp tr,
                                PatternRewriter &rewriter) const override {
    auto op = tr.getInput().getDefiningOp<MatMulOp>();
    if (!op || !op->hasOneUse() ||
        cast<RankedTensorType>(tr.getType()).getRank() != 3)
      return rewriter.notifyMatchFailure(tr, "not of an attention");
    return rewriteAttention(op, tr, rewriter);
  }
};

} // namespace

void dlc::populateRuntimeCallPatterns(RewritePatternSet &patterns) {
  // Ahead of the linalg lowerings of the same ops.
  patterns.add<MaxPoolGradToCall, ConvWeightGradToCall, AttentionToCall,
               AttentionTransposeToCall>(patterns.getContext(),
                                         /*benefit=*/2);
}
