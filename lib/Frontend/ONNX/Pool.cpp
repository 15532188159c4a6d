//===- Pool.cpp - ONNX MaxPool, AveragePool, global pools -----------------===//

#include "NodeImporter.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// MaxPool with its Indices output (2-D, static shapes): for each kernel
/// offset the input element each window reads there is a gather with a
/// constant index (padding reads -inf), and a running max keeps the first
/// maximum and its flat index in N x C x H x W (storage_order 1: the
/// column-major index within each H x W plane).
static LogicalResult importMaxPoolWithIndices(NodeImporter &n) {
  auto x = n.inputType(0);
  if (x.getRank() != 4 || !x.hasStaticShape() ||
      !isa<FloatType>(x.getElementType()))
    return n.fail("the Indices output needs a static float N x C x H x W "
                  "input");
  auto kernel = n.intsAttr("kernel_shape");
  if (!kernel || kernel->size() != 2)
    return n.fail("kernel_shape needs one value per spatial dim");
  SmallVector<int64_t> strides =
      n.intsAttr("strides").value_or(SmallVector<int64_t>(2, 1));
  SmallVector<int64_t> dilations =
      n.intsAttr("dilations").value_or(SmallVector<int64_t>(2, 1));
  if (strides.size() != 2 || dilations.size() != 2)
    return n.fail("strides and dilations need one value per spatial dim");
  if (n.intAttr("ceil_mode", 0) != 0)
    return n.fail("ceil_mode with the Indices output is not supported");
  auto pads = resolvePads(n, x, *kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool columnMajor = n.intAttr("storage_order", 0) != 0;
  int64_t N = x.getDimSize(0), C = x.getDimSize(1), H = x.getDimSize(2),
          W = x.getDimSize(3);
  int64_t oh =
      (H + (*pads)[0] + (*pads)[2] - ((*kernel)[0] - 1) * dilations[0] - 1) /
          strides[0] +
      1;
  int64_t ow =
      (W + (*pads)[1] + (*pads)[3] - ((*kernel)[1] - 1) * dilations[1] - 1) /
          strides[1] +
      1;
  if (oh < 1 || ow < 1)
    return n.fail("the output would be empty");
  Type et = x.getElementType(), i64 = n.b.getI64Type();
  int64_t P = oh * ow;
  auto flatType = RankedTensorType::get({N, C, H * W}, et);
  auto flat = n.createTyped<dl::ReshapeOp>(flatType, n.input(0), Value());
  if (failed(flat))
    return failure();
  // (n * C + c) * H * W, the start of each plane.
  SmallVector<int64_t> planeStart;
  for (int64_t i = 0; i < N * C; ++i)
    planeStart.push_back(i * H * W);
  Value planes = n.constant(DenseElementsAttr::get(
      RankedTensorType::get({N, C, 1}, i64), ArrayRef<int64_t>(planeStart)));
  auto negInf = n.scalar(-INFINITY, et);
  Value best, bestIndex;
  for (int64_t kh = 0; kh < (*kernel)[0]; ++kh)
    for (int64_t kw = 0; kw < (*kernel)[1]; ++kw) {
      SmallVector<int64_t> gatherAt, flatIndex;
      SmallVector<bool> inside;
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          int64_t h = i * strides[0] - (*pads)[0] + kh * dilations[0];
          int64_t w = j * strides[1] - (*pads)[1] + kw * dilations[1];
          bool in = h >= 0 && h < H && w >= 0 && w < W;
          int64_t hc = std::clamp<int64_t>(h, 0, H - 1);
          int64_t wc = std::clamp<int64_t>(w, 0, W - 1);
          inside.push_back(in);
          gatherAt.push_back(hc * W + wc);
          flatIndex.push_back(columnMajor ? wc * H + hc : hc * W + wc);
        }
      auto idxType = RankedTensorType::get({1, 1, P}, i64);
      Value at = n.constant(
          DenseElementsAttr::get(idxType, ArrayRef<int64_t>(gatherAt)));
      auto full = n.createTyped<dl::ExpandOp>(
          RankedTensorType::get({N, C, P}, i64), at, Value());
      if (failed(full))
        return failure();
      auto v = n.create<dl::GatherElementsOp>(*flat, *full, int64_t(2));
      if (failed(v))
        return failure();
      Value mask = n.constant(DenseElementsAttr::get(
          RankedTensorType::get({1, 1, P}, n.b.getI1Type()),
          ArrayRef<bool>(inside)));
      v = n.create<dl::SelectOp>(mask, *v, negInf);
      if (failed(v))
        return failure();
      auto index = n.create<dl::AddOp>(
          planes, n.constant(DenseElementsAttr::get(
                      idxType, ArrayRef<int64_t>(flatIndex))));
      if (failed(index))
        return failure();
      if (!best) {
        best = *v;
        bestIndex = *index;
        continue;
      }
      // Strictly greater: the first maximum in scan order wins.
      auto take = n.create<dl::GreaterOp>(*v, best);
      if (failed(take))
        return failure();
      auto nb = n.create<dl::SelectOp>(*take, *v, best);
      auto ni = n.create<dl::SelectOp>(*take, *index, bestIndex);
      if (failed(nb) || failed(ni))
        return failure();
      best = *nb;
      bestIndex = *ni;
    }
  auto y = n.createTyped<dl::ReshapeOp>(
      RankedTensorType::get({N, C, oh, ow}, et), best, Value());
  auto z = n.createTyped<dl::ReshapeOp>(
      RankedTensorType::get({N, C, oh, ow}, i64), bestIndex, Value());
  if (failed(y) || failed(z))
    return failure();
  n.setOutput(0, *y);
  n.setOutput(1, *z);
  return success();
}

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
    return importMaxPoolWithIndices(n);
  SmallVector<int64_t> strides =
      n.intsAttr("strides").value_or(SmallVector<int64_t>(spatial, 1));
  SmallVector<int64_t> dilations =
      n.intsAttr("dilations").value_or(SmallVector<int64_t>(spatial, 1));
  auto pads = resolvePads(n, input, *kernel, strides, dilations);
  if (failed(pads))
    return failure();
  bool ceilMode = n.intAttr("ceil_mode", 0) != 0;
  if (isMax && isa<IntegerType>(input.getElementType())) {
    // Integers up to 16 bits (signed or not) are exact in f32, whose max is
    // their max: pool there and cast back.
    Type it = input.getElementType();
    if (it.getIntOrFloatBitWidth() > 16 || it.isInteger(1))
      return n.fail("MaxPool of " + Twine(it.getIntOrFloatBitWidth()) +
                    "-bit integers is not supported (up to 16 bits)");
    bool isUnsigned = n.inputUnsigned(0);
    auto f = n.createTyped<dl::CastOp>(
        RankedTensorType::get(input.getShape(), n.b.getF32Type()), n.input(0),
        isUnsigned, false);
    if (failed(f))
      return failure();
    auto p =
        n.create<dl::MaxPoolOp>(*f, *kernel, n.i64s(strides), n.i64s(*pads),
                                n.i64s(dilations), ceilMode);
    if (failed(p))
      return failure();
    auto pt = cast<RankedTensorType>(p->getType());
    return n.output(n.createTyped<dl::CastOp>(
        RankedTensorType::get(pt.getShape(), it), *p, false, isUnsigned));
  }
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
