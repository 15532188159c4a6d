//===- ShapeUtils.cpp - shape helpers shared by dl ops --------------------===//

#include "dlc/Dialect/DL/IR/ShapeUtils.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>

using namespace mlir;

namespace dlc::dl {

SliceDim clampSlice(int64_t dim, int64_t start, int64_t end, int64_t step) {
  if (start < 0)
    start += dim;
  if (end < 0)
    end += dim;
  int64_t size;
  if (step > 0) {
    start = std::clamp<int64_t>(start, 0, dim);
    end = std::clamp<int64_t>(end, 0, dim);
    size = end > start ? (end - start + step - 1) / step : 0;
  } else {
    start = std::clamp<int64_t>(start, 0, dim - 1);
    end = std::clamp<int64_t>(end, -1, dim - 1);
    size = start > end ? (start - end - step - 1) / -step : 0;
  }
  return {start, end, step, size};
}

bool areRefinableTypes(TypeRange lhs, TypeRange rhs) {
  if (lhs.size() != rhs.size())
    return false;
  for (auto [l, r] : llvm::zip(lhs, rhs)) {
    auto lt = dyn_cast<RankedTensorType>(l);
    auto rt = dyn_cast<RankedTensorType>(r);
    if (!lt || !rt) {
      if (l != r)
        return false;
      continue;
    }
    if (lt.getElementType() != rt.getElementType() ||
        lt.getRank() != rt.getRank())
      return false;
    for (auto [a, b] : llvm::zip(lt.getShape(), rt.getShape()))
      if (a != b && !ShapedType::isDynamic(a) && !ShapedType::isDynamic(b))
        return false;
  }
  return true;
}

FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs) {
  SmallVector<int64_t> out;
  if (!OpTrait::util::getBroadcastedShape(lhs, rhs, out))
    return failure();
  // Upstream resolves `?` only against a static dim > 1 and keeps `?` against
  // 0. dl takes a dynamic dim to equal the other operand's (numpy would allow
  // 0 or 1, giving 0 too), so the result dim is a static 0 there.
  for (int64_t i = 1, e = std::min(lhs.size(), rhs.size()); i <= e; ++i) {
    int64_t a = lhs[lhs.size() - i], b = rhs[rhs.size() - i];
    if ((a == 0 && ShapedType::isDynamic(b)) ||
        (b == 0 && ShapedType::isDynamic(a)))
      out[out.size() - i] = 0;
  }
  return out;
}

std::string shapeToString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (shape.empty())
    return "scalar";
  llvm::interleave(
      shape, os,
      [&](int64_t d) {
        if (ShapedType::isDynamic(d))
          os << '?';
        else
          os << d;
      },
      "x");
  return s;
}

LogicalResult inferBroadcastShape(std::optional<Location> loc,
                                  ValueRange operands,
                                  SmallVectorImpl<int64_t> &shape) {
  SmallVector<int64_t> acc;
  for (Value v : operands) {
    auto type = cast<RankedTensorType>(v.getType());
    auto next = broadcastShapes(acc, type.getShape());
    if (failed(next)) {
      return emitOptionalError(
          loc, "operands are not broadcast-compatible: ", shapeToString(acc),
          " and ", shapeToString(type.getShape()),
          " (numpy rules: trailing dims must match or be 1)");
    }
    acc = std::move(*next);
  }
  shape.assign(acc.begin(), acc.end());
  return success();
}

LogicalResult inferBinaryResult(MLIRContext *context,
                                std::optional<Location> loc,
                                ValueRange operands, bool boolResult,
                                SmallVectorImpl<Type> &inferred) {
  SmallVector<int64_t> shape;
  if (failed(inferBroadcastShape(loc, operands, shape)))
    return failure();
  Type element =
      boolResult
          ? Type(IntegerType::get(context, 1))
          : cast<RankedTensorType>(operands[0].getType()).getElementType();
  inferred.push_back(RankedTensorType::get(shape, element));
  return success();
}

FailureOr<int64_t> normalizeAxis(std::optional<Location> loc, int64_t axis,
                                 int64_t rank, StringRef what) {
  if (axis < -rank || axis >= std::max<int64_t>(rank, 1)) {
    return emitOptionalError(loc, what, " ", axis, " is out of range for rank ",
                             rank, " (expected -", rank, " <= ", what, " < ",
                             rank, ")");
  }
  return axis < 0 ? axis + rank : axis;
}

