//===- Dynamic.cpp - ops with run-time shape operands to linalg -----------===//
//
// The run-time axes, bounds, sizes, repeats, pads and k of DLDynamicOps.td
// are read as scalars (their count is static), checked, and turned into the
// result dims and the index arithmetic of one linalg.generic (or an
// extract_slice, a reshape, a chain of reductions). A value the op cannot
// take fails a cf.assert, which becomes an error status naming the node
// before anything reads or writes out of bounds.
//
//===----------------------------------------------------------------------===//

#include "Utils.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

using Pred = arith::CmpIPredicate;

/// Index arithmetic on scalars, for the run-time shape computations.
struct IndexMath {
  OpBuilder &b;
  Location loc;

  Value c(int64_t v) { return cidx(b, loc, v); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, loc, x, y); }
  Value sub(Value x, Value y) { return arith::SubIOp::create(b, loc, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, loc, x, y); }
  Value min(Value x, Value y) { return arith::MinSIOp::create(b, loc, x, y); }
  Value max(Value x, Value y) { return arith::MaxSIOp::create(b, loc, x, y); }
  Value clamp(Value x, Value lo, Value hi) { return min(max(x, lo), hi); }
  Value cmp(Pred p, Value x, Value y) {
    return arith::CmpIOp::create(b, loc, p, x, y);
  }
  Value sel(Value cond, Value x, Value y) {
    return arith::SelectOp::create(b, loc, cond, x, y);
  }
  Value andI(Value x, Value y) { return arith::AndIOp::create(b, loc, x, y); }
  Value orI(Value x, Value y) { return arith::OrIOp::create(b, loc, x, y); }
  Value notI(Value x) {
    return arith::XOrIOp::create(
        b, loc, x, arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
  }
  Value boolean(bool v) {
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(v));
  }
  /// Entry `i` of a 1-D integer tensor as an index.
  Value read(Value t, int64_t i) {
    Value v = tensor::ExtractOp::create(b, loc, t, ValueRange{c(i)});
    return arith::IndexCastOp::create(b, loc, b.getIndexType(), v);
  }
  /// The one element of a tensor of any rank.
  Value readOnly(Value t) {
    int64_t rank = cast<RankedTensorType>(t.getType()).getRank();
    return tensor::ExtractOp::create(b, loc, t, SmallVector<Value>(rank, c(0)));
  }
  /// Fails the entry point with `message` unless `ok`.
  void require(Value ok, StringRef message) {
    cf::AssertOp::create(b, loc, ok, message);
  }
  /// `axis` in [-rank, rank) mapped to [0, rank); checked.
  Value axis(Value a, int64_t rank, StringRef message) {
    Value r = c(rank);
    Value n = sel(cmp(Pred::slt, a, c(0)), add(a, r), a);
    require(andI(cmp(Pred::sge, n, c(0)), cmp(Pred::slt, n, r)), message);
    return n;
  }
  /// Marks of the dims of a rank-`rank` tensor listed in the 1-D `axes`
  /// tensor (k entries); out of range or repeated axes fail.
  SmallVector<Value> marks(Value axes, int64_t rank, StringRef what) {
    int64_t k = cast<RankedTensorType>(axes.getType()).getDimSize(0);
    SmallVector<Value> marked(rank, boolean(false));
    for (int64_t i = 0; i < k; ++i) {
      Value a = axis(read(axes, i), rank,
                     (what + " axis out of range of the rank").str());
      for (int64_t d = 0; d < rank; ++d) {
        Value is = cmp(Pred::eq, a, c(d));
        require(notI(andI(is, marked[d])), (what + " axes repeat").str());
        marked[d] = orI(marked[d], is);
      }
    }
    return marked;
  }
  /// Of `dims`, the ones not marked, in order: entry j of the result is the
  /// j-th unmarked dim (`count` of them are known to exist).
  SmallVector<Value> unmarked(ArrayRef<Value> dims, ArrayRef<Value> marked,
                              int64_t count) {
    SmallVector<Value> out(count, c(0));
    Value before = c(0);
    for (auto [d, m] : llvm::zip(dims, marked)) {
      Value kept = notI(m);
      for (int64_t j = 0; j < count; ++j)
        out[j] = sel(andI(kept, cmp(Pred::eq, before, c(j))), d, out[j]);
      before = add(before, sel(kept, c(1), c(0)));
    }
    return out;
  }
};

