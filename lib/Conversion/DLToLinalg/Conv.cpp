//===- Conv.cpp - conv to linalg ------------------------------------------===//
//
// One linalg.generic covers 1-D to 3-D, strides, dilations and groups:
// iterate (n, m, out..., c, k...) with c and k reducing; the input is padded
// once with tensor.pad. conv_weight_grad (the weight gradient) is the same
// generic with the weight as its output.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace dlc {

Value padTensor(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, Value padValue) {
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return input;
  SmallVector<OpFoldResult> lo, hi;
  for (int64_t p : low)
    lo.push_back(b.getIndexAttr(p));
  for (int64_t p : high)
    hi.push_back(b.getIndexAttr(p));
  return tensor::PadOp::create(b, loc, Type(), input, lo, hi, padValue);
}

Value gatherCopy(OpBuilder &b, Location loc, Value source,
                 ArrayRef<int64_t> shape, ArrayRef<AffineExpr> sourceExprs) {
  MLIRContext *ctx = b.getContext();
  int64_t nDims = shape.size();
  Type et = cast<RankedTensorType>(source.getType()).getElementType();
  SmallVector<Value> sizes;
  if (ShapedType::isDynamic(shape[0]))
    sizes.push_back(tensor::DimOp::create(b, loc, source, 0));
  Value init = tensor::EmptyOp::create(b, loc, shape, et, sizes);
  return linalg::GenericOp::create(
             b, loc, init.getType(), ValueRange{source}, init,
             ArrayRef<AffineMap>{AffineMap::get(nDims, 0, sourceExprs, ctx),
                                 AffineMap::getMultiDimIdentityMap(nDims, ctx)},
             SmallVector<utils::IteratorType>(nDims,
                                              utils::IteratorType::parallel),
             [](OpBuilder &b, Location l, ValueRange args) {
               linalg::YieldOp::create(b, l, args[0]);
             })
      .getResult(0);
}

} // namespace dlc

namespace {

/// `x` [N, C, D...] with the window's zero padding on its spatial dims.
Value padWindow(OpBuilder &b, Location loc, Value x, const WindowAttrs &w) {
  int64_t spatial = w.strides.size();
  SmallVector<int64_t> low(2, 0), high(2, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    low.push_back(w.pads[i]);
    high.push_back(w.pads[i + spatial]);
  }
  Type et = cast<RankedTensorType>(x.getType()).getElementType();
  return padTensor(b, loc, x, low, high, scalarConstant(b, loc, et, 0));
}

/// The im2col matrix of a padded input x [N, C, P...] for a window with
/// output sizes `out`: [N, C * prod(kernel), prod(out)], holding
/// x[n, c, o * stride + k * dilation] at (n, (c, k...), (o...)). One
/// all-parallel copy writing contiguous output rows; a 1x1 window with unit
/// strides needs none (the input itself, reshaped).
Value im2col(OpBuilder &b, Location loc, Value padded, ArrayRef<int64_t> out,
             ArrayRef<int64_t> kernel, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> dilations) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(padded.getType());
  int64_t spatial = out.size();
  ReassociationIndices rows, columns;
  bool pointwise = llvm::all_of(kernel, [](int64_t k) { return k == 1; }) &&
                   llvm::all_of(strides, [](int64_t s) { return s == 1; }) &&
                   inType.getShape().drop_front(2) == out;
  if (pointwise) {
    for (int64_t i = 2; i < 2 + spatial; ++i)
      columns.push_back(i);
    return tensor::CollapseShapeOp::create(
        b, loc, padded, SmallVector<ReassociationIndices>{{0}, {1}, columns});
  }
  // Dims of the copy: n, c, k..., o...
  SmallVector<int64_t> shape = {inType.getDimSize(0), inType.getDimSize(1)};
  shape.append(kernel.begin(), kernel.end());
  shape.append(out.begin(), out.end());
  int64_t nDims = shape.size();
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  SmallVector<AffineExpr> inExprs = {d(0), d(1)};
  for (int64_t i = 0; i < spatial; ++i)
    inExprs.push_back(d(2 + spatial + i) * strides[i] +
                      d(2 + i) * dilations[i]);
  Value cols = gatherCopy(b, loc, padded, shape, inExprs);
  for (int64_t i = 1; i < 2 + spatial; ++i)
    rows.push_back(i);
  for (int64_t i = 2 + spatial; i < nDims; ++i)
    columns.push_back(i);
  return tensor::CollapseShapeOp::create(
      b, loc, cols, SmallVector<ReassociationIndices>{{0}, rows, columns});
}

