//===- Quantization.cpp - ONNX QuantizeLinear, DequantizeLinear -----------===//

#include "NodeImporter.h"

#include <cmath>

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

namespace {
/// Scale and zero point as the quantize ops take them.
struct QuantParams {
  SmallVector<double> scale;
  SmallVector<int64_t> zeroPoint;
  IntegerAttr axis;
};
} // namespace

/// Scale and zero point as dl attributes: constants, one per tensor or one
/// per slice of `axis`. uint8 zero points are read as unsigned.
static LogicalResult quantParams(NodeImporter &n, int64_t rank, bool isUnsigned,
                                 QuantParams &params) {
  auto scale = n.constantFloats(1);
  if (!scale)
    return n.fail("the scale must be a constant");
  SmallVector<int64_t> zeroPoint(scale->size(), 0);
  if (n.hasInput(2)) {
    auto zp = n.constantInts(2);
    if (!zp)
      return n.fail("the zero point must be a constant");
    zeroPoint = *zp;
    if (isUnsigned)
      for (int64_t &z : zeroPoint)
        z = static_cast<uint8_t>(z);
    if (zeroPoint.size() == 1 && scale->size() > 1)
      zeroPoint.assign(scale->size(), zeroPoint[0]);
  }
  params.scale = *scale;
  params.zeroPoint = zeroPoint;
  if (n.inputType(1).getRank() == 1 && scale->size() > 1) {
    int64_t axis = n.intAttr("axis", 1);
    params.axis = n.b.getI64IntegerAttr(axis < 0 ? axis + rank : axis);
  }
  return success();
}

/// Input `i` (a scale or zero point) as `et`, shaped to broadcast against a
/// tensor of rank `rank`: a 1-D one of several elements along `axis` (the
/// node's axis attribute, default 1, when not given).
static FailureOr<Value> quantOperand(NodeImporter &n, unsigned i, Type et,
                                     int64_t rank,
                                     std::optional<int64_t> fixedAxis = {}) {
  auto t = n.inputType(i);
  Value v = n.input(i);
  if (t.getElementType() != et) {
    auto c = n.createTyped<dl::CastOp>(RankedTensorType::get(t.getShape(), et),
                                       v, n.inputUnsigned(i), false);
    if (failed(c))
      return failure();
    v = *c;
  }
  if (t.getRank() == 0 || t.getNumElements() == 1)
    return n.createTyped<dl::ReshapeOp>(RankedTensorType::get({}, et), v,
                                        Value());
  if (t.getRank() != 1 || t.isDynamicDim(0))
    return n.fail("a scale or zero point must be a scalar or 1-D of static "
                  "size");
  int64_t axis = fixedAxis ? *fixedAxis : n.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return n.fail("axis " + Twine(n.intAttr("axis", 1)) +
                  " is out of range for rank " + Twine(rank));
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = t.getDimSize(0);
  return n.createTyped<dl::ReshapeOp>(RankedTensorType::get(shape, et), v,
                                      Value());
}

/// QuantizeLinear from elementwise ops, for what dl.quantize does not take:
/// unsigned results (uint8, ONNX's default) and run-time scales or zero
/// points. y = saturate(round(x / scale) + zero_point), ties to even.
static LogicalResult importQuantizeElementwise(NodeImporter &n) {
  auto in = n.inputType(0);
  Type ft = in.getElementType();
  if (!isa<FloatType>(ft))
    return n.fail("the input must be a float tensor");
  bool isUnsigned = !n.hasInput(2) || n.inputUnsigned(2);
  Type qt = n.hasInput(2) ? n.inputType(2).getElementType() : n.b.getI8Type();
  unsigned width = qt.getIntOrFloatBitWidth();
  if (!isa<IntegerType>(qt) || width > 16)
    return n.fail("only 8- and 16-bit integer zero points are supported");
  auto scale = quantOperand(n, 1, ft, in.getRank());
  if (failed(scale))
    return failure();
  auto q = n.create<dl::DivOp>(n.input(0), *scale);
  if (failed(q))
    return failure();
  q = n.create<dl::RoundOp>(*q);
  if (failed(q))
    return failure();
  if (n.hasInput(2)) {
    auto zp = quantOperand(n, 2, ft, in.getRank());
    if (failed(zp))
      return failure();
    q = n.create<dl::AddOp>(*q, *zp);
    if (failed(q))
      return failure();
  }
  double lo = isUnsigned ? 0.0 : -std::ldexp(1.0, width - 1);
  double hi =
      isUnsigned ? std::ldexp(1.0, width) - 1 : std::ldexp(1.0, width - 1) - 1;
  q = n.create<dl::MaxOp>(*q, n.scalar(lo, ft));
  if (failed(q))
    return failure();
  q = n.create<dl::MinOp>(*q, n.scalar(hi, ft));
  if (failed(q))
    return failure();
  auto qType = cast<RankedTensorType>(q->getType());
  return n.output(n.createTyped<dl::CastOp>(
      RankedTensorType::get(qType.getShape(), qt), *q, false, isUnsigned));
}

