//===- RuntimeCalls.cpp - dl ops as calls of the runtime's kernels --------===//
//
// dl-to-linalg's `runtime-calls` option (the CPU pipeline sets it where the
// runtime's kernels run):
//   - the two backward ops whose linalg form is a gather, dl.max_pool_grad
//     and dl.conv_weight_grad of 2-D f32 tensors, become one call each of
//     dlc_maxpool2d_grad and dlc_sconv2d_wgrad;
//   - attention, matmul(softmax(matmul(Q', K^T) [+ mask]), V) over rank-3
//     [groups, rows, dims] or rank-4 [batch, heads, rows, dims] f32 tensors
//     (dynamic groups and lengths included; static head sizes), becomes one
//     dlc_attention / dlc_attention4 call (online softmax: the scores are
//     never stored).
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
#include "dlc/Dialect/DL/IR/Attention.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// memref<?x...x?xT, strided<[?, ...], offset: ?>> of `rank`: what the
/// runtime functions take (DLC_MEMREF4_PARAMS, DLC_MEMREF1_PARAMS_OF).
MemRefType anyMemref(Type element, int64_t rank) {
  int64_t d = ShapedType::kDynamic;
  SmallVector<int64_t> dims(rank, d);
  return MemRefType::get(dims, element,
                         StridedLayoutAttr::get(element.getContext(), d, dims));
}

/// The same of f32 (what the f32 kernels and dlc_attention take).
MemRefType anyMemref(MLIRContext *ctx, int64_t rank) {
  return anyMemref(Float32Type::get(ctx), rank);
}

/// Calls runtime function `name`, declared from the arguments' types.
void callRuntime(OpBuilder &b, Location loc, ModuleOp module, StringRef name,
                 ValueRange args) {
  SmallVector<Type> types(args.getTypes());
  func::CallOp::create(b, loc, cpu::declareRuntimeFunction(module, name, types),
                       args);
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
  auto exact = MemRefType::get(
      type.getShape(), type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), d,
                             SmallVector<int64_t>(type.getRank(), d)));
  Value buffer =
      bufferization::ToBufferOp::create(b, loc, exact, t, /*read_only=*/true);
  return memref::CastOp::create(
      b, loc, anyMemref(type.getElementType(), type.getRank()), buffer);
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
  return {buffer, memref::CastOp::create(
                      b, loc, anyMemref(type.getElementType(), type.getRank()),
                      buffer)};
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
  for (int64_t s : scalars)
    args.push_back(i64(rewriter, loc, s));
  callRuntime(rewriter, loc, module, name, args);
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

/// The tensor `t` with its dims permuted by `perm` (result dim i is t's dim
/// perm[i]) as a read-only memref view for the runtime. A dl.transpose
/// producing `t` is looked through: the view permutes its input's buffer
/// (memref.transpose), so no transposed copy is made.
Value permutedView(OpBuilder &b, Location loc, Value t,
                   ArrayRef<int64_t> perm) {
  int64_t rank = static_cast<int64_t>(perm.size());
  Value src = t;
  SmallVector<int64_t> total(perm);
  if (auto tr = t.getDefiningOp<TransposeOp>();
      tr && cast<RankedTensorType>(tr.getInput().getType()).getRank() == rank) {
    src = tr.getInput();
    ArrayRef<int64_t> inner = tr.getPerm();
    for (int64_t i = 0; i < rank; ++i)
      total[i] = inner[perm[i]];
  }
  auto type = cast<RankedTensorType>(src.getType());
  int64_t d = ShapedType::kDynamic;
  auto exact = MemRefType::get(
      type.getShape(), type.getElementType(),
      StridedLayoutAttr::get(b.getContext(), d, SmallVector<int64_t>(rank, d)));
  Value view =
      bufferization::ToBufferOp::create(b, loc, exact, src, /*read_only=*/true);
  SmallVector<unsigned> order(total.begin(), total.end());
  if (!llvm::equal(order, llvm::seq<unsigned>(0, rank)))
    view = memref::TransposeOp::create(
        b, loc, view,
        AffineMapAttr::get(
            AffineMap::getPermutationMap(order, b.getContext())));
  return memref::CastOp::create(b, loc, anyMemref(b.getContext(), rank), view);
}

