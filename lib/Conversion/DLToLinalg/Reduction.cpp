//===- Reduction.cpp - reductions, arg reductions, softmax ----------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLAttrNames.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// The lowest / highest value of `t` (float infinities or integer limits).
Value extreme(OpBuilder &b, Location loc, Type t, bool highest) {
  if (auto ft = dyn_cast<FloatType>(t))
    return arith::ConstantOp::create(
        b, loc,
        b.getFloatAttr(ft, APFloat::getInf(ft.getFloatSemantics(), !highest)));
  unsigned w = t.getIntOrFloatBitWidth();
  return arith::ConstantOp::create(
      b, loc,
      b.getIntegerAttr(t, highest ? APInt::getSignedMaxValue(w)
                                  : APInt::getSignedMinValue(w)));
}

Value add(OpBuilder &b, Location l, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::AddFOp::create(b, l, x, y))
                                     : Value(arith::AddIOp::create(b, l, x, y));
}
Value mul(OpBuilder &b, Location l, Value x, Value y) {
  return isa<FloatType>(x.getType()) ? Value(arith::MulFOp::create(b, l, x, y))
                                     : Value(arith::MulIOp::create(b, l, x, y));
}
Value maxOf(OpBuilder &b, Location l, Value x, Value y) {
  return isa<FloatType>(x.getType())
             ? Value(arith::MaximumFOp::create(b, l, x, y))
             : Value(arith::MaxSIOp::create(b, l, x, y));
}
Value minOf(OpBuilder &b, Location l, Value x, Value y) {
  return isa<FloatType>(x.getType())
             ? Value(arith::MinimumFOp::create(b, l, x, y))
             : Value(arith::MinSIOp::create(b, l, x, y));
}

SmallVector<bool> reducedDims(int64_t rank, ArrayRef<int64_t> axes) {
  SmallVector<bool> r(rank, axes.empty());
  for (int64_t a : axes)
    r[normalizedAxis(a, rank)] = true;
  return r;
}

/// Reshapes a reduction result to the op's (keepdims) result type.
Value toResultType(OpBuilder &b, Location loc, Value reducedValue,
                   RankedTensorType resultType, Value input,
                   ArrayRef<bool> reduced) {
  if (reducedValue.getType() == resultType)
    return reducedValue;
  SmallVector<Value> dims;
  for (int64_t i = 0; i < static_cast<int64_t>(reduced.size()); ++i)
    dims.push_back(reduced[i] ? Value(arith::ConstantIndexOp::create(b, loc, 1))
                              : dimValue(b, loc, input, i));
  return reshapeTo(b, loc, reducedValue, resultType, dims);
}

