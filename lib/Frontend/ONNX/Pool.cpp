//===- Pool.cpp - ONNX MaxPool, AveragePool, global pools -----------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

static LogicalResult importPool(NodeImporter &n, bool isMax) {
  auto input = n.inputType(0);
  if (input.getRank() < 3)
    return n.fail("input must be N x C x D1..Dk");
  size_t spatial = input.getRank() - 2;
  auto kernel = n.intsAttr("kernel_shape");
  if (!kernel || kernel->size() != spatial)
    return n.fail("kernel_shape needs one value per spatial dim");
  // storage_order only affects the Indices output.
  if (isMax && n.numOutputs() > 1 && !n.node.output(1).empty())
    return n.fail("the Indices output of MaxPool is not supported");
  SmallVector<int64_t> strides =
      n.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations =
      n.intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = resolvePads(n, input, *kernel, strides, dilations);
  if (failed(pads))
    return failure();
  SmallVector<NamedAttribute> attrs = {
      n.i64s("kernel_shape", *kernel), n.i64s("strides", strides),
      n.i64s("pads", *pads), n.i64s("dilations", dilations),
      n.boolean("ceil_mode", n.intAttr("ceil_mode", 0) != 0)};
  if (!isMax)
    attrs.push_back(n.boolean("count_include_pad",
                              n.intAttr("count_include_pad", 0) != 0));
  return n.output(n.create1(isMax ? "dl.max_pool" : "dl.avg_pool", n.input(0), attrs));
}

void dlc::onnx_frontend::registerPoolOps(OpRegistry &r) {
  r["MaxPool"] = [](NodeImporter &n) { return importPool(n, true); };
  r["AveragePool"] = [](NodeImporter &n) { return importPool(n, false); };
  for (auto [onnx, dl] : {std::pair<StringRef, std::string>{"GlobalMaxPool",
                                                            "dl.global_max_pool"},
                          {"GlobalAveragePool", "dl.global_avg_pool"}}) {
    std::string name = dl;
    r[onnx] = [name](NodeImporter &n) -> LogicalResult {
      return n.output(n.create1(name, n.input(0)));
    };
  }
}
