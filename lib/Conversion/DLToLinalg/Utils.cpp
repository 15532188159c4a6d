//===- Utils.cpp - helpers shared by the dl lowerings ---------------------===//

#include "Utils.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;

namespace dlc {

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type,
                  ValueRange dynamicSizes) {
  return tensor::EmptyOp::create(b, loc, type.getShape(), type.getElementType(),
                                 dynamicSizes);
}

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type,
                ValueRange sources) {
  SmallVector<Value> sizes;
  int64_t rank = type.getRank();
  for (int64_t i = 0; i < rank; ++i) {
    if (!ShapedType::isDynamic(type.getDimSize(i)))
      continue;
    Value size;
    for (Value s : sources) {
      auto st = cast<RankedTensorType>(s.getType());
      int64_t j = i - (rank - st.getRank());
      if (j < 0 || st.getDimSize(j) == 1)
        continue;
      size = tensor::DimOp::create(b, loc, s, j);
      break;
    }
    // Every source has 1 here: the result dim is 1 as well.
    if (!size)
      size = arith::ConstantIndexOp::create(b, loc, 1);
    sizes.push_back(size);
  }
  return emptyTensor(b, loc, type, sizes);
}

SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(tensor::DimOp::create(b, loc, v, d));
  return sizes;
}

Value permute(OpBuilder &b, Location loc, Value v, ArrayRef<int64_t> perm) {
  auto t = cast<RankedTensorType>(v.getType());
  SmallVector<int64_t> shape;
  SmallVector<Value> sizes;
  for (int64_t p : perm) {
    shape.push_back(t.getDimSize(p));
    if (t.isDynamicDim(p))
      sizes.push_back(tensor::DimOp::create(b, loc, v, p));
  }
  Value init =
      tensor::EmptyOp::create(b, loc, shape, t.getElementType(), sizes);
  return linalg::TransposeOp::create(b, loc, v, init, perm).getResult()[0];
}

void multiplyAdd(OpBuilder &b, Location l, ValueRange args) {
  Value r =
      isa<FloatType>(args[0].getType())
          ? Value(arith::AddFOp::create(
                b, l, args[2], arith::MulFOp::create(b, l, args[0], args[1])))
          : Value(arith::AddIOp::create(
                b, l, args[2], arith::MulIOp::create(b, l, args[0], args[1])));
  linalg::YieldOp::create(b, l, r);
}

Value scalarConstant(OpBuilder &b, Location loc, Type type, double value) {
  if (auto ft = dyn_cast<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(ft, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

AffineMap broadcastMap(MLIRContext *ctx, RankedTensorType operand,
                       RankedTensorType result) {
  int64_t rank = result.getRank(), offset = rank - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < operand.getRank(); ++i) {
    if (operand.getDimSize(i) == 1 && result.getDimSize(i + offset) != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(i + offset, ctx));
  }
  return AffineMap::get(rank, 0, exprs, ctx);
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value init, ValueRange sources) {
  Value empty = emptyLike(b, loc, type, sources);
  return linalg::FillOp::create(b, loc, init, empty).getResult(0);
}

Value dimValue(OpBuilder &b, Location loc, Value v, int64_t i) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.isDynamicDim(i))
    return arith::ConstantIndexOp::create(b, loc, t.getDimSize(i));
  return tensor::DimOp::create(b, loc, v, i);
}

Value reshapeTo(OpBuilder &b, Location loc, Value input, RankedTensorType type,
                ArrayRef<Value> dims) {
  if (input.getType() == type)
    return input;
  SmallVector<Value> all;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (!type.isDynamicDim(i))
      all.push_back(arith::ConstantIndexOp::create(b, loc, type.getDimSize(i)));
    else
      all.push_back(dims[i]);
  }
  auto shapeType = RankedTensorType::get({type.getRank()}, b.getIndexType());
  Value shape = tensor::FromElementsOp::create(b, loc, shapeType, all);
  return tensor::ReshapeOp::create(b, loc, type, input, shape);
}

