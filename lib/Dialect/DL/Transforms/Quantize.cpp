//===- Quantize.cpp - dl-quantize: float contractions to INT8 -------------===//
//
// Static mode writes each calibrated contraction in ONNX Runtime's QDQ form
// (so dl-rewrite-qdq, which also runs imported QDQ models, makes the integer
// kernels of it); a layer without an output range, and every layer in
// dynamic mode, gets its integer contraction built here with a float
// result. Weights: symmetric int8 per output channel. Activations: uint8
// with a zero point, so a ReLU's output uses the whole range.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/Transforms/ConstantData.h"
#include "dlc/Dialect/DL/Transforms/QuantizePasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cmath>
#include <optional>

namespace dlc::dl {
#define GEN_PASS_DEF_DLQUANTIZE
#include "dlc/Dialect/DL/Transforms/QuantizePasses.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

std::string dlc::dl::nodeName(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location l : fused.getLocations())
      if (std::string n = nodeName(l); !n.empty())
        return n;
    return "";
  }
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return "";
}

Value QuantCandidate::input() const { return contraction->getOperand(0); }

Value QuantCandidate::output() const {
  if (activation)
    return activation->getResult(0);
  if (biasAdd)
    return biasAdd->getResult(0);
  return contraction->getResult(0);
}

namespace {

bool isF32(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

int64_t numElements(Value v) {
  return cast<RankedTensorType>(v.getType()).getNumElements();
}

} // namespace

SmallVector<QuantCandidate>
dlc::dl::findQuantCandidates(ModuleOp module, ArrayRef<std::string> exclude,
                             bool dynamic) {
  SmallVector<QuantCandidate> found;
  module.walk([&](Operation *c) {
    if (!isa<ConvOp, GemmOp, MatMulOp>(c) || (dynamic && isa<ConvOp>(c)))
      return;
    if (!isF32(c->getOperand(0)) || !isF32(c->getResult(0)) ||
        !constantFloats(c->getOperand(1)))
      return;
    auto wt = cast<RankedTensorType>(c->getOperand(1).getType());
    QuantCandidate q;
    q.contraction = c;
    q.name = nodeName(c->getLoc());
    if (llvm::is_contained(exclude, q.name))
      return;
    if (auto conv = dyn_cast<ConvOp>(c)) {
      if (conv.getBias() && !constantFloats(conv.getBias()))
        return;
    } else if (auto gemm = dyn_cast<GemmOp>(c)) {
      if (gemm.getTransA() || gemm.getAlpha().convertToDouble() != 1.0 ||
          wt.getRank() != 2)
        return;
      if (Value bias = gemm.getC())
        if (gemm.getBeta().convertToDouble() != 1.0 || !constantFloats(bias) ||
            numElements(bias) != channelsOf(c).count)
          return;
    } else {
      auto lt = cast<RankedTensorType>(c->getOperand(0).getType());
      if (wt.getRank() != 2 || lt.getRank() < 2)
        return;
      // A bias added to a 2-D product: the two are a gemm.
      if (!dynamic && lt.getRank() == 2 && c->hasOneUse())
        if (auto add = dyn_cast<AddOp>(*c->getUsers().begin())) {
          Value other =
              add.getLhs() == c->getResult(0) ? add.getRhs() : add.getLhs();
          auto ot = cast<RankedTensorType>(other.getType());
          if (constantFloats(other) && ot.getRank() <= 2 &&
              ot.getNumElements() == wt.getDimSize(1) &&
              ot.getDimSize(ot.getRank() - 1) == wt.getDimSize(1) &&
              add.getType() == c->getResult(0).getType())
            q.biasAdd = add;
        }
    }
    Operation *last = q.biasAdd ? q.biasAdd : c;
    if (last->hasOneUse() && isa<ReluOp, ClipOp>(*last->getUsers().begin()))
      q.activation = *last->getUsers().begin();
    found.push_back(q);
  });
  return found;
}

namespace {

struct QParams {
  double scale;
  int64_t zeroPoint;
};

/// uint8 with a zero point over [lo, hi] widened to hold 0.
QParams u8Params(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  double scale = (hi - lo) / 255.0;
  if (!(scale > 0) || !std::isfinite(scale))
    return {1.0, 0};
  double zp = std::nearbyint(-lo / scale);
  return {scale, int64_t(std::min(std::max(zp, 0.0), 255.0))};
}

std::optional<QParams> rangeParams(Operation *c, StringRef attr) {
  auto range = c->getAttrOfType<DenseF64ArrayAttr>(attr);
  if (!range || range.size() != 2)
    return std::nullopt;
  return u8Params(range[0], range[1]);
}

/// Symmetric int8 weights per output channel.
struct QWeights {
  SmallVector<int8_t> values;
  SmallVector<double> scales;
};

QWeights quantizeWeights(ArrayRef<float> w, Channels ch) {
  QWeights q;
  SmallVector<double> absMax(ch.count, 0.0);
  for (size_t i = 0; i < w.size(); ++i)
    absMax[ch.of(i)] = std::max(absMax[ch.of(i)], std::fabs(double(w[i])));
  for (double m : absMax)
    q.scales.push_back(m > 0 && std::isfinite(m) ? m / 127.0 : 1.0);
  q.values.reserve(w.size());
  for (size_t i = 0; i < w.size(); ++i) {
    double v = std::nearbyint(double(w[i]) / q.scales[ch.of(i)]);
    q.values.push_back(int8_t(std::min(std::max(v, -127.0), 127.0)));
  }
  return q;
}

/// The bias in i32 at scale x_scale * w_scale[c].
SmallVector<int32_t> quantizeBias(ArrayRef<float> bias, double xScale,
                                  ArrayRef<double> wScales) {
  SmallVector<int32_t> out;
  for (size_t i = 0; i < bias.size(); ++i) {
    double v = std::nearbyint(double(bias[i]) /
                              (xScale * wScales[wScales.size() == 1 ? 0 : i]));
    out.push_back(int32_t(std::min(std::max(v, -2147483648.0), 2147483647.0)));
  }
  return out;
}

template <typename T>
Value constant(OpBuilder &b, Location loc, ArrayRef<T> values,
               ArrayRef<int64_t> shape, Type et) {
  auto type = RankedTensorType::get(shape, et);
  return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, values));
}

