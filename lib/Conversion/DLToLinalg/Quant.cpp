//===- Quant.cpp - integer contractions and requantize to linalg ----------===//
//
// matmul_integer and conv_integer subtract their zero points while widening
// the 8-bit operands to i32 (one elementwise generic each) and become the i32
// dl.matmul / dl.conv, whose lowerings accumulate exactly in i32. requantize
// is one elementwise generic: bias add in i32, f32 multiply by the scale,
// round half to even, zero point, saturation (and the fused clamp).
//
// A matmul_integer by a constant 2-D rhs instead packs the rhs at compile
// time for VNNI's u8 x s8 dot products (see packedMatMul), which
// dl-int8-gemm-to-vnni runs with vpdpbusd on targets that have it.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

constexpr llvm::StringLiteral kPackedGemmAttr = "dl.packed_u8s8_gemm";

bool isSingle(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return t.hasStaticShape() && t.getNumElements() == 1;
}

/// The map reading a parameter that is one value (index 0 on each of its
/// dims) or 1-D along dim `axis` of a `rank`-D iteration.
AffineMap paramMap(MLIRContext *ctx, Value param, int64_t rank,
                   std::optional<int64_t> axis) {
  auto t = cast<RankedTensorType>(param.getType());
  SmallVector<AffineExpr> exprs;
  if (isSingle(param) || !axis)
    exprs.assign(t.getRank(), getAffineConstantExpr(0, ctx));
  else
    exprs.push_back(getAffineDimExpr(*axis, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value extend(OpBuilder &b, Location loc, Value v, Type to, bool isUnsigned) {
  if (isUnsigned)
    return arith::ExtUIOp::create(b, loc, to, v);
  return arith::ExtSIOp::create(b, loc, to, v);
}

/// i32 ext(x) - ext(zp), zp one value or 1-D along dim `zpDim` of x.
Value shifted(OpBuilder &b, Location loc, Value x, Value zp, int64_t zpDim,
              bool isUnsigned) {
  MLIRContext *ctx = b.getContext();
  auto xt = cast<RankedTensorType>(x.getType());
  int64_t rank = xt.getRank();
  Type i32 = b.getI32Type();
  auto type = RankedTensorType::get(xt.getShape(), i32);
  Value init = emptyTensor(b, loc, type, dynamicSizes(b, loc, x));
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{x, zp}, init,
             ArrayRef<AffineMap>{id, paramMap(ctx, zp, rank, zpDim), id},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &b, Location l, ValueRange args) {
               Value v = arith::SubIOp::create(
                   b, l, extend(b, l, args[0], i32, isUnsigned),
                   extend(b, l, args[1], i32, isUnsigned));
               linalg::YieldOp::create(b, l, v);
             })
      .getResult(0);
}

/// a * b + acc of u8 a and s8 b in i32: the packed GEMM's body.
void u8s8MultiplyAdd(OpBuilder &b, Location l, ValueRange args) {
  Type i32 = b.getI32Type();
  Value a = arith::ExtUIOp::create(b, l, i32, args[0]);
  Value w = arith::ExtSIOp::create(b, l, i32, args[1]);
  Value sum =
      arith::AddIOp::create(b, l, args[2], arith::MulIOp::create(b, l, a, w));
  linalg::YieldOp::create(b, l, sum);
}

/// matmul_integer by a constant rhs [K, N] with a constant zero point and
/// lhs with one zero point: the rhs minus its zero point (if that fits s8)
/// packed as [N/16][K/4][16][4] s8, zero-padded to Kp = 4 * ceil(K / 4) and
/// 16 * ceil(N / 16) columns, with its column sums. lhs becomes u8 (int8
/// values + 128) [M, Kp]; then
///   out[m, n] = sum_k lhs_u8[m, k] * packed(k, n) - zp_u8 * colsum[n]
/// where the sum is the generic marked dl.packed_u8s8_gemm that
/// dl-int8-gemm-to-vnni runs on vpdpbusd. Failure: not this case.
FailureOr<Value> packedMatMul(PatternRewriter &rewriter, MatMulIntegerOp op) {
  auto lt = op.getLhs().getType(), rt = op.getRhs().getType();
  if (rt.getRank() != 2 || !rt.hasStaticShape() || lt.getRank() < 2 ||
      !isSingle(op.getLhsZeroPoint()))
    return failure();
  // Leading lhs dims collapse into M: at most the first may be dynamic.
  for (int64_t d = 1; d < lt.getRank(); ++d)
    if (lt.isDynamicDim(d))
      return failure();
  DenseElementsAttr w, wz;
  if (!matchPattern(op.getRhs(), m_Constant(&w)) ||
      !matchPattern(op.getRhsZeroPoint(), m_Constant(&wz)))
    return failure();
  int64_t K = rt.getDimSize(0), N = rt.getDimSize(1);
  int64_t KB = (K + 3) / 4, NB = (N + 15) / 16, Kp = 4 * KB;
  bool wu = op.getRhsUnsigned();
  auto read = [&](const APInt &v) {
    return wu ? int64_t(v.getZExtValue()) : v.getSExtValue();
  };
  SmallVector<int64_t> zw;
  for (const APInt &v : wz.getValues<APInt>())
    zw.push_back(read(v));
  SmallVector<int64_t> values;
  values.reserve(K * N);
  for (const APInt &v : w.getValues<APInt>())
    values.push_back(read(v));
  SmallVector<int8_t> packed(NB * KB * 64, 0);
  SmallVector<int32_t> colsum(NB * 16, 0);
  for (int64_t k = 0; k < K; ++k)
    for (int64_t n = 0; n < N; ++n) {
      int64_t v = values[k * N + n] - zw[zw.size() == 1 ? 0 : n];
      if (v < -128 || v > 127)
        return failure(); // the shifted weight needs more than s8
      packed[((n / 16 * KB + k / 4) * 16 + n % 16) * 4 + k % 4] = int8_t(v);
      colsum[n] += int32_t(v);
    }
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  Type i8 = rewriter.getI8Type(), i32 = rewriter.getI32Type();
  auto packedType = RankedTensorType::get({NB, KB, 16, 4}, i8);
  auto colsumType = RankedTensorType::get({NB, 16}, i32);
  Value packedW = arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(packedType, ArrayRef(packed)));
  Value sums = arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(colsumType, ArrayRef(colsum)));

  // lhs as u8 [M, Kp].
  Value a = op.getLhs();
  bool au = op.getLhsUnsigned();
  if (!au) {
    Value init = emptyTensor(rewriter, loc, lt, dynamicSizes(rewriter, loc, a));
    AffineMap id = AffineMap::getMultiDimIdentityMap(lt.getRank(), ctx);
    a = linalg::GenericOp::create(
            rewriter, loc, lt, ValueRange{a}, init, ArrayRef<AffineMap>{id, id},
            SmallVector<utils::IteratorType>(lt.getRank(),
                                             utils::IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange args) {
              Value v = arith::XOrIOp::create(b, l, args[0],
                                              scalarConstant(b, l, i8, -128));
              linalg::YieldOp::create(b, l, v);
            })
            .getResult(0);
  }
  if (lt.getRank() > 2) {
    ReassociationIndices rows;
    for (int64_t d = 0; d < lt.getRank() - 1; ++d)
      rows.push_back(d);
    a = tensor::CollapseShapeOp::create(
        rewriter, loc, a,
        SmallVector<ReassociationIndices>{rows, {lt.getRank() - 1}});
  }
  if (Kp != K)
    a = padTensor(rewriter, loc, a, {0, 0}, {0, Kp - K},
                  scalarConstant(rewriter, loc, i8, 0));
  Value mSize = dimValue(rewriter, loc, a, 0);
  auto at = cast<RankedTensorType>(a.getType());
  SmallVector<Value> dyn;
  if (at.isDynamicDim(0))
    dyn.push_back(mSize);

  // The dot products: iterate (m, nb, ni, kb, ki).
  auto outType = RankedTensorType::get({at.getDimSize(0), NB, 16}, i32);
  Value acc = linalg::FillOp::create(rewriter, loc,
                                     scalarConstant(rewriter, loc, i32, 0),
                                     emptyTensor(rewriter, loc, outType, dyn))
                  .getResult(0);
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  auto dot = linalg::GenericOp::create(
      rewriter, loc, outType, ValueRange{a, packedW}, acc,
      ArrayRef<AffineMap>{AffineMap::get(5, 0, {d(0), d(3) * 4 + d(4)}, ctx),
                          AffineMap::get(5, 0, {d(1), d(3), d(2), d(4)}, ctx),
                          AffineMap::get(5, 0, {d(0), d(1), d(2)}, ctx)},
      {utils::IteratorType::parallel, utils::IteratorType::parallel,
       utils::IteratorType::parallel, utils::IteratorType::reduction,
       utils::IteratorType::reduction},
      u8s8MultiplyAdd);
  dot->setAttr(kPackedGemmAttr, rewriter.getUnitAttr());

  // - zp_u8 * colsum[n].
  Value zp = op.getLhsZeroPoint();
  auto zt = cast<RankedTensorType>(zp.getType());
  SmallVector<AffineExpr> zExprs(zt.getRank(), getAffineConstantExpr(0, ctx));
  AffineMap id3 = AffineMap::getMultiDimIdentityMap(3, ctx);
  Value corrected =
      linalg::GenericOp::create(
          rewriter, loc, outType, ValueRange{dot.getResult(0), sums, zp},
          emptyTensor(rewriter, loc, outType, dyn),
          ArrayRef<AffineMap>{id3, AffineMap::get(3, 0, {d(1), d(2)}, ctx),
                              AffineMap::get(3, 0, zExprs, ctx), id3},
          SmallVector<utils::IteratorType>(3, utils::IteratorType::parallel),
          [&](OpBuilder &b, Location l, ValueRange args) {
            Value z = extend(b, l, args[2], i32, au);
            if (!au)
              z = arith::AddIOp::create(b, l, z,
                                        scalarConstant(b, l, i32, 128));
            Value v = arith::SubIOp::create(
                b, l, args[0], arith::MulIOp::create(b, l, z, args[1]));
            linalg::YieldOp::create(b, l, v);
          })
          .getResult(0);
  Value out = tensor::CollapseShapeOp::create(
      rewriter, loc, corrected, SmallVector<ReassociationIndices>{{0}, {1, 2}});
  if (NB * 16 != N) {
    SmallVector<OpFoldResult> offsets = {rewriter.getIndexAttr(0),
                                         rewriter.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {getAsOpFoldResult(mSize),
                                       rewriter.getIndexAttr(N)};
    SmallVector<OpFoldResult> strides = {rewriter.getIndexAttr(1),
                                         rewriter.getIndexAttr(1)};
    out = tensor::ExtractSliceOp::create(rewriter, loc, out, offsets, sizes,
                                         strides);
  }
  if (lt.getRank() > 2) {
    ReassociationIndices rows;
    for (int64_t d = 0; d < lt.getRank() - 1; ++d)
      rows.push_back(d);
    out = tensor::ExpandShapeOp::create(
        rewriter, loc, op.getType(), out,
        SmallVector<ReassociationIndices>{rows, {lt.getRank() - 1}});
  }
  return out;
}