/// out[n, m, o] = sum_j w[m, j] * cols[n, j, o], zero-filled: each sample
/// one [M, CK] x [CK, O] product whose result is already channel-major.
/// `init` is the tensor to write (a fresh one if null), zero-filled first
/// unless `zeroFill` is false (it is zero already).
Value convContraction(OpBuilder &b, Location loc, Value w, Value cols,
                      Value init = {}, bool zeroFill = true) {
  MLIRContext *ctx = b.getContext();
  auto wt = cast<RankedTensorType>(w.getType());
  auto ct = cast<RankedTensorType>(cols.getType());
  Type et = wt.getElementType();
  auto type = RankedTensorType::get(
      {ct.getDimSize(0), wt.getDimSize(0), ct.getDimSize(2)}, et);
  SmallVector<Value> sizes;
  if (type.isDynamicDim(0))
    sizes.push_back(tensor::DimOp::create(b, loc, cols, 0));
  if (!init)
    init = emptyTensor(b, loc, type, sizes);
  Value acc =
      zeroFill
          ? linalg::FillOp::create(b, loc, scalarConstant(b, loc, et, 0), init)
                .getResult(0)
          : init;
  auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
  // Iteration dims: n, m, o, j.
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{w, cols}, acc,
             ArrayRef<AffineMap>{AffineMap::get(4, 0, {d(1), d(3)}, ctx),
                                 AffineMap::get(4, 0, {d(0), d(3), d(2)}, ctx),
                                 AffineMap::get(4, 0, {d(0), d(1), d(2)}, ctx)},
             {utils::IteratorType::parallel, utils::IteratorType::parallel,
              utils::IteratorType::parallel, utils::IteratorType::reduction},
             multiplyAdd)
      .getResult(0);
}

/// The output rows per chunk of an ungrouped conv's im2col matrix: the
/// largest divisor of the first output dim (`rows`) whose chunk holds at
/// most `budget` bytes, but never fewer than kMinChunkColumns columns (a
/// narrower GEMM wastes its register tile), so the smallest divisor with
/// that many when none fits. All rows (one piece) when the whole matrix
/// fits or `budget` is 0.
constexpr int64_t kMinChunkColumns = 256;

int64_t im2colChunkRows(int64_t budget, int64_t rowBytes, int64_t rows,
                        int64_t rowColumns) {
  if (budget <= 0 || rowBytes * rows <= budget)
    return rows;
  int64_t fits = 0, wide = rows;
  for (int64_t r = rows; r >= 1; --r) {
    if (rows % r != 0)
      continue;
    if (!fits && r * rowBytes <= budget)
      fits = r;
    if (r * rowColumns >= kMinChunkColumns)
      wide = r;
  }
  return fits && fits * rowColumns >= kMinChunkColumns ? fits : wide;
}

