//===- ConvGradients.cpp - reverse-mode rules of the conv and pool ops ----===//
//
// GradientOpInterface external models for dl.conv, dl.conv_transpose and the
// pools. Input gradients of convolutions are convolutions again (a conv for
// unit strides, a conv_transpose otherwise, and the reverse for
// conv_transpose); weight gradients are dl.conv_weight_grad; max and avg pool
// gradients are dl.max_pool_grad and dl.avg_pool_grad. All of them need
// static channel and spatial dims (the batch dim may be dynamic), which the
// CPU backend needs for these ops anyway.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/GradientBuilder.h"

using namespace mlir;
using namespace dlc::dl;

static bool spatialStatic(RankedTensorType t) {
  for (int64_t d = 2; d < t.getRank(); ++d)
    if (t.isDynamicDim(d))
      return false;
  return true;
}

/// Static channels and spatial dims (the batch may be dynamic).
static bool channelsAndSpatialStatic(RankedTensorType t) {
  return !t.isDynamicDim(1) && spatialStatic(t);
}

/// The bias gradient: `g` summed over every dim but the channels.
static Value channelSum(OpBuilder &b, Location loc, Value g) {
  SmallVector<int64_t> axes = {0};
  for (int64_t d = 2; d < tensorTypeOf(g).getRank(); ++d)
    axes.push_back(d);
  return ReduceSumOp::create(b, loc, g, axes, /*keepdims=*/false);
}

/// Crops `x`'s spatial dims where `pads` ([begin..., end...]) is negative and
/// sets those pads to 0: a conv then reads exactly the windows it would read
/// with the negative pads.
static Value cropNegativePads(OpBuilder &b, Location loc, Value x,
                              SmallVectorImpl<int64_t> &pads) {
  int64_t rank = tensorTypeOf(x).getRank(), spatial = rank - 2;
  SmallVector<int64_t> crop(2 * rank, 0);
  bool any = false;
  for (int64_t i = 0; i < spatial; ++i)
    for (int64_t side = 0; side < 2; ++side) {
      int64_t &p = pads[i + side * spatial];
      if (p >= 0)
        continue;
      crop[2 + i + side * rank] = p;
      p = 0;
      any = true;
    }
  if (!any)
    return x;
  return PadOp::create(b, loc, x, crop, PadMode::constant, APFloat(0.0));
}

/// dl.conv's weight (M x C/G x K..) as the weight of the conv that computes
/// the input gradient (C x M/G x K..): within each group the two channel
/// dims swap, and the kernel is flipped along every spatial dim.
static Value flippedTransposedWeight(OpBuilder &b, Location loc, Value w,
                                     int64_t groups) {
  auto wt = tensorTypeOf(w);
  int64_t rank = wt.getRank();
  int64_t m = wt.getDimSize(0), cg = wt.getDimSize(1), mg = m / groups;
  Type et = wt.getElementType();
  ArrayRef<int64_t> kernel = wt.getShape().drop_front(2);
  Value r = w;
  if (groups == 1) {
    SmallVector<int64_t> perm = {1, 0};
    for (int64_t d = 2; d < rank; ++d)
      perm.push_back(d);
    r = TransposeOp::create(b, loc, r, b.getDenseI64ArrayAttr(perm));
  } else if (mg == 1 || cg == 1) {
    // Depthwise-like: swapping a channel dim of size 1 only reshapes.
    SmallVector<int64_t> merged = {groups * cg, mg};
    merged.append(kernel.begin(), kernel.end());
    auto type = RankedTensorType::get(merged, et);
    if (type != wt)
      r = ReshapeOp::create(b, loc, type, r, Value(), b.getBoolAttr(false));
  } else {
    // G x M/G x C/G x K.. -> G x C/G x M/G x K..
    SmallVector<int64_t> split = {groups, mg, cg}, perm = {0, 2, 1};
    split.append(kernel.begin(), kernel.end());
    for (int64_t d = 3; d <= rank; ++d)
      perm.push_back(d);
    r = ReshapeOp::create(b, loc, RankedTensorType::get(split, et), r, Value(),
                          b.getBoolAttr(false));
    r = TransposeOp::create(b, loc, r, b.getDenseI64ArrayAttr(perm));
    SmallVector<int64_t> merged = {groups * cg, mg};
    merged.append(kernel.begin(), kernel.end());
    r = ReshapeOp::create(b, loc, RankedTensorType::get(merged, et), r, Value(),
                          b.getBoolAttr(false));
  }
  SmallVector<int64_t> starts, ends, axes, steps;
  for (auto [i, k] : llvm::enumerate(kernel)) {
    if (k == 1)
      continue;
    starts.push_back(-1);
    ends.push_back(-k - 1);
    axes.push_back(2 + i);
    steps.push_back(-1);
  }
  if (!axes.empty())
    r = SliceOp::create(b, loc, r, starts, ends, b.getDenseI64ArrayAttr(axes),
                        b.getDenseI64ArrayAttr(steps));
  return r;
}

