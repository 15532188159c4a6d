//===- Pool.cpp - ONNX MaxPool, AveragePool, global pools -----------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

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
  bool ceilMode = n.intAttr("ceil_mode", 0) != 0;
  if (isMax)
    return n.output(n.create<dl::MaxPoolOp>(n.input(0), *kernel,
                                            n.i64s(strides), n.i64s(*pads),
                                            n.i64s(dilations), ceilMode));
  return n.output(n.create<dl::AvgPoolOp>(
      n.input(0), *kernel, n.i64s(strides), n.i64s(*pads), n.i64s(dilations),
      ceilMode, n.intAttr("count_include_pad", 0) != 0));
}

template <typename OpTy>
static LogicalResult importGlobalPool(NodeImporter &n) {
  return n.output(n.create<OpTy>(n.input(0)));
}

void dlc::onnx_frontend::registerPoolOps(OpRegistry &r) {
  r["MaxPool"] = [](NodeImporter &n) { return importPool(n, true); };
  r["AveragePool"] = [](NodeImporter &n) { return importPool(n, false); };
  r["GlobalMaxPool"] = importGlobalPool<dl::GlobalMaxPoolOp>;
  r["GlobalAveragePool"] = importGlobalPool<dl::GlobalAvgPoolOp>;
}