struct MatMulIntegerLowering : public OpRewritePattern<MatMulIntegerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MatMulIntegerOp op,
                                PatternRewriter &rewriter) const override {
    auto packed = packedMatMul(rewriter, op);
    if (succeeded(packed)) {
      Value v = *packed;
      if (v.getType() != op.getType())
        v = tensor::CastOp::create(rewriter, op.getLoc(), op.getType(), v);
      rewriter.replaceOp(op, v);
      return success();
    }
    Location loc = op.getLoc();
    int64_t lr = op.getLhs().getType().getRank(),
            rr = op.getRhs().getType().getRank();
    // lhs's zero points run along its rows, rhs's along its columns.
    Value lhs = shifted(rewriter, loc, op.getLhs(), op.getLhsZeroPoint(),
                        std::max<int64_t>(lr - 2, 0), op.getLhsUnsigned());
    Value rhs = shifted(rewriter, loc, op.getRhs(), op.getRhsZeroPoint(),
                        rr - 1, op.getRhsUnsigned());
    rewriter.replaceOpWithNewOp<MatMulOp>(op, op.getType(), lhs, rhs);
    return success();
  }
};

/// An ungrouped conv_integer with a constant weight, one input zero point
/// and static dims after the batch, as a GEMM on the packed int8 path: the
/// input padded with its zero point (which then adds nothing), im2col rows
/// [N * O, C * K] (one per output pixel), times the weight as [C * K, M]
/// through dl.matmul_integer (which packs it for VNNI), and the [N, O..., M]
/// result transposed to [N, M, O...]. Failure: not this case.
FailureOr<Value> im2colConv(PatternRewriter &rewriter, ConvIntegerOp op) {
  auto it = op.getInput().getType(), wt = op.getWeight().getType();
  auto rt = op.getType();
  int64_t spatial = it.getRank() - 2;
  if (op.getGroups() != 1 || !wt.hasStaticShape() || spatial < 1 ||
      !isSingle(op.getInputZeroPoint()))
    return failure();
  for (int64_t d = 1; d < it.getRank(); ++d)
    if (it.isDynamicDim(d) || rt.isDynamicDim(d))
      return failure();
  DenseElementsAttr w;
  if (!matchPattern(op.getWeight(), m_Constant(&w)) ||
      !matchPattern(op.getWeightZeroPoint(), m_Constant()))
    return failure();
  Location loc = op.getLoc();
  auto window = readWindowAttrs(loc, op.getStrides(), op.getPads(),
                                op.getDilations(), spatial);
  if (failed(window))
    return failure();
  MLIRContext *ctx = op.getContext();
  Type i8 = rewriter.getI8Type();
  // Padded with the zero point.
  Value zpTensor = op.getInputZeroPoint();
  auto zt = cast<RankedTensorType>(zpTensor.getType());
  SmallVector<Value> zeros(zt.getRank(),
                           arith::ConstantIndexOp::create(rewriter, loc, 0));
  Value zp = tensor::ExtractOp::create(rewriter, loc, zpTensor, zeros);
  SmallVector<int64_t> low(2, 0), high(2, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(window->pads[i]);
    high.push_back(window->pads[i + spatial]);
  }
  Value padded = padTensor(rewriter, loc, op.getInput(), low, high, zp);
  // cols[n, o..., c, k...] = x[n, c, o * stride + k * dilation].
  ArrayRef<int64_t> out = rt.getShape().drop_front(2);
  ArrayRef<int64_t> kernel = wt.getShape().drop_front(2);
  SmallVector<int64_t> shape = {it.getDimSize(0)};
  shape.append(out.begin(), out.end());
  shape.push_back(it.getDimSize(1));
  shape.append(kernel.begin(), kernel.end());
  int64_t nDims = shape.size();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs = {d(0), d(1 + spatial)};
  for (int64_t i = 0; i < spatial; ++i)
    inExprs.push_back(d(1 + i) * window->strides[i] +
                      d(2 + spatial + i) * window->dilations[i]);
  Value cols = gatherCopy(rewriter, loc, padded, shape, inExprs);
  ReassociationIndices rows, columns;
  for (int64_t i = 0; i <= spatial; ++i)
    rows.push_back(i);
  for (int64_t i = spatial + 1; i < nDims; ++i)
    columns.push_back(i);
  cols = tensor::CollapseShapeOp::create(
      rewriter, loc, cols, SmallVector<ReassociationIndices>{rows, columns});
  // The weight [M, C * K] as [C * K, M].
  int64_t M = wt.getDimSize(0), CK = wt.getNumElements() / M;
  SmallVector<APInt> values(w.getValues<APInt>()), transposedW(values.size());
  for (int64_t m = 0; m < M; ++m)
    for (int64_t j = 0; j < CK; ++j)
      transposedW[j * M + m] = values[m * CK + j];
  auto wType = RankedTensorType::get({CK, M}, i8);
  Value w2 = arith::ConstantOp::create(
      rewriter, loc, DenseElementsAttr::get(wType, transposedW));
  Value acc = MatMulIntegerOp::create(
      rewriter, loc, cols, w2, op.getInputZeroPoint(), op.getWeightZeroPoint(),
      op.getInputUnsigned(), op.getWeightUnsigned());
  // [N * O, M] -> [N, O..., M] -> [N, M, O...].
  SmallVector<int64_t> nhwc = {rt.getDimSize(0)};
  nhwc.append(out.begin(), out.end());
  nhwc.push_back(M);
  Type i32 = rewriter.getI32Type();
  Value expanded = tensor::ExpandShapeOp::create(
      rewriter, loc, RankedTensorType::get(nhwc, i32), acc,
      SmallVector<ReassociationIndices>{rows, {spatial + 1}});
  SmallVector<int64_t> perm = {0, spatial + 1};
  for (int64_t i = 1; i <= spatial; ++i)
    perm.push_back(i);
  SmallVector<Value> resultBatch;
  if (rt.isDynamicDim(0))
    resultBatch.push_back(tensor::DimOp::create(rewriter, loc, expanded, 0));
  Value result = emptyTensor(rewriter, loc, rt, resultBatch);
  return linalg::TransposeOp::create(rewriter, loc, expanded, result, perm)
      ->getResult(0);
}

