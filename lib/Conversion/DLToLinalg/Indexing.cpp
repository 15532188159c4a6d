//===- Indexing.cpp - range, one_hot, gather_elements, scatters, pads -----===//
//
// Ops whose element reads depend on computed indices: one linalg.generic
// over the result, reading its input with tensor.extract.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLAttrNames.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// The scalar in a rank-0 tensor.
Value scalarOf(OpBuilder &b, Location loc, Value t) {
  return tensor::ExtractOp::create(b, loc, t, ValueRange{});
}

Value toIndex(OpBuilder &b, Location loc, Value v) {
  if (isa<FloatType>(v.getType()))
    v = arith::FPToSIOp::create(b, loc, b.getI64Type(), v);
  return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
}

struct RangeLowering : public OpRewritePattern<RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RangeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value start = scalarOf(rewriter, loc, op.getStart());
    Value limit = scalarOf(rewriter, loc, op.getLimit());
    Value delta = scalarOf(rewriter, loc, op.getDelta());
    Type et = start.getType();
    bool isFloat = isa<FloatType>(et);
    SmallVector<Value> sizes;
    if (op.getType().isDynamicDim(0)) {
      // max(ceil((limit - start) / delta), 0)
      Value n;
      if (isFloat) {
        Value q = arith::DivFOp::create(
            rewriter, loc, arith::SubFOp::create(rewriter, loc, limit, start),
            delta);
        n = toIndex(rewriter, loc, math::CeilOp::create(rewriter, loc, q));
      } else {
        n = toIndex(rewriter, loc,
                    arith::CeilDivSIOp::create(
                        rewriter, loc,
                        arith::SubIOp::create(rewriter, loc, limit, start),
                        delta));
      }
      sizes.push_back(
          arith::MaxSIOp::create(rewriter, loc, n, cidx(rewriter, loc, 0)));
    }
    rewriter.replaceOp(
        op,
        generate(rewriter, loc, op.getType(), sizes,
                 [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                   Value i =
                       arith::IndexCastOp::create(b, l, b.getI64Type(), iv[0]);
                   if (isFloat) {
                     Value f = arith::SIToFPOp::create(b, l, et, i);
                     return arith::AddFOp::create(
                         b, l, start, arith::MulFOp::create(b, l, f, delta));
                   }
                   if (et != i.getType())
                     i = arith::TruncIOp::create(b, l, et, i);
                   return arith::AddIOp::create(
                       b, l, start, arith::MulIOp::create(b, l, i, delta));
                 }));
    return success();
  }
};

struct OneHotLowering : public OpRewritePattern<OneHotOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(OneHotOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    int64_t depth = op.getDepth();
    Value indices = op.getIndices();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(dimValue(rewriter, loc, indices, d < axis ? d : d - 1));
    Type et = type.getElementType();
    double on = op.getOnValue().convertToDouble();
    double off = op.getOffValue().convertToDouble();
    // Class labels: every one in [0, depth), checked before the loss uses
    // them.
    if (op->hasAttr(dl::kCheckedLabelsAttr))
      assertLabelsInRange(rewriter, loc, indices, depth);
    rewriter.replaceOp(
        op, generate(rewriter, loc, type, sizes,
                     [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                       SmallVector<Value> at;
                       for (int64_t d = 0; d < rank; ++d)
                         if (d != axis)
                           at.push_back(iv[d]);
                       Value k = toIndex(
                           b, l, tensor::ExtractOp::create(b, l, indices, at));
                       // Negative indices count from depth.
                       Value neg = arith::CmpIOp::create(
                           b, l, arith::CmpIPredicate::slt, k, cidx(b, l, 0));
                       k = arith::SelectOp::create(
                           b, l, neg,
                           arith::AddIOp::create(b, l, k, cidx(b, l, depth)),
                           k);
                       Value hit = arith::CmpIOp::create(
                           b, l, arith::CmpIPredicate::eq, k, iv[axis]);
                       return arith::SelectOp::create(
                           b, l, hit, scalarConstant(b, l, et, on),
                           scalarConstant(b, l, et, off));
                     }));
    return success();
  }
};

struct GatherElementsLowering : public OpRewritePattern<GatherElementsOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GatherElementsOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    int64_t rank = type.getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    Value input = op.getInput(), indices = op.getIndices();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(dimValue(rewriter, loc, indices, d));
    Value axisDim = dimValue(rewriter, loc, input, axis);
    rewriter.replaceOp(
        op, generate(rewriter, loc, type, sizes,
                     [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                       Value k = toIndex(
                           b, l, tensor::ExtractOp::create(b, l, indices, iv));
                       Value neg = arith::CmpIOp::create(
                           b, l, arith::CmpIPredicate::slt, k, cidx(b, l, 0));
                       k = arith::SelectOp::create(
                           b, l, neg, arith::AddIOp::create(b, l, k, axisDim),
                           k);
                       SmallVector<Value> at(iv.begin(), iv.end());
                       at[axis] = k;
                       return tensor::ExtractOp::create(b, l, input, at);
                     }));
    return success();
  }
};