/// The attention ending at `op` (dl::matchAttention) -> one dlc_attention
/// (rank 3) or dlc_attention4 call: the scores are never stored.
/// Transposes feeding Q, K^T and V are read as views. With `tr`, the only
/// user of `op`, a transpose of the result is written directly: the call
/// stores through a permuted view of its buffer.
LogicalResult rewriteAttention(MatMulOp op, TransposeOp tr,
                               PatternRewriter &rewriter) {
  MLIRContext *ctx = rewriter.getContext();
  std::string why;
  std::optional<dl::Attention> match = dl::matchAttention(op, &why);
  if (!match)
    return rewriter.notifyMatchFailure(op, why);
  int64_t rank = match->rank;
  Value q = match->q, kt = match->kt, v = match->v, mask = match->mask;
  float scale = match->scale;
  bool divide = match->divide;
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(op, "not inside a module");
  SmallVector<Location> locs(match->locs.begin(), match->locs.end());
  Location loc = rewriter.getFusedLoc(locs);
  Value maskView;
  if (mask) {
    auto mt = cast<RankedTensorType>(mask.getType());
    Value full = mask;
    if (mt.getRank() < rank) {
      // Leading 1s: the first group of the reassociation takes them.
      int64_t extra = rank - mt.getRank();
      SmallVector<int64_t> shape(extra, 1);
      llvm::append_range(shape, mt.getShape());
      SmallVector<ReassociationIndices> groups;
      ReassociationIndices first;
      for (int64_t i = 0; i <= extra; ++i)
        first.push_back(i);
      groups.push_back(first);
      for (int64_t i = extra + 1; i < rank; ++i)
        groups.push_back({i});
      full = tensor::ExpandShapeOp::create(
          rewriter, loc, RankedTensorType::get(shape, mt.getElementType()),
          mask, groups);
    }
    maskView = permutedView(rewriter, loc, full,
                            llvm::to_vector(llvm::seq<int64_t>(0, rank)));
  }
  SmallVector<int64_t> identity = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  SmallVector<int64_t> swapLast = identity;
  std::swap(swapLast[rank - 2], swapLast[rank - 1]);
  Value qv = permutedView(rewriter, loc, q, identity);
  Value kv = permutedView(rewriter, loc, kt, swapLast);
  Value vv = permutedView(rewriter, loc, v, identity);
  Operation *replaced = op;
  auto type = cast<RankedTensorType>(op.getType());
  SmallVector<unsigned> inverse(identity.begin(), identity.end());
  if (tr) {
    replaced = tr;
    type = cast<RankedTensorType>(tr.getType());
    for (int64_t i = 0; i < rank; ++i)
      inverse[tr.getPerm()[i]] = i;
    locs.push_back(tr.getLoc());
    loc = rewriter.getFusedLoc(locs);
  }
  // The result's dynamic dims: [groups..., queries, Dv] are Q's but the
  // last, and V's last, permuted as the transpose permutes them.
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < rank; ++i) {
    if (!type.isDynamicDim(i))
      continue;
    int64_t src = replaced != op ? tr.getPerm()[i] : i;
    // Through a transpose producing the operand, its input's dim: the
    // transpose itself is not computed (the call reads a view).
    Value from = src == rank - 1 ? v : q;
    int64_t at = src;
    if (auto t = from.getDefiningOp<TransposeOp>()) {
      at = t.getPerm()[src];
      from = t.getInput();
    }
    sizes.push_back(tensor::DimOp::create(rewriter, loc, from, at));
  }
  Value out = memref::AllocOp::create(
      rewriter, loc, MemRefType::get(type.getShape(), type.getElementType()),
      sizes);
  Value outView = out;
  if (replaced != op)
    outView = memref::TransposeOp::create(
        rewriter, loc, out,
        AffineMapAttr::get(AffineMap::getPermutationMap(inverse, ctx)));
  Type any = anyMemref(ctx, rank);
  outView = memref::CastOp::create(rewriter, loc, any, outView);
  func::FuncOp callee = cpu::declareRuntimeFunction(
      module, rank == 3 ? "dlc_attention" : "dlc_attention4",
      {any, any, any, any, any, rewriter.getF32Type(), rewriter.getI32Type(),
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
    if (op->hasOneUse() && isa<TransposeOp>(*op->getUsers().begin()))
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
    if (!op || !op->hasOneUse())
      return rewriter.notifyMatchFailure(tr, "not of an attention");
    return rewriteAttention(op, tr, rewriter);
  }
};

