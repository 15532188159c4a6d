//===- Conv.cpp - conv and conv_transpose ---------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc::dl;

static bool isStatic(int64_t d) { return !ShapedType::isDynamic(d); }

/// Checks the ranks shared by conv and conv_transpose; returns the number of
/// spatial dims.
static FailureOr<int64_t> checkConvRanks(std::optional<Location> loc,
                                         RankedTensorType input,
                                         RankedTensorType weight,
                                         int64_t groups) {
  int64_t rank = input.getRank();
  if (rank < 3 || rank > 5)
    return emitOptionalError(loc,
                             "input must be N x C x D1..Dk with 1 to 3 "
                             "spatial dims, got rank ",
                             rank);
  if (weight.getRank() != rank)
    return emitOptionalError(loc, "weight rank ", weight.getRank(),
                             " differs from input rank ", rank);
  if (groups < 1)
    return emitOptionalError(loc, "groups must be >= 1, got ", groups);
  int64_t c = input.getDimSize(1);
  if (isStatic(c) && c % groups != 0)
    return emitOptionalError(loc, "input channels (", c,
                             ") are not divisible by groups (", groups, ")");
  return rank - 2;
}

static LogicalResult checkBias(std::optional<Location> loc, Value bias,
                               int64_t m) {
  if (!bias)
    return success();
  auto bt = tensorTypeOf(bias);
  if (bt.getRank() != 1 ||
      (isStatic(m) && isStatic(bt.getDimSize(0)) && bt.getDimSize(0) != m))
    return emitOptionalError(loc,
                             "bias must be 1-D with one value per output "
                             "channel (",
                             isStatic(m) ? std::to_string(m) : "?", "), got ",
                             shapeToString(bt.getShape()));
  return success();
}

