//===- Pool.cpp - max_pool and avg_pool to linalg -------------------------===//
//
// The pools are window reductions over a padded input; their gradients
// (max_pool_grad, avg_pool_grad) are gathers over the windows that cover
// each input position.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// A windowed reduction over (n, c, out..., k...) of a padded input.
Value windowReduce(
    OpBuilder &b, Location loc, Value padded, RankedTensorType resultType,
    const WindowAttrs &w, ArrayRef<int64_t> kernel, Value init,
    ValueRange sizes,
    function_ref<Value(OpBuilder &, Location, Value, Value)> fn) {
  MLIRContext *ctx = b.getContext();
  int64_t spatial = kernel.size();
  int64_t nDims = 2 + 2 * spatial;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs = {d(0), d(1)}, outExprs = {d(0), d(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    inExprs.push_back(d(2 + i) * w.strides[i] +
                      d(2 + spatial + i) * w.dilations[i]);
    outExprs.push_back(d(2 + i));
  }
  // The kernel is an input whose elements are unused: it gives the window
  // loops their bounds.
  SmallVector<AffineExpr> kExprs;
  for (int64_t i = 0; i < spatial; ++i)
    kExprs.push_back(d(2 + spatial + i));
  Value window =
      tensor::EmptyOp::create(b, loc, kernel, resultType.getElementType());
  SmallVector<utils::IteratorType> iterators(2 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  Value acc = linalg::FillOp::create(b, loc, init,
                                     emptyTensor(b, loc, resultType, sizes))
                  .getResult(0);
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{padded, window}, acc,
             ArrayRef<AffineMap>{AffineMap::get(nDims, 0, inExprs, ctx),
                                 AffineMap::get(nDims, 0, kExprs, ctx),
                                 AffineMap::get(nDims, 0, outExprs, ctx)},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, fn(nb, l, args[2], args[0]));
             })
      .getResult(0);
}