/// The values of a constant integer tensor of static shape, sign- or
/// zero-extended; nullopt if it is not one.
std::optional<SmallVector<int64_t>> constantInts(Value v, bool isUnsigned) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) ||
      !isa<IntegerType>(attr.getElementType()))
    return std::nullopt;
  SmallVector<int64_t> out;
  out.reserve(attr.getNumElements());
  for (const APInt &x : attr.getValues<APInt>())
    out.push_back(isUnsigned ? int64_t(x.getZExtValue()) : x.getSExtValue());
  return out;
}

/// The bytes of a constant i8 tensor of static shape (a dense attribute or
/// a resource blob); nullopt for anything else.
std::optional<SmallVector<int8_t>> constantBytes(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  Attribute attr;
  if (!type.hasStaticShape() || !type.getElementType().isInteger(8) ||
      !matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  int64_t n = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    SmallVector<int8_t> out;
    out.reserve(n);
    for (const APInt &x : dense.getValues<APInt>())
      out.push_back(int8_t(x.getSExtValue()));
    return out;
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || int64_t(blob->getData().size()) != n)
      return std::nullopt;
    ArrayRef<char> data = blob->getData();
    return SmallVector<int8_t>(data.begin(), data.end());
  }
  return std::nullopt;
}

/// A parameter of the requantize that is one value or one per channel
/// (`m` of them along axis 1), spread to `m` values; nullopt otherwise.
template <typename T>
std::optional<SmallVector<T>> perChannel(ArrayRef<T> values, int64_t m,
                                         std::optional<int64_t> axis) {
  if (values.size() == 1)
    return SmallVector<T>(m, values[0]);
  if (int64_t(values.size()) == m && axis && *axis == 1)
    return SmallVector<T>(values.begin(), values.end());
  return std::nullopt;
}