SmallVector<Value> allDims(OpBuilder &b, Location loc, Value v) {
  SmallVector<Value> dims;
  for (int64_t i = 0, e = cast<RankedTensorType>(v.getType()).getRank(); i < e;
       ++i)
    dims.push_back(dimValue(b, loc, v, i));
  return dims;
}

/// The most elements a result sized at run time may have (2^40, dlc's
/// default --max-elements): beyond it the byte count could overflow.
constexpr int64_t kMaxElements = int64_t(1) << 40;

/// The dynamic sizes of `type` from its full list of dims; a static dim of
/// the type must equal the run-time one, and the element count must stay
/// within kMaxElements (checked without overflowing).
SmallVector<Value> checkedSizes(IndexMath &m, RankedTensorType type,
                                ArrayRef<Value> dims) {
  SmallVector<Value> dyn;
  Value count = m.c(1), limit = m.c(kMaxElements);
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (type.isDynamicDim(i))
      dyn.push_back(dims[i]);
    else
      m.require(m.cmp(Pred::eq, dims[i], m.c(type.getDimSize(i))),
                "result dims differ from the static ones of its type");
    Value d = dims[i];
    Value fits = m.orI(
        m.cmp(Pred::eq, d, m.c(0)),
        m.cmp(Pred::sle, count,
              arith::DivSIOp::create(m.b, m.loc, limit, m.max(d, m.c(1)))));
    count = m.sel(fits, m.mul(count, d), m.add(limit, m.c(1)));
  }
  m.require(m.cmp(Pred::sle, count, limit),
            "the result would have more than 2^40 elements");
  return dyn;
}

