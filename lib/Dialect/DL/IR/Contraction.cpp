//===- Contraction.cpp - matmul and gemm ----------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"

using namespace mlir;
using namespace dlc::dl;

/// Two contraction dims agree when equal or either is dynamic.
static bool dimsAgree(int64_t a, int64_t b) {
  return a == b || ShapedType::isDynamic(a) || ShapedType::isDynamic(b);
}

static std::string dimStr(int64_t d) {
  return ShapedType::isDynamic(d) ? "?" : std::to_string(d);
}

LogicalResult MatMulOp::inferReturnTypes(MLIRContext *context,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = tensorTypeOf(adaptor.getLhs());
  auto rhs = tensorTypeOf(adaptor.getRhs());
  if (lhs.getRank() == 0 || rhs.getRank() == 0)
    return emitOptionalError(location,
                             "matmul operands must have rank >= 1, got ",
                             lhs.getRank(), " and ", rhs.getRank());
  // numpy: a 1-D lhs is a row vector, a 1-D rhs a column vector; the
  // promoted dim is dropped from the result.
  SmallVector<int64_t> a(lhs.getShape()), b(rhs.getShape());
  bool lhsVec = a.size() == 1, rhsVec = b.size() == 1;
  if (lhsVec)
    a.insert(a.begin(), 1);
  if (rhsVec)
    b.push_back(1);
  int64_t k1 = a.back(), k2 = b[b.size() - 2];
  if (!dimsAgree(k1, k2))
    return emitOptionalError(
        location, "matmul contraction dims differ: lhs ",
        shapeToString(lhs.getShape()), " has K = ", dimStr(k1), ", rhs ",
        shapeToString(rhs.getShape()), " has K = ", dimStr(k2));
  ArrayRef<int64_t> aBatch = ArrayRef(a).drop_back(2);
  ArrayRef<int64_t> bBatch = ArrayRef(b).drop_back(2);
  auto batch = broadcastShapes(aBatch, bBatch);
  if (failed(batch))
    return emitOptionalError(
        location, "matmul batch dims ", shapeToString(aBatch), " and ",
        shapeToString(bBatch), " are not broadcast-compatible");
  SmallVector<int64_t> shape = *batch;
  if (!lhsVec)
    shape.push_back(a[a.size() - 2]);
  if (!rhsVec)
    shape.push_back(b.back());
  inferred.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult GemmOp::inferReturnTypes(MLIRContext *context,
                                       std::optional<Location> location,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &inferred) {
  auto a = tensorTypeOf(adaptor.getA());
  auto b = tensorTypeOf(adaptor.getB());
  if (a.getRank() != 2 || b.getRank() != 2)
    return emitOptionalError(location,
                             "gemm operands A and B must be 2-D, "
                             "got rank ",
                             a.getRank(), " and ", b.getRank(),
                             " (use dl.matmul for batched products)");
  int64_t m = adaptor.getTransA() ? a.getDimSize(1) : a.getDimSize(0);
  int64_t ka = adaptor.getTransA() ? a.getDimSize(0) : a.getDimSize(1);
  int64_t kb = adaptor.getTransB() ? b.getDimSize(1) : b.getDimSize(0);
  int64_t n = adaptor.getTransB() ? b.getDimSize(0) : b.getDimSize(1);
  if (!dimsAgree(ka, kb))
    return emitOptionalError(location,
                             "gemm contraction dims differ: op(A) "
                             "has K = ",
                             dimStr(ka), ", op(B) has K = ", dimStr(kb),
                             " (check trans_a / trans_b)");
  SmallVector<int64_t> shape = {m, n};
  if (Value c = adaptor.getC()) {
    auto ct = tensorTypeOf(c);
    if (ct.getElementType() != a.getElementType())
      return emitOptionalError(location, "gemm C element type ",
                               ct.getElementType(), " differs from A's ",
                               a.getElementType());
    auto bc = broadcastShapes(shape, ct.getShape());
    if (ct.getRank() > 2 || failed(bc) ||
        !areRefinableTypes(RankedTensorType::get(*bc, a.getElementType()),
                           RankedTensorType::get(shape, a.getElementType())))
      return emitOptionalError(
          location, "gemm C of shape ", shapeToString(ct.getShape()),
          " does not broadcast to the result ", shapeToString(shape));
    shape = *bc;
  }
  inferred.push_back(RankedTensorType::get(shape, a.getElementType()));
  return success();
}
