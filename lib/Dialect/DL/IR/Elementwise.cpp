//===- Elementwise.cpp - unary, binary, select and cast ops ---------------===//
//
// The per-element formulas live in DLOps.td (evalFloat / evalInt); this file
// holds the checks and the identity folds.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APSInt.h"

using namespace mlir;
using namespace dlc::dl;

/// True if `attr` is a splat constant equal to `value` (as float or int).
static bool isSplatOf(Attribute attr, double value) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || !dense.isSplat())
    return false;
  Type et = dense.getElementType();
  if (isa<FloatType>(et))
    return dense.getSplatValue<APFloat>().convertToDouble() == value ||
           (dense.getSplatValue<APFloat>().isExactlyValue(value));
  if (auto it = dyn_cast<IntegerType>(et)) {
    if (it.getWidth() == 1)
      return dense.getSplatValue<APInt>().getZExtValue() ==
             static_cast<uint64_t>(value);
    return dense.getSplatValue<APInt>().getSExtValue() ==
           static_cast<int64_t>(value);
  }
  return false;
}

/// True if broadcasting `other` against `v` surely leaves v's shape as it
/// is: every dim of `other` is 1 or equal to a static dim of v. (A dynamic
/// dim of v may be 1 at run time and grow.)
static bool broadcastsInto(Value other, Value v) {
  ArrayRef<int64_t> o = tensorTypeOf(other).getShape();
  ArrayRef<int64_t> s = tensorTypeOf(v).getShape();
  if (o.size() > s.size())
    return false;
  for (size_t i = 0; i < o.size(); ++i) {
    int64_t od = o[o.size() - 1 - i], sd = s[s.size() - 1 - i];
    if (od != 1 && (od != sd || ShapedType::isDynamic(sd)))
      return false;
  }
  return true;
}

OpFoldResult dlc::dl::foldBinary(Operation *op, ArrayRef<Attribute> operands) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Type resultType = op->getResult(0).getType();
  Attribute lc = operands[0], rc = operands[1];
  // An identity may only fold when it does not change the type: the other
  // operand must not broadcast `v` to a bigger shape.
  auto keep = [&](Value v) -> OpFoldResult {
    Value other = v == lhs ? rhs : lhs;
    return v.getType() == resultType && broadcastsInto(other, v)
               ? OpFoldResult(v)
               : OpFoldResult();
  };
  bool isFloat =
      isa<FloatType>(cast<RankedTensorType>(lhs.getType()).getElementType());
  if (isa<AddOp>(op)) {
    // x + (-0.0) is x for every x; x + 0.0 is x except for x = -0.0, which
    // networks do not distinguish.
    if (isSplatOf(rc, 0))
      if (auto r = keep(lhs))
        return r;
    if (isSplatOf(lc, 0))
      if (auto r = keep(rhs))
        return r;
  } else if (isa<SubOp>(op)) {
    if (isSplatOf(rc, 0))
      if (auto r = keep(lhs))
        return r;
  } else if (isa<MulOp>(op)) {
    if (isSplatOf(rc, 1))
      if (auto r = keep(lhs))
        return r;
    if (isSplatOf(lc, 1))
      if (auto r = keep(rhs))
        return r;
    // x * 0 is 0 only for integers: NaN and inf survive a float multiply.
    auto rt = cast<RankedTensorType>(resultType);
    if (!isFloat && isSplatOf(rc, 0) && rt.hasStaticShape())
      return cast<DenseElementsAttr>(rc).resizeSplat(rt);
  } else if (isa<DivOp>(op)) {
    if (isSplatOf(rc, 1))
      if (auto r = keep(lhs))
        return r;
  } else if (isa<PowOp>(op)) {
    if (isSplatOf(rc, 1))
      if (auto r = keep(lhs))
        return r;
  } else if (isa<MaxOp, MinOp, AndOp, OrOp>(op)) {
    if (lhs == rhs && lhs.getType() == resultType)
      return lhs;
    if (isa<AndOp>(op) && isSplatOf(rc, 1))
      if (auto r = keep(lhs))
        return r;
    if (isa<OrOp>(op) && isSplatOf(rc, 0))
      if (auto r = keep(lhs))
        return r;
  }
  return foldElementwise(op, operands);
}

//===----------------------------------------------------------------------===//
// ClipOp, ModOp, NotOp
//===----------------------------------------------------------------------===//

LogicalResult ClipOp::verify() {
  if (getMin() && getMax() &&
      getMin()->convertToDouble() > getMax()->convertToDouble())
    return emitOpError("min (")
           << getMin()->convertToDouble() << ") must not exceed max ("
           << getMax()->convertToDouble() << ")";
  return success();
}

LogicalResult ModOp::verify() {
  if (isa<FloatType>(getLhs().getType().getElementType()) && !getFmod())
    return emitOpError("float operands need fmod = true (the remainder "
                       "takes the sign of the dividend, as C fmod)");
  return success();
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  return foldElementwise(getOperation(), adaptor.getOperands());
}

std::optional<APInt> NotOp::evalInt(ArrayRef<APInt> args) { return ~args[0]; }