struct DynamicSliceLowering : public OpRewritePattern<DynamicSliceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicSliceOp op,
                                PatternRewriter &rewriter) const override {
    auto starts = op.getStarts().getType();
    if (starts.isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "dynamic axis count");
    IndexMath m{rewriter, op.getLoc()};
    Value in = op.getInput();
    int64_t rank = op.getInput().getType().getRank(), k = starts.getDimSize(0);
    SmallVector<Value> dims = allDims(rewriter, op.getLoc(), in);
    SmallVector<Value> start(rank, m.c(0)), size(dims), step(rank, m.c(1));
    SmallVector<Value> seen(rank, m.boolean(false));
    Value limit = m.c(int64_t(1) << 40);
    Value negLimit = m.c(-(int64_t(1) << 40));
    for (int64_t i = 0; i < k; ++i) {
      Value a = m.axis(m.read(op.getAxes(), i), rank,
                       "slice axis out of range of the rank");
      Value st = m.read(op.getSteps(), i);
      m.require(m.cmp(Pred::ne, st, m.c(0)), "slice step is 0");
      Value dim = m.c(0);
      for (int64_t d = 0; d < rank; ++d)
        dim = m.sel(m.cmp(Pred::eq, a, m.c(d)), dims[d], dim);
      // ONNX: negative bounds add the dim, then clamp by the step's sign;
      // the huge ends exporters write (INT64_MAX) clamp first.
      auto wrap = [&](Value v) {
        v = m.clamp(v, negLimit, limit);
        return m.sel(m.cmp(Pred::slt, v, m.c(0)), m.add(v, dim), v);
      };
      Value s = wrap(m.read(op.getStarts(), i));
      Value e = wrap(m.read(op.getEnds(), i));
      Value up = m.cmp(Pred::sgt, st, m.c(0));
      Value last = m.sub(dim, m.c(1));
      Value sUp = m.clamp(s, m.c(0), dim), eUp = m.clamp(e, m.c(0), dim);
      Value sDown = m.clamp(s, m.c(0), last), eDown = m.clamp(e, m.c(-1), last);
      Value span =
          m.max(m.sel(up, m.sub(eUp, sUp), m.sub(sDown, eDown)), m.c(0));
      Value stride = m.max(m.sel(up, st, m.sub(m.c(0), st)), m.c(1));
      Value count =
          arith::CeilDivSIOp::create(rewriter, op.getLoc(), span, stride);
      Value first = m.sel(up, sUp, sDown);
      for (int64_t d = 0; d < rank; ++d) {
        Value is = m.cmp(Pred::eq, a, m.c(d));
        m.require(m.notI(m.andI(is, seen[d])), "slice axes repeat");
        seen[d] = m.orI(seen[d], is);
        start[d] = m.sel(is, first, start[d]);
        size[d] = m.sel(is, count, size[d]);
        step[d] = m.sel(is, st, step[d]);
      }
    }
    auto type = op.getType();
    SmallVector<Value> dyn = checkedSizes(m, type, size);
    Value result = generate(
        rewriter, op.getLoc(), type, dyn,
        [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(arith::AddIOp::create(
                b, l, start[d], arith::MulIOp::create(b, l, ivs[d], step[d])));
          return tensor::ExtractOp::create(b, l, in, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DynamicSplitLowering : public OpRewritePattern<DynamicSplitOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicSplitOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexMath m{rewriter, loc};
    Value in = op.getInput();
    int64_t rank = op.getInput().getType().getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    SmallVector<Value> offsets, sizes;
    Value offset = m.c(0);
    for (int64_t i = 0, e = op.getNumResults(); i < e; ++i) {
      Value s = m.read(op.getSizes(), i);
      m.require(m.cmp(Pred::sge, s, m.c(0)), "split size is negative");
      offsets.push_back(offset);
      sizes.push_back(s);
      offset = m.add(offset, s);
    }
    m.require(m.cmp(Pred::eq, offset, dimValue(rewriter, loc, in, axis)),
              "split sizes do not add up to the dim");
    SmallVector<Value> results;
    for (auto [i, result] : llvm::enumerate(op.getResults())) {
      SmallVector<OpFoldResult> off(rank, rewriter.getIndexAttr(0)),
          sz = tensor::getMixedSizes(rewriter, loc, in),
          strides(rank, rewriter.getIndexAttr(1));
      off[axis] = offsets[i];
      sz[axis] = sizes[i];
      Value s =
          tensor::ExtractSliceOp::create(rewriter, loc, in, off, sz, strides);
      if (s.getType() != result.getType())
        s = tensor::CastOp::create(rewriter, loc, result.getType(), s);
      results.push_back(s);
    }
    rewriter.replaceOp(op, results);
    return success();
  }
};

struct DynamicSqueezeLowering : public OpRewritePattern<DynamicSqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicSqueezeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getAxes().getType().isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "dynamic axis count");
    Location loc = op.getLoc();
    IndexMath m{rewriter, loc};
    Value in = op.getInput();
    int64_t rank = op.getInput().getType().getRank();
    SmallVector<Value> dims = allDims(rewriter, loc, in);
    SmallVector<Value> marked = m.marks(op.getAxes(), rank, "squeeze");
    for (int64_t d = 0; d < rank; ++d)
      m.require(m.orI(m.notI(marked[d]), m.cmp(Pred::eq, dims[d], m.c(1))),
                "squeezed dim is not 1");
    auto type = op.getType();
    SmallVector<Value> out = m.unmarked(dims, marked, type.getRank());
    checkedSizes(m, type, out);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, in, type, out));
    return success();
  }
};

struct DynamicUnsqueezeLowering : public OpRewritePattern<DynamicUnsqueezeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicUnsqueezeOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getAxes().getType().isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "dynamic axis count");
    Location loc = op.getLoc();
    IndexMath m{rewriter, loc};
    Value in = op.getInput();
    auto type = op.getType();
    int64_t outRank = type.getRank();
    SmallVector<Value> dims = allDims(rewriter, loc, in);
    SmallVector<Value> marked = m.marks(op.getAxes(), outRank, "unsqueeze");
    // Result dim j: 1 where inserted, else the next input dim.
    SmallVector<Value> out;
    Value next = m.c(0);
    for (int64_t j = 0; j < outRank; ++j) {
      Value d = m.c(1);
      for (auto [i, dim] : llvm::enumerate(dims))
        d = m.sel(m.cmp(Pred::eq, next, m.c(i)), dim, d);
      out.push_back(m.sel(marked[j], m.c(1), d));
      next = m.add(next, m.sel(marked[j], m.c(0), m.c(1)));
    }
    checkedSizes(m, type, out);
    rewriter.replaceOp(op, reshapeTo(rewriter, loc, in, type, out));
    return success();
  }
};