template <typename OpTy> struct PoolLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, MaxPoolOp>;
    Location loc = op.getLoc();
    auto inType = cast<RankedTensorType>(op.getInput().getType());
    auto resultType = op.getType();
    Type et = resultType.getElementType();
    int64_t spatial = inType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    auto w = readWindowAttrs(loc, op.getStrides(), op.getPads(),
                             op.getDilations(), spatial);
    if (failed(w))
      return failure();
    // Pads, plus room for the last ceil-mode window past the end.
    SmallVector<int64_t> low(2, 0), high(2, 0), extra(2, 0);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = inType.getDimSize(2 + i), out = resultType.getDimSize(2 + i);
      if (ShapedType::isDynamic(in) || ShapedType::isDynamic(out))
        return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
      int64_t needed =
          (out - 1) * w->strides[i] + (kernel[i] - 1) * w->dilations[i] + 1;
      int64_t ext = std::max<int64_t>(
          0, needed - (in + w->pads[i] + w->pads[i + spatial]));
      low.push_back(w->pads[i]);
      high.push_back(w->pads[i + spatial] + ext);
      extra.push_back(ext);
    }
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < 2; ++i)
      if (resultType.isDynamicDim(i))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getInput(), i));
    if constexpr (isMax) {
      Value lowest = arith::ConstantOp::create(
          rewriter, loc,
          rewriter.getFloatAttr(
              et, APFloat::getInf(cast<FloatType>(et).getFloatSemantics(),
                                  /*Negative=*/true)));
      Value padded = padTensor(rewriter, loc, op.getInput(), low, high, lowest);
      rewriter.replaceOp(
          op,
          windowReduce(rewriter, loc, padded, resultType, *w, kernel, lowest,
                       sizes, [](OpBuilder &b, Location l, Value acc, Value x) {
                         return arith::MaximumFOp::create(b, l, acc, x);
                       }));
    } else {
      Value zero = scalarConstant(rewriter, loc, et, 0);
      Value padded = padTensor(rewriter, loc, op.getInput(), low, high, zero);
      auto add = [](OpBuilder &b, Location l, Value acc, Value x) -> Value {
        return arith::AddFOp::create(b, l, acc, x);
      };
      Value sum = windowReduce(rewriter, loc, padded, resultType, *w, kernel,
                               zero, sizes, add);
      // The divisor per output: a window sum over ones, where the real pads
      // count only with count_include_pad and the ceil extension never.
      SmallVector<int64_t> onesShape = {1, 1};
      for (int64_t i = 0; i < spatial; ++i)
        onesShape.push_back(inType.getDimSize(2 + i));
      Value ones = arith::ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get(onesShape, et),
                                 rewriter.getFloatAttr(et, 1.0)));
      Value counted = ones;
      if (op.getCountIncludePad()) {
        counted = padTensor(rewriter, loc, ones, low,
                            SmallVector<int64_t>(llvm::map_range(
                                llvm::seq<int64_t>(0, 2 + spatial),
                                [&](int64_t i) { return high[i] - extra[i]; })),
                            scalarConstant(rewriter, loc, et, 1));
        SmallVector<int64_t> zeros(2 + spatial, 0);
        counted = padTensor(rewriter, loc, counted, zeros, extra, zero);
      } else {
        counted = padTensor(rewriter, loc, ones, low, high, zero);
      }
      SmallVector<int64_t> countShape = {1, 1};
      for (int64_t i = 0; i < spatial; ++i)
        countShape.push_back(resultType.getDimSize(2 + i));
      Value count = windowReduce(rewriter, loc, counted,
                                 RankedTensorType::get(countShape, et), *w,
                                 kernel, zero, {}, add);
      MLIRContext *ctx = op.getContext();
      int64_t rank = resultType.getRank();
      SmallVector<AffineExpr> countExprs = {getAffineConstantExpr(0, ctx),
                                            getAffineConstantExpr(0, ctx)};
      for (int64_t i = 0; i < spatial; ++i)
        countExprs.push_back(getAffineDimExpr(2 + i, ctx));
      auto id = AffineMap::getMultiDimIdentityMap(rank, ctx);
      Value avg =
          linalg::GenericOp::create(
              rewriter, loc, resultType, ValueRange{sum, count},
              emptyLike(rewriter, loc, resultType, sum),
              ArrayRef<AffineMap>{id, AffineMap::get(rank, 0, countExprs, ctx),
                                  id},
              SmallVector<utils::IteratorType>(rank,
                                               utils::IteratorType::parallel),
              [](OpBuilder &b, Location l, ValueRange args) {
                linalg::YieldOp::create(
                    b, l, Value(arith::DivFOp::create(b, l, args[0], args[1])));
              })
              .getResult(0);
      rewriter.replaceOp(op, avg);
    }
    return success();
  }
};

/// The body of a window gather: `acc` plus what output position `at`
/// (n, c, o...) sends through kernel offset `k` (row-major linear index, i64)
/// when `valid`; `at` is all zeros when not valid.
using WindowGatherFn = function_ref<Value(OpBuilder &, Location, Value acc,
                                          ValueRange at, Value k, Value valid)>;