/// Groups of `in` and `out` dims from the front (or, with `fromBack`, the
/// back) whose static sizes agree, as far as such groups close before a
/// dynamic dim, a 0 or the end `inEnd` / `outEnd` (exclusive; the start
/// when going back). Returns how many dims of each side they take.
static std::pair<int64_t, int64_t>
staticGroups(ArrayRef<int64_t> in, ArrayRef<int64_t> out, int64_t inStop,
             int64_t outStop, bool fromBack,
             SmallVectorImpl<ReassociationIndices> &inGroups,
             SmallVectorImpl<ReassociationIndices> &outGroups,
             SmallVectorImpl<int64_t> &mid) {
  int64_t n = in.size(), m = out.size();
  int64_t taken = 0, takenOut = 0;
  auto inDim = [&](int64_t k) { return fromBack ? n - 1 - k : k; };
  auto outDim = [&](int64_t k) { return fromBack ? m - 1 - k : k; };
  while (taken < inStop && takenOut < outStop) {
    int64_t i = taken, j = takenOut;
    ReassociationIndices gi, gj;
    int64_t pi = 1, pj = 1;
    bool closed = false;
    while (true) {
      if (pi == pj && !gi.empty() && !gj.empty()) {
        closed = true;
        break;
      }
      if (pi <= pj) {
        if (i == inStop || ShapedType::isDynamic(in[inDim(i)]) ||
            in[inDim(i)] == 0)
          break;
        gi.push_back(inDim(i));
        pi *= in[inDim(i++)];
      } else {
        if (j == outStop || ShapedType::isDynamic(out[outDim(j)]) ||
            out[outDim(j)] == 0)
          break;
        gj.push_back(outDim(j));
        pj *= out[outDim(j++)];
      }
    }
    if (!closed)
      break;
    if (fromBack) {
      std::reverse(gi.begin(), gi.end());
      std::reverse(gj.begin(), gj.end());
    }
    inGroups.push_back(gi);
    outGroups.push_back(gj);
    mid.push_back(pi);
    taken = i;
    takenOut = j;
  }
  return {taken, takenOut};
}

Value reshapeByGroups(OpBuilder &b, Location loc, Value input,
                      RankedTensorType type) {
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t dynamicIn = inType.getNumDynamicDims(),
          dynamicOut = type.getNumDynamicDims();
  if (dynamicIn != dynamicOut || dynamicIn > 1 || inType.getRank() == 0 ||
      type.getRank() == 0)
    return {};
  ArrayRef<int64_t> in = inType.getShape(), out = type.getShape();
  if (llvm::is_contained(in, 0) || llvm::is_contained(out, 0))
    return {};
  int64_t n = in.size(), m = out.size();
  SmallVector<ReassociationIndices> inGroups, outGroups;
  SmallVector<int64_t> mid;
  if (dynamicIn == 1) {
    // Static groups from the front and from the back; what is left on each
    // side holds the dynamic dim and is one group: collapsed to one dim,
    // then expanded (each side's group has one dynamic dim, which the
    // element count fixes).
    auto [front, frontOut] =
        staticGroups(in, out, n, m, false, inGroups, outGroups, mid);
    SmallVector<ReassociationIndices> backIn, backOut;
    SmallVector<int64_t> backMid;
    auto [back, backOutCount] = staticGroups(in, out, n - front, m - frontOut,
                                             true, backIn, backOut, backMid);
    int64_t midEnd = n - back, midEndOut = m - backOutCount;
    if (front >= midEnd || frontOut >= midEndOut)
      return {};
    ReassociationIndices gi, gj;
    for (int64_t i = front; i < midEnd; ++i)
      gi.push_back(i);
    for (int64_t j = frontOut; j < midEndOut; ++j)
      gj.push_back(j);
    inGroups.push_back(gi);
    outGroups.push_back(gj);
    mid.push_back(ShapedType::kDynamic);
    for (int64_t k = backIn.size() - 1; k >= 0; --k) {
      inGroups.push_back(backIn[k]);
      outGroups.push_back(backOut[k]);
      mid.push_back(backMid[k]);
    }
  } else {
    int64_t i = 0, j = 0;
    while (i < n && j < m) {
      ReassociationIndices gi{i}, gj{j};
      int64_t pi = in[i++], pj = out[j++];
      while (pi != pj) {
        if (pi < pj) {
          if (i == n)
            return {};
          gi.push_back(i);
          pi *= in[i++];
        } else {
          if (j == m)
            return {};
          gj.push_back(j);
          pj *= out[j++];
        }
      }
      inGroups.push_back(gi);
      outGroups.push_back(gj);
      mid.push_back(pi);
    }
    // What is left on either side is size-1 dims: they join the last group.
    for (; i < n; ++i) {
      if (in[i] != 1)
        return {};
      inGroups.back().push_back(i);
    }
    for (; j < m; ++j) {
      if (out[j] != 1)
        return {};
      outGroups.back().push_back(j);
    }
  }
  Value v = input;
  if (static_cast<int64_t>(mid.size()) != n)
    v = tensor::CollapseShapeOp::create(
        b, loc, RankedTensorType::get(mid, type.getElementType()), v, inGroups);
  if (static_cast<int64_t>(mid.size()) != m)
    v = tensor::ExpandShapeOp::create(b, loc, type, v, outGroups);
  return v;
}