/// The rules build gradients that must come out with their operand's type;
/// a mismatch is a bug in the rule, reported on the op.
static LogicalResult checkType(Operation *op, Value grad, Value operand,
                               StringRef what) {
  if (grad.getType() == operand.getType())
    return success();
  return op->emitOpError("gradient rule built a ")
         << what << " gradient of type " << grad.getType() << ", expected "
         << operand.getType();
}

DL_RULE(ConvOp) {
  auto op = cast<ConvOp>(raw);
  Location l = op.getLoc();
  Value x = op.getInput(), w = op.getWeight(), g = resultGrads[0];
  auto xt = op.getInput().getType(), wt = op.getWeight().getType(),
       gt = tensorTypeOf(g);
  if (!wt.hasStaticShape() || !channelsAndSpatialStatic(xt) ||
      !spatialStatic(gt))
    return op.emitOpError("gradient needs a static weight and static "
                          "channel and spatial dims");
  int64_t spatial = xt.getRank() - 2, groups = op.getGroups();
  auto win = readWindowAttrs(l, op.getStrides(), op.getPads(),
                             op.getDilations(), spatial);
  if (failed(win))
    return failure();
  ArrayRef<int64_t> kernel = wt.getShape().drop_front(2);
  grads.assign(raw->getNumOperands(), Value());

  // Input gradient: dx[i] = sum over k of g[(i + pad_begin - k * dilation) /
  // stride] w[k], where the division is exact.
  Value gx;
  if (llvm::all_of(win->strides, [](int64_t s) { return s == 1; })) {
    // With unit strides that is a conv of g with the flipped kernel, padded
    // by extent - pad on each side (cropped where that is negative).
    SmallVector<int64_t> pads(2 * spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t extent = (kernel[i] - 1) * win->dilations[i];
      pads[i] = extent - win->pads[i];
      pads[i + spatial] = extent - win->pads[i + spatial];
    }
    Value gc = cropNegativePads(b, l, g, pads);
    gx = ConvOp::create(b, l, gc, flippedTransposedWeight(b, l, w, groups),
                        Value(), op.getStridesAttr(),
                        b.getDenseI64ArrayAttr(pads), op.getDilationsAttr(),
                        op.getGroupsAttr());
  } else {
    // Otherwise the transposed conv with the same weight; output_padding
    // restores the input positions past the last window (span % stride).
    SmallVector<int64_t> outPad;
    for (int64_t i = 0; i < spatial; ++i) {
      int64_t in = xt.getDimSize(2 + i), out = gt.getDimSize(2 + i);
      outPad.push_back(in - (win->strides[i] * (out - 1) +
                             (kernel[i] - 1) * win->dilations[i] + 1 -
                             win->pads[i] - win->pads[i + spatial]));
    }
    gx = ConvTransposeOp::create(b, l, g, w, Value(), op.getStridesAttr(),
                                 op.getPadsAttr(), op.getDilationsAttr(),
                                 op.getGroupsAttr(),
                                 b.getDenseI64ArrayAttr(outPad));
  }
  if (failed(checkType(op, gx, x, "input")))
    return failure();
  grads[0] = gx;
  grads[1] = ConvWeightGradOp::create(b, l, wt, x, g, op.getStridesAttr(),
                                      op.getPadsAttr(), op.getDilationsAttr(),
                                      op.getGroupsAttr());
  if (op.getBias())
    grads[2] = channelSum(b, l, g);
  return success();
}