FailureOr<SmallVector<int64_t>> normalizeAxes(std::optional<Location> loc,
                                              ArrayRef<int64_t> axes,
                                              int64_t rank, StringRef what) {
  SmallVector<int64_t> out;
  SmallVector<bool> seen(rank, false);
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) {
      return emitOptionalError(loc, what, " value ", a,
                               " is out of range for rank ", rank,
                               " (expected -", rank, " <= value < ", rank, ")");
    }
    int64_t n = a < 0 ? a + rank : a;
    if (seen[n])
      return emitOptionalError(loc, what, " repeats dim ", n);
    seen[n] = true;
    out.push_back(n);
  }
  return out;
}

int64_t shapeProduct(ArrayRef<int64_t> shape) {
  int64_t p = 1;
  for (int64_t d : shape) {
    if (ShapedType::isDynamic(d))
      return ShapedType::kDynamic;
    p *= d;
  }
  return p;
}

int64_t windowOutputSize(int64_t in, int64_t kernel, int64_t stride,
                         int64_t padBegin, int64_t padEnd, int64_t dilation,
                         bool ceilMode) {
  if (ShapedType::isDynamic(in))
    return ShapedType::kDynamic;
  int64_t effective = (kernel - 1) * dilation + 1;
  int64_t span = in + padBegin + padEnd - effective;
  if (span < 0)
    return -1;
  int64_t out = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1;
  // With ceil mode the last window must start inside the input or the
  // begin padding (PyTorch and ONNX agree on this rule).
  if (ceilMode && (out - 1) * stride >= in + padBegin)
    --out;
  return out;
}

FailureOr<WindowAttrs>
readWindowAttrs(std::optional<Location> loc,
                std::optional<ArrayRef<int64_t>> strides,
                std::optional<ArrayRef<int64_t>> pads,
                std::optional<ArrayRef<int64_t>> dilations, int64_t spatial) {
  WindowAttrs w;
  auto read = [&](std::optional<ArrayRef<int64_t>> attr, StringRef name,
                  int64_t size, int64_t fill, int64_t min,
                  SmallVector<int64_t> &out) -> LogicalResult {
    if (!attr) {
      out.assign(size, fill);
      return success();
    }
    if (static_cast<int64_t>(attr->size()) != size)
      return emitOptionalError(loc, name, " has ", attr->size(),
                               " values, expected ", size, " for ", spatial,
                               " spatial dim(s)");
    for (int64_t v : *attr)
      if (v < min || v > kMaxWindowValue)
        return emitOptionalError(loc, name, " values must be in [", min, ", ",
                                 kMaxWindowValue, "], got ", v);
    out.assign(attr->begin(), attr->end());
    return success();
  };
  if (failed(read(strides, "strides", spatial, 1, 1, w.strides)) ||
      failed(read(pads, "pads", 2 * spatial, 0, 0, w.pads)) ||
      failed(read(dilations, "dilations", spatial, 1, 1, w.dilations)))
    return failure();
  return w;
}

double floorMod(double a, double b) {
  double r = std::fmod(a, b);
  if (r != 0 && ((r < 0) != (b < 0)))
    r += b;
  return r;
}

std::optional<llvm::APInt> intMod(const llvm::APInt &a, const llvm::APInt &b,
                                  bool fmod) {
  if (b.isZero() || (a.isMinSignedValue() && b.isAllOnes()))
    return std::nullopt;
  llvm::APInt r = a.srem(b);
  if (!fmod && !r.isZero() && (r.isNegative() != b.isNegative()))
    r += b;
  return r;
}

llvm::APInt clipInt(const llvm::APInt &x, std::optional<llvm::APFloat> min,
                    std::optional<llvm::APFloat> max) {
  double v = static_cast<double>(x.getSExtValue());
  if (min && v < min->convertToDouble())
    v = std::ceil(min->convertToDouble());
  if (max && v > max->convertToDouble())
    v = std::floor(max->convertToDouble());
  return llvm::APInt(x.getBitWidth(), static_cast<int64_t>(v),
                     /*isSigned=*/true);
}

//===----------------------------------------------------------------------===//
// Elementwise constant folding
//===----------------------------------------------------------------------===//

static double toDouble(const llvm::APFloat &f) {
  llvm::APFloat d = f;
  bool lost;
  d.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return d.convertToDouble();
}

static llvm::APFloat fromDouble(double v, FloatType type) {
  llvm::APFloat f(v);
  bool lost;
  f.convert(type.getFloatSemantics(), llvm::APFloat::rmNearestTiesToEven,
            &lost);
  return f;
}