Value reduceDims(OpBuilder &b, Location loc, Value input,
                 ArrayRef<bool> reduced, Value init, ReduceBodyFn body,
                 ValueRange extra) {
  MLIRContext *ctx = b.getContext();
  auto inType = cast<RankedTensorType>(input.getType());
  int64_t rank = inType.getRank();
  SmallVector<int64_t> shape;
  SmallVector<Value> sizes;
  SmallVector<AffineExpr> outExprs;
  SmallVector<utils::IteratorType> iterators;
  for (int64_t i = 0; i < rank; ++i) {
    if (reduced[i]) {
      iterators.push_back(utils::IteratorType::reduction);
      continue;
    }
    iterators.push_back(utils::IteratorType::parallel);
    shape.push_back(inType.getDimSize(i));
    outExprs.push_back(getAffineDimExpr(i, ctx));
    if (inType.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, loc, input, i));
  }
  auto outType = RankedTensorType::get(shape, init.getType());
  Value acc =
      linalg::FillOp::create(b, loc, init, emptyTensor(b, loc, outType, sizes))
          .getResult(0);
  AffineMap outMap = AffineMap::get(rank, 0, outExprs, ctx);
  SmallVector<Value> ins = {input};
  SmallVector<AffineMap> maps = {AffineMap::getMultiDimIdentityMap(rank, ctx)};
  for (Value e : extra) {
    ins.push_back(e);
    maps.push_back(outMap);
  }
  maps.push_back(outMap);
  return linalg::GenericOp::create(
             b, loc, outType, ins, acc, maps, iterators,
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l, body(nb, l, args.drop_back(), args.back()));
             })
      .getResult(0);
}

Value mapWithReduced(
    OpBuilder &b, Location loc, Value input, ArrayRef<bool> reduced,
    ValueRange extra,
    function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  MLIRContext *ctx = b.getContext();
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<AffineExpr> kept;
  for (int64_t i = 0; i < rank; ++i)
    if (!reduced[i])
      kept.push_back(getAffineDimExpr(i, ctx));
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  SmallVector<AffineMap> maps = {id};
  SmallVector<Value> ins = {input};
  for (Value e : extra) {
    ins.push_back(e);
    maps.push_back(AffineMap::get(rank, 0, kept, ctx));
  }
  maps.push_back(id);
  return linalg::GenericOp::create(
             b, loc, type, ins, emptyLike(b, loc, type, input), maps,
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(nb, l, fn(nb, l, args.drop_back()));
             })
      .getResult(0);
}

Value generate(OpBuilder &b, Location loc, RankedTensorType type,
               ValueRange dynamicSizes,
               function_ref<Value(OpBuilder &, Location, ValueRange)> fn) {
  int64_t rank = type.getRank();
  Value init = emptyTensor(b, loc, type, dynamicSizes);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{}, init,
             ArrayRef<AffineMap>{
                 AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [&](OpBuilder &nb, Location l, ValueRange) {
               SmallVector<Value> ivs;
               for (int64_t d = 0; d < rank; ++d)
                 ivs.push_back(linalg::IndexOp::create(nb, l, d));
               linalg::YieldOp::create(nb, l, fn(nb, l, ivs));
             })
      .getResult(0);
}

Value elementCount(OpBuilder &b, Location loc, Value v, ArrayRef<bool> dims,
                   Type et) {
  Value count = arith::ConstantIndexOp::create(b, loc, 1);
  for (auto [i, counted] : llvm::enumerate(dims))
    if (counted)
      count = arith::MulIOp::create(b, loc, count, dimValue(b, loc, v, i));
  Value c = arith::IndexCastOp::create(b, loc, b.getI64Type(), count);
  if (isa<FloatType>(et))
    return arith::SIToFPOp::create(b, loc, et, c);
  return et == c.getType() ? c : Value(arith::TruncIOp::create(b, loc, et, c));
}

Value addChannelBias(OpBuilder &b, Location loc, Value x, Value bias) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  int64_t rank = type.getRank();
  auto id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  return linalg::GenericOp::create(
             b, loc, type, ValueRange{x, bias}, emptyLike(b, loc, type, x),
             ArrayRef<AffineMap>{
                 id, AffineMap::get(rank, 0, {getAffineDimExpr(1, ctx)}, ctx),
                 id},
             SmallVector<utils::IteratorType>(rank,
                                              utils::IteratorType::parallel),
             [](OpBuilder &nb, Location l, ValueRange args) {
               linalg::YieldOp::create(
                   nb, l,
                   Value(arith::AddFOp::create(nb, l, args[0], args[1])));
             })
      .getResult(0);
}