/// conv as im2col + contraction in chunks of `rows` output rows: the loop
/// carries the [N, M, O] result; each step copies the input rows the chunk
/// reads into a [N, CK, rows * rest] matrix (a tile that stays in cache)
/// and writes its columns of the result in place.
Value chunkedConv(OpBuilder &b, Location loc, Value padded, Value w2,
                  RankedTensorType prodType, ArrayRef<int64_t> out,
                  ArrayRef<int64_t> kernel, const WindowAttrs &w,
                  int64_t rows) {
  auto inType = cast<RankedTensorType>(padded.getType());
  int64_t rest = 1;
  for (int64_t d : out.drop_front())
    rest *= d;
  int64_t inRows =
      (rows - 1) * w.strides[0] + (kernel[0] - 1) * w.dilations[0] + 1;
  SmallVector<Value> sizes;
  if (prodType.isDynamicDim(0))
    sizes.push_back(tensor::DimOp::create(b, loc, padded, 0));
  // Zero-filled once: each step's contraction accumulates into its slice
  // (a fill of the slice would be canonicalized into a fresh tensor, and
  // the slice then copied back instead of written in place).
  Type et = prodType.getElementType();
  Value init = linalg::FillOp::create(b, loc, scalarConstant(b, loc, et, 0),
                                      emptyTensor(b, loc, prodType, sizes))
                   .getResult(0);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  Value count = arith::ConstantIndexOp::create(b, loc, out[0] / rows);
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  auto loop = scf::ForOp::create(
      b, loc, zero, count, one, ValueRange{init},
      [&](OpBuilder &b, Location loc, Value i, ValueRange iterArgs) {
        auto mul = [&](Value v, int64_t c) -> Value {
          return arith::MulIOp::create(
              b, loc, v, arith::ConstantIndexOp::create(b, loc, c));
        };
        OpFoldResult n =
            prodType.isDynamicDim(0)
                ? OpFoldResult(sizes[0])
                : OpFoldResult(b.getIndexAttr(prodType.getDimSize(0)));
        // The input rows [i * rows * stride, + inRows) of every channel.
        SmallVector<OpFoldResult> offsets(inType.getRank(), b.getIndexAttr(0));
        offsets[2] = mul(i, rows * w.strides[0]);
        SmallVector<OpFoldResult> extent = {
            n, b.getIndexAttr(inType.getDimSize(1)), b.getIndexAttr(inRows)};
        for (int64_t d = 3; d < inType.getRank(); ++d)
          extent.push_back(b.getIndexAttr(inType.getDimSize(d)));
        SmallVector<OpFoldResult> unit(inType.getRank(), b.getIndexAttr(1));
        Value x = tensor::ExtractSliceOp::create(b, loc, padded, offsets,
                                                 extent, unit);
        SmallVector<int64_t> chunkOut(out);
        chunkOut[0] = rows;
        Value cols =
            im2col(b, loc, x, chunkOut, kernel, w.strides, w.dilations);
        // Its columns [i * rows * rest, + rows * rest) of the result.
        SmallVector<OpFoldResult> outOffsets = {
            b.getIndexAttr(0), b.getIndexAttr(0), mul(i, rows * rest)};
        SmallVector<OpFoldResult> outSizes = {
            n, b.getIndexAttr(prodType.getDimSize(1)),
            b.getIndexAttr(rows * rest)};
        SmallVector<OpFoldResult> outUnit(3, b.getIndexAttr(1));
        Value slice = tensor::ExtractSliceOp::create(
            b, loc, iterArgs[0], outOffsets, outSizes, outUnit);
        Value prod = convContraction(b, loc, w2, cols, slice,
                                     /*zeroFill=*/false);
        Value next = tensor::InsertSliceOp::create(
            b, loc, prod, iterArgs[0], outOffsets, outSizes, outUnit);
        scf::YieldOp::create(b, loc, next);
      });
  return loop.getResult(0);
}

