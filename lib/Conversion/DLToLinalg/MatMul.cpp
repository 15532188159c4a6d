//===- MatMul.cpp - matmul and gemm to linalg -----------------------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

struct MatMulLowering : public OpRewritePattern<MatMulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto lt = op.getLhs().getType(), rt = op.getRhs().getType();
    auto resultType = op.getType();
    Type et = resultType.getElementType();
    // The common cases map to named ops that later tiling knows well.
    if (lt.getRank() == 2 && rt.getRank() == 2) {
      Value acc = linalg::FillOp::create(
                      rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                      emptyTensor(rewriter, loc, resultType,
                                  dynamicMatmulSizes(rewriter, loc, op)))
                      .getResult(0);
      rewriter.replaceOpWithNewOp<linalg::MatmulOp>(
          op, resultType, ValueRange{op.getLhs(), op.getRhs()}, acc);
      return success();
    }
    // General numpy matmul: iterate (batch..., [m], [n], k).
    MLIRContext *ctx = op.getContext();
    int64_t rank = resultType.getRank();
    bool lhsVec = lt.getRank() == 1, rhsVec = rt.getRank() == 1;
    int64_t nBatch = rank - (lhsVec ? 0 : 1) - (rhsVec ? 0 : 1);
    AffineExpr k = getAffineDimExpr(rank, ctx);
    auto batchExprs = [&](RankedTensorType t, int64_t operandBatch) {
      SmallVector<AffineExpr> e;
      for (int64_t i = 0; i < operandBatch; ++i) {
        int64_t r = nBatch - operandBatch + i;
        if (t.getDimSize(i) == 1 && resultType.getDimSize(r) != 1)
          e.push_back(getAffineConstantExpr(0, ctx));
        else
          e.push_back(getAffineDimExpr(r, ctx));
      }
      return e;
    };
    SmallVector<AffineExpr> lhsExprs, rhsExprs;
    if (lhsVec) {
      lhsExprs = {k};
    } else {
      lhsExprs = batchExprs(lt, lt.getRank() - 2);
      lhsExprs.push_back(getAffineDimExpr(nBatch, ctx));
      lhsExprs.push_back(k);
    }
    if (rhsVec) {
      rhsExprs = {k};
    } else {
      rhsExprs = batchExprs(rt, rt.getRank() - 2);
      rhsExprs.push_back(k);
      rhsExprs.push_back(getAffineDimExpr(rank - 1, ctx));
    }
    SmallVector<Value> sizes = dynamicMatmulSizes(rewriter, loc, op);
    Value acc = linalg::FillOp::create(
                    rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                    emptyTensor(rewriter, loc, resultType, sizes))
                    .getResult(0);
    SmallVector<AffineExpr> outExprs;
    for (int64_t i = 0; i < rank; ++i)
      outExprs.push_back(getAffineDimExpr(i, ctx));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, resultType, ValueRange{op.getLhs(), op.getRhs()}, acc,
        ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, lhsExprs, ctx),
                            AffineMap::get(rank + 1, 0, rhsExprs, ctx),
                            AffineMap::get(rank + 1, 0, outExprs, ctx)},
        iterators, multiplyAdd);
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }

  /// Sizes of the result's dynamic dims, read from the operand that has them.
  static SmallVector<Value> dynamicMatmulSizes(OpBuilder &b, Location loc,
                                               MatMulOp op) {
    auto lt = op.getLhs().getType(), rt = op.getRhs().getType();
    auto resultType = op.getType();
    int64_t rank = resultType.getRank();
    bool lhsVec = lt.getRank() == 1, rhsVec = rt.getRank() == 1;
    int64_t nBatch = rank - (lhsVec ? 0 : 1) - (rhsVec ? 0 : 1);
    SmallVector<Value> sizes;
    for (int64_t i = 0; i < rank; ++i) {
      if (!ShapedType::isDynamic(resultType.getDimSize(i)))
        continue;
      if (i >= nBatch) {
        bool isM = !lhsVec && i == nBatch;
        sizes.push_back(isM ? Value(tensor::DimOp::create(b, loc, op.getLhs(),
                                                          lt.getRank() - 2))
                            : Value(tensor::DimOp::create(b, loc, op.getRhs(),
                                                          rt.getRank() - 1)));
        continue;
      }
      // A batch dim: from whichever operand has it and not as 1.
      Value size;
      for (auto [v, t] : {std::pair<Value, RankedTensorType>{op.getLhs(), lt},
                          {op.getRhs(), rt}}) {
        int64_t ob = t.getRank() - 2, j = i - (nBatch - ob);
        if (t.getRank() >= 3 && j >= 0 && t.getDimSize(j) != 1) {
          size = tensor::DimOp::create(b, loc, v, j);
          break;
        }
      }
      sizes.push_back(size ? size
                           : Value(arith::ConstantIndexOp::create(b, loc, 1)));
    }
    return sizes;
  }
};

