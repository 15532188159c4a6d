//===- ConstantData.cpp - reading and writing dl.constant data ------------===//

#include "dlc/Dialect/DL/Transforms/ConstantData.h"
#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"

#include <cstring>

using namespace mlir;

std::optional<SmallVector<float>> dlc::dl::constantFloats(Value v) {
  auto type = dyn_cast<RankedTensorType>(v.getType());
  if (!type || !type.hasStaticShape() || !type.getElementType().isF32())
    return std::nullopt;
  Attribute attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  int64_t n = type.getNumElements();
  if (auto dense = dyn_cast<DenseElementsAttr>(attr)) {
    auto values = dense.getValues<float>();
    return SmallVector<float>(values.begin(), values.end());
  }
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    if (!blob || int64_t(blob->getData().size()) != n * 4)
      return std::nullopt;
    SmallVector<float> values(n);
    std::memcpy(values.data(), blob->getData().data(), n * 4);
    return values;
  }
  return std::nullopt;
}

Value dlc::dl::createF32Constant(OpBuilder &b, Location loc,
                                 RankedTensorType type, ArrayRef<float> values,
                                 StringRef name) {
  // The importer's threshold: small tensors stay dense so folders read them.
  constexpr int64_t kResourceThreshold = 1024;
  if (type.getNumElements() <= kResourceThreshold)
    return ConstantOp::create(b, loc, type,
                              DenseElementsAttr::get(type, values));
  AsmResourceBlob blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef(reinterpret_cast<const char *>(values.data()),
               values.size() * sizeof(float)),
      alignof(double));
  return ConstantOp::create(b, loc, type,
                            cast<ElementsAttr>(DenseResourceElementsAttr::get(
                                type, name, std::move(blob))));
}

dlc::dl::Channels dlc::dl::channelsOf(Operation *c) {
  auto wt = cast<RankedTensorType>(c->getOperand(1).getType());
  if (isa<ConvOp>(c))
    return {wt.getDimSize(0), wt.getNumElements() / wt.getDimSize(0)};
  if (auto gemm = dyn_cast<GemmOp>(c); gemm && gemm.getTransB())
    return {wt.getDimSize(0), wt.getDimSize(1)};
  return {wt.getDimSize(1), 1};
}
