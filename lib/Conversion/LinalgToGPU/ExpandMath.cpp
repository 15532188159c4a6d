//===- ExpandMath.cpp - math a GPU kernel has no libdevice for ------------===//
//
// dl-gpu-expand-math: the math ops NVPTX has no instruction for, as
// arithmetic and the ops dl-math-approximation expands (see GPUPasses.td),
// since libdevice is a CUDA toolkit file dlc does not link.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace dlc {
#define GEN_PASS_DEF_DLGPUEXPANDMATH
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The approximations this pass asks of MLIR (f32; f16 and bf16 through
/// f32).
constexpr StringLiteral kApproximated[] = {"sin",  "cos",  "asin",
                                           "acos", "atan", "atan2"};

/// sin and cos of f32 with their argument first reduced by Cody-Waite (pi/2
/// in three parts, each product exact through fma) to r + m pi/2 with m in
/// 0..3: the polynomial approximation reduces its argument in one step,
/// which loses the result for large arguments; given |x| < 2 pi it is
/// accurate.
template <typename Op> static void reduceArguments(Operation *root) {
  SmallVector<Op> ops;
  root->walk([&](Op op) {
    if (op.getType().isF32())
      ops.push_back(op);
  });
  for (Op op : ops) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    auto constant = [&](float v) -> Value {
      return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
    };
    Value x = op.getOperand();
    Value k = math::RoundEvenOp::create(
        b, loc, arith::MulFOp::create(b, loc, x, constant(0.636619772f)));
    Value negK = arith::NegFOp::create(b, loc, k);
    Value r = math::FmaOp::create(b, loc, negK, constant(1.5703125f), x);
    r = math::FmaOp::create(b, loc, negK, constant(4.837512969970703125e-4f),
                            r);
    r = math::FmaOp::create(b, loc, negK, constant(7.54978995489188216e-8f), r);
    // k mod 4, as a float in 0..3.
    Value quarter = math::FloorOp::create(
        b, loc, arith::MulFOp::create(b, loc, k, constant(0.25f)));
    Value m = math::FmaOp::create(b, loc, quarter, constant(-4.0f), k);
    Value reduced = math::FmaOp::create(b, loc, m, constant(1.57079637f), r);
    op.getOperandMutable().assign(reduced);
  }
}

/// exp of f64: x = k ln 2 + r with |r| <= ln 2 / 2 (ln 2 in two parts, so
/// r is exact), e^r by its Taylor series to r^13 (below an ulp), times 2^k
/// built in the exponent bits, in two halves so that subnormal results and
/// overflow to infinity come out right.
static Value expF64(OpBuilder &b, Location loc, Value x) {
  Type f64 = b.getF64Type(), i64 = b.getI64Type();
  auto c = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  };
  auto ci = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  // Beyond these the result is 0 or infinity anyway.
  Value clamped = arith::MinimumFOp::create(
      b, loc, arith::MaximumFOp::create(b, loc, x, c(-746.0)), c(710.0));
  Value k = math::RoundEvenOp::create(
      b, loc, arith::MulFOp::create(b, loc, clamped, c(1.4426950408889634)));
  Value negK = arith::NegFOp::create(b, loc, k);
  Value r =
      math::FmaOp::create(b, loc, negK, c(6.93147180369123816490e-01), clamped);
  r = math::FmaOp::create(b, loc, negK, c(1.90821492927058770002e-10), r);
  Value p = c(1.0 / 6227020800.0); // 1/13!
  double factorial = 6227020800.0;
  for (int n = 12; n >= 0; --n) {
    factorial /= (n + 1);
    p = math::FmaOp::create(b, loc, p, r, c(1.0 / factorial));
  }
  Value ki = arith::FPToSIOp::create(b, loc, i64, k);
  Value half = arith::ShRSIOp::create(b, loc, ki, ci(1));
  Value rest = arith::SubIOp::create(b, loc, ki, half);
  auto pow2 = [&](Value e) -> Value {
    Value bits = arith::ShLIOp::create(
        b, loc, arith::AddIOp::create(b, loc, e, ci(1023)), ci(52));
    return arith::BitcastOp::create(b, loc, f64, bits);
  };
  Value result = arith::MulFOp::create(
      b, loc, arith::MulFOp::create(b, loc, p, pow2(half)), pow2(rest));
  // NaN stays NaN (the clamp would have made it a number).
  Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  return arith::SelectOp::create(b, loc, isNan, x, result);
}