/// DequantizeLinear from elementwise ops (unsigned inputs, run-time scales
/// or zero points): y = (x - zero_point) * scale.
static LogicalResult importDequantizeElementwise(NodeImporter &n) {
  auto in = n.inputType(0);
  Type ft = n.inputType(1).getElementType();
  if (!isa<IntegerType>(in.getElementType()) || !isa<FloatType>(ft))
    return n.fail("the input must be integer and the scale float");
  auto x = n.createTyped<dl::CastOp>(RankedTensorType::get(in.getShape(), ft),
                                     n.input(0), n.inputUnsigned(0), false);
  if (failed(x))
    return failure();
  if (n.hasInput(2)) {
    auto zp = quantOperand(n, 2, ft, in.getRank());
    if (failed(zp))
      return failure();
    x = n.create<dl::SubOp>(*x, *zp);
    if (failed(x))
      return failure();
  }
  auto scale = quantOperand(n, 1, ft, in.getRank());
  if (failed(scale))
    return failure();
  return n.output(n.create<dl::MulOp>(*x, *scale));
}

/// Whether dl.quantize / dl.dequantize take the node: constant scale and
/// zero point (of the scale's size or one), 8-bit quantized values (or
/// int32 ones to dequantize: QDQ biases).
static bool fitsQuantizeOp(NodeImporter &n, bool dequantize) {
  auto scale = n.constantFloats(1);
  if (!scale)
    return false;
  unsigned width = 8;
  if (dequantize) {
    Type et = n.inputType(0).getElementType();
    if (!isa<IntegerType>(et))
      return false;
    width = et.getIntOrFloatBitWidth();
    if (width != 8 && width != 32)
      return false;
  } else if (!isa<FloatType>(n.inputType(0).getElementType())) {
    return false;
  }
  if (!n.hasInput(2)) // uint8 for QuantizeLinear, the input's for Dequantize
    return true;
  auto zp = n.constantInts(2);
  if (!zp || (zp->size() != 1 && zp->size() != scale->size()))
    return false;
  Type zt = n.inputType(2).getElementType();
  return isa<IntegerType>(zt) && zt.getIntOrFloatBitWidth() == width;
}

/// DynamicQuantizeLinear: uint8 quantization with the scale and zero point
/// of x's range (widened to include 0), as ONNX defines it:
///   scale = (max(0, max x) - min(0, min x)) / 255
///   zero_point = saturate(round(-min(0, min x) / scale))
///   y = saturate(round(x / scale) + zero_point)
static LogicalResult importDynamicQuantize(NodeImporter &n) {
  auto in = n.inputType(0);
  Type ft = in.getElementType();
  if (!ft.isF32())
    return n.fail("the input must be float32");
  auto hi = n.create<dl::ReduceMaxOp>(n.input(0), n.i64s({}), false);
  auto lo = n.create<dl::ReduceMinOp>(n.input(0), n.i64s({}), false);
  if (failed(hi) || failed(lo))
    return failure();
  hi = n.create<dl::MaxOp>(*hi, n.scalar(0.0, ft));
  lo = n.create<dl::MinOp>(*lo, n.scalar(0.0, ft));
  if (failed(hi) || failed(lo))
    return failure();
  auto range = n.create<dl::SubOp>(*hi, *lo);
  if (failed(range))
    return failure();
  auto scale = n.create<dl::DivOp>(*range, n.scalar(255.0, ft));
  if (failed(scale))
    return failure();
  auto saturate = [&](FailureOr<Value> v) -> FailureOr<Value> {
    if (failed(v))
      return failure();
    v = n.create<dl::RoundOp>(*v);
    if (failed(v))
      return failure();
    v = n.create<dl::MaxOp>(*v, n.scalar(0.0, ft));
    if (failed(v))
      return failure();
    return n.create<dl::MinOp>(*v, n.scalar(255.0, ft));
  };
  auto negLo = n.create<dl::NegOp>(*lo);
  if (failed(negLo))
    return failure();
  auto zp = saturate(n.create<dl::DivOp>(*negLo, *scale));
  if (failed(zp))
    return failure();
  auto q = n.create<dl::DivOp>(n.input(0), *scale);
  if (failed(q))
    return failure();
  q = n.create<dl::RoundOp>(*q);
  if (failed(q))
    return failure();
  q = n.create<dl::AddOp>(*q, *zp);
  if (failed(q))
    return failure();
  q = n.create<dl::MaxOp>(*q, n.scalar(0.0, ft));
  if (failed(q))
    return failure();
  q = n.create<dl::MinOp>(*q, n.scalar(255.0, ft));
  if (failed(q))
    return failure();
  Type u8 = n.b.getI8Type();
  auto y = n.createTyped<dl::CastOp>(RankedTensorType::get(in.getShape(), u8),
                                     *q, false, true);
  auto zpOut = n.createTyped<dl::CastOp>(RankedTensorType::get({}, u8), *zp,
                                         false, true);
  if (failed(n.output(y, 0)) || failed(zpOut))
    return failure();
  n.setOutput(1, *scale);
  n.setOutput(2, *zpOut);
  return success();
}

