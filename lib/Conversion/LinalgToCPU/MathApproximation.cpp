//===- MathApproximation.cpp - f32 math as vectorizable polynomials -------===//
//
// dl-math-approximation: the transcendental functions of the models' kernels
// (softmax's exp, GELU's erf, tanh, log) as MLIR's polynomial approximations,
// so LLVM vectorizes them instead of calling libm per element.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include "llvm/ADT/StringSet.h"

#include <cmath>
#include <limits>

namespace dlc {
#define GEN_PASS_DEF_DLMATHAPPROXIMATION
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The ops whose approximations were checked against libm on the whole f32
/// range (see the pass description for why sin and cos are not among them).
constexpr StringLiteral kDefaultOps[] = {"exp",  "expm1", "log", "log1p",
                                         "log2", "tanh",  "erf", "erfc"};

/// The log approximations read the exponent from the bits and so treat a
/// subnormal input as the smallest normal one (log(1e-40) would be -87.3, not
/// -92.1). Scales subnormal inputs by 2^24 into the normal range and takes
/// 24 log(2) (or 24 for log2) off the result.
template <typename LogOp>
static void scaleSubnormalInputs(Operation *root, double ln2) {
  SmallVector<LogOp> logs;
  root->walk([&](LogOp op) {
    if (getElementTypeOrSelf(op.getType()).isF32())
      logs.push_back(op);
  });
  for (LogOp op : logs) {
    OpBuilder b(op);
    Location loc = op.getLoc();
    Type type = op.getType();
    auto constant = [&](float v) -> Value {
      Value c = arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
      if (auto vec = dyn_cast<VectorType>(type))
        c = vector::BroadcastOp::create(b, loc, vec, c);
      return c;
    };
    Value x = op.getOperand();
    Value subnormal =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x,
                              constant(std::numeric_limits<float>::min()));
    Value scaled = arith::MulFOp::create(b, loc, x, constant(16777216.0f));
    Value input = arith::SelectOp::create(b, loc, subnormal, scaled, x);
    b.setInsertionPointAfter(op);
    Value corrected = arith::SubFOp::create(b, loc, op.getResult(),
                                            constant(float(24 * ln2)));
    Value result =
        arith::SelectOp::create(b, loc, subnormal, corrected, op.getResult());
    op.getResult().replaceAllUsesExcept(
        result, SmallPtrSet<Operation *, 2>{corrected.getDefiningOp(),
                                            result.getDefiningOp()});
    op.getOperandMutable().assign(input);
  }
}

struct MathApproximationPass
    : public dlc::impl::DLMathApproximationBase<MathApproximationPass> {
  using DLMathApproximationBase::DLMathApproximationBase;

  void runOnOperation() override {
    llvm::StringSet<> names;
    if (ops.empty())
      for (StringRef name : kDefaultOps)
        names.insert(name);
    else
      for (const std::string &name : ops)
        names.insert(name);
    // Negative, zero and NaN inputs are "subnormal" too (olt is false for
    // NaN): scaling them keeps their sign, so their results are unchanged.
    if (names.contains("log"))
      scaleSubnormalInputs<math::LogOp>(getOperation(), std::log(2.0));
    if (names.contains("log2"))
      scaleSubnormalInputs<math::Log2Op>(getOperation(), 1.0);
    RewritePatternSet patterns(&getContext());
    // The predicate sees the full op name ("math.exp").
    populateMathPolynomialApproximationPatterns(
        patterns, [&](StringRef opName) {
          return opName.consume_front("math.") && names.contains(opName);
        });
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