DL_RULE(ConvTransposeOp) {
  // y = conv_transpose(x, w) is the input gradient of a conv with weight w
  // whose output is x, so x's gradient is that conv applied to g, and w's
  // gradient is that conv's weight gradient with g as its input.
  auto op = cast<ConvTransposeOp>(raw);
  Location l = op.getLoc();
  Value x = op.getInput(), g = resultGrads[0];
  auto xt = op.getInput().getType(), wt = op.getWeight().getType(),
       gt = tensorTypeOf(g);
  if (!wt.hasStaticShape() || !channelsAndSpatialStatic(xt) ||
      !spatialStatic(gt))
    return op.emitOpError("gradient needs a static weight and static "
                          "channel and spatial dims");
  int64_t spatial = xt.getRank() - 2;
  auto win = readWindowAttrs(l, op.getStrides(), op.getPads(),
                             op.getDilations(), spatial);
  if (failed(win))
    return failure();
  // The conv pads g by the same begin pads and by end pads less the
  // output_padding (the positions output_padding added see no input).
  SmallVector<int64_t> pads(win->pads);
  if (auto outPad = op.getOutputPadding())
    for (int64_t i = 0; i < spatial; ++i)
      pads[i + spatial] -= (*outPad)[i];
  Value gc = cropNegativePads(b, l, g, pads);
  auto padsAttr = b.getDenseI64ArrayAttr(pads);
  grads.assign(raw->getNumOperands(), Value());
  Value gx =
      ConvOp::create(b, l, gc, op.getWeight(), Value(), op.getStridesAttr(),
                     padsAttr, op.getDilationsAttr(), op.getGroupsAttr());
  if (failed(checkType(op, gx, x, "input")))
    return failure();
  grads[0] = gx;
  grads[1] =
      ConvWeightGradOp::create(b, l, wt, gc, x, op.getStridesAttr(), padsAttr,
                               op.getDilationsAttr(), op.getGroupsAttr());
  if (op.getBias())
    grads[2] = channelSum(b, l, g);
  return success();
}

DL_RULE(MaxPoolOp) {
  auto op = cast<MaxPoolOp>(raw);
  grads.assign(1, MaxPoolGradOp::create(
                      b, op.getLoc(), op.getInput().getType(), op.getInput(),
                      resultGrads[0], op.getKernelShapeAttr(),
                      op.getStridesAttr(), op.getPadsAttr(),
                      op.getDilationsAttr(), op.getCeilModeAttr()));
  return success();
}

DL_RULE(AvgPoolOp) {
  auto op = cast<AvgPoolOp>(raw);
  grads.assign(1, AvgPoolGradOp::create(
                      b, op.getLoc(), op.getInput().getType(), resultGrads[0],
                      op.getKernelShapeAttr(), op.getStridesAttr(),
                      op.getPadsAttr(), op.getDilationsAttr(),
                      op.getCeilModeAttr(), op.getCountIncludePadAttr()));
  return success();
}

DL_RULE(GlobalAvgPoolOp) {
  // g / (spatial size), broadcast back over the spatial dims.
  Location l = raw->getLoc();
  Value x = raw->getOperand(0);
  auto xt = tensorTypeOf(x);
  if (!spatialStatic(xt))
    return raw->emitOpError("gradient needs static spatial dims");
  int64_t count = 1;
  for (int64_t d = 2; d < xt.getRank(); ++d)
    count *= xt.getDimSize(d);
  Type et = xt.getElementType();
  Value scaled = DivOp::create(b, l, resultGrads[0],
                               scalarTensor(b, l, et, double(count)));
  grads.assign(1, expandLike(b, l, scaled, x));
  return success();
}

DL_RULE(GlobalMaxPoolOp) {
  // A max pool whose one window is the whole image: the gradient goes to the
  // first maximum (row-major), as for dl.max_pool and PyTorch's
  // adaptive_max_pool; ties do not split.
  Location l = raw->getLoc();
  Value x = raw->getOperand(0);
  auto xt = tensorTypeOf(x);
  if (!spatialStatic(xt))
    return raw->emitOpError("gradient needs static spatial dims");
  auto kernel = b.getDenseI64ArrayAttr(xt.getShape().drop_front(2));
  grads.assign(1, MaxPoolGradOp::create(b, l, xt, x, resultGrads[0], kernel,
                                        nullptr, nullptr, nullptr,
                                        b.getBoolAttr(false)));
  return success();
}

void dlc::dl::registerConvGradientRules(MLIRContext *context) {
  attachGradientRules<ConvOp, ConvTransposeOp, MaxPoolOp, AvgPoolOp,
                      GlobalAvgPoolOp, GlobalMaxPoolOp>(context);
}