/// Whether input `i` is an 8-bit integer tensor; fails the node if not.
static LogicalResult check8Bit(NodeImporter &n, unsigned i, StringRef what) {
  Type et = n.inputType(i).getElementType();
  if (!isa<IntegerType>(et) || et.getIntOrFloatBitWidth() != 8)
    return n.fail(what + Twine(" must be int8 or uint8"));
  return success();
}

/// Zero point input `i`, or an 8-bit 0 when it is omitted.
static FailureOr<Value> zeroPointOr0(NodeImporter &n, unsigned i,
                                     StringRef what) {
  if (!n.hasInput(i))
    return n.scalar(0, n.b.getI8Type());
  if (failed(check8Bit(n, i, what)))
    return failure();
  return n.input(i);
}

/// Scale input `i` as f32: a scalar, or 1-D when it has several values.
static FailureOr<Value> scaleOperand(NodeImporter &n, unsigned i) {
  auto t = n.inputType(i);
  Value v = n.input(i);
  Type f32 = n.b.getF32Type();
  if (!isa<FloatType>(t.getElementType()))
    return n.fail("input " + Twine(i) + " (a scale) must be float");
  if (t.getElementType() != f32) {
    auto c = n.createTyped<dl::CastOp>(RankedTensorType::get(t.getShape(), f32),
                                       v, false, false);
    if (failed(c))
      return failure();
    v = *c;
  }
  if (t.hasStaticShape() && t.getNumElements() == 1)
    return n.createTyped<dl::ReshapeOp>(RankedTensorType::get({}, f32), v,
                                        Value());
  if (t.getRank() != 1 || t.isDynamicDim(0))
    return n.fail("input " + Twine(i) +
                  " (a scale) must be a scalar or 1-D of static size");
  return v;
}

static bool isPerAxis(Value v) {
  auto t = cast<RankedTensorType>(v.getType());
  return !(t.hasStaticShape() && t.getNumElements() == 1);
}

/// y = saturate(round(f32(acc + bias) * (scale_a * scale_b / y_scale)) +
/// y_zero_point) for QLinearMatMul / QLinearConv: inputs `as`, `bs`, `ys`
/// are the scales, `yz` the output zero point, `bias` (may be null) i32. A
/// 1-D scale of `a` runs along `aAxis` of the result, of `b` along `bAxis`.
static LogicalResult requantize(NodeImporter &n, Value acc, unsigned as,
                                int64_t aAxis, unsigned bs, int64_t bAxis,
                                unsigned ys, unsigned yz, Value bias) {
  auto sa = scaleOperand(n, as);
  auto sb = scaleOperand(n, bs);
  auto sy = scaleOperand(n, ys);
  if (failed(sa) || failed(sb) || failed(sy))
    return failure();
  if (isPerAxis(*sy))
    return n.fail("the output scale must be one value");
  if (isPerAxis(*sa) && isPerAxis(*sb))
    return n.fail("per-row scales of the first input with per-column scales "
                  "of the second are not supported");
  if (failed(check8Bit(n, yz, "the output zero point")))
    return failure();
  // The reference computes in float32 from the int32 accumulator.
  auto scale = n.create<dl::MulOp>(*sa, *sb);
  if (failed(scale))
    return failure();
  scale = n.create<dl::DivOp>(*scale, *sy);
  if (failed(scale))
    return failure();
  IntegerAttr axis;
  if (isPerAxis(*sa))
    axis = n.b.getI64IntegerAttr(aAxis);
  else if (isPerAxis(*sb) || isPerAxis(n.input(yz)) ||
           (bias && isPerAxis(bias)))
    axis = n.b.getI64IntegerAttr(bAxis);
  auto accType = cast<RankedTensorType>(acc.getType());
  return n.output(n.createTyped<dl::RequantizeOp>(
      RankedTensorType::get(accType.getShape(), n.b.getI8Type()), acc, bias,
      *scale, n.input(yz), axis, n.b.getBoolAttr(n.inputUnsigned(yz)),
      IntegerAttr(), IntegerAttr()));
}

