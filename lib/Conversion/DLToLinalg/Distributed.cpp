//===- Distributed.cpp - data-parallel ops to runtime calls ---------------===//
//
// dl-lower-distributed: dl.dist_check / dist_start / dist_wait become calls
// of libdlcrt_mpi (runtime/include/dlc/dist.h). Tensors cross as 1-D f32
// memrefs: a start reads its inputs (bufferization.to_buffer, read-only) and
// the runtime copies them into the bucket at once, so their buffers may be
// reused right after; a wait's results are new buffers the runtime fills.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace dlc {
#define GEN_PASS_DEF_DLLOWERDISTRIBUTED
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc::dl;

namespace {

struct LowerDistributedPass
    : public dlc::impl::DLLowerDistributedBase<LowerDistributedPass> {
  void runOnOperation() override;
};

/// The private declaration of runtime function `name`.
func::FuncOp declare(ModuleOp module, StringRef name, TypeRange inputs) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b(module.getContext());
  b.setInsertionPointToStart(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType(inputs, {}));
  f.setPrivate();
  return f;
}

Value i64(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(v));
}

SmallVector<ReassociationIndices> allDims(int64_t rank) {
  if (rank == 0)
    return {};
  ReassociationIndices all;
  for (int64_t i = 0; i < rank; ++i)
    all.push_back(i);
  return {all};
}

/// `t` (static shape) as a 1-D tensor.
Value flatten(OpBuilder &b, Location loc, Value t) {
  auto type = cast<RankedTensorType>(t.getType());
  if (type.getRank() == 1)
    return t;
  auto flat =
      RankedTensorType::get({type.getNumElements()}, type.getElementType());
  if (type.getRank() == 0)
    return tensor::ExpandShapeOp::create(b, loc, flat, t, allDims(0));
  return tensor::CollapseShapeOp::create(b, loc, flat, t,
                                         allDims(type.getRank()));
}

/// The 1-D tensor `flat` with `type`'s shape.
Value unflatten(OpBuilder &b, Location loc, Value flat, RankedTensorType type) {
  if (type.getRank() == 1)
    return flat;
  if (type.getRank() == 0)
    return tensor::CollapseShapeOp::create(b, loc, type, flat, allDims(0));
  return tensor::ExpandShapeOp::create(b, loc, type, flat,
                                       allDims(type.getRank()));
}

void LowerDistributedPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *ctx = &getContext();
  Type i64Type = IntegerType::get(ctx, 64);
  auto dynamic = MemRefType::get({ShapedType::kDynamic}, Float32Type::get(ctx));
  // The bucket layouts: bucket -> the element offsets of its tensors.
  llvm::DenseMap<int64_t, std::pair<SmallVector<int64_t>, int64_t>> layouts;
  auto layoutOf = [&](int64_t bucket, TypeRange types) {
    auto &[offsets, total] = layouts[bucket];
    offsets.clear();
    total = 0;
    for (Type t : types) {
      offsets.push_back(total);
      total += cast<RankedTensorType>(t).getNumElements();
    }
    return std::make_pair(offsets, total);
  };

  // dl.all_reduce (--sync-batchnorm): a blocking bucket of its own, after
  // the buckets already used.
  int64_t nextBucket = 0;
  module.walk([&](DistStartOp start) {
    nextBucket = std::max<int64_t>(nextBucket, start.getBucket() + 1);
  });
  module.walk([&](AllReduceOp op) {
    OpBuilder b(op);
    int64_t bucket = nextBucket++;
    DistStartOp::create(b, op.getLoc(), op.getInputs(), bucket, op.getKind());
    auto wait = DistWaitOp::create(b, op.getLoc(), op.getResultTypes(), bucket);
    op->replaceAllUsesWith(wait.getResults());
    op->erase();
  });

  WalkResult result = module.walk([&](Operation *op) -> WalkResult {
    OpBuilder b(op);
    Location loc = op->getLoc();
    if (auto check = dyn_cast<DistCheckOp>(op)) {
      auto f = declare(module, "dlc_dist_check", {i64Type, i64Type, i64Type});
      func::CallOp::create(b, loc, f,
                           ValueRange{i64(b, loc, check.getChecksum()),
                                      i64(b, loc, check.getTensors()),
                                      i64(b, loc, check.getElements())});
      op->erase();
      return WalkResult::skip();
    }
    if (auto start = dyn_cast<DistStartOp>(op)) {
      auto put =
          declare(module, "dlc_dist_put", {i64Type, i64Type, i64Type, dynamic});
      auto startFn = declare(module, "dlc_dist_start", {i64Type, i64Type});
      int64_t bucket = start.getBucket();
      auto [offsets, total] = layoutOf(bucket, start.getInputs().getTypes());
      for (auto [input, offset] : llvm::zip(start.getInputs(), offsets)) {
        Value flat = flatten(b, loc, input);
        auto flatType = cast<RankedTensorType>(flat.getType());
        Value buffer = bufferization::ToBufferOp::create(
            b, loc,
            MemRefType::get(flatType.getShape(), flatType.getElementType()),
            flat, /*read_only=*/true);
        Value cast = memref::CastOp::create(b, loc, dynamic, buffer);
        func::CallOp::create(b, loc, put,
                             ValueRange{i64(b, loc, bucket), i64(b, loc, total),
                                        i64(b, loc, offset), cast});
      }
      int64_t kind = start.getKind() == "mean"  ? 0
                     : start.getKind() == "sum" ? 1
                                                : 2;
      func::CallOp::create(b, loc, startFn,
                           ValueRange{i64(b, loc, bucket), i64(b, loc, kind)});
      op->erase();
      return WalkResult::skip();
    }
    if (auto wait = dyn_cast<DistWaitOp>(op)) {
      int64_t bucket = wait.getBucket();
      auto it = layouts.find(bucket);
      if (it == layouts.end()) {
        wait.emitOpError("waits for bucket ")
            << bucket << ", which no dl.dist_start before it started";
        return WalkResult::interrupt();
      }
      auto [offsets, total] = it->second;
      if (offsets.size() != wait.getNumResults() ||
          layoutOf(bucket, wait.getResultTypes()).second != total) {
        wait.emitOpError("results do not match bucket ")
            << bucket << "'s started tensors";
        return WalkResult::interrupt();
      }
      auto waitFn = declare(module, "dlc_dist_wait", {i64Type});
      auto get = declare(module, "dlc_dist_get", {i64Type, i64Type, dynamic});
      func::CallOp::create(b, loc, waitFn, ValueRange{i64(b, loc, bucket)});
      SmallVector<Value> results;
      for (auto [type, offset] : llvm::zip(wait.getResultTypes(), offsets)) {
        auto tt = cast<RankedTensorType>(type);
        auto memType =
            MemRefType::get({tt.getNumElements()}, tt.getElementType());
        Value buffer = memref::AllocOp::create(b, loc, memType);
        Value cast = memref::CastOp::create(b, loc, dynamic, buffer);
        func::CallOp::create(
            b, loc, get,
            ValueRange{i64(b, loc, bucket), i64(b, loc, offset), cast});
        Value flat = bufferization::ToTensorOp::create(
            b, loc,
            RankedTensorType::get(memType.getShape(), tt.getElementType()),
            buffer, /*restrict=*/true, /*writable=*/true);
        results.push_back(unflatten(b, loc, flat, tt));
      }
      wait->replaceAllUsesWith(results);
      op->erase();
      return WalkResult::skip();
    }
    return WalkResult::advance();
  });
  if (result.wasInterrupted())
    signalPassFailure();
}

} // namespace