/// [K, N] from [N, K] values.
SmallVector<int8_t> transposed(ArrayRef<int8_t> v, int64_t rows, int64_t cols) {
  SmallVector<int8_t> out(v.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[c * rows + r] = v[r * cols + c];
  return out;
}

struct QuantizePass : public dlc::dl::impl::DLQuantizeBase<QuantizePass> {
  using DLQuantizeBase::DLQuantizeBase;

  void runOnOperation() override {
    if (mode != "static" && mode != "dynamic") {
      getOperation().emitError()
          << "dl-quantize: mode must be static or dynamic, got '" << mode
          << "'";
      return signalPassFailure();
    }
    bool dynamic = mode == "dynamic";
    SmallVector<std::string> excluded(exclude.begin(), exclude.end());
    for (QuantCandidate &q :
         findQuantCandidates(getOperation(), excluded, dynamic)) {
      if (dynamic) {
        rewriteInteger(q, /*dynamic=*/true);
        ++numQuantized;
        continue;
      }
      if (!rangeParams(q.contraction, kInputRangeAttr))
        continue; // not calibrated: stays float
      if (rangeParams(q.contraction, kOutputRangeAttr))
        rewriteQDQ(q);
      else
        rewriteInteger(q, /*dynamic=*/false);
      ++numQuantized;
    }
    // The ranges are spent.
    getOperation().walk([](Operation *op) {
      op->removeAttr(kInputRangeAttr);
      op->removeAttr(kOutputRangeAttr);
    });
  }

  /// The float bias of a candidate: conv's, gemm's C, or the added one.
  static Value biasOf(const QuantCandidate &q) {
    if (auto conv = dyn_cast<ConvOp>(q.contraction))
      return conv.getBias();
    if (auto gemm = dyn_cast<GemmOp>(q.contraction))
      return gemm.getC();
    if (auto add = dyn_cast_or_null<AddOp>(q.biasAdd))
      return add.getLhs() == q.contraction->getResult(0) ? add.getRhs()
                                                         : add.getLhs();
    return Value();
  }

  static Value quantize(OpBuilder &b, Location loc, Value x, QParams p) {
    auto t = cast<RankedTensorType>(x.getType());
    return QuantizeOp::create(
        b, loc, RankedTensorType::get(t.getShape(), b.getI8Type()), x,
        b.getDenseF64ArrayAttr({p.scale}),
        b.getDenseI64ArrayAttr({p.zeroPoint}), IntegerAttr(),
        b.getBoolAttr(true));
  }

  static Value dequantize(OpBuilder &b, Location loc, Value q,
                          ArrayRef<double> scales, ArrayRef<int64_t> zps,
                          std::optional<int64_t> axis, bool isUnsigned) {
    auto t = cast<RankedTensorType>(q.getType());
    return DequantizeOp::create(
        b, loc, RankedTensorType::get(t.getShape(), b.getF32Type()), q,
        b.getDenseF64ArrayAttr(scales), b.getDenseI64ArrayAttr(zps),
        axis ? b.getI64IntegerAttr(*axis) : IntegerAttr(),
        b.getBoolAttr(isUnsigned));
  }

  /// Static, with both ranges: the QDQ form dl-rewrite-qdq takes.
  void rewriteQDQ(const QuantCandidate &q) {
    Operation *c = q.contraction;
    Location loc = c->getLoc();
    OpBuilder b(q.biasAdd ? q.biasAdd : c);
    QParams in = *rangeParams(c, kInputRangeAttr);
    QParams out = *rangeParams(c, kOutputRangeAttr);
    Value x = dequantize(b, loc, quantize(b, loc, q.input(), in), {in.scale},
                         {in.zeroPoint}, std::nullopt, true);
    Channels ch = channelsOf(c);
    Value wf = c->getOperand(1);
    auto wt = cast<RankedTensorType>(wf.getType());
    QWeights w = quantizeWeights(*constantFloats(wf), ch);
    int64_t axis = isa<ConvOp>(c)                                    ? 0
                   : (isa<GemmOp>(c) && cast<GemmOp>(c).getTransB()) ? 0
                                                                     : 1;
    Value wq = constant<int8_t>(b, loc, w.values, wt.getShape(), b.getI8Type());
    Value wd =
        dequantize(b, loc, wq, w.scales,
                   SmallVector<int64_t>(w.scales.size(), 0), axis, false);
    Value bd;
    if (Value bias = biasOf(q)) {
      SmallVector<int32_t> bq =
          quantizeBias(*constantFloats(bias), in.scale, w.scales);
      SmallVector<double> bs;
      for (double s : w.scales)
        bs.push_back(in.scale * s);
      Value bc =
          constant<int32_t>(b, loc, bq, {int64_t(bq.size())}, b.getI32Type());
      bd = dequantize(b, loc, bc, bs, SmallVector<int64_t>(bs.size(), 0),
                      bs.size() > 1 ? std::optional<int64_t>(0) : std::nullopt,
                      false);
    }
    Value y;
    Operation *replaced = q.biasAdd ? q.biasAdd : c;
    Type yt = replaced->getResult(0).getType();
    if (auto conv = dyn_cast<ConvOp>(c)) {
      y = ConvOp::create(b, loc, yt, x, wd, bd, conv.getStridesAttr(),
                         conv.getPadsAttr(), conv.getDilationsAttr(),
                         conv.getGroupsAttr());
    } else if (auto gemm = dyn_cast<GemmOp>(c)) {
      y = GemmOp::create(b, loc, yt, x, wd, bd, b.getBoolAttr(false),
                         gemm.getTransBAttr(), b.getF64FloatAttr(1.0),
                         b.getF64FloatAttr(1.0));
    } else if (bd) {
      y = GemmOp::create(b, loc, yt, x, wd, bd, b.getBoolAttr(false),
                         b.getBoolAttr(false), b.getF64FloatAttr(1.0),
                         b.getF64FloatAttr(1.0));
    } else {
      y = MatMulOp::create(b, loc, yt, x, wd);
    }
    replaced->getResult(0).replaceAllUsesWith(y);
    Value result = q.activation ? q.activation->getResult(0) : y;
    OpBuilder after(result.getContext());
    after.setInsertionPointAfterValue(result);
    Value rq = quantize(after, loc, result, out);
    Value rd = dequantize(after, loc, rq, {out.scale}, {out.zeroPoint},
                          std::nullopt, true);
    result.replaceAllUsesExcept(rd, rq.getDefiningOp());
    if (q.biasAdd)
      q.biasAdd->erase();
    if (c->use_empty())
      c->erase();
  }

  /// The integer contraction with a float result: static (a layer without
  /// an output range) or dynamic (the input's range when the model runs).
  void rewriteInteger(const QuantCandidate &q, bool dynamic) {
    Operation *c = q.contraction;
    Location loc = c->getLoc();
    OpBuilder b(c);
    Type f32 = b.getF32Type(), i8 = b.getI8Type(), i32 = b.getI32Type();
    auto scalarF32 = RankedTensorType::get({}, f32);
    Value x = q.input();
    auto xt = cast<RankedTensorType>(x.getType());
    Value xq, xzp, xScale;
    double staticScale = 0;
    if (dynamic) {
      // ONNX DynamicQuantizeLinear: uint8 over [min(0, min x), max(0, max
      // x)]; an all-zero input (scale 0) gets a tiny scale, not a NaN.
      auto all = b.getDenseI64ArrayAttr({});
      auto no = b.getBoolAttr(false);
      auto scalar = [&](double v) {
        return constant<float>(b, loc, {float(v)}, {}, f32);
      };
      Value hi = ReduceMaxOp::create(b, loc, scalarF32, x, all, no);
      Value lo = ReduceMinOp::create(b, loc, scalarF32, x, all, no);
      hi = MaxOp::create(b, loc, hi, scalar(0.0));
      lo = MinOp::create(b, loc, lo, scalar(0.0));
      Value scale =
          DivOp::create(b, loc, SubOp::create(b, loc, hi, lo), scalar(255.0));
      scale = MaxOp::create(b, loc, scale, scalar(1e-30));
      auto saturate = [&](Value v) -> Value {
        v = RoundOp::create(b, loc, v);
        v = MaxOp::create(b, loc, v, scalar(0.0));
        return MinOp::create(b, loc, v, scalar(255.0));
      };
      Value zp =
          saturate(DivOp::create(b, loc, NegOp::create(b, loc, lo), scale));
      Value v = AddOp::create(
          b, loc, RoundOp::create(b, loc, DivOp::create(b, loc, x, scale)), zp);
      v = MinOp::create(b, loc, MaxOp::create(b, loc, v, scalar(0.0)),
                        scalar(255.0));
      xq = CastOp::create(b, loc, RankedTensorType::get(xt.getShape(), i8), v,
                          false, true);
      xzp = CastOp::create(b, loc, RankedTensorType::get({}, i8), zp, false,
                           true);
      xScale = scale;
    } else {
      QParams in = *rangeParams(c, kInputRangeAttr);
      xq = quantize(b, loc, x, in);
      xzp = constant<int8_t>(b, loc, {int8_t(uint8_t(in.zeroPoint))}, {}, i8);
      staticScale = in.scale;
    }
    Channels ch = channelsOf(c);
    Value wf = c->getOperand(1);
    auto wt = cast<RankedTensorType>(wf.getType());
    QWeights w = quantizeWeights(*constantFloats(wf), ch);
    Value wzp = constant<int8_t>(b, loc, {int8_t(0)}, {}, i8);
    Value acc;
    // Per-channel parameters broadcast along the result's channel dim.
    SmallVector<int64_t> paramShape = {ch.count};
    if (auto conv = dyn_cast<ConvOp>(c)) {
      Value wq = constant<int8_t>(b, loc, w.values, wt.getShape(), i8);
      acc = ConvIntegerOp::create(b, loc, xq, wq, xzp, wzp,
                                  conv.getStridesAttr(), conv.getPadsAttr(),
                                  conv.getDilationsAttr(), conv.getGroupsAttr(),
                                  b.getBoolAttr(true), b.getBoolAttr(false));
      paramShape.append(wt.getRank() - 2, 1);
    } else {
      SmallVector<int8_t> kn = w.values;
      if (auto gemm = dyn_cast<GemmOp>(c); gemm && gemm.getTransB())
        kn = transposed(w.values, wt.getDimSize(0), wt.getDimSize(1));
      int64_t K = wt.getNumElements() / ch.count;
      Value wq = constant<int8_t>(b, loc, kn, {K, ch.count}, i8);
      acc = MatMulIntegerOp::create(b, loc, xq, wq, xzp, wzp, true, false);
    }
    Value bias = biasOf(q);
    Operation *replaced = c;
    if (!dynamic && bias) {
      SmallVector<int32_t> bq =
          quantizeBias(*constantFloats(bias), staticScale, w.scales);
      acc = AddOp::create(b, loc, acc,
                          constant<int32_t>(b, loc, bq, paramShape, i32));
      if (q.biasAdd)
        replaced = q.biasAdd;
    }
    auto accType = cast<RankedTensorType>(acc.getType());
    Value y =
        CastOp::create(b, loc, RankedTensorType::get(accType.getShape(), f32),
                       acc, false, false);
    SmallVector<float> ws;
    for (double s : w.scales)
      ws.push_back(float(dynamic ? s : s * staticScale));
    Value scale = constant<float>(b, loc, ws, paramShape, f32);
    if (dynamic)
      scale = MulOp::create(b, loc, xScale, scale);
    y = MulOp::create(b, loc, y, scale);
    if (dynamic && isa<GemmOp>(c) && bias) {
      auto bt = cast<RankedTensorType>(bias.getType());
      if (bt.getRank() != 1)
        bias = ReshapeOp::create(b, loc, RankedTensorType::get({ch.count}, f32),
                                 bias, Value(), false);
      y = AddOp::create(b, loc, y, bias);
    }
    Value old = replaced->getResult(0);
    if (y.getType() != old.getType())
      y = CastOp::create(b, loc, old.getType(), y, false, false);
    old.replaceAllUsesWith(y);
    if (replaced != c)
      replaced->erase();
    if (c->use_empty())
      c->erase();
  }
};

} // namespace