/// log of f64: x = 2^e m with m in [sqrt(1/2), sqrt(2)) (subnormals scaled
/// by 2^54 first), log m = 2 atanh(f) with f = (m - 1) / (m + 1), |f| <
/// 0.172, by its series to f^23 (below an ulp); 0, negative, infinite and
/// NaN inputs as IEEE log.
static Value logF64(OpBuilder &b, Location loc, Value x) {
  Type f64 = b.getF64Type(), i64 = b.getI64Type();
  auto c = [&](double v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getF64FloatAttr(v));
  };
  auto ci = [&](int64_t v) -> Value {
    return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
  };
  Value subnormal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                                          c(2.2250738585072014e-308));
  Value scaled = arith::SelectOp::create(
      b, loc, subnormal, arith::MulFOp::create(b, loc, x, c(0x1p54)), x);
  Value bits = arith::BitcastOp::create(b, loc, i64, scaled);
  Value e = arith::SubIOp::create(
      b, loc,
      arith::AndIOp::create(
          b, loc, arith::ShRUIOp::create(b, loc, bits, ci(52)), ci(0x7ff)),
      ci(1023));
  e = arith::SubIOp::create(
      b, loc, e, arith::SelectOp::create(b, loc, subnormal, ci(54), ci(0)));
  Value m = arith::BitcastOp::create(
      b, loc, f64,
      arith::OrIOp::create(
          b, loc, arith::AndIOp::create(b, loc, bits, ci(0x000fffffffffffffLL)),
          ci(0x3ff0000000000000LL)));
  Value big = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, m,
                                    c(1.4142135623730951));
  m = arith::SelectOp::create(b, loc, big,
                              arith::MulFOp::create(b, loc, m, c(0.5)), m);
  e = arith::AddIOp::create(b, loc, e,
                            arith::SelectOp::create(b, loc, big, ci(1), ci(0)));
  Value f =
      arith::DivFOp::create(b, loc, arith::SubFOp::create(b, loc, m, c(1.0)),
                            arith::AddFOp::create(b, loc, m, c(1.0)));
  Value f2 = arith::MulFOp::create(b, loc, f, f);
  Value s = c(1.0 / 23);
  for (int n = 21; n >= 1; n -= 2)
    s = math::FmaOp::create(b, loc, s, f2, c(1.0 / n));
  Value logM = arith::MulFOp::create(
      b, loc, arith::MulFOp::create(b, loc, f, c(2.0)), s);
  Value ef = arith::SIToFPOp::create(b, loc, f64, e);
  Value result = math::FmaOp::create(
      b, loc, ef, c(6.93147180369123816490e-01),
      math::FmaOp::create(b, loc, ef, c(1.90821492927058770002e-10), logM));
  // log(0) = -inf, log(x < 0) = NaN, log(inf) = inf, log(NaN) = NaN.
  auto cmp = [&](arith::CmpFPredicate pred, double v) -> Value {
    return arith::CmpFOp::create(b, loc, pred, x, c(v));
  };
  result = arith::SelectOp::create(b, loc, cmp(arith::CmpFPredicate::OEQ, 0.0),
                                   c(-INFINITY), result);
  result = arith::SelectOp::create(b, loc, cmp(arith::CmpFPredicate::OLT, 0.0),
                                   c(NAN), result);
  result = arith::SelectOp::create(
      b, loc, cmp(arith::CmpFPredicate::OEQ, INFINITY), x, result);
  Value isNan = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x);
  return arith::SelectOp::create(b, loc, isNan, x, result);
}

template <typename Op>
static void expandF64(Operation *root,
                      Value (*expand)(OpBuilder &, Location, Value)) {
  SmallVector<Op> ops;
  root->walk([&](Op op) {
    if (op.getType().isF64())
      ops.push_back(op);
  });
  for (Op op : ops) {
    OpBuilder b(op);
    op.getResult().replaceAllUsesWith(expand(b, op.getLoc(), op.getOperand()));
    op.erase();
  }
}

struct ExpandMathPass : public dlc::impl::DLGPUExpandMathBase<ExpandMathPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    {
      // pow, powi, sinh, cosh, tan, asinh, acosh, atanh: in terms of exp,
      // log, sqrt, sin and cos.
      RewritePatternSet patterns(ctx);
      math::populateExpansionPatterns(
          patterns,
          {"powf", "fpowi", "sinh", "cosh", "tan", "asinh", "acosh", "atanh"});
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    reduceArguments<math::SinOp>(getOperation());
    reduceArguments<math::CosOp>(getOperation());
    RewritePatternSet patterns(ctx);
    auto approximated = [](StringRef name) {
      return name.consume_front("math.") &&
             llvm::is_contained(kApproximated, name);
    };
    populateMathF32ExpansionPatterns(patterns, approximated);
    populateMathPolynomialApproximationPatterns(patterns, approximated);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    expandF64<math::ExpOp>(getOperation(), expF64);
    expandF64<math::LogOp>(getOperation(), logF64);
  }
};

} // namespace