struct ConvIntegerLowering : public OpRewritePattern<ConvIntegerOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvIntegerOp op,
                                PatternRewriter &rewriter) const override {
    if (auto packed = im2colConv(rewriter, op); succeeded(packed)) {
      rewriter.replaceOp(op, *packed);
      return success();
    }
    Location loc = op.getLoc();
    // Padding the shifted input with 0 pads the input with its zero point.
    Value x = shifted(rewriter, loc, op.getInput(), op.getInputZeroPoint(), 1,
                      op.getInputUnsigned());
    Value w = shifted(rewriter, loc, op.getWeight(), op.getWeightZeroPoint(), 0,
                      op.getWeightUnsigned());
    rewriter.replaceOpWithNewOp<ConvOp>(
        op, op.getType(), x, w, Value(), op.getStridesAttr(), op.getPadsAttr(),
        op.getDilationsAttr(), op.getGroupsAttr());
    return success();
  }
};

struct RequantizeLowering : public OpRewritePattern<RequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RequantizeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto type = op.getType();
    int64_t rank = type.getRank();
    std::optional<int64_t> axis;
    if (op.getAxis())
      axis = *op.getAxis();
    bool isUnsigned = op.getIsUnsigned();
    int64_t lo = isUnsigned ? 0 : -128, hi = isUnsigned ? 255 : 127;
    if (op.getClampMin())
      lo = std::max<int64_t>(lo, int64_t(*op.getClampMin()));
    if (op.getClampMax())
      hi = std::min<int64_t>(hi, int64_t(*op.getClampMax()));
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    SmallVector<Value> inputs = {op.getInput()};
    SmallVector<AffineMap> maps = {id};
    Value bias = op.getBias();
    for (Value p : {bias, Value(op.getScale()), Value(op.getZeroPoint())}) {
      if (!p)
        continue;
      inputs.push_back(p);
      maps.push_back(paramMap(ctx, p, rank, axis));
    }
    maps.push_back(id);
    Value init = emptyTensor(rewriter, loc, type,
                             dynamicSizes(rewriter, loc, op.getInput()));
    Type f32 = rewriter.getF32Type(), i8 = rewriter.getI8Type();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, type, inputs, init, maps,
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange args) {
          unsigned i = 0;
          Value acc = args[i++];
          if (bias)
            acc = arith::AddIOp::create(b, l, acc, args[i++]);
          Value scale = args[i++], zp = args[i++];
          Value v = arith::SIToFPOp::create(b, l, f32, acc);
          v = math::RoundEvenOp::create(b, l,
                                        arith::MulFOp::create(b, l, v, scale));
          Value z = isUnsigned ? Value(arith::UIToFPOp::create(b, l, f32, zp))
                               : Value(arith::SIToFPOp::create(b, l, f32, zp));
          v = arith::AddFOp::create(b, l, v, z);
          v = arith::MaximumFOp::create(b, l, v,
                                        scalarConstant(b, l, f32, double(lo)));
          v = arith::MinimumFOp::create(b, l, v,
                                        scalarConstant(b, l, f32, double(hi)));
          v = isUnsigned ? Value(arith::FPToUIOp::create(b, l, i8, v))
                         : Value(arith::FPToSIOp::create(b, l, i8, v));
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

} // namespace

void dlc::populateQuantToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<MatMulIntegerLowering, ConvIntegerLowering, RequantizeLowering>(
      patterns.getContext());
}
