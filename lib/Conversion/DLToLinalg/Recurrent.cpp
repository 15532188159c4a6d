//===- Recurrent.cpp - rnn, gru, lstm -------------------------------------===//
//
// A recurrent layer becomes, per direction, one matmul for the input
// projections of all time steps and an scf.for over time carrying the states,
// whose body (one [B, H] x [H, G*H] matmul and the gate math) is dl ops that
// the other patterns lower in turn (expandRecurrentOp, shared with the
// gradient rules).
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/Recurrent.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

template <typename OpTy>
struct RecurrentLowering : public OpRewritePattern<OpTy> {
  using OpRewritePattern<OpTy>::OpRewritePattern;
  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto results = expandRecurrentOp(rewriter, op);
    if (failed(results))
      return rewriter.notifyMatchFailure(op, "cannot expand");
    rewriter.replaceOp(op, *results);
    return success();
  }
};

} // namespace

void dlc::populateRecurrentToLinalgPatterns(RewritePatternSet &patterns) {
  patterns.add<RecurrentLowering<RNNOp>, RecurrentLowering<GRUOp>,
               RecurrentLowering<LSTMOp>>(patterns.getContext());
}
