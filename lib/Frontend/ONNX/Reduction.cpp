//===- Reduction.cpp - ONNX Reduce* and ArgMax/ArgMin ---------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

/// `axesInputOpset`: the opset from which axes are an input, not an
/// attribute (13 for ReduceSum, 18 for the others).
static void reduce(OpRegistry &r, StringRef onnxName, StringRef dlName,
                   int64_t axesInputOpset) {
  std::string name = dlName.str();
  r[onnxName] = [name, axesInputOpset](NodeImporter &n) -> LogicalResult {
    SmallVector<int64_t> axes;
    if (n.opset() >= axesInputOpset) {
      if (n.hasInput(1)) {
        auto c = n.constantInts(1);
        if (!c)
          return n.fail("axes must be a constant");
        axes = *c;
      }
    } else if (auto a = n.intsAttr("axes")) {
      axes = *a;
    }
    if (axes.empty() && n.intAttr("noop_with_empty_axes", 0)) {
      n.setOutput(0, n.input(0));
      return success();
    }
    return n.output(n.create1(name, n.input(0),
                       {n.i64s("axes", axes),
                        n.boolean("keepdims", n.intAttr("keepdims", 1) != 0)}));
  };
}

void dlc::onnx_frontend::registerReductionOps(OpRegistry &r) {
  reduce(r, "ReduceSum", "dl.reduce_sum", 13);
  reduce(r, "ReduceMean", "dl.reduce_mean", 18);
  reduce(r, "ReduceMax", "dl.reduce_max", 18);
  reduce(r, "ReduceMin", "dl.reduce_min", 18);
  reduce(r, "ReduceProd", "dl.reduce_prod", 18);
  reduce(r, "ReduceL1", "dl.reduce_l1", 18);
  reduce(r, "ReduceL2", "dl.reduce_l2", 18);
  reduce(r, "ReduceSumSquare", "dl.reduce_sum_square", 18);
  reduce(r, "ReduceLogSumExp", "dl.reduce_log_sum_exp", 18);
  // ReduceLogSum = log(ReduceSum); reuse ReduceSum's axes handling.
  reduce(r, "ReduceLogSum", "dl.reduce_sum", 18);
  OpImportFn logSumBase = r["ReduceLogSum"];
  r["ReduceLogSum"] = [logSumBase](NodeImporter &n) -> LogicalResult {
    if (failed(logSumBase(n)))
      return failure();
    return n.output(n.create1("dl.log", n.state.values.lookup(n.node.output(0))));
  };
  for (auto [onnx, dl] : {std::pair<StringRef, std::string>{"ArgMax", "dl.argmax"},
                          {"ArgMin", "dl.argmin"}}) {
    std::string name = dl;
    r[onnx] = [name](NodeImporter &n) -> LogicalResult {
      return n.output(n.create1(
          name, n.input(0),
          {n.i64("axis", n.intAttr("axis", 0)),
           n.boolean("keepdims", n.intAttr("keepdims", 1) != 0),
           n.boolean("select_last_index",
                     n.intAttr("select_last_index", 0) != 0)}));
    };
  }
}