struct ConvLowering : public OpRewritePattern<ConvOp> {
  ConvLowering(MLIRContext *ctx, int64_t im2colBytes, bool directConvs)
      : OpRewritePattern(ctx), im2colBytes(im2colBytes),
        directConvs(directConvs) {}
  int64_t im2colBytes;
  bool directConvs;
  LogicalResult matchAndRewrite(ConvOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inType = op.getInput().getType();
    auto wType = op.getWeight().getType();
    auto resultType = op.getType();
    Type et = resultType.getElementType();
    int64_t spatial = inType.getRank() - 2;
    int64_t groups = op.getGroups();
    int64_t m = wType.getDimSize(0), cg = wType.getDimSize(1);
    if (groups > 1 && (ShapedType::isDynamic(m) || ShapedType::isDynamic(cg)))
      return rewriter.notifyMatchFailure(op,
                                         "grouped conv needs static channels");
    auto w = readWindowAttrs(loc, op.getStrides(), op.getPads(),
                             op.getDilations(), spatial);
    if (failed(w))
      return failure();
    Value input = padWindow(rewriter, loc, op.getInput(), *w);

    // With direct-convs, an ungrouped f32 2-D conv with a window stays
    // one direct conv (below) for the runtime's implicit GEMM
    // (dl-convs-to-microkernels); a pointwise one is a plain contraction
    // either way.
    bool staticSpatial =
        wType.hasStaticShape() &&
        llvm::all_of(resultType.getShape().drop_front(2),
                     [](int64_t d) { return !ShapedType::isDynamic(d); }) &&
        llvm::all_of(inType.getShape().drop_front(1),
                     [](int64_t d) { return !ShapedType::isDynamic(d); });
    bool windowed = llvm::any_of(wType.getShape().drop_front(2),
                                 [](int64_t d) { return d != 1; }) ||
                    llvm::any_of(w->strides, [](int64_t s) { return s != 1; });
    bool direct = directConvs && groups == 1 && spatial == 2 && et.isF32() &&
                  staticSpatial && windowed;
    // Ungrouped convs are im2col + one contraction per sample:
    // [M, C*K] x [C*K, O] -> [N, M, O], already in NCHW order.
    if (!direct && groups == 1 && wType.hasStaticShape() &&
        llvm::all_of(resultType.getShape().drop_front(2),
                     [](int64_t d) { return !ShapedType::isDynamic(d); })) {
      ArrayRef<int64_t> out = resultType.getShape().drop_front(2);
      ArrayRef<int64_t> kernel = wType.getShape().drop_front(2);
      ReassociationIndices all;
      for (int64_t i = 1; i < wType.getRank(); ++i)
        all.push_back(i);
      auto collapseWeight = [&]() -> Value {
        return tensor::CollapseShapeOp::create(
            rewriter, loc, op.getWeight(),
            SmallVector<ReassociationIndices>{{0}, all});
      };
      // An im2col matrix larger than the budget is built and used in
      // chunks of output rows (not for pointwise convs, which need none).
      int64_t k = cg, rest = 1, outCount = 1;
      for (int64_t d : kernel)
        k *= d;
      for (int64_t d : out.drop_front())
        rest *= d;
      for (int64_t d : out)
        outCount *= d;
      bool pointwise =
          llvm::all_of(kernel, [](int64_t d) { return d == 1; }) &&
          llvm::all_of(w->strides, [](int64_t s) { return s == 1; });
      int64_t elementBytes = llvm::divideCeil(et.getIntOrFloatBitWidth(), 8);
      int64_t rows = spatial == 0 || pointwise
                         ? 1
                         : im2colChunkRows(im2colBytes, k * rest * elementBytes,
                                           out[0], rest);
      Value prod;
      if (spatial > 0 && !pointwise && rows < out[0]) {
        auto prodType =
            RankedTensorType::get({resultType.getDimSize(0), m, outCount}, et);
        prod = chunkedConv(rewriter, loc, input, collapseWeight(), prodType,
                           out, kernel, *w, rows);
      } else {
        Value cols =
            im2col(rewriter, loc, input, out, kernel, w->strides, w->dilations);
        prod = convContraction(rewriter, loc, collapseWeight(), cols);
      }
      ReassociationIndices spatialDims;
      for (int64_t i = 2; i < 2 + spatial; ++i)
        spatialDims.push_back(i);
      Value conv = tensor::ExpandShapeOp::create(
          rewriter, loc, resultType, prod,
          SmallVector<ReassociationIndices>{{0}, {1}, spatialDims});
      if (Value bias = op.getBias())
        conv = addChannelBias(rewriter, loc, conv, bias);
      rewriter.replaceOp(op, conv);
      return success();
    }

    // Iteration dims: n, m, o_0..o_{s-1}, c, k_0..k_{s-1}. Grouped convs
    // (depthwise: c has one value) put the window dims before the output's,
    // n, m, c, k_0.., o_0..: the innermost loop then runs along an output
    // row, which LLVM vectorizes, instead of along a 3-wide window row.
    bool windowFirst = groups > 1;
    int64_t nDims = 2 + spatial + 1 + spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    auto outDim = [&](int64_t i) {
      return d(windowFirst ? 3 + spatial + i : 2 + i);
    };
    auto windowDim = [&](int64_t i) {
      return d(windowFirst ? 3 + i : 3 + spatial + i);
    };
    AffineExpr n = d(0), mm = d(1), c = d(windowFirst ? 2 : 2 + spatial);
    AffineExpr channel = groups == 1 ? c : mm.floorDiv(m / groups) * cg + c;
    SmallVector<AffineExpr> inExprs = {n, channel}, wExprs = {mm, c},
                            outExprs = {n, mm};
    for (int64_t i = 0; i < spatial; ++i) {
      AffineExpr o = outDim(i), k = windowDim(i);
      inExprs.push_back(o * w->strides[i] + k * w->dilations[i]);
      wExprs.push_back(k);
      outExprs.push_back(o);
    }
    SmallVector<utils::IteratorType> iterators(2,
                                               utils::IteratorType::parallel);
    auto par = SmallVector<utils::IteratorType>(spatial,
                                                utils::IteratorType::parallel);
    auto red = SmallVector<utils::IteratorType>(1 + spatial,
                                                utils::IteratorType::reduction);
    if (windowFirst) {
      iterators.append(red);
      iterators.append(par);
    } else {
      iterators.append(par);
      iterators.append(red);
    }
    SmallVector<Value> sizes;
    if (resultType.isDynamicDim(0))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getInput(), 0));
    if (resultType.isDynamicDim(1))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getWeight(), 0));
    for (int64_t i = 0; i < spatial; ++i)
      if (resultType.isDynamicDim(2 + i))
        return rewriter.notifyMatchFailure(op, "dynamic spatial output");
    Value acc = linalg::FillOp::create(
                    rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                    emptyTensor(rewriter, loc, resultType, sizes))
                    .getResult(0);
    Value conv =
        linalg::GenericOp::create(
            rewriter, loc, resultType, ValueRange{input, op.getWeight()}, acc,
            ArrayRef<AffineMap>{AffineMap::get(nDims, 0, inExprs, ctx),
                                AffineMap::get(nDims, 0, wExprs, ctx),
                                AffineMap::get(nDims, 0, outExprs, ctx)},
            iterators, multiplyAdd)
            .getResult(0);
    if (Value bias = op.getBias())
      conv = addChannelBias(rewriter, loc, conv, bias);
    rewriter.replaceOp(op, conv);
    return success();
  }
};