//===----------------------------------------------------------------------===//
// SelectOp
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  if (failed(inferBroadcastShape(location, adaptor.getOperands(), shape)))
    return failure();
  inferred.push_back(RankedTensorType::get(
      shape, cast<RankedTensorType>(adaptor.getTrueValue().getType())
                 .getElementType()));
  return success();
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  Type type = getType();
  // The chosen value is the result only if the other operands cannot
  // broadcast it to a bigger shape.
  auto pick = [&](Value chosen, Value other) -> OpFoldResult {
    if (chosen.getType() == type && broadcastsInto(getCond(), chosen) &&
        broadcastsInto(other, chosen))
      return chosen;
    return {};
  };
  if (getTrueValue() == getFalseValue())
    return pick(getTrueValue(), getFalseValue());
  if (isSplatOf(adaptor.getCond(), 1))
    return pick(getTrueValue(), getFalseValue());
  if (isSplatOf(adaptor.getCond(), 0))
    return pick(getFalseValue(), getTrueValue());
  // All three constant (exporters' shape arithmetic: Where(Equal(shape,
  // -1), ones, shape) before an Expand): pick element by element, with
  // broadcasting.
  auto cond = dyn_cast_or_null<DenseElementsAttr>(adaptor.getCond());
  auto tv = dyn_cast_or_null<DenseElementsAttr>(adaptor.getTrueValue());
  auto fv = dyn_cast_or_null<DenseElementsAttr>(adaptor.getFalseValue());
  auto rt = dyn_cast<RankedTensorType>(type);
  if (!cond || !tv || !fv || !rt || !rt.hasStaticShape() ||
      rt.getNumElements() > kMaxFoldElements)
    return {};
  int64_t rank = rt.getRank();
  auto offsets = [&](DenseElementsAttr a) {
    ArrayRef<int64_t> shape = a.getType().getShape();
    SmallVector<int64_t> s(rank, 0);
    int64_t stride = 1;
    for (int64_t i = (int64_t)shape.size() - 1; i >= 0; --i) {
      s[i + rank - (int64_t)shape.size()] = shape[i] == 1 ? 0 : stride;
      stride *= shape[i];
    }
    return s;
  };
  SmallVector<int64_t> cs = offsets(cond), ts = offsets(tv), fs = offsets(fv);
  SmallVector<bool> c(cond.getValues<bool>());
  SmallVector<Attribute> t(tv.getValues<Attribute>()),
      f(fv.getValues<Attribute>()), out;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < rt.getNumElements(); ++linear) {
    int64_t co = 0, to = 0, fo = 0;
    for (int64_t d = 0; d < rank; ++d) {
      co += index[d] * cs[d];
      to += index[d] * ts[d];
      fo += index[d] * fs[d];
    }
    out.push_back(c[cond.isSplat() ? 0 : co] ? t[tv.isSplat() ? 0 : to]
                                             : f[fv.isSplat() ? 0 : fo]);
    for (int64_t d = rank - 1; d >= 0 && ++index[d] == rt.getDimSize(d); --d)
      index[d] = 0;
  }
  return DenseElementsAttr::get(rt, out);
}

//===----------------------------------------------------------------------===//
// CastOp
//===----------------------------------------------------------------------===//

bool CastOp::areCastCompatible(TypeRange inputs, TypeRange outputs) {
  if (inputs.size() != 1 || outputs.size() != 1)
    return false;
  auto in = dyn_cast<RankedTensorType>(inputs.front());
  auto out = dyn_cast<RankedTensorType>(outputs.front());
  return in && out && succeeded(verifyCompatibleShape(in, out));
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  auto type = getType();
  if (!dense || !type.hasStaticShape() ||
      (!dense.isSplat() && type.getNumElements() > kMaxFoldElements))
    return {};
  Type from = dense.getElementType(), to = type.getElementType();
  auto convert = [&](auto &&fn) -> Attribute {
    if (dense.isSplat())
      return DenseElementsAttr::get(type, fn(0));
    SmallVector<std::decay_t<decltype(fn(0))>> out;
    for (int64_t i = 0, e = type.getNumElements(); i < e; ++i)
      out.push_back(fn(i));
    return DenseElementsAttr::get(type, ArrayRef(out));
  };
  if (auto ft = dyn_cast<FloatType>(to)) {
    return convert([&](int64_t i) {
      APFloat f(0.0);
      if (isa<FloatType>(from)) {
        f = dense.getValues<APFloat>()[i];
      } else {
        APInt v = dense.getValues<APInt>()[i];
        bool isUnsigned =
            from.getIntOrFloatBitWidth() == 1 || getInputUnsigned();
        f = APFloat(ft.getFloatSemantics());
        f.convertFromAPInt(v, /*IsSigned=*/!isUnsigned,
                           APFloat::rmNearestTiesToEven);
        return f;
      }
      bool lost;
      f.convert(ft.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      return f;
    });
  }
  unsigned width = to.getIntOrFloatBitWidth();
  return convert([&](int64_t i) {
    if (isa<FloatType>(from)) {
      APFloat f = dense.getValues<APFloat>()[i];
      if (width == 1)
        return APInt(1, f.isZero() ? 0 : 1);
      APSInt result(width, /*isUnsigned=*/getResultUnsigned());
      bool exact;
      f.convertToInteger(result, APFloat::rmTowardZero, &exact);
      return APInt(result);
    }
    APInt v = dense.getValues<APInt>()[i];
    if (width == 1)
      return APInt(1, v.isZero() ? 0 : 1);
    return from.getIntOrFloatBitWidth() == 1 || getInputUnsigned()
               ? v.zextOrTrunc(width)
               : v.sextOrTrunc(width);
  });
}
