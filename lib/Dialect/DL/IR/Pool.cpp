//===- Pool.cpp - max/avg and global pools --------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace dlc::dl;

static LogicalResult inferPool(std::optional<Location> loc,
                               RankedTensorType input, ArrayRef<int64_t> kernel,
                               std::optional<ArrayRef<int64_t>> strides,
                               std::optional<ArrayRef<int64_t>> pads,
                               std::optional<ArrayRef<int64_t>> dilations,
                               bool ceilMode, SmallVectorImpl<Type> &inferred) {
  int64_t rank = input.getRank();
  if (rank < 3)
    return emitOptionalError(loc,
                             "pool input must be N x C x D1..Dk, got "
                             "rank ",
                             rank);
  int64_t spatial = rank - 2;
  if (static_cast<int64_t>(kernel.size()) != spatial)
    return emitOptionalError(loc, "kernel_shape has ", kernel.size(),
                             " values, expected ", spatial,
                             " (one per spatial dim)");
  for (int64_t k : kernel)
    if (k < 1 || k > kMaxWindowValue)
      return emitOptionalError(loc, "kernel_shape values must be in [1, ",
                               kMaxWindowValue, "], got ", k);
  auto w = readWindowAttrs(loc, strides, pads, dilations, spatial);
  if (failed(w))
    return failure();
  SmallVector<int64_t> shape = {input.getDimSize(0), input.getDimSize(1)};
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t effective = (kernel[i] - 1) * w->dilations[i] + 1;
    if (w->pads[i] >= effective || w->pads[i + spatial] >= effective)
      return emitOptionalError(loc, "pads along spatial dim ", i, " (",
                               w->pads[i], ", ", w->pads[i + spatial],
                               ") must be smaller than the kernel extent ",
                               effective);
    int64_t out = windowOutputSize(
        input.getDimSize(i + 2), kernel[i], w->strides[i], w->pads[i],
        w->pads[i + spatial], w->dilations[i], ceilMode);
    if (!ShapedType::isDynamic(out) && out < 1)
      return emitOptionalError(loc, "pool window (", effective,
                               ") is larger than padded input dim ", i + 2);
    shape.push_back(out);
  }
  // An absurd kernel over a small input (the pads of auto_pad SAME grow with
  // it) is a compile error, not a run that never ends.
  int64_t steps = 1;
  bool overflow = false;
  for (int64_t d : shape)
    overflow |= !ShapedType::isDynamic(d) && llvm::MulOverflow(steps, d, steps);
  for (int64_t k : kernel)
    overflow |= llvm::MulOverflow(steps, k, steps);
  if (overflow || steps > kMaxPoolSteps)
    return emitOptionalError(loc, "pool takes more than ", kMaxPoolSteps,
                             " window steps (outputs x kernel elements)");
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult MaxPoolOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferPool(location, tensorTypeOf(adaptor.getInput()),
                   adaptor.getKernelShape(), adaptor.getStrides(),
                   adaptor.getPads(), adaptor.getDilations(),
                   adaptor.getCeilMode(), inferred);
}

LogicalResult AvgPoolOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferPool(location, tensorTypeOf(adaptor.getInput()),
                   adaptor.getKernelShape(), adaptor.getStrides(),
                   adaptor.getPads(), adaptor.getDilations(),
                   adaptor.getCeilMode(), inferred);
}

static LogicalResult inferGlobalPool(std::optional<Location> loc,
                                     RankedTensorType input,
                                     SmallVectorImpl<Type> &inferred) {
  if (input.getRank() < 3)
    return emitOptionalError(loc,
                             "global pool input must be N x C x "
                             "D1..Dk, got rank ",
                             input.getRank());
  SmallVector<int64_t> shape(input.getShape());
  std::fill(shape.begin() + 2, shape.end(), 1);
  inferred.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult GlobalMaxPoolOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(location, tensorTypeOf(adaptor.getInput()), inferred);
}

LogicalResult GlobalAvgPoolOp::inferReturnTypes(
    MLIRContext *context, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferGlobalPool(location, tensorTypeOf(adaptor.getInput()), inferred);
}

/// Checks that `gradOut` is shaped like the result of the pool of `input`.
static LogicalResult verifyPoolGrad(Operation *op, RankedTensorType input,
                                    RankedTensorType gradOut,
                                    ArrayRef<int64_t> kernel,
                                    std::optional<ArrayRef<int64_t>> strides,
                                    std::optional<ArrayRef<int64_t>> pads,
                                    std::optional<ArrayRef<int64_t>> dilations,
                                    bool ceilMode) {
  SmallVector<Type> inferred;
  if (failed(inferPool(op->getLoc(), input, kernel, strides, pads, dilations,
                       ceilMode, inferred)))
    return failure();
  auto expected = cast<RankedTensorType>(inferred.front());
  if (!areRefinableTypes(TypeRange{expected}, TypeRange{gradOut}))
    return op->emitOpError("grad_output type ")
           << gradOut << " does not match the pool's result type " << expected;
  return success();
}

LogicalResult MaxPoolGradOp::verify() {
  return verifyPoolGrad(*this, getInput().getType(), getGradOutput().getType(),
                        getKernelShape(), getStrides(), getPads(),
                        getDilations(), getCeilMode());
}

LogicalResult AvgPoolGradOp::verify() {
  return verifyPoolGrad(*this, getType(), getGradOutput().getType(),
                        getKernelShape(), getStrides(), getPads(),
                        getDilations(), getCeilMode());
}
