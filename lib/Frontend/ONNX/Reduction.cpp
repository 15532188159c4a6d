//===- Reduction.cpp - ONNX Reduce* and ArgMax/ArgMin ---------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

namespace dl = dlc::dl;

/// A Reduce* node with the axes given: none reduces every dim, or nothing
/// with noop_with_empty_axes.
template <typename OpTy>
static LogicalResult reduce(NodeImporter &n, ArrayRef<int64_t> axes) {
  if (axes.empty() && n.intAttr("noop_with_empty_axes", 0)) {
    n.setOutput(0, n.input(0));
    return success();
  }
  return n.output(
      n.create<OpTy>(n.input(0), axes, n.intAttr("keepdims", 1) != 0));
}

/// Before `axesInputOpset` (13 for ReduceSum, 18 for the others) the axes
/// are an attribute, from then on a constant input.
template <typename OpTy>
static void registerReduce(OpRegistry &r, StringRef onnxName,
                           int64_t axesInputOpset) {
  r(onnxName, 1) = [](NodeImporter &n) {
    return reduce<OpTy>(n, n.intsAttr("axes").value_or(SmallVector<int64_t>()));
  };
  r(onnxName, axesInputOpset) = [](NodeImporter &n) -> LogicalResult {
    SmallVector<int64_t> axes;
    if (n.hasInput(1)) {
      auto c = n.constantInts(1);
      if (!c)
        return n.fail("axes must be a constant");
      axes = *c;
    }
    return reduce<OpTy>(n, axes);
  };
}

/// ReduceLogSum = log(ReduceSum), with ReduceSum's axes handling at the
/// node's opset.
static LogicalResult importReduceLogSum(NodeImporter &n,
                                        const OpImportFn &sum) {
  if (failed(sum(n)))
    return failure();
  return n.output(n.create<dl::LogOp>(n.state.values.lookup(n.node.output(0))));
}

template <typename OpTy> static LogicalResult importArgReduce(NodeImporter &n) {
  return n.output(n.create<OpTy>(n.input(0), n.intAttr("axis", 0),
                                 n.intAttr("keepdims", 1) != 0,
                                 n.intAttr("select_last_index", 0) != 0));
}

void dlc::onnx_frontend::registerReductionOps(OpRegistry &r) {
  registerReduce<dl::ReduceSumOp>(r, "ReduceSum", 13);
  registerReduce<dl::ReduceMeanOp>(r, "ReduceMean", 18);
  registerReduce<dl::ReduceMaxOp>(r, "ReduceMax", 18);
  registerReduce<dl::ReduceMinOp>(r, "ReduceMin", 18);
  registerReduce<dl::ReduceProdOp>(r, "ReduceProd", 18);
  registerReduce<dl::ReduceL1Op>(r, "ReduceL1", 18);
  registerReduce<dl::ReduceL2Op>(r, "ReduceL2", 18);
  registerReduce<dl::ReduceSumSquareOp>(r, "ReduceSumSquare", 18);
  registerReduce<dl::ReduceLogSumExpOp>(r, "ReduceLogSumExp", 18);
  registerReduce<dl::ReduceSumOp>(r, "ReduceLogSum", 18);
  for (int64_t since : {1, 18}) {
    OpImportFn sum = r("ReduceLogSum", since);
    r("ReduceLogSum", since) = [sum](NodeImporter &n) {
      return importReduceLogSum(n, sum);
    };
  }
  r["ArgMax"] = importArgReduce<dl::ArgMaxOp>;
  r["ArgMin"] = importArgReduce<dl::ArgMinOp>;
}