template <typename OpTy> struct ReduceLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value in = op.getInput();
    auto inType = cast<RankedTensorType>(in.getType());
    Type et = inType.getElementType();
    SmallVector<bool> reduced = reducedDims(inType.getRank(), op.getAxes());
    auto sum = [&](function_ref<Value(OpBuilder &, Location, Value)> f) {
      return reduceDims(rewriter, loc, in, reduced,
                        scalarConstant(rewriter, loc, et, 0),
                        [&](OpBuilder &b, Location l, ValueRange x, Value acc) {
                          return add(b, l, acc, f(b, l, x[0]));
                        });
    };
    auto ident = [](OpBuilder &, Location, Value x) { return x; };
    Value r;
    if constexpr (std::is_same_v<OpTy, ReduceSumOp>) {
      r = sum(ident);
    } else if constexpr (std::is_same_v<OpTy, ReduceMeanOp>) {
      r = sum(ident);
      Value c = elementCount(rewriter, loc, in, reduced, et);
      r = mapWithReduced(
          rewriter, loc, r,
          SmallVector<bool>(cast<RankedTensorType>(r.getType()).getRank(),
                            false),
          {}, [&](OpBuilder &b, Location l, ValueRange x) {
            return isa<FloatType>(et)
                       ? Value(arith::DivFOp::create(b, l, x[0], c))
                       : Value(arith::DivSIOp::create(b, l, x[0], c));
          });
    } else if constexpr (std::is_same_v<OpTy, ReduceMaxOp> ||
                         std::is_same_v<OpTy, ReduceMinOp>) {
      constexpr bool isMax = std::is_same_v<OpTy, ReduceMaxOp>;
      r = reduceDims(
          rewriter, loc, in, reduced, extreme(rewriter, loc, et, !isMax),
          [&](OpBuilder &b, Location l, ValueRange x, Value acc) {
            return isMax ? maxOf(b, l, acc, x[0]) : minOf(b, l, acc, x[0]);
          });
    } else if constexpr (std::is_same_v<OpTy, ReduceProdOp>) {
      r = reduceDims(rewriter, loc, in, reduced,
                     scalarConstant(rewriter, loc, et, 1),
                     [&](OpBuilder &b, Location l, ValueRange x, Value acc) {
                       return mul(b, l, acc, x[0]);
                     });
    } else if constexpr (std::is_same_v<OpTy, ReduceL1Op>) {
      r = sum([&](OpBuilder &b, Location l, Value x) -> Value {
        return isa<FloatType>(et) ? Value(math::AbsFOp::create(b, l, x))
                                  : Value(math::AbsIOp::create(b, l, x));
      });
    } else if constexpr (std::is_same_v<OpTy, ReduceSumSquareOp> ||
                         std::is_same_v<OpTy, ReduceL2Op>) {
      r = sum(
          [&](OpBuilder &b, Location l, Value x) { return mul(b, l, x, x); });
      if constexpr (std::is_same_v<OpTy, ReduceL2Op>)
        r = mapWithReduced(
            rewriter, loc, r,
            SmallVector<bool>(cast<RankedTensorType>(r.getType()).getRank(),
                              false),
            {}, [&](OpBuilder &b, Location l, ValueRange x) -> Value {
              return math::SqrtOp::create(b, l, x[0]);
            });
    } else if constexpr (std::is_same_v<OpTy, ReduceLogSumExpOp>) {
      // log(sum(exp(x - m))) + m with m the max: no overflow.
      Value m = reduceDims(rewriter, loc, in, reduced,
                           extreme(rewriter, loc, et, false),
                           [&](OpBuilder &b, Location l, ValueRange x,
                               Value acc) { return maxOf(b, l, acc, x[0]); });
      Value s = reduceDims(
          rewriter, loc, in, reduced, scalarConstant(rewriter, loc, et, 0),
          [&](OpBuilder &b, Location l, ValueRange x, Value acc) -> Value {
            Value e = math::ExpOp::create(
                b, l, arith::SubFOp::create(b, l, x[0], x[1]));
            return arith::AddFOp::create(b, l, acc, e);
          },
          m);
      auto sType = cast<RankedTensorType>(s.getType());
      auto g = linalg::GenericOp::create(
          rewriter, loc, sType, ValueRange{s, m},
          emptyLike(rewriter, loc, sType, s),
          SmallVector<AffineMap>(3, AffineMap::getMultiDimIdentityMap(
                                        sType.getRank(), op.getContext())),
          SmallVector<utils::IteratorType>(sType.getRank(),
                                           utils::IteratorType::parallel),
          [](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(
                b, l,
                Value(arith::AddFOp::create(
                    b, l, math::LogOp::create(b, l, args[0]), args[1])));
          });
      r = g.getResult(0);
    }
    rewriter.replaceOp(
        op, toResultType(rewriter, loc, r, op.getType(), in, reduced));
    return success();
  }
};

