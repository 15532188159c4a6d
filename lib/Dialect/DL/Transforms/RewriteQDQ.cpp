//===- RewriteQDQ.cpp - QDQ-format contractions to integer kernels --------===//
//
// ONNX Runtime's quantizer writes quantized models in the QDQ format: every
// contraction reads DequantizeLinear outputs and its result goes through
// QuantizeLinear (with an optional ReLU or Clip between), the bias being a
// DequantizeLinear of int32. Run as written, that is float arithmetic on
// fake-quantized values; here each such chain becomes dl.matmul_integer /
// dl.conv_integer on the 8-bit values and dl.requantize, as ONNX Runtime
// itself runs them.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/IR/Matchers.h"
#include "llvm/Support/Format.h"

#include <cmath>

namespace dlc::dl {
#define GEN_PASS_DEF_DLREWRITEQDQ
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

/// Why a chain stays in float, for the remark; empty when it is rewritten.
using Reason = std::string;

bool perTensor(DequantizeOp dq) { return dq.getScale().size() == 1; }

/// The output channel axis of the weight operand of `op` for per-channel
/// weights, and of the result for the requantize parameters.
struct Axes {
  int64_t weight, result;
};

/// A dl.constant of `values` shaped `shape`, element type `et`.
Value intConstant(OpBuilder &b, Location loc, ArrayRef<int64_t> values,
                  ArrayRef<int64_t> shape, unsigned width) {
  auto type = RankedTensorType::get(shape, b.getIntegerType(width));
  SmallVector<APInt> data;
  for (int64_t v : values)
    data.push_back(APInt(width, v, /*isSigned=*/true, /*implicitTrunc=*/true));
  return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, data));
}

Value f32Constant(OpBuilder &b, Location loc, ArrayRef<float> values,
                  ArrayRef<int64_t> shape) {
  auto type = RankedTensorType::get(shape, b.getF32Type());
  return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, values));
}

/// A per-tensor parameter as a scalar, a per-axis one as 1-D.
SmallVector<int64_t> paramShape(size_t n) {
  return n == 1 ? SmallVector<int64_t>{} : SmallVector<int64_t>{int64_t(n)};
}

/// `w` [K, N] from a transposed weight [N, K]: the constant transposed at
/// compile time, else a dl.transpose.
Value transposed(OpBuilder &b, Location loc, Value w) {
  auto t = cast<RankedTensorType>(w.getType());
  auto type = RankedTensorType::get({t.getDimSize(1), t.getDimSize(0)},
                                    t.getElementType());
  DenseElementsAttr dense;
  if (t.hasStaticShape() && matchPattern(w, m_Constant(&dense))) {
    SmallVector<APInt> in(dense.getValues<APInt>()), out;
    int64_t rows = t.getDimSize(0), cols = t.getDimSize(1);
    out.reserve(in.size());
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t r = 0; r < rows; ++r)
        out.push_back(in[r * cols + c]);
    return ConstantOp::create(b, loc, type, DenseElementsAttr::get(type, out));
  }
  return TransposeOp::create(b, loc, type, w, b.getDenseI64ArrayAttr({1, 0}));
}

struct RewriteQDQPass : public dlc::dl::impl::DLRewriteQDQBase<RewriteQDQPass> {
  void runOnOperation() override {
    SmallVector<QuantizeOp> quantizes;
    getOperation()->walk([&](QuantizeOp q) { quantizes.push_back(q); });
    for (QuantizeOp q : quantizes)
      rewrite(q);
  }

  void rewrite(QuantizeOp q) {
    Operation *act = q.getInput().getDefiningOp();
    Operation *contraction = act;
    if (act && isa<ReluOp, ClipOp>(act))
      contraction = act->getOperand(0).getDefiningOp();
    else
      act = nullptr;
    if (!contraction || !isa<MatMulOp, GemmOp, ConvOp>(contraction))
      return;
    auto lhs = contraction->getOperand(0).getDefiningOp<DequantizeOp>();
    auto rhs = contraction->getOperand(1).getDefiningOp<DequantizeOp>();
    if (!lhs || !rhs)
      return; // not a QDQ chain
    Reason why = check(q, act, contraction, lhs, rhs);
    if (!why.empty()) {
      contraction->emitRemark("QDQ chain left in float: ") << why;
      return;
    }
    build(q, act, contraction, lhs, rhs);
    ++numRewritten;
  }