/// The identity of a reduction kind for `t`.
Value reduceInit(OpBuilder &b, Location loc, StringRef kind, Type t) {
  if (kind == "prod")
    return scalarConstant(b, loc, t, 1);
  if (kind == "max" || kind == "min") {
    bool highest = kind == "min";
    if (auto ft = dyn_cast<FloatType>(t))
      return arith::ConstantOp::create(
          b, loc,
          b.getFloatAttr(ft,
                         APFloat::getInf(ft.getFloatSemantics(), !highest)));
    unsigned w = t.getIntOrFloatBitWidth();
    return arith::ConstantOp::create(
        b, loc,
        b.getIntegerAttr(t, highest ? APInt::getSignedMaxValue(w)
                                    : APInt::getSignedMinValue(w)));
  }
  return scalarConstant(b, loc, t, 0);
}

Value reduceCombine(OpBuilder &b, Location l, StringRef kind, Value x,
                    Value acc) {
  bool fl = isa<FloatType>(x.getType());
  if (kind == "prod")
    return fl ? Value(arith::MulFOp::create(b, l, x, acc))
              : Value(arith::MulIOp::create(b, l, x, acc));
  if (kind == "max")
    return fl ? Value(arith::MaximumFOp::create(b, l, x, acc))
              : Value(arith::MaxSIOp::create(b, l, x, acc));
  if (kind == "min")
    return fl ? Value(arith::MinimumFOp::create(b, l, x, acc))
              : Value(arith::MinSIOp::create(b, l, x, acc));
  return fl ? Value(arith::AddFOp::create(b, l, x, acc))
            : Value(arith::AddIOp::create(b, l, x, acc));
}