/// dl.requantize(dl.conv_integer(x, W, zx, 0), bias, scale, zy) -> one
/// dlc_qconv2d call (DLToLinalg's int8-conv-calls). Rooted at the
/// requantize, which the greedy driver (bottom-up) reaches before the conv.
struct QConvToCall : public OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp rq,
                                PatternRewriter &rewriter) const override {
    auto conv = rq.getInput().getDefiningOp<ConvIntegerOp>();
    if (!conv || !conv->hasOneUse())
      return rewriter.notifyMatchFailure(rq, "not of a conv used only here");
    auto module = conv->getParentOfType<ModuleOp>();
    if (!module)
      return rewriter.notifyMatchFailure(conv, "not inside a module");
    auto it = conv.getInput().getType();
    auto wt = conv.getWeight().getType();
    auto rt = conv.getType();
    if (it.getRank() != 4 || conv.getGroups() != 1 ||
        !conv.getInputUnsigned() || conv.getWeightUnsigned() ||
        !wt.hasStaticShape())
      return rewriter.notifyMatchFailure(
          conv, "not an ungrouped 2-D uint8 x int8 conv of a static weight");
    for (int64_t d = 1; d < 4; ++d)
      if (it.isDynamicDim(d) || rt.isDynamicDim(d))
        return rewriter.notifyMatchFailure(conv, "dynamic channels or map");
    auto weight = constantBytes(conv.getWeight());
    if (!weight)
      return rewriter.notifyMatchFailure(conv, "weight not constant");
    auto wzp = constantInts(conv.getWeightZeroPoint(), false);
    auto xzp = constantInts(conv.getInputZeroPoint(), true);
    if (!wzp || llvm::any_of(*wzp, [](int64_t z) { return z != 0; }) || !xzp ||
        xzp->size() != 1)
      return rewriter.notifyMatchFailure(
          conv, "weight zero points not 0, or not one input zero point");
    int64_t m = wt.getDimSize(0), c = wt.getDimSize(1), kh = wt.getDimSize(2),
            kw = wt.getDimSize(3);
    std::optional<int64_t> axis;
    if (rq.getAxis())
      axis = *rq.getAxis();
    std::optional<SmallVector<float>> scales;
    DenseElementsAttr scaleAttr;
    if (matchPattern(rq.getScale(), m_Constant(&scaleAttr))) {
      SmallVector<float> s(scaleAttr.getValues<float>());
      scales = perChannel<float>(s, m, axis);
    }
    auto yzp = constantInts(rq.getZeroPoint(), rq.getIsUnsigned());
    SmallVector<int64_t> bias(m, 0);
    if (Value b = rq.getBias()) {
      auto values = constantInts(b, false);
      auto spread = values ? perChannel<int64_t>(*values, m, axis)
                           : std::optional<SmallVector<int64_t>>();
      if (!spread)
        return rewriter.notifyMatchFailure(conv, "bias not constant");
      bias = *spread;
    }
    if (!scales || !yzp || yzp->size() != 1 ||
        llvm::any_of(*scales, [](float s) { return !std::isfinite(s); }))
      return rewriter.notifyMatchFailure(
          conv, "scales or output zero point not constant, per channel or "
                "one, and finite");
    auto window = readWindowAttrs(conv.getLoc(), conv.getStrides(),
                                  conv.getPads(), conv.getDilations(), 2);
    if (failed(window))
      return failure();

    // The weight packed for 4-byte dot products, and the offsets.
    int64_t k4 = (kh * kw * c + 3) / 4, quads = (m + 3) / 4;
    SmallVector<int8_t> packed(quads * k4 * 16, 0);
    SmallVector<int32_t> offsets(m);
    ArrayRef<int8_t> w = *weight;
    for (int64_t o = 0; o < m; ++o) {
      int64_t sum = 0;
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t p = 0; p < kh; ++p)
          for (int64_t q = 0; q < kw; ++q) {
            int64_t v = w[((o * c + ch) * kh + p) * kw + q];
            int64_t k = (p * kw + q) * c + ch;
            packed[((o / 4 * k4 + k / 4) * 4 + o % 4) * 4 + k % 4] = int8_t(v);
            sum += v;
          }
      // As the i32 accumulation of the unfused form: wraps alike.
      offsets[o] = int32_t(uint32_t(bias[o]) - uint32_t((*xzp)[0] * sum));
    }
    Location loc = conv.getLoc();
    Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type(),
         f32 = rewriter.getF32Type();
    auto constant = [&](Type element, int64_t n, auto values) -> Value {
      auto type = RankedTensorType::get({n}, element);
      return arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(type, ArrayRef(values)));
    };
    Value wv = constant(i8, int64_t(packed.size()), packed);
    Value ov = constant(i32, m, offsets);
    Value sv = constant(f32, m, *scales);
    bool yUnsigned = rq.getIsUnsigned();
    int64_t lo = yUnsigned ? 0 : -128, hi = yUnsigned ? 255 : 127;
    if (rq.getClampMin())
      lo = std::max<int64_t>(lo, int64_t(*rq.getClampMin()));
    if (rq.getClampMax())
      hi = std::min<int64_t>(hi, int64_t(*rq.getClampMax()));
    auto type = rq.getType();
    auto [buffer, out] = result(rewriter, loc, type, conv.getInput());
    SmallVector<Value> args = {
        operand(rewriter, loc, conv.getInput()), operand(rewriter, loc, wv),
        operand(rewriter, loc, ov), operand(rewriter, loc, sv), out};
    for (int64_t v :
         {kh, kw, window->strides[0], window->strides[1], window->dilations[0],
          window->dilations[1], window->pads[0], window->pads[1], (*xzp)[0],
          (*yzp)[0], lo, hi})
      args.push_back(i64(rewriter, loc, v));
    args.push_back(arith::ConstantOp::create(
        rewriter, loc, rewriter.getI32IntegerAttr(yUnsigned ? 1 : 0)));
    callRuntime(rewriter, loc, module, "dlc_qconv2d", args);
    rewriter.replaceOpWithNewOp<bufferization::ToTensorOp>(
        rq, type, buffer, /*restrict=*/true, /*writable=*/true);
    rewriter.eraseOp(conv);
    return success();
  }
};