struct GemmLowering : public OpRewritePattern<GemmOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GemmOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto resultType = op.getType();
    Type et = resultType.getElementType();
    AffineExpr m = getAffineDimExpr(0, ctx), n = getAffineDimExpr(1, ctx),
               k = getAffineDimExpr(2, ctx);
    AffineMap aMap = AffineMap::get(3, 0,
                                    op.getTransA() ? ArrayRef<AffineExpr>{k, m}
                                                   : ArrayRef<AffineExpr>{m, k},
                                    ctx);
    AffineMap bMap = AffineMap::get(3, 0,
                                    op.getTransB() ? ArrayRef<AffineExpr>{n, k}
                                                   : ArrayRef<AffineExpr>{k, n},
                                    ctx);
    SmallVector<Value> sizes;
    if (resultType.isDynamicDim(0))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getA(),
                                            op.getTransA() ? 1 : 0));
    if (resultType.isDynamicDim(1))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getB(),
                                            op.getTransB() ? 0 : 1));
    Value acc = linalg::FillOp::create(
                    rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                    emptyTensor(rewriter, loc, resultType, sizes))
                    .getResult(0);
    SmallVector<utils::IteratorType> iterators = {
        utils::IteratorType::parallel, utils::IteratorType::parallel,
        utils::IteratorType::reduction};
    bool isFloat = isa<FloatType>(et);
    Value product =
        linalg::GenericOp::create(
            rewriter, loc, resultType, ValueRange{op.getA(), op.getB()}, acc,
            ArrayRef<AffineMap>{aMap, bMap, AffineMap::get(3, 0, {m, n}, ctx)},
            iterators, multiplyAdd)
            .getResult(0);
    double alpha = op.getAlpha().convertToDouble();
    double beta = op.getBeta().convertToDouble();
    Value c = op.getC();
    if (alpha == 1.0 && (!c || beta == 0.0)) {
      rewriter.replaceOp(op, product);
      return success();
    }
    // Epilogue: alpha * product + beta * C, C broadcast to the result.
    SmallVector<Value> ins = {product};
    SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(2, ctx)};
    if (c && beta != 0.0) {
      ins.push_back(c);
      maps.push_back(
          broadcastMap(ctx, cast<RankedTensorType>(c.getType()), resultType));
    }
    maps.push_back(AffineMap::getMultiDimIdentityMap(2, ctx));
    Value init = emptyLike(rewriter, loc, resultType, product);
    auto epilogue = linalg::GenericOp::create(
        rewriter, loc, resultType, ins, init, maps,
        SmallVector<utils::IteratorType>(2, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          auto mul = [&](Value x, double s) -> Value {
            if (s == 1.0)
              return x;
            Value sc = scalarConstant(b, l, et, s);
            return isFloat ? Value(arith::MulFOp::create(b, l, x, sc))
                           : Value(arith::MulIOp::create(b, l, x, sc));
          };
          Value r = mul(args[0], alpha);
          if (ins.size() == 2) {
            Value cb = mul(args[1], beta);
            r = isFloat ? Value(arith::AddFOp::create(b, l, r, cb))
                        : Value(arith::AddIOp::create(b, l, r, cb));
          }
          linalg::YieldOp::create(b, l, r);
        });
    rewriter.replaceOp(op, epilogue.getResults());
    return success();
  }
};

} // namespace

void dlc::populateMatMulToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulLowering, GemmLowering>(patterns.getContext());
}