  /// The bias dequantize of a gemm or conv, or null.
  static Value biasOf(Operation *c) {
    if (auto gemm = dyn_cast<GemmOp>(c))
      return gemm.getC();
    if (auto conv = dyn_cast<ConvOp>(c))
      return conv.getBias();
    return Value();
  }

  static Axes axesOf(Operation *c) {
    if (auto gemm = dyn_cast<GemmOp>(c))
      return {gemm.getTransB() ? 0 : 1, 1};
    if (isa<ConvOp>(c))
      return {0, 1};
    auto mm = cast<MatMulOp>(c);
    return {mm.getRhs().getType().getRank() - 1, mm.getType().getRank() - 1};
  }

  /// The requantize scales: x_scale * w_scale / y_scale in f32, as ONNX
  /// Runtime computes them.
  static SmallVector<float> requantScales(DequantizeOp lhs, DequantizeOp rhs,
                                          QuantizeOp q) {
    SmallVector<float> scales;
    for (double ws : rhs.getScale())
      scales.push_back(float(lhs.getScale()[0]) * float(ws) /
                       float(q.getScale()[0]));
    return scales;
  }

  Reason check(QuantizeOp q, Operation *act, Operation *c, DequantizeOp lhs,
               DequantizeOp rhs) {
    if (!c->hasOneUse() || (act && !act->hasOneUse()))
      return "the float result has other users";
    if (q.getScale().size() != 1)
      return "the output is quantized per axis";
    if (!perTensor(lhs))
      return "the input is quantized per axis";
    for (Value v : {lhs.getInput(), rhs.getInput(), q.getResult()})
      if (cast<RankedTensorType>(v.getType()).getElementType() !=
          IntegerType::get(q.getContext(), 8))
        return "the quantized values are not 8-bit";
    if (!cast<RankedTensorType>(q.getInput().getType())
             .getElementType()
             .isF32())
      return "the float values are not f32";
    Axes axes = axesOf(c);
    if (!perTensor(rhs) &&
        (!rhs.getAxis() ||
         int64_t(normalized(*rhs.getAxis(), rhs.getType().getRank())) !=
             axes.weight))
      return "the weight is quantized along an axis other than its output "
             "channels";
    if (auto gemm = dyn_cast<GemmOp>(c)) {
      if (gemm.getTransA())
        return "gemm transposes A";
      if (gemm.getAlpha().convertToDouble() != 1.0 ||
          (gemm.getC() && gemm.getBeta().convertToDouble() != 1.0))
        return "gemm has alpha or beta other than 1";
      if (!gemm.getB().getType().hasStaticShape())
        return "gemm's B has a dynamic shape";
    }
    if (Value bias = biasOf(c)) {
      auto dq = bias.getDefiningOp<DequantizeOp>();
      if (!dq)
        return "the bias is not dequantized from int32";
      auto bt = dq.getInput().getType();
      if (!bt.getElementType().isInteger(32) || bt.getRank() != 1)
        return "the bias is not a 1-D int32 tensor";
      if (llvm::any_of(dq.getZeroPoint(), [](int64_t z) { return z != 0; }))
        return "the bias has a nonzero zero point";
      // ONNX Runtime quantizes the bias with x_scale * w_scale.
      ArrayRef<double> ws = rhs.getScale(), bs = dq.getScale();
      double xs = lhs.getScale()[0];
      for (size_t i = 0; i < std::max(ws.size(), bs.size()); ++i) {
        double want = xs * ws[ws.size() == 1 ? 0 : i];
        double got = bs[bs.size() == 1 ? 0 : i];
        if (std::fabs(got - want) > 1e-6 * std::fabs(want)) {
          std::string s;
          llvm::raw_string_ostream os(s);
          os << "the bias scale " << llvm::format("%g", got)
             << " is not input scale * weight scale = "
             << llvm::format("%g", want);
          return s;
        }
      }
    }
    return "";
  }