/// scatter_add / scatter_elements_add: a loop nest over the updates that
/// adds each into its destination, carrying the result tensor (repeated
/// indices accumulate, so the loops are not parallel). The loop starts from
/// zeros and data is added afterwards (skipped when it is a zero splat, as
/// in gradients): starting from data itself would let bufferization write
/// into a function argument once canonicalization drops the copy.
template <typename OpTy>
struct ScatterAddLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool elements = std::is_same_v<OpTy, ScatterElementsAddOp>;
    Location loc = op.getLoc();
    Value data = op.getData(), indices = op.getIndices(),
          updates = op.getUpdates();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t rank = type.getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    int64_t q = cast<RankedTensorType>(indices.getType()).getRank();
    int64_t updRank = cast<RankedTensorType>(updates.getType()).getRank();
    Type et = type.getElementType();
    auto addScalars = [&](OpBuilder &b, Location l, Value x, Value y) -> Value {
      if (isa<FloatType>(et))
        return arith::AddFOp::create(b, l, x, y);
      return arith::AddIOp::create(b, l, x, y);
    };

    Value init = filledTensor(rewriter, loc, type,
                              scalarConstant(rewriter, loc, et, 0), data);
    SmallVector<Value> lbs(updRank, cidx(rewriter, loc, 0)),
        steps(updRank, cidx(rewriter, loc, 1)), ubs;
    for (int64_t d = 0; d < updRank; ++d)
      ubs.push_back(dimValue(rewriter, loc, updates, d));
    Value axisDim = dimValue(rewriter, loc, data, axis);
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{init},
        [&](OpBuilder &b, Location l, ValueRange iv,
            ValueRange acc) -> scf::ValueVector {
          ValueRange at = elements ? iv : iv.slice(axis, q);
          Value k = toIndex(b, l, tensor::ExtractOp::create(b, l, indices, at));
          Value neg = arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, k,
                                            cidx(b, l, 0));
          k = arith::SelectOp::create(
              b, l, neg, arith::AddIOp::create(b, l, k, axisDim), k);
          SmallVector<Value> dest;
          if (elements) {
            dest.assign(iv.begin(), iv.end());
            dest[axis] = k;
          } else {
            dest.append(iv.begin(), iv.begin() + axis);
            dest.push_back(k);
            dest.append(iv.begin() + axis + q, iv.end());
          }
          Value u = tensor::ExtractOp::create(b, l, updates, iv);
          Value old = tensor::ExtractOp::create(b, l, acc[0], dest);
          return {tensor::InsertOp::create(b, l, addScalars(b, l, old, u),
                                           acc[0], dest)};
        });
    Value result = nest.results[0];
    DenseElementsAttr splat;
    bool zeroData =
        matchPattern(data, m_Constant(&splat)) && splat.isSplat() &&
        (isa<FloatType>(et) ? splat.getSplatValue<APFloat>().isZero()
                            : splat.getSplatValue<APInt>().isZero());
    if (!zeroData) {
      auto id = AffineMap::getMultiDimIdentityMap(rank, op.getContext());
      result =
          linalg::GenericOp::create(
              rewriter, loc, type, ValueRange{result, data},
              emptyLike(rewriter, loc, type, data),
              ArrayRef<AffineMap>{id, id, id},
              SmallVector<utils::IteratorType>(rank,
                                               utils::IteratorType::parallel),
              [&](OpBuilder &b, Location l, ValueRange a) {
                linalg::YieldOp::create(b, l, addScalars(b, l, a[0], a[1]));
              })
              .getResult(0);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Edge and reflect pads: each output element reads a clamped or mirrored
/// input position.
struct PadModeLowering : public OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getMode() == PadMode::constant)
      return failure();
    bool reflect = op.getMode() == PadMode::reflect;
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto type = op.getType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> pads = op.getPads();
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(arith::AddIOp::create(
            rewriter, loc, dimValue(rewriter, loc, input, d),
            cidx(rewriter, loc, pads[d] + pads[d + rank])));
    rewriter.replaceOp(
        op,
        generate(rewriter, loc, type, sizes,
                 [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                   SmallVector<Value> at;
                   for (int64_t d = 0; d < rank; ++d) {
                     Value dim = dimValue(b, l, input, d);
                     Value last =
                         arith::SubIOp::create(b, l, dim, cidx(b, l, 1));
                     Value r = arith::SubIOp::create(b, l, iv[d],
                                                     cidx(b, l, pads[d]));
                     if (reflect) {
                       // |r|, then mirror past the end: 2 * last - r.
                       Value neg = arith::CmpIOp::create(
                           b, l, arith::CmpIPredicate::slt, r, cidx(b, l, 0));
                       r = arith::SelectOp::create(
                           b, l, neg,
                           arith::SubIOp::create(b, l, cidx(b, l, 0), r), r);
                       Value past = arith::CmpIOp::create(
                           b, l, arith::CmpIPredicate::sgt, r, last);
                       Value mirrored = arith::SubIOp::create(
                           b, l,
                           arith::MulIOp::create(b, l, last, cidx(b, l, 2)), r);
                       r = arith::SelectOp::create(b, l, past, mirrored, r);
                     } else {
                       r = arith::MaxSIOp::create(b, l, r, cidx(b, l, 0));
                       r = arith::MinSIOp::create(b, l, r, last);
                     }
                     at.push_back(r);
                   }
                   return tensor::ExtractOp::create(b, l, input, at);
                 }));
    return success();
  }
};