/// The gradient side of a pool: a generic over (n, c, h..., k...) with k
/// reducing, where kernel offset k of the window at output position o covers
/// input position h = o * stride + k * dilation - pad_begin. Each output
/// element gathers from the (at most one per k) windows that cover it.
Value gatherWindows(OpBuilder &b, Location loc, RankedTensorType resultType,
                    ValueRange sizes, const WindowAttrs &w,
                    ArrayRef<int64_t> kernel, ArrayRef<int64_t> outSpatial,
                    WindowGatherFn fn) {
  MLIRContext *ctx = b.getContext();
  Type et = resultType.getElementType();
  int64_t spatial = kernel.size();
  int64_t nDims = 2 + 2 * spatial;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> kExprs, outExprs = {d(0), d(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    kExprs.push_back(d(2 + spatial + i));
    outExprs.push_back(d(2 + i));
  }
  // As in windowReduce, an unused operand gives the window loops their bounds.
  Value window = tensor::EmptyOp::create(b, loc, kernel, et);
  SmallVector<utils::IteratorType> iterators(2 + spatial,
                                             utils::IteratorType::parallel);
  iterators.append(spatial, utils::IteratorType::reduction);
  Value acc = linalg::FillOp::create(b, loc, scalarConstant(b, loc, et, 0),
                                     emptyTensor(b, loc, resultType, sizes))
                  .getResult(0);
  return linalg::GenericOp::create(
             b, loc, resultType, ValueRange{window}, acc,
             ArrayRef<AffineMap>{AffineMap::get(nDims, 0, kExprs, ctx),
                                 AffineMap::get(nDims, 0, outExprs, ctx)},
             iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               auto cst = [&](int64_t v) { return cidx(nb, l, v); };
               Value valid = arith::ConstantIntOp::create(nb, l, 1, 1);
               Value lin = cst(0);
               SmallVector<Value> outPos;
               for (int64_t i = 0; i < spatial; ++i) {
                 Value h = linalg::IndexOp::create(nb, l, 2 + i);
                 Value k = linalg::IndexOp::create(nb, l, 2 + spatial + i);
                 lin = arith::AddIOp::create(
                     nb, l, arith::MulIOp::create(nb, l, lin, cst(kernel[i])),
                     k);
                 Value t = arith::SubIOp::create(
                     nb, l, arith::AddIOp::create(nb, l, h, cst(w.pads[i])),
                     arith::MulIOp::create(nb, l, k, cst(w.dilations[i])));
                 Value ok = arith::CmpIOp::create(
                     nb, l, arith::CmpIPredicate::sge, t, cst(0));
                 Value o = t;
                 if (w.strides[i] != 1) {
                   ok = arith::AndIOp::create(
                       nb, l, ok,
                       arith::CmpIOp::create(
                           nb, l, arith::CmpIPredicate::eq,
                           arith::RemSIOp::create(nb, l, t, cst(w.strides[i])),
                           cst(0)));
                   o = arith::DivSIOp::create(nb, l, t, cst(w.strides[i]));
                 }
                 ok = arith::AndIOp::create(
                     nb, l, ok,
                     arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, o,
                                           cst(outSpatial[i])));
                 valid = arith::AndIOp::create(nb, l, valid, ok);
                 outPos.push_back(o);
               }
               // Safe indices where invalid; the body then drops the value.
               SmallVector<Value> at = {linalg::IndexOp::create(nb, l, 0),
                                        linalg::IndexOp::create(nb, l, 1)};
               for (Value o : outPos)
                 at.push_back(arith::SelectOp::create(nb, l, valid, o, cst(0)));
               Value k64 =
                   arith::IndexCastOp::create(nb, l, nb.getI64Type(), lin);
               linalg::YieldOp::create(nb, l,
                                       fn(nb, l, args[1], at, k64, valid));
             })
      .getResult(0);
}

/// Reads the window attributes of a pool gradient and checks the spatial
/// dims of its input (`in`) and grad_output (`out`) are static.
template <typename OpTy>
FailureOr<WindowAttrs> poolGradWindow(OpTy op, RankedTensorType in,
                                      RankedTensorType out,
                                      PatternRewriter &rewriter) {
  int64_t spatial = in.getRank() - 2;
  for (int64_t i = 0; i < spatial; ++i)
    if (in.isDynamicDim(2 + i) || out.isDynamicDim(2 + i))
      return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
  return readWindowAttrs(op.getLoc(), op.getStrides(), op.getPads(),
                         op.getDilations(), spatial);
}