/// conv_transpose as a gather: out[n, m, o] sums x[n, c, i] * w[c, m, k] over
/// the (c, k) with o = i * stride + k * dilation - pad_begin, i.e. over k
/// with (o + pad - k * dilation) divisible by the stride and in range.
struct ConvTransposeLowering : public OpRewritePattern<ConvTransposeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvTransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inType = op.getInput().getType();
    auto wType = op.getWeight().getType();
    auto resultType = op.getType();
    Type et = resultType.getElementType();
    int64_t spatial = inType.getRank() - 2;
    int64_t groups = op.getGroups();
    int64_t cin = wType.getDimSize(0), mg = wType.getDimSize(1);
    if (!wType.hasStaticShape() || ShapedType::isDynamic(inType.getDimSize(1)))
      return rewriter.notifyMatchFailure(op, "dynamic channels or kernel");
    for (int64_t i = 0; i < spatial; ++i)
      if (resultType.isDynamicDim(2 + i) || inType.isDynamicDim(2 + i))
        return rewriter.notifyMatchFailure(op, "dynamic spatial dims");
    int64_t cg = cin / groups;
    auto w = readWindowAttrs(loc, op.getStrides(), op.getPads(),
                             op.getDilations(), spatial);
    if (failed(w))
      return failure();
    // Iteration dims: n, m, o_0.., c (within the group), k_0..
    int64_t nDims = 2 + spatial + 1 + spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    // The loop bounds of c and k come from an (unused) window operand; the
    // weight is read in the body, as its channel index mixes m and c.
    SmallVector<AffineExpr> windowExprs = {d(2 + spatial)},
                            outExprs = {d(0), d(1)};
    SmallVector<int64_t> windowShape = {cg};
    for (int64_t i = 0; i < spatial; ++i) {
      windowExprs.push_back(d(3 + spatial + i));
      windowShape.push_back(wType.getDimSize(2 + i));
      outExprs.push_back(d(2 + i));
    }
    Value window = tensor::EmptyOp::create(rewriter, loc, windowShape, et);
    Value weight = op.getWeight();
    SmallVector<utils::IteratorType> iterators(2 + spatial,
                                               utils::IteratorType::parallel);
    iterators.append(1 + spatial, utils::IteratorType::reduction);
    SmallVector<Value> sizes;
    if (resultType.isDynamicDim(0))
      sizes.push_back(tensor::DimOp::create(rewriter, loc, op.getInput(), 0));
    Value acc = linalg::FillOp::create(
                    rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                    emptyTensor(rewriter, loc, resultType, sizes))
                    .getResult(0);
    Value input = op.getInput();
    Value result =
        linalg::GenericOp::create(
            rewriter, loc, resultType, ValueRange{window}, acc,
            ArrayRef<AffineMap>{AffineMap::get(nDims, 0, windowExprs, ctx),
                                AffineMap::get(nDims, 0, outExprs, ctx)},
            iterators,
            [&](OpBuilder &b, Location l, ValueRange args) {
              auto cst = [&](int64_t v) {
                return arith::ConstantIndexOp::create(b, l, v);
              };
              Value n = linalg::IndexOp::create(b, l, 0);
              Value m = linalg::IndexOp::create(b, l, 1);
              Value cc = linalg::IndexOp::create(b, l, 2 + spatial);
              Value channel = arith::AddIOp::create(
                  b, l,
                  arith::MulIOp::create(
                      b, l, arith::DivUIOp::create(b, l, m, cst(mg)), cst(cg)),
                  cc);
              SmallVector<Value> at = {n, channel};
              SmallVector<Value> wAt = {
                  channel, arith::RemUIOp::create(b, l, m, cst(mg))};
              Value valid = arith::ConstantIntOp::create(b, l, 1, 1);
              for (int64_t i = 0; i < spatial; ++i) {
                Value o = linalg::IndexOp::create(b, l, 2 + i);
                Value k = linalg::IndexOp::create(b, l, 3 + spatial + i);
                wAt.push_back(k);
                Value t = arith::SubIOp::create(
                    b, l, arith::AddIOp::create(b, l, o, cst(w->pads[i])),
                    arith::MulIOp::create(b, l, k, cst(w->dilations[i])));
                Value nonNeg = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::sge, t, cst(0));
                Value divisible = arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::eq,
                    arith::RemSIOp::create(b, l, t, cst(w->strides[i])),
                    cst(0));
                Value pos = arith::DivSIOp::create(b, l, t, cst(w->strides[i]));
                Value inRange =
                    arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, pos,
                                          cst(inType.getDimSize(2 + i)));
                valid = arith::AndIOp::create(
                    b, l, valid,
                    arith::AndIOp::create(
                        b, l, nonNeg,
                        arith::AndIOp::create(b, l, divisible, inRange)));
                // A safe index when invalid; the product is then dropped.
                at.push_back(arith::SelectOp::create(b, l, valid, pos, cst(0)));
              }
              Value x = tensor::ExtractOp::create(b, l, input, at);
              Value wv = tensor::ExtractOp::create(b, l, weight, wAt);
              Value prod = arith::MulFOp::create(b, l, x, wv);
              Value sum = arith::AddFOp::create(b, l, args[1], prod);
              linalg::YieldOp::create(
                  b, l,
                  Value(arith::SelectOp::create(b, l, valid, sum, args[1])));
            })
            .getResult(0);
    if (Value bias = op.getBias())
      result = addChannelBias(rewriter, loc, result, bias);
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// conv_weight_grad mirrors ConvLowering with the weight as the output:
/// iterate (m, c, k..., n, o...) with n and o reducing, over the input padded
/// once.
struct ConvWeightGradLowering : public OpRewritePattern<ConvWeightGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvWeightGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    auto inType = op.getInput().getType();
    auto resultType = op.getType();
    Type et = resultType.getElementType();
    int64_t spatial = inType.getRank() - 2;
    int64_t groups = op.getGroups();
    int64_t m = resultType.getDimSize(0), cg = resultType.getDimSize(1);
    auto w = readWindowAttrs(loc, op.getStrides(), op.getPads(),
                             op.getDilations(), spatial);
    if (failed(w))
      return failure();
    Value input = padWindow(rewriter, loc, op.getInput(), *w);

    // Ungrouped: dW[m, j] = sum over n, o of dY[n, m, o] * cols[n, j, o]
    // with cols = im2col(x) [N, C*K, O]: one contraction per sample.
    auto gType = op.getGradOutput().getType();
    if (groups == 1 && resultType.hasStaticShape() &&
        llvm::all_of(gType.getShape().drop_front(1),
                     [](int64_t d) { return !ShapedType::isDynamic(d); })) {
      ArrayRef<int64_t> out = gType.getShape().drop_front(2);
      Value cols =
          im2col(rewriter, loc, input, out, resultType.getShape().drop_front(2),
                 w->strides, w->dilations);
      ReassociationIndices spatialDims;
      for (int64_t i = 2; i < gType.getRank(); ++i)
        spatialDims.push_back(i);
      Value g = tensor::CollapseShapeOp::create(
          rewriter, loc, op.getGradOutput(),
          SmallVector<ReassociationIndices>{{0}, {1}, spatialDims});
      int64_t ck = cast<RankedTensorType>(cols.getType()).getDimSize(1);
      auto flatType = RankedTensorType::get({m, ck}, et);
      Value acc = linalg::FillOp::create(
                      rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                      emptyTensor(rewriter, loc, flatType, {}))
                      .getResult(0);
      auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
      // Iteration dims: m, j, n, o.
      Value prod =
          linalg::GenericOp::create(
              rewriter, loc, flatType, ValueRange{g, cols}, acc,
              ArrayRef<AffineMap>{AffineMap::get(4, 0, {d(2), d(0), d(3)}, ctx),
                                  AffineMap::get(4, 0, {d(2), d(1), d(3)}, ctx),
                                  AffineMap::get(4, 0, {d(0), d(1)}, ctx)},
              {utils::IteratorType::parallel, utils::IteratorType::parallel,
               utils::IteratorType::reduction, utils::IteratorType::reduction},
              multiplyAdd)
              .getResult(0);
      ReassociationIndices all;
      for (int64_t i = 1; i < resultType.getRank(); ++i)
        all.push_back(i);
      rewriter.replaceOpWithNewOp<tensor::ExpandShapeOp>(
          op, resultType, prod, SmallVector<ReassociationIndices>{{0}, all});
      return success();
    }

    // Iteration dims: m, c, k_0..k_{s-1}, n, o_0..o_{s-1}.
    int64_t nDims = 2 + spatial + 1 + spatial;
    auto d = [&](int64_t i) { return getAffineDimExpr(i, ctx); };
    AffineExpr mm = d(0), c = d(1), n = d(2 + spatial);
    AffineExpr channel = groups == 1 ? c : mm.floorDiv(m / groups) * cg + c;
    SmallVector<AffineExpr> inExprs = {n, channel}, gExprs = {n, mm},
                            outExprs = {mm, c};
    for (int64_t i = 0; i < spatial; ++i) {
      AffineExpr k = d(2 + i), o = d(3 + spatial + i);
      inExprs.push_back(o * w->strides[i] + k * w->dilations[i]);
      gExprs.push_back(o);
      outExprs.push_back(k);
    }
    SmallVector<utils::IteratorType> iterators(2 + spatial,
                                               utils::IteratorType::parallel);
    iterators.append(1 + spatial, utils::IteratorType::reduction);
    Value acc = linalg::FillOp::create(
                    rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                    emptyTensor(rewriter, loc, resultType, {}))
                    .getResult(0);
    Value grad =
        linalg::GenericOp::create(
            rewriter, loc, resultType, ValueRange{input, op.getGradOutput()},
            acc,
            ArrayRef<AffineMap>{AffineMap::get(nDims, 0, inExprs, ctx),
                                AffineMap::get(nDims, 0, gExprs, ctx),
                                AffineMap::get(nDims, 0, outExprs, ctx)},
            iterators, multiplyAdd)
            .getResult(0);
    rewriter.replaceOp(op, grad);
    return success();
  }
};

} // namespace

void dlc::populateConvToLinalgPatterns(RewritePatternSet &patterns,
                                       int64_t im2colBytes, bool directConvs) {
  patterns.add<ConvLowering>(patterns.getContext(), im2colBytes, directConvs);
  patterns.add<ConvTransposeLowering, ConvWeightGradLowering>(
      patterns.getContext());
}