/// Each dim in turn: reduced (to size 1) when the run-time axes list it,
/// else passed through, as an scf.if whose result has that dim dynamic.
struct DynamicReduceLowering : public OpRewritePattern<DynamicReduceOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicReduceOp op,
                                PatternRewriter &rewriter) const override {
    if (op.getAxes().getType().isDynamicDim(0))
      return rewriter.notifyMatchFailure(op, "dynamic axis count");
    Location loc = op.getLoc();
    IndexMath m{rewriter, loc};
    Value in = op.getInput();
    auto inType = op.getInput().getType();
    int64_t rank = inType.getRank();
    Type et = inType.getElementType();
    StringRef kind = op.getKind();
    SmallVector<Value> inDims = allDims(rewriter, loc, in);
    SmallVector<Value> marked = m.marks(op.getAxes(), rank, "reduce");
    Value cur = in;
    SmallVector<int64_t> shape(inType.getShape());
    for (int64_t d = 0; d < rank; ++d) {
      auto curType = cast<RankedTensorType>(cur.getType());
      shape[d] = curType.getDimSize(d) == 1 ? 1 : ShapedType::kDynamic;
      auto branchType = RankedTensorType::get(shape, et);
      auto ifOp = scf::IfOp::create(
          rewriter, loc, marked[d],
          [&](OpBuilder &b, Location l) {
            SmallVector<bool> reduced(rank, false);
            reduced[d] = true;
            Value r = reduceDims(
                b, l, cur, reduced, reduceInit(b, l, kind, et),
                [&](OpBuilder &nb, Location nl, ValueRange ins, Value acc) {
                  return reduceCombine(nb, nl, kind, ins[0], acc);
                });
            SmallVector<Value> dims = allDims(b, l, cur);
            dims[d] = cidx(b, l, 1);
            scf::YieldOp::create(b, l, reshapeTo(b, l, r, branchType, dims));
          },
          [&](OpBuilder &b, Location l) {
            Value same = cur;
            if (same.getType() != branchType)
              same = tensor::CastOp::create(b, l, branchType, same);
            scf::YieldOp::create(b, l, same);
          });
      cur = ifOp.getResult(0);
    }
    if (kind == "mean") {
      Value count = m.c(1);
      for (int64_t d = 0; d < rank; ++d)
        count = m.mul(count, m.sel(marked[d], inDims[d], m.c(1)));
      Value n = arith::IndexCastOp::create(rewriter, loc, rewriter.getI64Type(),
                                           count);
      if (isa<FloatType>(et))
        n = arith::SIToFPOp::create(rewriter, loc, et, n);
      else if (n.getType() != et)
        n = arith::TruncIOp::create(rewriter, loc, et, n);
      auto curType = cast<RankedTensorType>(cur.getType());
      cur = generate(rewriter, loc, curType, dynamicSizes(rewriter, loc, cur),
                     [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
                       Value x = tensor::ExtractOp::create(b, l, cur, ivs);
                       if (isa<FloatType>(et))
                         return arith::DivFOp::create(b, l, x, n);
                       return arith::DivSIOp::create(b, l, x, n);
                     });
    }
    auto type = op.getType();
    SmallVector<Value> curDims = allDims(rewriter, loc, cur);
    Value result;
    if (op.getKeepdims()) {
      checkedSizes(m, type, curDims);
      result = cur.getType() == type
                   ? cur
                   : Value(tensor::CastOp::create(rewriter, loc, type, cur));
    } else {
      SmallVector<Value> out = m.unmarked(curDims, marked, type.getRank());
      checkedSizes(m, type, out);
      result = reshapeTo(rewriter, loc, cur, type, out);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DynamicTileLowering : public OpRewritePattern<DynamicTileOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicTileOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexMath m{rewriter, loc};
    Value in = op.getInput();
    int64_t rank = op.getInput().getType().getRank();
    SmallVector<Value> dims = allDims(rewriter, loc, in), out;
    for (int64_t d = 0; d < rank; ++d) {
      Value r = m.read(op.getRepeats(), d);
      m.require(m.cmp(Pred::sge, r, m.c(0)), "tile repeats are negative");
      out.push_back(m.mul(dims[d], r));
    }
    auto type = op.getType();
    SmallVector<Value> dyn = checkedSizes(m, type, out);
    Value result = generate(
        rewriter, loc, type, dyn,
        [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d)
            coords.push_back(arith::RemUIOp::create(b, l, ivs[d], dims[d]));
          return tensor::ExtractOp::create(b, l, in, coords);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct DynamicPadLowering : public OpRewritePattern<DynamicPadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DynamicPadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    IndexMath m{rewriter, loc};
    Value in = op.getInput();
    int64_t rank = op.getInput().getType().getRank();
    PadMode mode = op.getMode();
    SmallVector<Value> dims = allDims(rewriter, loc, in), low, out;
    for (int64_t d = 0; d < rank; ++d) {
      Value lo = m.read(op.getPads(), d), hi = m.read(op.getPads(), d + rank);
      Value size = m.add(dims[d], m.add(lo, hi));
      m.require(m.cmp(Pred::sge, size, m.c(0)),
                "pads crop more than the dim has");
      if (mode != PadMode::constant)
        m.require(m.orI(m.cmp(Pred::sgt, dims[d], m.c(0)),
                        m.cmp(Pred::eq, size, m.c(0))),
                  "edge or reflect padding of an empty dim");
      low.push_back(lo);
      out.push_back(size);
    }
    Value value = m.readOnly(op.getValue());
    auto type = op.getType();
    SmallVector<Value> dyn = checkedSizes(m, type, out);
    Value result = generate(
        rewriter, loc, type, dyn,
        [&](OpBuilder &b, Location l, ValueRange ivs) -> Value {
          IndexMath bm{b, l};
          SmallVector<Value> coords;
          Value inside = bm.boolean(true);
          for (int64_t d = 0; d < rank; ++d) {
            Value src = bm.sub(ivs[d], low[d]);
            Value last = bm.sub(dims[d], bm.c(1));
            if (mode == PadMode::reflect) {
              // Mirror without repeating the edge: period 2 * (dim - 1).
              Value period = bm.max(bm.mul(last, bm.c(2)), bm.c(1));
              Value r = arith::RemSIOp::create(b, l, src, period);
              r = bm.sel(bm.cmp(Pred::slt, r, bm.c(0)), bm.add(r, period), r);
              src = bm.sel(bm.cmp(Pred::sle, r, last), r, bm.sub(period, r));
            } else if (mode == PadMode::constant) {
              inside =
                  bm.andI(inside, bm.andI(bm.cmp(Pred::sge, src, bm.c(0)),
                                          bm.cmp(Pred::slt, src, dims[d])));
            }
            coords.push_back(bm.clamp(src, bm.c(0), last));
          }
          if (mode != PadMode::constant)
            return tensor::ExtractOp::create(b, l, in, coords);
          // Read only inside: an empty input has nothing to read.
          auto ifOp = scf::IfOp::create(
              b, l, inside,
              [&](OpBuilder &nb, Location nl) {
                scf::YieldOp::create(
                    nb, nl,
                    Value(tensor::ExtractOp::create(nb, nl, in, coords)));
              },
              [&](OpBuilder &nb, Location nl) {
                scf::YieldOp::create(nb, nl, value);
              });
          return ifOp.getResult(0);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// TopK as k passes over the axis: pass p finds, for every position of the
/// other dims, the best element that ranks after the one pass p - 1 found
/// (larger value first, equal values by lower index), so there is no state
/// but the previous pick.
struct TopKLowering : public OpRewritePattern<TopKOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(TopKOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = op.getContext();
    IndexMath m{rewriter, loc};
    Value in = op.getInput();
    auto inType = op.getInput().getType();
    int64_t rank = inType.getRank();
    int64_t axis = normalizedAxis(op.getAxis(), rank);
    bool largest = op.getLargest();
    Type et = inType.getElementType(), i64 = rewriter.getI64Type();
    bool fl = isa<FloatType>(et);
    Value k = arith::IndexCastOp::create(rewriter, loc, rewriter.getIndexType(),
                                         m.readOnly(op.getK()));
    Value n = dimValue(rewriter, loc, in, axis);
    m.require(m.andI(m.cmp(Pred::sge, k, m.c(0)), m.cmp(Pred::sle, k, n)),
              "topk k is outside [0, the axis' size]");
    SmallVector<Value> dims = allDims(rewriter, loc, in);
    dims[axis] = k;
    auto valuesType = op.getValues().getType();
    auto indicesType = op.getIndices().getType();
    SmallVector<Value> dyn = checkedSizes(m, valuesType, dims);
    Value values = emptyTensor(rewriter, loc, valuesType, dyn);
    Value indices = emptyTensor(rewriter, loc, indicesType, dyn);
    // One pick per position of the other dims.
    SmallVector<int64_t> pickShape;
    SmallVector<Value> pickDyn;
    SmallVector<AffineExpr> pickExprs;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      pickShape.push_back(inType.getDimSize(d));
      pickExprs.push_back(getAffineDimExpr(d, ctx));
      if (inType.isDynamicDim(d))
        pickDyn.push_back(dims[d]);
    }
    auto pickValues = RankedTensorType::get(pickShape, et);
    auto pickIndices = RankedTensorType::get(pickShape, i64);
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
    AffineMap pickMap = AffineMap::get(rank, 0, pickExprs, ctx);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    Value none = arith::ConstantOp::create(rewriter, loc,
                                           rewriter.getI64IntegerAttr(-1));
    Value prevV0 = linalg::FillOp::create(
                       rewriter, loc, scalarConstant(rewriter, loc, et, 0),
                       emptyTensor(rewriter, loc, pickValues, pickDyn))
                       .getResult(0);
    Value prevI0 =
        linalg::FillOp::create(rewriter, loc, none,
                               emptyTensor(rewriter, loc, pickIndices, pickDyn))
            .getResult(0);
    // a ranks before b: a better value, or an equal one at a lower index.
    auto before = [&](OpBuilder &b, Location l, Value va, Value ia, Value vb,
                      Value ib) -> Value {
      Value better, equal;
      if (fl) {
        better = arith::CmpFOp::create(b, l,
                                       largest ? arith::CmpFPredicate::OGT
                                               : arith::CmpFPredicate::OLT,
                                       va, vb);
        equal = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, va, vb);
      } else {
        better = arith::CmpIOp::create(b, l, largest ? Pred::sgt : Pred::slt,
                                       va, vb);
        equal = arith::CmpIOp::create(b, l, Pred::eq, va, vb);
      }
      Value lower = arith::CmpIOp::create(b, l, Pred::slt, ia, ib);
      return arith::OrIOp::create(b, l, better,
                                  arith::AndIOp::create(b, l, equal, lower));
    };
    auto loop = scf::ForOp::create(
        rewriter, loc, m.c(0), k, m.c(1),
        ValueRange{values, indices, prevV0, prevI0},
        [&](OpBuilder &b, Location l, Value p, ValueRange iter) {
          Value bestV0 =
              linalg::FillOp::create(b, l, scalarConstant(b, l, et, 0),
                                     emptyTensor(b, l, pickValues, pickDyn))
                  .getResult(0);
          Value bestI0 =
              linalg::FillOp::create(b, l, none,
                                     emptyTensor(b, l, pickIndices, pickDyn))
                  .getResult(0);
          auto pass = linalg::GenericOp::create(
              b, l, TypeRange{pickValues, pickIndices},
              ValueRange{in, iter[2], iter[3]}, ValueRange{bestV0, bestI0},
              ArrayRef<AffineMap>{id, pickMap, pickMap, pickMap, pickMap},
              iterators, [&](OpBuilder &nb, Location nl, ValueRange args) {
                Value v = args[0], pv = args[1], pi = args[2], bv = args[3],
                      bi = args[4];
                Value i = arith::IndexCastOp::create(
                    nb, nl, i64, linalg::IndexOp::create(nb, nl, axis));
                Value noneYet = arith::CmpIOp::create(
                    nb, nl, Pred::eq, pi,
                    arith::ConstantOp::create(nb, nl,
                                              nb.getI64IntegerAttr(-1)));
                Value eligible = arith::OrIOp::create(
                    nb, nl, noneYet, before(nb, nl, pv, pi, v, i));
                Value empty = arith::CmpIOp::create(
                    nb, nl, Pred::eq, bi,
                    arith::ConstantOp::create(nb, nl,
                                              nb.getI64IntegerAttr(-1)));
                Value take = arith::AndIOp::create(
                    nb, nl, eligible,
                    arith::OrIOp::create(nb, nl, empty,
                                         before(nb, nl, v, i, bv, bi)));
                linalg::YieldOp::create(
                    nb, nl,
                    ValueRange{arith::SelectOp::create(nb, nl, take, v, bv),
                               arith::SelectOp::create(nb, nl, take, i, bi)});
              });
          SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)), sizes,
              strides(rank, b.getIndexAttr(1));
          for (int64_t d = 0; d < rank; ++d)
            sizes.push_back(d == axis || !inType.isDynamicDim(d)
                                ? OpFoldResult(b.getIndexAttr(
                                      d == axis ? 1 : inType.getDimSize(d)))
                                : OpFoldResult(dims[d]));
          offsets[axis] = p;
          Value nv = tensor::InsertSliceOp::create(
              b, l, pass.getResult(0), iter[0], offsets, sizes, strides);
          Value ni = tensor::InsertSliceOp::create(
              b, l, pass.getResult(1), iter[1], offsets, sizes, strides);
          scf::YieldOp::create(
              b, l, ValueRange{nv, ni, pass.getResult(0), pass.getResult(1)});
        });
    rewriter.replaceOp(op, {loop.getResult(0), loop.getResult(1)});
    return success();
  }
};

} // namespace

void dlc::populateDynamicToLinalgPatterns(RewritePatternSet &patterns) {
  patterns
      .add<DynamicSliceLowering, DynamicSplitLowering, DynamicSqueezeLowering,
           DynamicUnsqueezeLowering, DynamicReduceLowering, DynamicTileLowering,
           DynamicPadLowering, TopKLowering>(patterns.getContext());
}