/// max_pool_grad in two generics: (a) per window, the row-major index of its
/// first maximum (padding never wins), then (b) a gather that adds each
/// window's gradient at the input position of that index.
struct MaxPoolGradLowering : public OpRewritePattern<MaxPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value x = op.getInput(), g = op.getGradOutput();
    auto inType = op.getInput().getType();
    auto gType = op.getGradOutput().getType();
    Type et = inType.getElementType();
    int64_t spatial = inType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    auto w = poolGradWindow(op, inType, gType, rewriter);
    if (failed(w))
      return failure();
    // Pads, plus room for the last ceil-mode window past the end (its
    // positions there are masked like the pads).
    SmallVector<int64_t> low(2, 0), high(2, 0), inSpatial, outSpatial;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = inType.getDimSize(2 + i), out = gType.getDimSize(2 + i);
      int64_t needed =
          (out - 1) * w->strides[i] + (kernel[i] - 1) * w->dilations[i] + 1;
      low.push_back(w->pads[i]);
      high.push_back(std::max<int64_t>(0, needed - in - w->pads[i]));
      inSpatial.push_back(in);
      outSpatial.push_back(out);
    }
    Value lowest = arith::ConstantOp::create(
        rewriter, loc,
        rewriter.getFloatAttr(
            et, APFloat::getInf(cast<FloatType>(et).getFloatSemantics(),
                                /*Negative=*/true)));
    Value padded = padTensor(rewriter, loc, x, low, high, lowest);

    // (a) The first maximum of each window: the lexicographic max of
    // (value, -index) over its in-bounds positions, so the result does not
    // depend on the order the reduction visits them.
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < 2; ++i)
      if (gType.isDynamicDim(i))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, g, i));
    auto valType = RankedTensorType::get(gType.getShape(), et);
    auto idxType =
        RankedTensorType::get(gType.getShape(), rewriter.getI64Type());
    Value vals =
        linalg::FillOp::create(rewriter, loc, lowest,
                               emptyTensor(rewriter, loc, valType, sizes))
            .getResult(0);
    Value idxs = linalg::FillOp::create(
                     rewriter, loc,
                     scalarConstant(rewriter, loc, rewriter.getI64Type(), -1),
                     emptyTensor(rewriter, loc, idxType, sizes))
                     .getResult(0);
    int64_t nDims = 2 + 2 * spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    SmallVector<AffineExpr> inExprs = {d(0), d(1)}, kExprs,
                            outExprs = {d(0), d(1)};
    for (int64_t i = 0; i < spatial; ++i) {
      inExprs.push_back(d(2 + i) * w->strides[i] +
                        d(2 + spatial + i) * w->dilations[i]);
      kExprs.push_back(d(2 + spatial + i));
      outExprs.push_back(d(2 + i));
    }
    Value window = tensor::EmptyOp::create(rewriter, loc, kernel, et);
    SmallVector<utils::IteratorType> iterators(2 + spatial,
                                               utils::IteratorType::parallel);
    iterators.append(spatial, utils::IteratorType::reduction);
    AffineMap outMap = AffineMap::get(nDims, 0, outExprs, ctx);
    auto argmax = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, idxType}, ValueRange{padded, window},
        ValueRange{vals, idxs},
        ArrayRef<AffineMap>{AffineMap::get(nDims, 0, inExprs, ctx),
                            AffineMap::get(nDims, 0, kExprs, ctx), outMap,
                            outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          auto cst = [&](int64_t v) { return cidx(b, l, v); };
          Value v = args[0], best = args[2], bestIdx = args[3];
          Value valid = arith::ConstantIntOp::create(b, l, 1, 1);
          Value lin = cst(0);
          for (int64_t i = 0; i < spatial; ++i) {
            Value o = linalg::IndexOp::create(b, l, 2 + i);
            Value k = linalg::IndexOp::create(b, l, 2 + spatial + i);
            lin = arith::AddIOp::create(
                b, l, arith::MulIOp::create(b, l, lin, cst(kernel[i])), k);
            Value pos = arith::SubIOp::create(
                b, l,
                arith::AddIOp::create(
                    b, l, arith::MulIOp::create(b, l, o, cst(w->strides[i])),
                    arith::MulIOp::create(b, l, k, cst(w->dilations[i]))),
                cst(w->pads[i]));
            Value inside = arith::AndIOp::create(
                b, l,
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::sge, pos,
                                      cst(0)),
                arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, pos,
                                      cst(inSpatial[i])));
            valid = arith::AndIOp::create(b, l, valid, inside);
          }
          Value k64 = arith::IndexCastOp::create(b, l, b.getI64Type(), lin);
          Value none =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, bestIdx,
                                    scalarConstant(b, l, b.getI64Type(), 0));
          Value greater =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, v, best);
          Value earlierTie = arith::AndIOp::create(
              b, l,
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v, best),
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k64,
                                    bestIdx));
          Value take = arith::AndIOp::create(
              b, l, valid,
              arith::OrIOp::create(
                  b, l, none, arith::OrIOp::create(b, l, greater, earlierTie)));
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, take, v, best),
                         arith::SelectOp::create(b, l, take, k64, bestIdx)});
        });
    Value firstMax = argmax.getResult(1);

    // (b) Each input position gathers the gradients of the windows whose
    // first maximum it is.
    SmallVector<Value> inSizes;
    for (int64_t i = 0; i < 2; ++i)
      if (inType.isDynamicDim(i))
        inSizes.push_back(tensor::DimOp::create(rewriter, loc, x, i));
    Value grad = gatherWindows(
        rewriter, loc, inType, inSizes, *w, kernel, outSpatial,
        [&](OpBuilder &b, Location l, Value acc, ValueRange at, Value k,
            Value valid) -> Value {
          Value gv = tensor::ExtractOp::create(b, l, g, at);
          Value idx = tensor::ExtractOp::create(b, l, firstMax, at);
          Value hit = arith::AndIOp::create(
              b, l, valid,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, idx, k));
          return arith::SelectOp::create(
              b, l, hit, arith::AddFOp::create(b, l, acc, gv), acc);
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

/// avg_pool_grad as one gather: each input position sums g[o] / count[o] over
/// the windows o that cover it. The divisors are compile-time constants,
/// counted exactly as the forward lowering counts them.
struct AvgPoolGradLowering : public OpRewritePattern<AvgPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(AvgPoolGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value g = op.getGradOutput();
    auto resultType = op.getType();
    auto gType = op.getGradOutput().getType();
    Type et = resultType.getElementType();
    int64_t spatial = resultType.getRank() - 2;
    ArrayRef<int64_t> kernel = op.getKernelShape();
    auto w = poolGradWindow(op, resultType, gType, rewriter);
    if (failed(w))
      return failure();
    // Per spatial dim, how many kernel positions of window o fall in the
    // counted range: the input, plus the real pads with count_include_pad
    // (the ceil-mode extension past the end pad never counts).
    bool includePad = op.getCountIncludePad();
    SmallVector<SmallVector<int64_t>> perDim;
    SmallVector<int64_t> outSpatial;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = resultType.getDimSize(2 + i), out = gType.getDimSize(2 + i);
      int64_t lo = includePad ? -w->pads[i] : 0;
      int64_t hi = includePad ? in + w->pads[i + spatial] : in;
      SmallVector<int64_t> counts;
      for (int64_t o = 0; o < out; ++o) {
        int64_t n = 0;
        for (int64_t k = 0; k < kernel[i]; ++k) {
          int64_t pos = o * w->strides[i] + k * w->dilations[i] - w->pads[i];
          n += pos >= lo && pos < hi;
        }
        counts.push_back(n);
      }
      perDim.push_back(counts);
      outSpatial.push_back(out);
    }
    auto countType = RankedTensorType::get(outSpatial, et);
    SmallVector<Attribute> countValues;
    for (int64_t e = 0, total = countType.getNumElements(); e < total; ++e) {
      int64_t rest = e, count = 1;
      for (int64_t i = spatial - 1; i >= 0; --i) {
        count *= perDim[i][rest % outSpatial[i]];
        rest /= outSpatial[i];
      }
      countValues.push_back(rewriter.getFloatAttr(et, double(count)));
    }
    Value counts = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(countType, countValues));

    SmallVector<Value> sizes;
    for (int64_t i = 0; i < 2; ++i)
      if (resultType.isDynamicDim(i))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, g, i));
    Value grad = gatherWindows(
        rewriter, loc, resultType, sizes, *w, kernel, outSpatial,
        [&](OpBuilder &b, Location l, Value acc, ValueRange at, Value,
            Value valid) -> Value {
          Value gv = tensor::ExtractOp::create(b, l, g, at);
          Value count =
              tensor::ExtractOp::create(b, l, counts, at.drop_front(2));
          Value share = arith::DivFOp::create(b, l, gv, count);
          return arith::SelectOp::create(
              b, l, valid, arith::AddFOp::create(b, l, acc, share), acc);
        });
    rewriter.replaceOp(op, grad);
    return success();
  }
};

} // namespace

void dlc::populatePoolToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<PoolLowering<MaxPoolOp>, PoolLowering<AvgPoolOp>,
               MaxPoolGradLowering, AvgPoolGradLowering>(patterns.getContext());
}
