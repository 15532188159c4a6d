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
/// per slice of `axis`.
static LogicalResult quantParams(NodeImporter &n, int64_t rank,
                                 QuantParams &params) {
  auto scale = n.constantFloats(1);
  if (!scale)
    return n.fail("the scale must be a constant");
  SmallVector<int64_t> zeroPoint(scale->size(), 0);
  if (n.hasInput(2)) {
    if (!isa<IntegerType>(n.inputType(2).getElementType()) ||
        n.inputType(2).getElementType().getIntOrFloatBitWidth() != 8)
      return n.fail("only int8 zero points are supported (uint8 is not a dl "
                    "element type)");
    auto zp = n.constantInts(2);
    if (!zp)
      return n.fail("the zero point must be a constant");
    zeroPoint = *zp;
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

/// Whether dl.quantize / dl.dequantize take the node: int8, constant scale
/// and zero point.
static bool fitsQuantizeOp(NodeImporter &n, bool dequantize) {
  if (n.inputUnsigned(0) || !n.constantFloats(1))
    return false;
  if (!n.hasInput(2)) // DequantizeLinear of int8 without a zero point
    return dequantize &&
           n.inputType(0).getElementType().getIntOrFloatBitWidth() == 8;
  if (n.inputUnsigned(2) || !n.constantInts(2))
    return false;
  Type zt = n.inputType(2).getElementType();
  return isa<IntegerType>(zt) && zt.getIntOrFloatBitWidth() == 8;
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

/// Input `i` as f64 minus its zero point (input `zp`, if given, 1-D ones
/// along `zpAxis` of input `i`): integer products and sums of these are
/// exact in f64 (below 2^53), so the integer ops run on the float kernels.
static FailureOr<Value> shiftedInput(NodeImporter &n, unsigned i, unsigned zp,
                                     int64_t zpAxis) {
  auto t = n.inputType(i);
  Type f64 = n.b.getF64Type();
  if (!isa<IntegerType>(t.getElementType()) ||
      t.getElementType().getIntOrFloatBitWidth() != 8)
    return n.fail("input " + Twine(i) + " must be int8 or uint8");
  auto x = n.createTyped<dl::CastOp>(RankedTensorType::get(t.getShape(), f64),
                                     n.input(i), n.inputUnsigned(i), false);
  if (failed(x) || !n.hasInput(zp))
    return x;
  auto z = quantOperand(n, zp, f64, t.getRank(), zpAxis);
  if (failed(z))
    return failure();
  return n.create<dl::SubOp>(*x, *z);
}

/// y = saturate(round(acc * scale_a * scale_b / y_scale) + y_zero_point)
/// for QLinearMatMul / QLinearConv: `acc` is the exact f64 accumulator,
/// inputs `as`, `bs`, `ys`, `yz` the scales and output zero point, and a
/// 1-D scale of `b` runs along `bAxis` of the result.
static LogicalResult requantize(NodeImporter &n, Value acc, unsigned as,
                                unsigned bs, int64_t bAxis, unsigned ys,
                                unsigned yz) {
  auto accType = cast<RankedTensorType>(acc.getType());
  int64_t rank = accType.getRank();
  Type f32 = n.b.getF32Type(), f64 = n.b.getF64Type();
  // The reference computes in float32 from the int32 accumulator.
  auto v = n.createTyped<dl::CastOp>(
      RankedTensorType::get(accType.getShape(), f32), acc);
  auto sa = quantOperand(n, as, f32, rank, rank - 2);
  auto sb = quantOperand(n, bs, f32, rank, bAxis);
  auto sy = quantOperand(n, ys, f32, rank, bAxis);
  if (failed(v) || failed(sa) || failed(sb) || failed(sy))
    return failure();
  auto scale = n.create<dl::MulOp>(*sa, *sb);
  if (failed(scale))
    return failure();
  scale = n.create<dl::DivOp>(*scale, *sy);
  if (failed(scale))
    return failure();
  v = n.create<dl::MulOp>(*v, *scale);
  if (failed(v))
    return failure();
  v = n.create<dl::RoundOp>(*v);
  if (failed(v))
    return failure();
  Type qt = n.inputType(yz).getElementType();
  bool isUnsigned = n.inputUnsigned(yz);
  auto z = quantOperand(n, yz, f32, rank, bAxis);
  if (failed(z))
    return failure();
  v = n.create<dl::AddOp>(*v, *z);
  if (failed(v))
    return failure();
  v = n.create<dl::MaxOp>(*v, n.scalar(isUnsigned ? 0.0 : -128.0, f32));
  if (failed(v))
    return failure();
  v = n.create<dl::MinOp>(*v, n.scalar(isUnsigned ? 255.0 : 127.0, f32));
  if (failed(v))
    return failure();
  (void)f64;
  auto vt = cast<RankedTensorType>(v->getType());
  return n.output(n.createTyped<dl::CastOp>(
      RankedTensorType::get(vt.getShape(), qt), *v, false, isUnsigned));
}

/// The exact f64 product of MatMulInteger / QLinearMatMul's shifted inputs.
static FailureOr<Value> integerMatMul(NodeImporter &n, unsigned a, unsigned az,
                                      unsigned b, unsigned bz) {
  int64_t ra = n.inputType(a).getRank(), rb = n.inputType(b).getRank();
  // A's zero point runs along its rows, B's along its columns.
  auto x = shiftedInput(n, a, az, ra - 2);
  auto y = shiftedInput(n, b, bz, rb - 1);
  if (failed(x) || failed(y))
    return failure();
  return n.create<dl::MatMulOp>(*x, *y);
}

void dlc::onnx_frontend::registerQuantizationOps(OpRegistry &r) {
  r["MatMulInteger"] = [](NodeImporter &n) -> LogicalResult {
    auto p = integerMatMul(n, 0, 2, 1, 3);
    if (failed(p))
      return failure();
    auto pt = cast<RankedTensorType>(p->getType());
    return n.output(n.createTyped<dl::CastOp>(
        RankedTensorType::get(pt.getShape(), n.b.getI32Type()), *p));
  };
  r["QLinearMatMul"] = [](NodeImporter &n) -> LogicalResult {
    auto p = integerMatMul(n, 0, 2, 3, 5);
    if (failed(p))
      return failure();
    int64_t rank = cast<RankedTensorType>(p->getType()).getRank();
    return requantize(n, *p, 1, 4, rank - 1, 6, 7);
  };
  r["ConvInteger"] = [](NodeImporter &n) -> LogicalResult {
    auto x = shiftedInput(n, 0, 2, 1);
    auto w = shiftedInput(n, 1, 3, 0);
    if (failed(x) || failed(w))
      return failure();
    auto c = importConvOn(n, *x, *w, Value());
    if (failed(c))
      return failure();
    auto ct = cast<RankedTensorType>(c->getType());
    return n.output(n.createTyped<dl::CastOp>(
        RankedTensorType::get(ct.getShape(), n.b.getI32Type()), *c));
  };
  r["QLinearConv"] = [](NodeImporter &n) -> LogicalResult {
    auto x = shiftedInput(n, 0, 2, 1);
    auto w = shiftedInput(n, 3, 5, 0);
    if (failed(x) || failed(w))
      return failure();
    Value bias;
    if (n.hasInput(8)) {
      auto bt = n.inputType(8);
      auto b = n.createTyped<dl::CastOp>(
          RankedTensorType::get(bt.getShape(), n.b.getF64Type()), n.input(8));
      if (failed(b))
        return failure();
      bias = *b;
    }
    auto c = importConvOn(n, *x, *w, bias);
    if (failed(c))
      return failure();
    return requantize(n, *c, 1, 4, 1, 6, 7);
  };
  r["DynamicQuantizeLinear"] = importDynamicQuantize;
  r["QuantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    if (!fitsQuantizeOp(n, /*dequantize=*/false))
      return importQuantizeElementwise(n);
    auto in = n.inputType(0);
    QuantParams params;
    if (failed(quantParams(n, in.getRank(), params)))
      return failure();
    if (!n.hasInput(2))
      return n.fail("without a zero point ONNX quantizes to uint8, which is "
                    "not a dl element type");
    auto type = RankedTensorType::get(in.getShape(), n.b.getI8Type());
    return n.output(n.createTyped<dl::QuantizeOp>(
        type, n.input(0), params.scale, params.zeroPoint, params.axis));
  };
  r["DequantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    if (!fitsQuantizeOp(n, /*dequantize=*/true))
      return importDequantizeElementwise(n);
    auto in = n.inputType(0);
    if (in.getElementType().getIntOrFloatBitWidth() != 8)
      return n.fail("only int8 inputs are supported");
    QuantParams params;
    if (failed(quantParams(n, in.getRank(), params)))
      return failure();
    auto type =
        RankedTensorType::get(in.getShape(), n.inputType(1).getElementType());
    return n.output(n.createTyped<dl::DequantizeOp>(
        type, n.input(0), params.scale, params.zeroPoint, params.axis));
  };
}