/// dl.matmul_integer of inputs `a` and `b` with zero points `az`, `bz`.
static FailureOr<Value> integerMatMul(NodeImporter &n, unsigned a, unsigned az,
                                      unsigned b, unsigned bz) {
  if (failed(check8Bit(n, a, "the first input")) ||
      failed(check8Bit(n, b, "the second input")))
    return failure();
  auto za = zeroPointOr0(n, az, "the first input's zero point");
  auto zb = zeroPointOr0(n, bz, "the second input's zero point");
  if (failed(za) || failed(zb))
    return failure();
  return n.create<dl::MatMulIntegerOp>(n.input(a), n.input(b), *za, *zb,
                                       n.inputUnsigned(a), n.inputUnsigned(b));
}

/// dl.conv_integer of inputs `x` and `w` with zero points `xz`, `wz`.
static FailureOr<Value> integerConv(NodeImporter &n, unsigned x, unsigned xz,
                                    unsigned w, unsigned wz) {
  if (failed(check8Bit(n, x, "the input")) ||
      failed(check8Bit(n, w, "the weight")))
    return failure();
  auto zx = zeroPointOr0(n, xz, "the input's zero point");
  auto zw = zeroPointOr0(n, wz, "the weight's zero point");
  if (failed(zx) || failed(zw))
    return failure();
  return importConvIntegerOn(n, n.input(x), n.input(w), *zx, *zw,
                             n.inputUnsigned(x), n.inputUnsigned(w));
}

void dlc::onnx_frontend::registerQuantizationOps(OpRegistry &r) {
  r["MatMulInteger"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(integerMatMul(n, 0, 2, 1, 3));
  };
  r["QLinearMatMul"] = [](NodeImporter &n) -> LogicalResult {
    auto p = integerMatMul(n, 0, 2, 3, 5);
    if (failed(p))
      return failure();
    int64_t rank = cast<RankedTensorType>(p->getType()).getRank();
    return requantize(n, *p, 1, std::max<int64_t>(rank - 2, 0), 4,
                      std::max<int64_t>(rank - 1, 0), 6, 7, Value());
  };
  r["ConvInteger"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(integerConv(n, 0, 2, 1, 3));
  };
  r["QLinearConv"] = [](NodeImporter &n) -> LogicalResult {
    auto c = integerConv(n, 0, 2, 3, 5);
    if (failed(c))
      return failure();
    Value bias;
    if (n.hasInput(8)) {
      Type et = n.inputType(8).getElementType();
      if (!et.isInteger(32) || n.inputType(8).getRank() != 1)
        return n.fail("the bias must be 1-D int32");
      bias = n.input(8);
    }
    if (isPerAxis(n.input(1)))
      return n.fail("the input scale must be one value");
    return requantize(n, *c, 1, 1, 4, 1, 6, 7, bias);
  };
  r["DynamicQuantizeLinear"] = importDynamicQuantize;
  r["QuantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    if (!fitsQuantizeOp(n, /*dequantize=*/false))
      return importQuantizeElementwise(n);
    auto in = n.inputType(0);
    // Without a zero point ONNX quantizes to uint8.
    bool isUnsigned = !n.hasInput(2) || n.inputUnsigned(2);
    QuantParams params;
    if (failed(quantParams(n, in.getRank(), isUnsigned, params)))
      return failure();
    auto type = RankedTensorType::get(in.getShape(), n.b.getI8Type());
    return n.output(n.createTyped<dl::QuantizeOp>(
        type, n.input(0), params.scale, params.zeroPoint, params.axis,
        isUnsigned));
  };
  r["DequantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    if (!fitsQuantizeOp(n, /*dequantize=*/true))
      return importDequantizeElementwise(n);
    auto in = n.inputType(0);
    bool isUnsigned = n.inputUnsigned(0);
    QuantParams params;
    if (failed(quantParams(n, in.getRank(), isUnsigned, params)))
      return failure();
    auto type =
        RankedTensorType::get(in.getShape(), n.inputType(1).getElementType());
    return n.output(n.createTyped<dl::DequantizeOp>(
        type, n.input(0), params.scale, params.zeroPoint, params.axis,
        isUnsigned));
  };
}
