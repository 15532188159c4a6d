//===- Conv.cpp - ONNX Conv and ConvTranspose -----------------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

FailureOr<SmallVector<int64_t>> dlc::onnx_frontend::resolvePads(
    NodeImporter &n, RankedTensorType input, ArrayRef<int64_t> kernel,
    ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations) {
  size_t spatial = kernel.size();
  std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (autoPad == "NOTSET") {
    auto pads = n.intsAttr("pads");
    if (!pads)
      return SmallVector<int64_t>(2 * spatial, 0);
    if (pads->size() != 2 * spatial)
      return (void)n.fail("pads has " + Twine(pads->size()) +
                          " values, expected " + Twine(2 * spatial)),
             failure();
    return *pads;
  }
  if (autoPad == "VALID")
    return SmallVector<int64_t>(2 * spatial, 0);
  if (autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return (void)n.fail("auto_pad=" + autoPad + " is not supported"), failure();
  SmallVector<int64_t> pads(2 * spatial, 0);
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = input.getDimSize(i + 2);
    if (ShapedType::isDynamic(in))
      return (void)n.fail("auto_pad=" + autoPad +
                          " needs static spatial dims; pin them with "
                          "--input-shape"),
             failure();
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>(
        0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in);
    int64_t small = total / 2, big = total - small;
    pads[i] = autoPad == "SAME_UPPER" ? small : big;
    pads[i + spatial] = autoPad == "SAME_UPPER" ? big : small;
  }
  return pads;
}

/// Strides, dilations (default 1) and the kernel's spatial size.
static void windowDefaults(NodeImporter &n, size_t spatial,
                           SmallVector<int64_t> &strides,
                           SmallVector<int64_t> &dilations) {
  strides = n.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  dilations =
      n.intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
}

static LogicalResult importConv(NodeImporter &n, bool transpose) {
  if (!transpose)
    return n.output(importConvOn(n, n.input(0), n.input(1), n.input(2)));
  auto input = n.inputType(0), weight = n.inputType(1);
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return n.fail("input and weight must be N x C x D1..Dk of equal rank");
  size_t spatial = input.getRank() - 2;
  SmallVector<int64_t> kernel =
      n.intsAttr("kernel_shape")
          .value_or(SmallVector<int64_t>(weight.getShape().drop_front(2)));
  for (int64_t k : kernel)
    if (ShapedType::isDynamic(k))
      return n.fail("the kernel size must be static");
  SmallVector<int64_t> strides, dilations;
  windowDefaults(n, spatial, strides, dilations);
  if (strides.size() != spatial || dilations.size() != spatial)
    return n.fail("strides and dilations need one value per spatial dim");
  // An omitted bias is null, which the builders leave out.
  Value bias = n.input(2);
  int64_t groups = n.intAttr("group", 1);
  SmallVector<int64_t> outPad =
      n.intsAttr("output_padding").value_or(SmallVector<int64_t>(spatial, 0));
  SmallVector<int64_t> pads(2 * spatial, 0);
  std::string autoPad = n.stringAttr("auto_pad", "NOTSET");
  if (auto outputShape = n.intsAttr("output_shape")) {
    // Pads follow from the requested output size (ONNX's formula).
    if (outputShape->size() != spatial)
      return n.fail("output_shape needs one value per spatial dim");
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2);
      if (ShapedType::isDynamic(in))
        return n.fail("output_shape needs static spatial input dims");
      int64_t total = strides[i] * (in - 1) + outPad[i] +
                      ((kernel[i] - 1) * dilations[i] + 1) - (*outputShape)[i];
      if (total < 0) {
        outPad[i] -= total;
        total = 0;
      }
      // The ONNX spec: only SAME_UPPER puts the smaller half first.
      bool upper = autoPad == "SAME_UPPER";
      pads[i] = upper ? total / 2 : total - total / 2;
      pads[i + spatial] = total - pads[i];
    }
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = input.getDimSize(i + 2);
      if (ShapedType::isDynamic(in))
        return n.fail("auto_pad needs static spatial input dims");
      int64_t total = strides[i] * (in - 1) + outPad[i] +
                      ((kernel[i] - 1) * dilations[i] + 1) - in * strides[i];
      total = std::max<int64_t>(total, 0);
      pads[i] = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pads[i + spatial] = total - pads[i];
    }
  } else if (auto p = n.intsAttr("pads")) {
    if (p->size() != 2 * spatial)
      return n.fail("pads needs 2 values per spatial dim");
    pads = *p;
  }
  return n.output(n.create<dl::ConvTransposeOp>(
      n.input(0), n.input(1), bias, n.i64s(strides), n.i64s(pads),
      n.i64s(dilations), groups, n.i64s(outPad)));
}

namespace {
/// The node's window attributes for a conv of `x` by `w`.
struct ConvWindow {
  SmallVector<int64_t> strides, pads, dilations;
};
} // namespace

static FailureOr<ConvWindow> convWindow(NodeImporter &n, Value x, Value w) {
  auto input = cast<RankedTensorType>(x.getType());
  auto weight = cast<RankedTensorType>(w.getType());
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return n.fail("input and weight must be N x C x D1..Dk of equal rank");
  size_t spatial = input.getRank() - 2;
  SmallVector<int64_t> kernel =
      n.intsAttr("kernel_shape")
          .value_or(SmallVector<int64_t>(weight.getShape().drop_front(2)));
  for (int64_t k : kernel)
    if (ShapedType::isDynamic(k))
      return n.fail("the kernel size must be static");
  ConvWindow win;
  windowDefaults(n, spatial, win.strides, win.dilations);
  if (win.strides.size() != spatial || win.dilations.size() != spatial)
    return n.fail("strides and dilations need one value per spatial dim");
  auto pads = resolvePads(n, input, kernel, win.strides, win.dilations);
  if (failed(pads))
    return failure();
  win.pads = *pads;
  return win;
}

FailureOr<Value> dlc::onnx_frontend::importConvOn(NodeImporter &n, Value x,
                                                  Value w, Value bias) {
  auto win = convWindow(n, x, w);
  if (failed(win))
    return failure();
  return n.create<dl::ConvOp>(x, w, bias, n.i64s(win->strides),
                              n.i64s(win->pads), n.i64s(win->dilations),
                              n.intAttr("group", 1));
}

FailureOr<Value> dlc::onnx_frontend::importConvIntegerOn(NodeImporter &n,
                                                         Value x, Value w,
                                                         Value xz, Value wz,
                                                         bool xUnsigned,
                                                         bool wUnsigned) {
  auto win = convWindow(n, x, w);
  if (failed(win))
    return failure();
  return n.create<dl::ConvIntegerOp>(
      x, w, xz, wz, n.i64s(win->strides), n.i64s(win->pads),
      n.i64s(win->dilations), n.intAttr("group", 1), xUnsigned, wUnsigned);
}

void dlc::onnx_frontend::registerConvOps(OpRegistry &r) {
  r["Conv"] = [](NodeImporter &n) { return importConv(n, false); };
  r["ConvTranspose"] = [](NodeImporter &n) { return importConv(n, true); };
}