Value rowKernel(OpBuilder &b, Location loc, Value input, int64_t axis,
                RowBodyFn body) {
  auto type = cast<RankedTensorType>(input.getType());
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> ubs, offsets, sizes;
  SmallVector<OpFoldResult> strides(rank, b.getIndexAttr(1));
  for (int64_t i = 0; i < rank; ++i) {
    OpFoldResult d = type.isDynamicDim(i)
                         ? OpFoldResult(tensor::DimOp::create(b, loc, input, i))
                         : OpFoldResult(b.getIndexAttr(type.getDimSize(i)));
    if (i < axis)
      ubs.push_back(d);
    else
      sizes.push_back(d);
  }
  auto rowType = RankedTensorType::get(type.getShape().drop_front(axis),
                                       type.getElementType());
  Value init = emptyTensor(b, loc, type, dynamicSizes(b, loc, input));
  auto forall =
      scf::ForallOp::create(b, loc, ubs, ValueRange{init}, std::nullopt);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(forall.getBody());
  for (Value iv : forall.getInductionVars())
    offsets.push_back(iv);
  offsets.append(rank - axis, b.getIndexAttr(0));
  SmallVector<OpFoldResult> rowSizes(axis, b.getIndexAttr(1));
  rowSizes.append(sizes);
  Value out = forall.getRegionOutArgs()[0];
  Value row = tensor::ExtractSliceOp::create(b, loc, rowType, input, offsets,
                                             rowSizes, strides);
  Value outRow = tensor::ExtractSliceOp::create(b, loc, rowType, out, offsets,
                                                rowSizes, strides);
  Value written = body(b, loc, forall.getInductionVars(), row, outRow);
  b.setInsertionPointToStart(forall.getTerminator().getBody());
  tensor::ParallelInsertSliceOp::create(b, loc, written, out, offsets, rowSizes,
                                        strides);
  return forall.getResult(0);
}

Value reduceRow(
    OpBuilder &b, Location loc, Value row, Value init,
    function_ref<Value(OpBuilder &, Location, Value, Value)> combine) {
  auto type = cast<RankedTensorType>(row.getType());
  SmallVector<Value> lbs, ubs, steps;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    lbs.push_back(cidx(b, loc, 0));
    ubs.push_back(dimValue(b, loc, row, i));
    steps.push_back(cidx(b, loc, 1));
  }
  scf::LoopNest nest =
      scf::buildLoopNest(b, loc, lbs, ubs, steps, ValueRange{init},
                         [&](OpBuilder &nb, Location l, ValueRange ivs,
                             ValueRange acc) -> scf::ValueVector {
                           Value x = tensor::ExtractOp::create(nb, l, row, ivs);
                           return {combine(nb, l, x, acc[0])};
                         });
  return nest.results[0];
}

Value sumRow(OpBuilder &b, Location loc, Value row,
             function_ref<Value(OpBuilder &, Location, Value)> term) {
  Type et = cast<RankedTensorType>(row.getType()).getElementType();
  return reduceRow(b, loc, row, scalarConstant(b, loc, et, 0),
                   [&](OpBuilder &nb, Location l, Value x, Value acc) {
                     return arith::AddFOp::create(
                         nb, l, acc, term(nb, l, x),
                         arith::FastMathFlags::reassoc);
                   });
}

void assertLabelsInRange(OpBuilder &b, Location loc, Value labels,
                         int64_t depth) {
  // A scalar loop on the calling thread: the labels are few (one per
  // sample), and the flag needs no buffer of its own.
  Value anyBad = reduceRow(
      b, loc, labels, arith::ConstantOp::create(b, loc, b.getBoolAttr(false)),
      [&](OpBuilder &nb, Location l, Value label, Value acc) -> Value {
        Value k = arith::IndexCastOp::create(nb, l, nb.getIndexType(), label);
        Value low = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::slt, k,
                                          cidx(nb, l, 0));
        Value high = arith::CmpIOp::create(nb, l, arith::CmpIPredicate::sge, k,
                                           cidx(nb, l, depth));
        return arith::OrIOp::create(nb, l, acc,
                                    arith::OrIOp::create(nb, l, low, high));
      });
  Value ok = arith::XOrIOp::create(
      b, loc, anyBad, arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
  cf::AssertOp::create(b, loc, ok,
                       "a class label is outside [0, " + std::to_string(depth) +
                           ")");
}

} // namespace dlc
