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
template <typename Op>
static void reduceArguments(Operation *root) {
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
    r = math::FmaOp::create(b, loc, negK, constant(7.54978995489188216e-8f),
                            r);
    // k mod 4, as a float in 0..3.
    Value quarter = math::FloorOp::create(
        b, loc, arith::MulFOp::create(b, loc, k, constant(0.25f)));
    Value m = math::FmaOp::create(b, loc, quarter, constant(-4.0f), k);
    Value reduced = math::FmaOp::create(b, loc, m, constant(1.57079637f), r);
    op.getOperandMutable().assign(reduced);
  }
}

struct ExpandMathPass
    : public dlc::impl::DLGPUExpandMathBase<ExpandMathPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    {
      // pow, powi, sinh, cosh, tan, asinh, acosh, atanh: in terms of exp,
      // log, sqrt, sin and cos.
      RewritePatternSet patterns(ctx);
      math::populateExpansionPatterns(patterns,
                                      {"powf", "fpowi", "sinh", "cosh", "tan",
                                       "asinh", "acosh", "atanh"});
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
      signalPassFailure();
  }
};

} // namespace