template <typename OpTy>
struct ArgReduceLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, ArgMaxOp>;
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    Value in = op.getInput();
    auto inType = cast<RankedTensorType>(in.getType());
    int64_t rank = inType.getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    Type et = inType.getElementType();
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    SmallVector<int64_t> shape;
    SmallVector<Value> sizes;
    SmallVector<AffineExpr> outExprs;
    SmallVector<utils::IteratorType> iterators;
    for (int64_t i = 0; i < rank; ++i) {
      iterators.push_back(i == axis ? utils::IteratorType::reduction
                                    : utils::IteratorType::parallel);
      if (i == axis)
        continue;
      shape.push_back(inType.getDimSize(i));
      outExprs.push_back(getAffineDimExpr(i, ctx));
      if (inType.isDynamicDim(i))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, in, i));
    }
    auto valType = RankedTensorType::get(shape, et);
    auto idxType = RankedTensorType::get(shape, rewriter.getI64Type());
    Value vals = linalg::FillOp::create(
                     rewriter, loc, extreme(rewriter, loc, et, !isMax),
                     emptyTensor(rewriter, loc, valType, sizes))
                     .getResult(0);
    Value idxs = linalg::FillOp::create(
                     rewriter, loc,
                     scalarConstant(rewriter, loc, rewriter.getI64Type(), 0),
                     emptyTensor(rewriter, loc, idxType, sizes))
                     .getResult(0);
    AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
    bool last = op.getSelectLastIndex();
    auto g = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valType, idxType}, ValueRange{in},
        ValueRange{vals, idxs},
        ArrayRef<AffineMap>{AffineMap::getMultiDimIdentityMap(rank, ctx),
                            outMap, outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIdx = args[2];
          Value i = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          Value better;
          if (isa<FloatType>(et))
            better = arith::CmpFOp::create(
                b, l,
                isMax ? (last ? arith::CmpFPredicate::OGE
                              : arith::CmpFPredicate::OGT)
                      : (last ? arith::CmpFPredicate::OLE
                              : arith::CmpFPredicate::OLT),
                x, best);
          else
            better = arith::CmpIOp::create(
                b, l,
                isMax ? (last ? arith::CmpIPredicate::sge
                              : arith::CmpIPredicate::sgt)
                      : (last ? arith::CmpIPredicate::sle
                              : arith::CmpIPredicate::slt),
                x, best);
          // The first element always wins, so an all-extreme row yields 0.
          Value first =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, i,
                                    scalarConstant(b, l, b.getI64Type(), 0));
          better = arith::OrIOp::create(b, l, better, first);
          linalg::YieldOp::create(
              b, l,
              ValueRange{arith::SelectOp::create(b, l, better, x, best),
                         arith::SelectOp::create(b, l, better, i, bestIdx)});
        });
    rewriter.replaceOp(op, toResultType(rewriter, loc, g.getResult(1),
                                        op.getType(), in, reduced));
    return success();
  }
};