LogicalResult ConvOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto input = tensorTypeOf(adaptor.getInput());
  auto weight = tensorTypeOf(adaptor.getWeight());
  int64_t groups = adaptor.getGroups();
  auto spatial = checkConvRanks(location, input, weight, groups);
  if (failed(spatial))
    return failure();
  auto w = readWindowAttrs(location, adaptor.getStrides(), adaptor.getPads(),
                           adaptor.getDilations(), *spatial);
  if (failed(w))
    return failure();
  int64_t c = input.getDimSize(1), m = weight.getDimSize(0),
          cw = weight.getDimSize(1);
  if (isStatic(c) && isStatic(cw) && cw * groups != c)
    return emitOptionalError(location, "weight has ", cw,
                             " input channels per group, expected C/groups = ",
                             c, "/", groups, " = ", c / groups);
  if (isStatic(m) && m % groups != 0)
    return emitOptionalError(location, "output channels (", m,
                             ") are not divisible by groups (", groups, ")");
  if (failed(checkBias(location, adaptor.getBias(), m)))
    return failure();
  SmallVector<int64_t> shape = {input.getDimSize(0), m};
  for (int64_t i = 0; i < *spatial; ++i) {
    int64_t in = input.getDimSize(i + 2), k = weight.getDimSize(i + 2);
    if (!isStatic(k)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t out = windowOutputSize(in, k, w->strides[i], w->pads[i],
                                   w->pads[i + *spatial], w->dilations[i],
                                   /*ceilMode=*/false);
    if (isStatic(out) && out < 1)
      return emitOptionalError(
          location, "kernel (", k, ", dilation ", w->dilations[i],
          ") is larger than padded input dim ", i + 2, " (", in, " + ",
          w->pads[i], " + ", w->pads[i + *spatial], ")");
    shape.push_back(out);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvTransposeOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  auto input = tensorTypeOf(adaptor.getInput());
  auto weight = tensorTypeOf(adaptor.getWeight());
  int64_t groups = adaptor.getGroups();
  auto spatial = checkConvRanks(location, input, weight, groups);
  if (failed(spatial))
    return failure();
  auto w = readWindowAttrs(location, adaptor.getStrides(), adaptor.getPads(),
                           adaptor.getDilations(), *spatial);
  if (failed(w))
    return failure();
  SmallVector<int64_t> outPad(*spatial, 0);
  if (auto op = adaptor.getOutputPadding()) {
    if (static_cast<int64_t>(op->size()) != *spatial)
      return emitOptionalError(location, "output_padding has ", op->size(),
                               " values, expected ", *spatial);
    outPad.assign(op->begin(), op->end());
  }
  int64_t c = input.getDimSize(1), cw = weight.getDimSize(0),
          mg = weight.getDimSize(1);
  if (isStatic(c) && isStatic(cw) && cw != c)
    return emitOptionalError(location, "weight dim 0 (", cw,
                             ") must equal the input channels (", c, ")");
  int64_t m = isStatic(mg) ? mg * groups : ShapedType::kDynamic;
  if (failed(checkBias(location, adaptor.getBias(), m)))
    return failure();
  SmallVector<int64_t> shape = {input.getDimSize(0), m};
  for (int64_t i = 0; i < *spatial; ++i) {
    int64_t s = w->strides[i], d = w->dilations[i];
    if (outPad[i] < 0 || outPad[i] >= std::max(s, d))
      return emitOptionalError(location, "output_padding[", i,
                               "] = ", outPad[i],
                               " must be >= 0 and smaller than the stride (", s,
                               ") or dilation (", d, ")");
    int64_t in = input.getDimSize(i + 2), k = weight.getDimSize(i + 2);
    if (!isStatic(in) || !isStatic(k)) {
      shape.push_back(ShapedType::kDynamic);
      continue;
    }
    int64_t out = s * (in - 1) + outPad[i] + (k - 1) * d + 1 - w->pads[i] -
                  w->pads[i + *spatial];
    if (out < 1)
      return emitOptionalError(location,
                               "pads remove the whole output along "
                               "spatial dim ",
                               i, " (size would be ", out, ")");
    shape.push_back(out);
  }
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult ConvWeightGradOp::verify() {
  auto input = getInput().getType();
  auto gradOut = getGradOutput().getType();
  auto result = getType();
  int64_t rank = input.getRank();
  if (rank < 3 || rank > 5)
    return emitOpError("input must be N x C x D1..Dk with 1 to 3 spatial "
                       "dims, got rank ")
           << rank;
  if (gradOut.getRank() != rank || result.getRank() != rank)
    return emitOpError("grad_output (rank ")
           << gradOut.getRank() << ") and result (rank " << result.getRank()
           << ") must have the input's rank " << rank;
  if (!result.hasStaticShape())
    return emitOpError("result (the weight gradient) must have a static "
                       "shape, got ")
           << result;
  int64_t spatial = rank - 2, groups = getGroups();
  if (groups < 1)
    return emitOpError("groups must be >= 1, got ") << groups;
  auto w = readWindowAttrs(getLoc(), getStrides(), getPads(), getDilations(),
                           spatial);
  if (failed(w))
    return failure();
  int64_t n = input.getDimSize(0), ng = gradOut.getDimSize(0);
  if (isStatic(n) && isStatic(ng) && n != ng)
    return emitOpError("batch sizes differ: input ")
           << n << ", grad_output " << ng;
  int64_t m = result.getDimSize(0), cg = result.getDimSize(1);
  if (m % groups != 0)
    return emitOpError("output channels (")
           << m << ") are not divisible by groups (" << groups << ")";
  if (isStatic(gradOut.getDimSize(1)) && gradOut.getDimSize(1) != m)
    return emitOpError("grad_output has ")
           << gradOut.getDimSize(1) << " channels, expected the result's " << m
           << " output channels";
  int64_t c = input.getDimSize(1);
  if (isStatic(c) && cg * groups != c)
    return emitOpError("result has ")
           << cg << " input channels per group, expected C/groups = " << c
           << "/" << groups;
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t out = windowOutputSize(
        input.getDimSize(i + 2), result.getDimSize(i + 2), w->strides[i],
        w->pads[i], w->pads[i + spatial], w->dilations[i], /*ceilMode=*/false);
    int64_t o = gradOut.getDimSize(i + 2);
    if (isStatic(out) && isStatic(o) && out != o)
      return emitOpError("grad_output spatial dim ")
             << i << " is " << o << ", but the conv of this input and kernel "
             << "gives " << out;
  }
  return success();
}
