//===- Distributed.cpp - data-parallel training ops -----------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc::dl;

/// Buckets hold static f32 tensors: the runtime's buffers are f32 and their
/// layout is fixed when the step is compiled.
static LogicalResult verifyBucketTypes(Operation *op, TypeRange types) {
  if (types.empty())
    return op->emitOpError("needs at least one tensor");
  for (Type t : types) {
    auto rt = cast<RankedTensorType>(t);
    if (!rt.getElementType().isF32() || !rt.hasStaticShape())
      return op->emitOpError("takes static f32 tensors, got ") << t;
  }
  return success();
}

LogicalResult AllReduceOp::verify() {
  StringRef kind = getKind();
  if (kind != "mean" && kind != "sum")
    return emitOpError("kind must be \"mean\" or \"sum\", got \"")
           << kind << "\"";
  if (getInputs().getTypes() != getResults().getTypes())
    return emitOpError("results must have the inputs' types");
  return verifyBucketTypes(*this, getInputs().getTypes());
}

LogicalResult DistStartOp::verify() {
  StringRef kind = getKind();
  if (kind != "mean" && kind != "sum" && kind != "broadcast")
    return emitOpError("kind must be \"mean\", \"sum\" or \"broadcast\", got "
                       "\"")
           << kind << "\"";
  if (getBucketAttr().getInt() < 0)
    return emitOpError("bucket must be non-negative");
  return verifyBucketTypes(*this, getInputs().getTypes());
}

LogicalResult DistWaitOp::verify() {
  if (getBucketAttr().getInt() < 0)
    return emitOpError("bucket must be non-negative");
  return verifyBucketTypes(*this, getResults().getTypes());
}