template <typename OpTy>
struct SoftmaxLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isLog = std::is_same_v<OpTy, LogSoftmaxOp>;
    Location loc = op.getLoc();
    Value in = op.getInput();
    auto type = cast<RankedTensorType>(in.getType());
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    SmallVector<bool> reduced(rank, false);
    reduced[axis] = true;
    Value m = reduceDims(rewriter, loc, in, reduced,
                         extreme(rewriter, loc, et, false),
                         [](OpBuilder &b, Location l, ValueRange x, Value acc) {
                           return maxOf(b, l, acc, x[0]);
                         });
    Value s = reduceDims(
        rewriter, loc, in, reduced, scalarConstant(rewriter, loc, et, 0),
        [](OpBuilder &b, Location l, ValueRange x, Value acc) -> Value {
          Value e = math::ExpOp::create(
              b, l, arith::SubFOp::create(b, l, x[0], x[1]));
          return arith::AddFOp::create(b, l, acc, e);
        },
        m);
    Value r = mapWithReduced(
        rewriter, loc, in, reduced, {m, s},
        [&](OpBuilder &b, Location l, ValueRange x) -> Value {
          Value shifted = arith::SubFOp::create(b, l, x[0], x[1]);
          if (isLog)
            return arith::SubFOp::create(b, l, shifted,
                                         math::LogOp::create(b, l, x[2]));
          return arith::DivFOp::create(b, l, math::ExpOp::create(b, l, shifted),
                                       x[2]);
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// A scalar scale of softmax logits that the row kernel applies itself:
/// `x` is `source` divided (or multiplied) by `factor`.
struct LogitScale {
  Value source;
  double factor;
  bool divide;
  Location loc;
};

/// The float value of a constant splat scalar (or all-equal tensor).
std::optional<double> splatFloat(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !isa<FloatType>(attr.getElementType()))
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// `x / c` or `x * c` (c a constant scalar) with no other user, as the
/// scale of `x`.
std::optional<LogitScale> scaleOf(Value v) {
  Operation *op = v.getDefiningOp();
  if (!op || !op->hasOneUse() || !isa<DivOp, MulOp>(op))
    return std::nullopt;
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  bool divide = isa<DivOp>(op);
  if (!divide && lhs.getType() != v.getType())
    std::swap(lhs, rhs); // c * x
  std::optional<double> c = splatFloat(rhs);
  if (!c || lhs.getType() != v.getType())
    return std::nullopt;
  return LogitScale{lhs, *c, divide, op->getLoc()};
}

/// The logit a row kernel reads for element `x` of its input: x itself, or
/// x scaled (see LogitScale).
using LogitFn = function_ref<Value(OpBuilder &, Location, Value)>;

/// The max over a row of its logits.
Value rowMax(OpBuilder &b, Location l, Value row, Type et, LogitFn logit) {
  return reduceRow(b, l, row, extreme(b, l, et, false),
                   [&](OpBuilder &nb, Location nl, Value x, Value acc) {
                     return maxOf(nb, nl, acc, logit(nb, nl, x));
                   });
}

/// A row's softmax statistics: its max m and s = sum exp(logit - m).
std::pair<Value, Value> rowMaxSumExp(OpBuilder &b, Location l, Value row,
                                     Type et, LogitFn logit) {
  Value m = rowMax(b, l, row, et, logit);
  Value s = sumRow(b, l, row, [&](OpBuilder &nb, Location nl, Value x) {
    return math::ExpOp::create(
        nb, nl, arith::SubFOp::create(nb, nl, logit(nb, nl, x), m));
  });
  return {m, s};
}

/// `outRow` (one dim) with each element `f(x)` of the row's element x, as
/// one parallel linalg.generic (linalg.index 0 is the element's index).
Value mapRow(OpBuilder &b, Location l, Value row, Value outRow,
             function_ref<Value(OpBuilder &, Location, Value)> f) {
  auto id = b.getMultiDimIdentityMap(1);
  return linalg::GenericOp::create(
             b, l, outRow.getType(), ValueRange{row}, outRow,
             ArrayRef<AffineMap>{id, id},
             ArrayRef<utils::IteratorType>{utils::IteratorType::parallel},
             [&](OpBuilder &nb, Location nl, ValueRange a) {
               linalg::YieldOp::create(nb, nl, f(nb, nl, a[0]));
             })
      .getResult(0);
}

/// The logit of an unscaled row: the element itself.
Value plainLogit(OpBuilder &, Location, Value x) { return x; }

/// Softmax / log-softmax over the last axis as one kernel per row (see
/// rowKernel): the row's max, its sum of exp, then the row written, the row
/// in cache throughout. The statistics are scalars, not tensors. A scalar
/// scale of the logits (softmax(x / c), softmax(x * c)) is applied in the
/// row kernel, element by element as the separate op would: no pass of its
/// own.
template <typename OpTy>
struct SoftmaxRowKernel : public OpRewritePattern<OpTy> {
  SoftmaxRowKernel(MLIRContext *ctx)
      : OpRewritePattern<OpTy>(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isLog = std::is_same_v<OpTy, LogSoftmaxOp>;
    Value in = op.getInput();
    auto type = cast<RankedTensorType>(in.getType());
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    if (!isa<FloatType>(et) || rank < 2 ||
        normalizedAxis(op.getAxis(), rank) != rank - 1)
      return rewriter.notifyMatchFailure(op, "not a float softmax over the "
                                             "last of several dims");
    Location loc = op.getLoc();
    // Only where it computes the same f32 values as the separate op (not,
    // say, by moving attention's Q / sqrt(d) past its matmul): a train step
    // with checkpointing must match the plain one bit for bit, and which of
    // the two sees a single-use scale differs.
    std::optional<LogitScale> scale = scaleOf(in);
    if (scale) {
      in = scale->source;
      loc = rewriter.getFusedLoc({loc, scale->loc});
    }
    // The logit the kernel reads: x, or x scaled.
    Value c =
        scale ? scalarConstant(rewriter, loc, et, scale->factor) : Value();
    auto logit = [&](OpBuilder &b, Location l, Value x) -> Value {
      if (!scale)
        return x;
      return scale->divide ? Value(arith::DivFOp::create(b, l, x, c))
                           : Value(arith::MulFOp::create(b, l, x, c));
    };
    Value r = rowKernel(
        rewriter, loc, in, rank - 1,
        [&](OpBuilder &b, Location l, ValueRange, Value row,
            Value outRow) -> Value {
          Value m, s;
          std::tie(m, s) = rowMaxSumExp(b, l, row, et, logit);
          Value logS = isLog ? Value(math::LogOp::create(b, l, s)) : Value();
          // The row is the last dim only.
          return mapRow(b, l, row, outRow,
                        [&](OpBuilder &nb, Location nl, Value x) -> Value {
                          Value shifted = arith::SubFOp::create(
                              nb, nl, logit(nb, nl, x), m);
                          if (isLog)
                            return arith::SubFOp::create(nb, nl, shifted, logS);
                          return arith::DivFOp::create(
                              nb, nl, math::ExpOp::create(nb, nl, shifted), s);
                        });
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// The smoothed target of softmax cross-entropy: `on` at the label, `off`
/// at every other class.
struct SmoothedTarget {
  double on, off;
  static SmoothedTarget of(double smoothing, int64_t classes) {
    double off = smoothing / double(classes);
    return {1.0 - smoothing + off, off};
  }
};

/// The smoothed target of softmax cross-entropy over `logits` as a
/// dl.one_hot of `labels` (the checked kind when `checked`).
Value smoothedOneHot(PatternRewriter &rewriter, Location loc, Value logits,
                     Value labels, FloatAttr smoothing, bool checked) {
  auto type = cast<RankedTensorType>(logits.getType());
  int64_t classes = type.getDimSize(1);
  auto target = SmoothedTarget::of(smoothing.getValueAsDouble(), classes);
  auto oneHot = OneHotOp::create(
      rewriter, loc, labels, rewriter.getI64IntegerAttr(classes),
      rewriter.getI64IntegerAttr(-1), rewriter.getF64FloatAttr(target.off),
      rewriter.getF64FloatAttr(target.on),
      TypeAttr::get(type.getElementType()));
  if (checked)
    oneHot->setAttr(kCheckedLabelsAttr, rewriter.getUnitAttr());
  return oneHot;
}

/// Softmax cross-entropy as the separate ops it stands for, where there are
/// no row kernels (the GPU target, -O0): -sum(one_hot * log_softmax(x)).
struct SoftmaxCrossEntropyDecompose
    : public OpRewritePattern<SoftmaxCrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logp = LogSoftmaxOp::create(rewriter, loc, op.getLogits(),
                                      rewriter.getI64IntegerAttr(1));
    Value oneHot = smoothedOneHot(rewriter, loc, op.getLogits(), op.getLabels(),
                                  op.getLabelSmoothingAttr(), /*checked=*/true);
    Value prod = MulOp::create(rewriter, loc, oneHot, logp);
    Value sum = ReduceSumOp::create(rewriter, loc, prod,
                                    rewriter.getDenseI64ArrayAttr({1}),
                                    rewriter.getBoolAttr(false));
    rewriter.replaceOpWithNewOp<NegOp>(op, sum);
    return success();
  }
};

/// Its gradient the same way: (softmax(x) - one_hot) * g[:, None]. The
/// forward op checked the labels.
struct SoftmaxCrossEntropyGradDecompose
    : public OpRewritePattern<SoftmaxCrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value p = SoftmaxOp::create(rewriter, loc, op.getLogits(),
                                rewriter.getI64IntegerAttr(1));
    Value oneHot =
        smoothedOneHot(rewriter, loc, op.getLogits(), op.getLabels(),
                       op.getLabelSmoothingAttr(), /*checked=*/false);
    Value g = UnsqueezeOp::create(rewriter, loc, op.getGrad(),
                                  rewriter.getDenseI64ArrayAttr({1}));
    rewriter.replaceOpWithNewOp<MulOp>(
        op, op.getType(), SubOp::create(rewriter, loc, p, oneHot), g);
    return success();
  }
};

/// The target weight of class `c` for a row whose label is `label` (both
/// index values).
Value targetWeight(OpBuilder &b, Location l, Value c, Value label,
                   SmoothedTarget target, Type et) {
  Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, c, label);
  return arith::SelectOp::create(b, l, hit, scalarConstant(b, l, et, target.on),
                                 scalarConstant(b, l, et, target.off));
}

/// Asserts that each of `perSample` ([N] tensors) has the logits' batch N
/// at run time, where the types leave it open: the row kernels read them at
/// each row.
void assertSameBatch(OpBuilder &b, Location loc, Value logits,
                     ValueRange perSample) {
  auto batchOf = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getDimSize(0);
  };
  for (Value v : perSample) {
    if (!ShapedType::isDynamic(batchOf(logits)) &&
        !ShapedType::isDynamic(batchOf(v)))
      continue; // the verifier saw them equal
    Value same = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                       dimValue(b, loc, logits, 0),
                                       dimValue(b, loc, v, 0));
    cf::AssertOp::create(b, loc, same,
                         "softmax cross-entropy: the logits and the labels "
                         "(or the per-sample gradient) differ in batch size");
  }
}