OpFoldResult foldElementwise(Operation *op, ArrayRef<Attribute> operands) {
  auto iface = dyn_cast<ElementwiseOpInterface>(op);
  auto resultType = dyn_cast<RankedTensorType>(op->getResult(0).getType());
  if (!iface || !resultType || !resultType.hasStaticShape() ||
      resultType.getNumElements() == 0 || operands.empty())
    return {};
  SmallVector<DenseElementsAttr> inputs;
  bool allSplat = true;
  for (Attribute a : operands) {
    auto dense = dyn_cast_or_null<DenseElementsAttr>(a);
    // An empty operand has no value to take, not even as a splat.
    if (!dense || dense.getNumElements() == 0)
      return {};
    allSplat &= dense.isSplat();
    inputs.push_back(dense);
  }
  int64_t count = allSplat ? 1 : resultType.getNumElements();
  if (count > kMaxFoldElements)
    return {};

  Type inElement = inputs[0].getElementType();
  Type outElement = resultType.getElementType();
  bool floatIn = isa<FloatType>(inElement);
  ArrayRef<int64_t> outShape = resultType.getShape();
  int64_t rank = outShape.size();

  // Per operand: its values and strides into them for the broadcast result.
  SmallVector<SmallVector<int64_t>> strides;
  for (DenseElementsAttr in : inputs) {
    ArrayRef<int64_t> shape = in.getType().getShape();
    SmallVector<int64_t> s(rank, 0);
    int64_t stride = 1;
    for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
      int64_t outDim = i + rank - static_cast<int64_t>(shape.size());
      s[outDim] = shape[i] == 1 ? 0 : stride;
      stride *= shape[i];
    }
    strides.push_back(std::move(s));
  }
  SmallVector<SmallVector<llvm::APFloat>> fvals;
  SmallVector<SmallVector<llvm::APInt>> ivals;
  for (DenseElementsAttr in : inputs) {
    if (floatIn)
      fvals.emplace_back(in.getValues<llvm::APFloat>().begin(),
                         in.getValues<llvm::APFloat>().end());
    else
      ivals.emplace_back(in.getValues<llvm::APInt>().begin(),
                         in.getValues<llvm::APInt>().end());
  }

  SmallVector<llvm::APFloat> fout;
  SmallVector<llvm::APInt> iout;
  SmallVector<int64_t> index(rank, 0);
  for (int64_t linear = 0; linear < count; ++linear) {
    std::optional<double> fres;
    std::optional<llvm::APInt> ires;
    if (floatIn) {
      SmallVector<double> args;
      for (auto [k, vals] : llvm::enumerate(fvals)) {
        int64_t off = 0;
        if (!inputs[k].isSplat())
          for (int64_t d = 0; d < rank; ++d)
            off += index[d] * strides[k][d];
        args.push_back(toDouble(vals[inputs[k].isSplat() ? 0 : off]));
      }
      fres = iface.evalFloat(args);
      if (!fres)
        return {};
    } else {
      SmallVector<llvm::APInt> args;
      for (auto [k, vals] : llvm::enumerate(ivals)) {
        int64_t off = 0;
        if (!inputs[k].isSplat())
          for (int64_t d = 0; d < rank; ++d)
            off += index[d] * strides[k][d];
        args.push_back(vals[inputs[k].isSplat() ? 0 : off]);
      }
      ires = iface.evalInt(args);
      if (!ires)
        return {};
    }
    if (auto ft = dyn_cast<FloatType>(outElement)) {
      if (!fres)
        return {};
      fout.push_back(fromDouble(*fres, ft));
    } else {
      unsigned width = outElement.getIntOrFloatBitWidth();
      if (fres) {
        // A bool is 0 or 1; anything else is a signed value of the width.
        int64_t v = width == 1 ? (*fres != 0) : static_cast<int64_t>(*fres);
        iout.emplace_back(width, v, /*isSigned=*/width != 1);
      } else if (ires->getBitWidth() == width) {
        iout.push_back(*ires);
      } else
        return {};
    }
    for (int64_t d = rank - 1; d >= 0; --d) {
      if (++index[d] < outShape[d])
        break;
      index[d] = 0;
    }
  }
  if (isa<FloatType>(outElement))
    return DenseElementsAttr::get(resultType, fout);
  return DenseElementsAttr::get(resultType, iout);
}

} // namespace dlc::dl
