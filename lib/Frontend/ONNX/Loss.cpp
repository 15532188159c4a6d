//===- Loss.cpp - ONNX NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss -===//
//
// Both losses are composed of dl ops (gather_elements, gather, select,
// reductions), so they get shape inference, lowering and gradients from
// those ops.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// NLL of log-probabilities `logProb` [N, C, d...] at class indices
/// `target` [N, d...], with optional per-class `weight` [C]: ONNX
/// NegativeLogLikelihoodLoss (opset 13), whose reduction and ignore_index
/// attributes SoftmaxCrossEntropyLoss shares.
static FailureOr<Value> nllLoss(NodeImporter &n, Value logProb, Value target,
                                Value weight) {
  auto inType = cast<RankedTensorType>(logProb.getType());
  auto tType = cast<RankedTensorType>(target.getType());
  Type et = inType.getElementType(), it = tType.getElementType();
  if (inType.getRank() < 2)
    return (void)n.fail("the input must have rank >= 2 ([N, C, d...])"),
           failure();
  if (tType.getRank() != inType.getRank() - 1)
    return (void)n.fail("the target must have rank " +
                        Twine(inType.getRank() - 1) + " ([N, d...]), not " +
                        Twine(tType.getRank())),
           failure();
  std::string reduction = n.stringAttr("reduction", "mean");
  if (reduction != "mean" && reduction != "sum" && reduction != "none")
    return (void)n.fail("reduction must be 'none', 'sum' or 'mean', not '" +
                        reduction + "'"),
           failure();

  // Ignored positions read class 0 and get weight 0, so an ignore_index
  // outside [0, C) never indexes out of range.
  Value safeTarget = target, ignored;
  if (n.hasAttr("ignore_index")) {
    auto eq = n.create<dl::EqualOp>(target,
                                    n.scalar(n.intAttr("ignore_index", 0), it));
    if (failed(eq))
      return failure();
    ignored = *eq;
    auto s = n.create<dl::SelectOp>(ignored, n.scalar(0, it), target);
    if (failed(s))
      return failure();
    safeTarget = *s;
  }
  auto idx = n.create<dl::UnsqueezeOp>(safeTarget, n.i64s({1}));
  if (failed(idx))
    return failure();
  auto picked = n.create<dl::GatherElementsOp>(logProb, *idx, int64_t(1));
  if (failed(picked))
    return failure();
  auto squeezed = n.create<dl::SqueezeOp>(*picked, n.i64s({1}));
  if (failed(squeezed))
    return failure();
  auto loss = n.create<dl::NegOp>(*squeezed);
  if (failed(loss))
    return failure();

  // Per-position weights: weight[target], zero where ignored.
  Value w;
  if (weight) {
    auto g = n.create<dl::GatherOp>(weight, safeTarget, int64_t(0));
    if (failed(g))
      return failure();
    w = *g;
  }
  if (ignored) {
    Value one = w ? w : n.scalar(1, et);
    auto s = n.create<dl::SelectOp>(ignored, n.scalar(0, et), one);
    if (failed(s))
      return failure();
    w = *s;
  }
  if (w) {
    loss = n.create<dl::MulOp>(*loss, w);
    if (failed(loss))
      return failure();
  }
  if (reduction == "none")
    return loss;
  auto sum = n.create<dl::ReduceSumOp>(*loss, n.i64s({}), false);
  if (reduction == "sum" || failed(sum))
    return sum;
  if (!w)
    return n.create<dl::ReduceMeanOp>(*loss, n.i64s({}), false);
  // A weighted mean divides by the total weight (`w` has the target's
  // shape: a gathered weight or the ignore mask).
  auto total = n.create<dl::ReduceSumOp>(w, n.i64s({}), false);
  if (failed(total))
    return failure();
  return n.create<dl::DivOp>(*sum, *total);
}

void dlc::onnx_frontend::registerLossOps(OpRegistry &r) {
  r["NegativeLogLikelihoodLoss"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(nllLoss(n, n.input(0), n.input(1),
                            n.hasInput(2) ? n.input(2) : Value()));
  };
  r["SoftmaxCrossEntropyLoss"] = [](NodeImporter &n) -> LogicalResult {
    if (n.inputType(0).getRank() < 2)
      return n.fail("the scores must have rank >= 2 ([N, C, d...])");
    auto logProb =
        n.createTyped<dl::LogSoftmaxOp>(n.inputType(0), n.input(0), int64_t(1));
    if (failed(logProb))
      return failure();
    if (failed(n.output(nllLoss(n, *logProb, n.input(1),
                                n.hasInput(2) ? n.input(2) : Value()))))
      return failure();
    n.setOutput(1, *logProb);
    return success();
  };
}