/// Softmax cross-entropy as one kernel over the rows, after the labels'
/// check: per row its max m, then in one pass s = sum exp(x - m) and
/// t = sum target * (x - m); the loss is log(s) - t (the target sums to 1).
/// Each label is compared with the class index, never used as an address.
struct SoftmaxCrossEntropyRowKernel
    : public OpRewritePattern<SoftmaxCrossEntropyOp> {
  SoftmaxCrossEntropyRowKernel(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getLogits(), labels = op.getLabels();
    auto type = cast<RankedTensorType>(x.getType());
    Type et = type.getElementType();
    int64_t classes = type.getDimSize(1);
    auto target =
        SmoothedTarget::of(op.getLabelSmoothing().convertToDouble(), classes);
    assertSameBatch(rewriter, loc, x, labels);
    assertLabelsInRange(rewriter, loc, labels, classes);
    auto resultType = op.getType();
    Value rows = dimValue(rewriter, loc, x, 0);
    Value init = emptyTensor(rewriter, loc, resultType,
                             resultType.isDynamicDim(0) ? ValueRange{rows}
                                                        : ValueRange{});
    auto forall =
        scf::ForallOp::create(rewriter, loc, ArrayRef<OpFoldResult>{rows},
                              ValueRange{init}, std::nullopt);
    OpBuilder::InsertionGuard guard(rewriter);
    OpBuilder &b = rewriter;
    b.setInsertionPointToStart(forall.getBody());
    Value n = forall.getInductionVars()[0];
    auto rowType = RankedTensorType::get({classes}, et);
    Value row = tensor::ExtractSliceOp::create(
        b, loc, rowType, x, ArrayRef<OpFoldResult>{n, b.getIndexAttr(0)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(classes)},
        ArrayRef<OpFoldResult>{b.getIndexAttr(1), b.getIndexAttr(1)});
    Value label = arith::IndexCastOp::create(
        b, loc, b.getIndexType(),
        tensor::ExtractOp::create(b, loc, labels, ValueRange{n}));
    Value m = rowMax(b, loc, row, et, plainLogit);
    Value zero = scalarConstant(b, loc, et, 0);
    auto fm = arith::FastMathFlags::reassoc;
    auto sums = scf::ForOp::create(
        b, loc, cidx(b, loc, 0), cidx(b, loc, classes), cidx(b, loc, 1),
        ValueRange{zero, zero},
        [&](OpBuilder &nb, Location nl, Value c, ValueRange acc) {
          Value d = arith::SubFOp::create(
              nb, nl, tensor::ExtractOp::create(nb, nl, row, ValueRange{c}), m);
          Value s = arith::AddFOp::create(nb, nl, acc[0],
                                          math::ExpOp::create(nb, nl, d), fm);
          Value w = targetWeight(nb, nl, c, label, target, et);
          Value t = arith::AddFOp::create(
              nb, nl, acc[1], arith::MulFOp::create(nb, nl, w, d), fm);
          scf::YieldOp::create(nb, nl, ValueRange{s, t});
        });
    Value loss = arith::SubFOp::create(
        b, loc, math::LogOp::create(b, loc, sums.getResult(0)),
        sums.getResult(1));
    // The loss written into the row's element of the output, in place.
    Value out = forall.getRegionOutArgs()[0];
    auto oneType = RankedTensorType::get({1}, et);
    SmallVector<OpFoldResult> at{n}, one{b.getIndexAttr(1)};
    Value slot =
        tensor::ExtractSliceOp::create(b, loc, oneType, out, at, one, one);
    slot = tensor::InsertOp::create(b, loc, loss, slot,
                                    ValueRange{cidx(b, loc, 0)});
    b.setInsertionPointToStart(forall.getTerminator().getBody());
    tensor::ParallelInsertSliceOp::create(b, loc, slot, out, at, one, one);
    rewriter.replaceOp(op, forall.getResult(0));
    return success();
  }
};

