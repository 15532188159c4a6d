//===- RuntimeCalls.cpp - train-step ops as calls of the runtime's kernels ===//
//
// dl-to-linalg's `runtime-calls` option (the CPU pipeline sets it where the
// runtime's kernels run): the two backward ops whose linalg form is a
// gather, dl.max_pool_grad and dl.conv_weight_grad of 2-D f32 tensors,
// become one call each of dlc_maxpool2d_grad and dlc_sconv2d_wgrad
// (runtime/include/dlc/runtime.h). Operands cross as rank-4 memrefs with
// any layout (bufferization.to_buffer, read-only); the result is a fresh
// buffer the call fills, seen as a tensor again through
// bufferization.to_tensor (restrict: nothing else aliases it).
//
//===----------------------------------------------------------------------===//

#include "../LinalgToCPU/MicrokernelUtils.h"
#include "Utils.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dlc;
using namespace dlc::dl;

namespace {

/// memref<?x?x?x?xf32, strided<[?, ?, ?, ?], offset: ?>>: what the runtime
/// functions take (DLC_MEMREF4_PARAMS).
MemRefType anyMemref4(MLIRContext *ctx) {
  int64_t d = ShapedType::kDynamic;
  return MemRefType::get({d, d, d, d}, Float32Type::get(ctx),
                         StridedLayoutAttr::get(ctx, d, {d, d, d, d}));
}

/// Whether `t` is a rank-4 f32 tensor (a 2-D window op's operand).
bool isF32Rank4(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && rt.getRank() == 4 && rt.getElementType().isF32();
}

/// Tensor `t` as the runtime's memref operand (read only).
Value operand(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  int64_t d = ShapedType::kDynamic;
  auto exact =
      MemRefType::get(type.getShape(), type.getElementType(),
                      StridedLayoutAttr::get(b.getContext(), d, {d, d, d, d}));
  Value buffer =
      bufferization::ToBufferOp::create(b, loc, exact, t, /*read_only=*/true);
  return memref::CastOp::create(b, loc, anyMemref4(b.getContext()), buffer);
}

/// A fresh buffer of `type` (its dynamic dims those of tensor `like`), and
/// its cast to the runtime's memref type.
std::pair<Value, Value> result(OpBuilder &b, Location loc,
                               RankedTensorType type, Value like) {
  SmallVector<Value> sizes;
  for (int64_t i = 0; i < type.getRank(); ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(tensor::DimOp::create(b, loc, like, i));
  auto memType = MemRefType::get(type.getShape(), type.getElementType());
  Value buffer = memref::AllocOp::create(b, loc, memType, sizes);
  return {buffer,
          memref::CastOp::create(b, loc, anyMemref4(b.getContext()), buffer)};
}

Value i64(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}

/// Calls `name` with three memrefs and the i64 `scalars`; the op's result
/// is the third, a fresh buffer shaped as the op's result (its dynamic dims
/// those of `in0`).
LogicalResult replaceWithCall(PatternRewriter &rewriter, Operation *op,
                              StringRef name, Value in0, Value in1,
                              ArrayRef<int64_t> scalars) {
  Location loc = op->getLoc();
  auto module = op->getParentOfType<ModuleOp>();
  if (!module)
    return rewriter.notifyMatchFailure(op, "not inside a module");
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  Value a = operand(rewriter, loc, in0), b = operand(rewriter, loc, in1);
  auto [buffer, out] = result(rewriter, loc, type, in0);
  SmallVector<Value> args = {a, b, out};
  SmallVector<Type> types(3, anyMemref4(rewriter.getContext()));
  for (int64_t s : scalars) {
    args.push_back(i64(rewriter, loc, s));
    types.push_back(rewriter.getI64Type());
  }
  func::FuncOp callee = cpu::declareRuntimeFunction(module, name, types);
  func::CallOp::create(rewriter, loc, callee, args);
  rewriter.replaceOpWithNewOp<bufferization::ToTensorOp>(
      op, type, buffer, /*restrict=*/true, /*writable=*/true);
  return success();
}

/// dl.max_pool_grad of a 2-D pool (floor or ceil mode: the runtime reads
/// only in-bounds positions) -> dlc_maxpool2d_grad.
struct MaxPoolGradToCall : public OpRewritePattern<MaxPoolGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(MaxPoolGradOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Rank4(op.getInput().getType()) ||
        !isF32Rank4(op.getGradOutput().getType()))
      return rewriter.notifyMatchFailure(op, "not a 2-D f32 pool");
    auto w = readWindowAttrs(op.getLoc(), op.getStrides(), op.getPads(),
                             op.getDilations(), 2);
    if (failed(w))
      return failure();
    ArrayRef<int64_t> k = op.getKernelShape();
    return replaceWithCall(rewriter, op, "dlc_maxpool2d_grad", op.getInput(),
                           op.getGradOutput(),
                           {k[0], k[1], w->strides[0], w->strides[1],
                            w->dilations[0], w->dilations[1], w->pads[0],
                            w->pads[1]});
  }
};

/// dl.conv_weight_grad of an ungrouped 2-D conv with a static weight shape
/// -> dlc_sconv2d_wgrad (the weight gradient, summed over the batch).
struct ConvWeightGradToCall : public OpRewritePattern<ConvWeightGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(ConvWeightGradOp op,
                                PatternRewriter &rewriter) const override {
    if (!isF32Rank4(op.getInput().getType()) ||
        !isF32Rank4(op.getGradOutput().getType()) ||
        !isF32Rank4(op.getType()) || !op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "not a static 2-D f32 conv");
    if (op.getGroups() != 1)
      return rewriter.notifyMatchFailure(op, "grouped");
    auto w = readWindowAttrs(op.getLoc(), op.getStrides(), op.getPads(),
                             op.getDilations(), 2);
    if (failed(w))
      return failure();
    return replaceWithCall(rewriter, op, "dlc_sconv2d_wgrad", op.getInput(),
                           op.getGradOutput(),
                           {w->strides[0], w->strides[1], w->dilations[0],
                            w->dilations[1], w->pads[0], w->pads[1]});
  }
};

} // namespace

void dlc::populateRuntimeCallPatterns(RewritePatternSet &patterns) {
  // Ahead of the linalg lowerings of the same ops.
  patterns.add<MaxPoolGradToCall, ConvWeightGradToCall>(patterns.getContext(),
                                                        /*benefit=*/2);
}