  static uint64_t normalized(int64_t axis, int64_t rank) {
    return axis < 0 ? axis + rank : axis;
  }

  /// The quantized value of `x` under q's parameters, saturated.
  static int64_t quantized(QuantizeOp q, double x) {
    double v = std::nearbyint(x / q.getScale()[0]) + q.getZeroPoint()[0];
    double lo = q.getIsUnsigned() ? 0 : -128,
           hi = q.getIsUnsigned() ? 255 : 127;
    return int64_t(std::min(std::max(v, lo), hi));
  }

  void build(QuantizeOp q, Operation *act, Operation *c, DequantizeOp lhs,
             DequantizeOp rhs) {
    OpBuilder b(q);
    Location loc = c->getLoc();
    Axes axes = axesOf(c);
    auto zeroPoints = [&](DequantizeOp dq) {
      SmallVector<int64_t> z(dq.getZeroPoint());
      return intConstant(b, loc, z, paramShape(z.size()), 8);
    };
    Value zx = zeroPoints(lhs), zw = zeroPoints(rhs);
    Value acc;
    if (auto conv = dyn_cast<ConvOp>(c)) {
      acc = ConvIntegerOp::create(b, loc, lhs.getInput(), rhs.getInput(), zx,
                                  zw, conv.getStridesAttr(), conv.getPadsAttr(),
                                  conv.getDilationsAttr(), conv.getGroupsAttr(),
                                  b.getBoolAttr(lhs.getIsUnsigned()),
                                  b.getBoolAttr(rhs.getIsUnsigned()));
    } else {
      Value w = rhs.getInput();
      if (auto gemm = dyn_cast<GemmOp>(c); gemm && gemm.getTransB())
        w = transposed(b, loc, w);
      acc = MatMulIntegerOp::create(b, loc, lhs.getInput(), w, zx, zw,
                                    lhs.getIsUnsigned(), rhs.getIsUnsigned());
    }
    Value bias;
    if (Value fb = biasOf(c))
      bias = fb.getDefiningOp<DequantizeOp>().getInput();
    SmallVector<float> scales = requantScales(lhs, rhs, q);
    Value scale = f32Constant(b, loc, scales, paramShape(scales.size()));
    Value zy = intConstant(b, loc, {q.getZeroPoint()[0]}, {}, 8);
    IntegerAttr axis;
    if (scales.size() > 1 ||
        (bias && cast<RankedTensorType>(bias.getType()).getDimSize(0) != 1))
      axis = b.getI64IntegerAttr(axes.result);
    IntegerAttr clampMin, clampMax;
    if (isa_and_nonnull<ReluOp>(act)) {
      clampMin = b.getI64IntegerAttr(quantized(q, 0.0));
    } else if (auto clip = dyn_cast_or_null<ClipOp>(act)) {
      if (auto lo = clip.getMin())
        clampMin = b.getI64IntegerAttr(quantized(q, lo->convertToDouble()));
      if (auto hi = clip.getMax())
        clampMax = b.getI64IntegerAttr(quantized(q, hi->convertToDouble()));
    }
    auto y = RequantizeOp::create(b, loc, q.getType(), acc, bias, scale, zy,
                                  axis, b.getBoolAttr(q.getIsUnsigned()),
                                  clampMin, clampMax);
    q.replaceAllUsesWith(y.getResult());
    // The float chain, where nothing else uses it.
    Value biasDq = biasOf(c);
    SmallVector<Operation *> dead = {q, act, c, lhs, rhs};
    if (biasDq)
      dead.push_back(biasDq.getDefiningOp());
    llvm::SmallPtrSet<Operation *, 8> erased;
    for (Operation *op : dead)
      if (op && !erased.contains(op) && op->use_empty()) {
        erased.insert(op);
        op->erase();
      }
  }
};

} // namespace