/// Its gradient as one row kernel: per row m and s as in the forward, then
/// g * (exp(x - m) / s - target) written in one pass.
struct SoftmaxCrossEntropyGradRowKernel
    : public OpRewritePattern<SoftmaxCrossEntropyGradOp> {
  SoftmaxCrossEntropyGradRowKernel(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(SoftmaxCrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = op.getLogits(), labels = op.getLabels(), grad = op.getGrad();
    auto type = cast<RankedTensorType>(x.getType());
    Type et = type.getElementType();
    auto target = SmoothedTarget::of(op.getLabelSmoothing().convertToDouble(),
                                     type.getDimSize(1));
    assertSameBatch(rewriter, loc, x, {labels, grad});
    Value r = rowKernel(
        rewriter, loc, x, 1,
        [&](OpBuilder &b, Location l, ValueRange ivs, Value row,
            Value outRow) -> Value {
          Value label = arith::IndexCastOp::create(
              b, l, b.getIndexType(),
              tensor::ExtractOp::create(b, l, labels, ivs));
          Value g = tensor::ExtractOp::create(b, l, grad, ivs);
          Value m, s;
          std::tie(m, s) = rowMaxSumExp(b, l, row, et, plainLogit);
          return mapRow(b, l, row, outRow,
                        [&](OpBuilder &nb, Location nl, Value x) -> Value {
                          Value p = arith::DivFOp::create(
                              nb, nl,
                              math::ExpOp::create(
                                  nb, nl, arith::SubFOp::create(nb, nl, x, m)),
                              s);
                          Value c = linalg::IndexOp::create(nb, nl, 0);
                          Value w = targetWeight(nb, nl, c, label, target, et);
                          return arith::MulFOp::create(
                              nb, nl, arith::SubFOp::create(nb, nl, p, w), g);
                        });
        });
    rewriter.replaceOp(op, r);
    return success();
  }
};

/// Global pools reduce every spatial dim, keeping it as size 1.
template <typename OpTy>
struct GlobalPoolLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<OpTy, GlobalMaxPoolOp>;
    Location loc = op.getLoc();
    Value in = op.getInput();
    auto type = cast<RankedTensorType>(in.getType());
    Type et = type.getElementType();
    SmallVector<bool> reduced(type.getRank(), true);
    reduced[0] = reduced[1] = false;
    Value r = reduceDims(rewriter, loc, in, reduced,
                         isMax ? extreme(rewriter, loc, et, false)
                               : scalarConstant(rewriter, loc, et, 0),
                         [](OpBuilder &b, Location l, ValueRange x, Value acc) {
                           return isMax ? maxOf(b, l, acc, x[0])
                                        : add(b, l, acc, x[0]);
                         });
    if (!isMax) {
      Value n = elementCount(rewriter, loc, in, reduced, et);
      r = mapWithReduced(rewriter, loc, r, SmallVector<bool>(2, false), {},
                         [&](OpBuilder &b, Location l, ValueRange x) -> Value {
                           return arith::DivFOp::create(b, l, x[0], n);
                         });
    }
    rewriter.replaceOp(
        op, toResultType(rewriter, loc, r, op.getType(), in, reduced));
    return success();
  }
};