/// quantize: clamp(round_half_even(x / scale) + zero_point); dequantize:
/// (q - zero_point) * scale. Per-axis parameters are read by the axis index.
template <typename OpTy> struct QuantLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isQuantize = std::is_same_v<OpTy, QuantizeOp>;
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value input = op.getInput();
    auto inType = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    ArrayRef<double> scales = op.getScale();
    ArrayRef<int64_t> zeros = op.getZeroPoint();
    std::optional<int64_t> axis;
    if (op.getAxis())
      axis = normalizedAxis(*op.getAxis(), rank);
    Type floatType =
        isQuantize ? inType.getElementType() : type.getElementType();
    Type intType = isQuantize ? type.getElementType() : inType.getElementType();
    unsigned width = intType.getIntOrFloatBitWidth();
    bool isUnsigned = op.getIsUnsigned();
    double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1),
           hi = isUnsigned ? std::ldexp(1.0, width) - 1
                           : std::ldexp(1.0, width - 1) - 1;
    auto param = [&](OpBuilder &b, Location l, ArrayRef<double> values,
                     ValueRange iv) -> Value {
      if (values.size() == 1 || !axis)
        return scalarConstant(b, l, floatType, values[0]);
      auto t = RankedTensorType::get({(int64_t)values.size()}, floatType);
      SmallVector<Attribute> attrs;
      for (double v : values)
        attrs.push_back(b.getFloatAttr(floatType, v));
      Value table =
          arith::ConstantOp::create(b, l, DenseElementsAttr::get(t, attrs));
      return tensor::ExtractOp::create(b, l, table, ValueRange{iv[*axis]});
    };
    SmallVector<double> zeroValues(zeros.begin(), zeros.end());
    SmallVector<Value> sizes;
    for (int64_t d = 0; d < rank; ++d)
      if (type.isDynamicDim(d))
        sizes.push_back(dimValue(rewriter, loc, input, d));
    auto compute = [&](OpBuilder &b, Location l, Value x,
                       ValueRange iv) -> Value {
      Value scale = param(b, l, scales, iv);
      Value zp = param(b, l, zeroValues, iv);
      if constexpr (isQuantize) {
        Value q = math::RoundEvenOp::create(
            b, l, arith::DivFOp::create(b, l, x, scale));
        q = arith::AddFOp::create(b, l, q, zp);
        q = arith::MaximumFOp::create(b, l, q,
                                      scalarConstant(b, l, floatType, lo));
        q = arith::MinimumFOp::create(b, l, q,
                                      scalarConstant(b, l, floatType, hi));
        if (isUnsigned)
          return arith::FPToUIOp::create(b, l, intType, q);
        return arith::FPToSIOp::create(b, l, intType, q);
      } else {
        Value f = isUnsigned
                      ? Value(arith::UIToFPOp::create(b, l, floatType, x))
                      : Value(arith::SIToFPOp::create(b, l, floatType, x));
        return arith::MulFOp::create(b, l, arith::SubFOp::create(b, l, f, zp),
                                     scale);
      }
    };
    if (!axis || (scales.size() == 1 && zeros.size() == 1)) {
      // Per tensor: an elementwise generic over the input, which fuses with
      // its elementwise neighbours and vectorizes.
      AffineMap id = AffineMap::getMultiDimIdentityMap(rank, op.getContext());
      Value init = emptyTensor(rewriter, loc, type, sizes);
      auto generic = linalg::GenericOp::create(
          rewriter, loc, type, ValueRange{input}, init,
          ArrayRef<AffineMap>{id, id},
          SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
          [&](OpBuilder &b, Location l, ValueRange args) {
            linalg::YieldOp::create(b, l, compute(b, l, args[0], {}));
          });
      rewriter.replaceOp(op, generic.getResults());
      return success();
    }
    rewriter.replaceOp(
        op, generate(rewriter, loc, type, sizes,
                     [&](OpBuilder &b, Location l, ValueRange iv) -> Value {
                       return compute(
                           b, l, tensor::ExtractOp::create(b, l, input, iv),
                           iv);
                     }));
    return success();
  }
};

} // namespace

void dlc::populateIndexingToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RangeLowering, OneHotLowering, GatherElementsLowering,
               PadModeLowering, ScatterAddLowering<ScatterAddOp>,
               ScatterAddLowering<ScatterElementsAddOp>,
               QuantLowering<QuantizeOp>, QuantLowering<DequantizeOp>>(
      patterns.getContext());
}
