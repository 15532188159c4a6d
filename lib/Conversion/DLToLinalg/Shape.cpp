//===- Shape.cpp - constant and shape ops to tensor / linalg --------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

struct ConstantLowering : public OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValue()));
    return success();
  }
};

/// The product of dims [from, to) of `v` as an index value.
Value dimProduct(OpBuilder &b, Location loc, Value v, int64_t from,
                 int64_t to) {
  Value p = arith::ConstantIndexOp::create(b, loc, 1);
  for (int64_t i = from; i < to; ++i)
    p = arith::MulIOp::create(b, loc, p, dimValue(b, loc, v, i));
  return p;
}

struct ReshapeLowering : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    Value input = op.getInput();
    int64_t inRank = op.getInput().getType().getRank();
    SmallVector<Value> dims(type.getRank());
    if (Value shape = op.getShape()) {
      // ONNX rules at run time: 0 copies the input dim, -1 is inferred.
      Value total = dimProduct(rewriter, loc, input, 0, inRank);
      Value known = arith::ConstantIndexOp::create(rewriter, loc, 1);
      Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
      Value minusOne = arith::ConstantIndexOp::create(rewriter, loc, -1);
      SmallVector<Value> raw;
      for (int64_t i = 0; i < type.getRank(); ++i) {
        Value idx = arith::ConstantIndexOp::create(rewriter, loc, i);
        Value v = tensor::ExtractOp::create(rewriter, loc, shape, idx);
        v = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                       v);
        if (!op.getAllowZero() && i < inRank) {
          Value isZero = arith::CmpIOp::create(
              rewriter, loc, arith::CmpIPredicate::eq, v, zero);
          v = arith::SelectOp::create(rewriter, loc, isZero,
                                      dimValue(rewriter, loc, input, i), v);
        }
        Value isInfer = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, v, minusOne);
        Value one = arith::ConstantIndexOp::create(rewriter, loc, 1);
        known = arith::MulIOp::create(
            rewriter, loc, known,
            arith::SelectOp::create(rewriter, loc, isInfer, one, v));
        raw.push_back(v);
      }
      Value inferred = arith::DivUIOp::create(rewriter, loc, total, known);
      for (int64_t i = 0; i < type.getRank(); ++i) {
        Value isInfer = arith::CmpIOp::create(
            rewriter, loc, arith::CmpIPredicate::eq, raw[i], minusOne);
        dims[i] = arith::SelectOp::create(rewriter, loc, isInfer, inferred,
                                          raw[i]);
      }
    } else if (type.getNumDynamicDims() == 1) {
      Value total = dimProduct(rewriter, loc, input, 0, inRank);
      int64_t known = 1;
      for (int64_t d : type.getShape())
        if (!ShapedType::isDynamic(d))
          known *= d;
      Value dyn = arith::DivUIOp::create(
          rewriter, loc, total,
          arith::ConstantIndexOp::create(rewriter, loc, known));
      for (int64_t i = 0; i < type.getRank(); ++i)
        if (type.isDynamicDim(i))
          dims[i] = dyn;
    }
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, input, type, dims));
    return success();
  }
};

struct FlattenLowering : public OpRewritePattern<FlattenOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(FlattenOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value in = op.getInput();
    int64_t rank = op.getInput().getType().getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    SmallVector<Value> dims = {dimProduct(rewriter, loc, in, 0, axis),
                               dimProduct(rewriter, loc, in, axis, rank)};
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, in, op.getType(), dims));
    return success();
  }
};

/// squeeze: the result keeps the input dims not listed in axes (empty axes:
/// the static 1s).
struct SqueezeLowering : public OpRewritePattern<SqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(SqueezeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto inType = op.getInput().getType();
    int64_t rank = inType.getRank();
    SmallVector<bool> drop(rank, op.getAxes().empty());
    if (op.getAxes().empty())
      for (int64_t i = 0; i < rank; ++i)
        drop[i] = inType.getDimSize(i) == 1;
    for (int64_t a : op.getAxes())
      drop[a < 0 ? a + rank : a] = true;
    SmallVector<Value> dims;
    for (int64_t i = 0; i < rank; ++i)
      if (!drop[i])
        dims.push_back(dimValue(rewriter, loc, op.getInput(), i));
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, op.getInput(), op.getType(), dims));
    return success();
  }
};

/// unsqueeze: size-1 dims at axes (positions in the result).
struct UnsqueezeLowering : public OpRewritePattern<UnsqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(UnsqueezeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    int64_t outRank = op.getType().getRank();
    SmallVector<bool> inserted(outRank, false);
    for (int64_t a : op.getAxes())
      inserted[a < 0 ? a + outRank : a] = true;
    SmallVector<Value> dims;
    int64_t j = 0;
    for (int64_t i = 0; i < outRank; ++i)
      dims.push_back(inserted[i]
                         ? Value(arith::ConstantIndexOp::create(rewriter, loc, 1))
                         : dimValue(rewriter, loc, op.getInput(), j++));
    rewriter.replaceOp(
        op, reshapeTo(rewriter, loc, op.getInput(), op.getType(), dims));
    return success();
  }
};

struct TransposeLowering : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<Value> sizes;
    for (auto [i, p] : llvm::enumerate(op.getPerm()))
      if (op.getType().isDynamicDim(i))
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getInput(), p));
    Value init = emptyTensor(rewriter, loc, op.getType(), sizes);
    auto t = linalg::TransposeOp::create(rewriter, loc, op.getInput(), init,
                                         op.getPerm());
    rewriter.replaceOp(op, t.getResults());
    return success();
  }
};

struct ExpandLowering : public OpRewritePattern<ExpandOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ExpandOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = op.getType();
    auto inType = op.getInput().getType();
    int64_t offset = type.getRank() - inType.getRank();
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < type.getRank(); ++i) {
      if (!type.isDynamicDim(i))
        continue;
      int64_t j = i - offset;
      if (j >= 0 && inType.getDimSize(j) != 1) {
        sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getInput(), j));
        continue;
      }
      Value idx = arith::ConstantIndexOp::create(rewriter, loc, i);
      Value v = tensor::ExtractOp::create(rewriter, loc, op.getShape(), idx);
      sizes.push_back(arith::IndexCastOp::create(
          rewriter, loc, rewriter.getIndexType(), v));
    }
    MLIRContext *ctx = op.getContext();
    Value init = emptyTensor(rewriter, loc, type, sizes);
    auto g = linalg::GenericOp::create(
        rewriter, loc, type, op.getInput(), init,
        ArrayRef<AffineMap>{
            broadcastMap(ctx, inType, type),
            AffineMap::getMultiDimIdentityMap(type.getRank(), ctx)},
        SmallVector<utils::IteratorType>(type.getRank(),
                                         utils::IteratorType::parallel),
        [](OpBuilder &b, Location l, ValueRange args) {
          linalg::YieldOp::create(b, l, args[0]);
        });
    rewriter.replaceOp(op, g.getResults());
    return success();
  }
};

} // namespace

void dlc::populateShapeToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<ConstantLowering, ReshapeLowering, FlattenLowering,
               SqueezeLowering, UnsqueezeLowering,
               TransposeLowering, ExpandLowering>(patterns.getContext());
}