/// A global average pool as one row kernel: per (sample, channel) the
/// plane, contiguous, summed into a register (a reassociable add, so LLVM
/// vectorizes it) and divided. The generic reduction's loops go (n, h, w, c)
/// after dl-interchange-reductions, reading the planes at a stride of H * W
/// floats: MobileNetV2's 1280 x 7 x 7 pool took 25 us on one thread.
struct GlobalAvgPoolRowKernel : public OpRewritePattern<GlobalAvgPoolOp> {
  GlobalAvgPoolRowKernel(MLIRContext *ctx)
      : OpRewritePattern(ctx, /*benefit=*/2) {}
  LogicalResult matchAndRewrite(GlobalAvgPoolOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value in = op.getInput();
    auto type = cast<RankedTensorType>(in.getType());
    Type et = type.getElementType();
    int64_t rank = type.getRank();
    if (rank < 3)
      return rewriter.notifyMatchFailure(op, "no planes to pool over");
    SmallVector<bool> reduced(rank, true);
    reduced[0] = reduced[1] = false;
    Value count = elementCount(rewriter, loc, in, reduced, et);
    // [N * C, H * W ...]: one row per plane, each contiguous, and one loop
    // over the rows (dl-thread-outer-dims threads a loop's leading dims, so
    // a (N, C) loop would run serially at batch 1).
    SmallVector<ReassociationIndices> groups{{0, 1}, {}};
    for (int64_t i = 2; i < rank; ++i)
      groups.back().push_back(i);
    Value flat = tensor::CollapseShapeOp::create(rewriter, loc, in, groups);
    auto flatType = cast<RankedTensorType>(flat.getType());
    Value rows = dimValue(rewriter, loc, flat, 0);
    OpFoldResult plane = getAsOpFoldResult(dimValue(rewriter, loc, flat, 1));
    auto outType = RankedTensorType::get({flatType.getDimSize(0)}, et);
    Value init =
        emptyTensor(rewriter, loc, outType,
                    outType.isDynamicDim(0) ? ValueRange{rows} : ValueRange{});
    auto forall = scf::ForallOp::create(
        rewriter, loc, ArrayRef<OpFoldResult>{getAsOpFoldResult(rows)},
        ValueRange{init}, std::nullopt);
    {
      OpBuilder::InsertionGuard guard(rewriter);
      OpBuilder &b = rewriter;
      b.setInsertionPointToStart(forall.getBody());
      Value r = forall.getInductionVars()[0];
      OpFoldResult zero = b.getIndexAttr(0), one = b.getIndexAttr(1);
      auto rowType = RankedTensorType::get({flatType.getDimSize(1)}, et);
      Value row = tensor::ExtractSliceOp::create(
          b, loc, rowType, flat, ArrayRef<OpFoldResult>{r, zero},
          ArrayRef<OpFoldResult>{one, plane}, ArrayRef<OpFoldResult>{one, one});
      Value mean = arith::DivFOp::create(
          b, loc,
          sumRow(b, loc, row, [](OpBuilder &, Location, Value x) { return x; }),
          count);
      Value out = forall.getRegionOutArgs()[0];
      SmallVector<OpFoldResult> at{r}, ones{one};
      auto slotType = RankedTensorType::get({1}, et);
      Value slot =
          tensor::ExtractSliceOp::create(b, loc, slotType, out, at, ones, ones);
      slot = tensor::InsertOp::create(b, loc, mean, slot,
                                      ValueRange{cidx(b, loc, 0)});
      b.setInsertionPointToStart(forall.getTerminator().getBody());
      tensor::ParallelInsertSliceOp::create(b, loc, slot, out, at, ones, ones);
    }
    rewriter.replaceOp(op, toResultType(rewriter, loc, forall.getResult(0),
                                        op.getType(), in, reduced));
    return success();
  }
};

} // namespace

void dlc::populateReductionToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
           ReduceLowering<ReduceMaxOp>, ReduceLowering<ReduceMinOp>,
           ReduceLowering<ReduceProdOp>, ReduceLowering<ReduceL1Op>,
           ReduceLowering<ReduceL2Op>, ReduceLowering<ReduceSumSquareOp>,
           ReduceLowering<ReduceLogSumExpOp>, ArgReduceLowering<ArgMaxOp>,
           ArgReduceLowering<ArgMinOp>, SoftmaxLowering<SoftmaxOp>,
           SoftmaxLowering<LogSoftmaxOp>, GlobalPoolLowering<GlobalMaxPoolOp>,
           GlobalPoolLowering<GlobalAvgPoolOp>, SoftmaxCrossEntropyDecompose,
           SoftmaxCrossEntropyGradDecompose>(patterns.getContext());
}

void dlc::populateRowKernelSoftmaxPatterns(RewritePatternSet &patterns) {
  patterns.add<SoftmaxRowKernel<SoftmaxOp>, SoftmaxRowKernel<LogSoftmaxOp>,
               SoftmaxCrossEntropyRowKernel, SoftmaxCrossEntropyGradRowKernel,
               GlobalAvgPoolRowKernel>(patterns.getContext());
}