/// dl.max_pool(dl.dequantize(q)) of a 2-D pool, q 8-bit with one positive
/// scale -> dl.dequantize(dlc_maxpool2d_i8(q)): max commutes with the
/// monotone dequantize, so the pool runs on the bytes; a quantize of the
/// pool with the same parameters (the next layer's input) is those bytes.
LogicalResult rewriteQuantMaxPool(MaxPoolOp pool, PatternRewriter &rewriter) {
  auto dq = pool.getInput().getDefiningOp<DequantizeOp>();
  if (!dq || dq.getAxis() || dq.getScale().size() != 1 ||
      !(dq.getScale()[0] > 0) || dq.getZeroPoint().size() != 1)
    return rewriter.notifyMatchFailure(pool, "not of a per-tensor dequantize");
  auto it = cast<RankedTensorType>(dq.getInput().getType());
  auto rt = pool.getType();
  if (it.getRank() != 4 || !it.getElementType().isInteger(8))
    return rewriter.notifyMatchFailure(pool, "not a 2-D pool of bytes");
  for (int64_t d = 2; d < 4; ++d)
    if (rt.isDynamicDim(d) || it.isDynamicDim(d))
      return rewriter.notifyMatchFailure(pool, "dynamic map");
  auto window = readWindowAttrs(pool.getLoc(), pool.getStrides(),
                                pool.getPads(), pool.getDilations(), 2);
  if (failed(window))
    return failure();
  ArrayRef<int64_t> k = pool.getKernelShape();
  Location loc = pool.getLoc();
  auto module = pool->getParentOfType<ModuleOp>();
  if (!module || k.size() != 2)
    return rewriter.notifyMatchFailure(pool, "not a 2-D pool in a module");
  auto qType = RankedTensorType::get(rt.getShape(), it.getElementType());
  auto [buffer, out] = result(rewriter, loc, qType, dq.getInput());
  SmallVector<Value> args = {operand(rewriter, loc, dq.getInput()), out};
  for (int64_t v : {k[0], k[1], window->strides[0], window->strides[1],
                    window->dilations[0], window->dilations[1], window->pads[0],
                    window->pads[1]})
    args.push_back(i64(rewriter, loc, v));
  args.push_back(arith::ConstantOp::create(
      rewriter, loc, rewriter.getI32IntegerAttr(dq.getIsUnsigned())));
  callRuntime(rewriter, loc, module, "dlc_maxpool2d_i8", args);
  Value q = bufferization::ToTensorOp::create(
      rewriter, loc, qType, buffer, /*restrict=*/true, /*writable=*/true);
  for (Operation *user : llvm::make_early_inc_range(pool->getUsers())) {
    auto quant = dyn_cast<QuantizeOp>(user);
    if (quant && !quant.getAxis() && quant.getScale() == dq.getScale() &&
        quant.getZeroPoint() == dq.getZeroPoint() &&
        quant.getIsUnsigned() == dq.getIsUnsigned() && quant.getType() == qType)
      rewriter.replaceOp(quant, q);
  }
  if (pool->use_empty()) {
    rewriter.eraseOp(pool);
    return success();
  }
  rewriter.replaceOp(pool, DequantizeOp::create(rewriter, loc, TypeRange{rt},
                                                ValueRange{q}, dq->getAttrs())
                               ->getResults());
  return success();
}

struct QuantMaxPoolToCall : public OpRewritePattern<MaxPoolOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolOp pool,
                                PatternRewriter &rewriter) const override {
    return rewriteQuantMaxPool(pool, rewriter);
  }
};

/// The same, reached from the quantize of the pool (the greedy driver
/// visits users first, and would lower the quantize on its own).
struct QuantizeOfMaxPoolToCall : public OpRewritePattern<QuantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizeOp quant,
                                PatternRewriter &rewriter) const override {
    auto pool = quant.getInput().getDefiningOp<MaxPoolOp>();
    if (!pool)
      return rewriter.notifyMatchFailure(quant, "not of a max pool");
    return rewriteQuantMaxPool(pool, rewriter);
  }
};

} // namespace

void dlc::populateInt8ConvCallPatterns(RewritePatternSet &patterns) {
  patterns.add<QConvToCall, QuantMaxPoolToCall, QuantizeOfMaxPoolToCall>(
      patterns.getContext(), /*benefit=*/2);
}

void dlc::populateRuntimeCallPatterns(RewritePatternSet &patterns) {
  // Ahead of the linalg lowerings of the same ops.
  patterns.add<MaxPoolGradToCall, ConvWeightGradToCall, AttentionToCall,
               AttentionTransposeToCall>(patterns.getContext(),
                                         /*benefit=*/2);
}
