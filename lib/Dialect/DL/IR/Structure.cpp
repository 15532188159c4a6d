//===- Structure.cpp - dropout, random, quantization, dl.fusion ----------===//

#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/IR/FusionGroup.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/raw_ostream.h"

#include <mutex>

using namespace mlir;
using namespace dlc::dl;

//===----------------------------------------------------------------------===//
// DropoutOp
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *context,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  double ratio = adaptor.getRatio().convertToDouble();
  if (!(ratio >= 0.0 && ratio < 1.0))
    return emitOptionalError(location, "dropout ratio must be in [0, 1), got ",
                             ratio);
  auto in = tensorTypeOf(adaptor.getInput());
  inferred.push_back(in);
  inferred.push_back(
      RankedTensorType::get(in.getShape(), IntegerType::get(context, 1)));
  return success();
}

void DropoutOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                            MLIRContext *context) {
  // Outside training, or with ratio 0, dropout keeps everything: the output
  // is the input and the mask all true.
  results.add(+[](DropoutOp op, PatternRewriter &rewriter) -> LogicalResult {
    if ((op.getTraining() && !op.getRatio().isZero()) ||
        op.getOutput().getType() != op.getInput().getType())
      return failure();
    auto maskType = op.getMask().getType();
    if (!op.getMask().use_empty() && !maskType.hasStaticShape())
      return failure();
    Value mask;
    if (!op.getMask().use_empty())
      mask = ConstantOp::create(
          rewriter, op.getLoc(),
          DenseElementsAttr::get(maskType, rewriter.getBoolAttr(true)));
    rewriter.replaceAllUsesWith(op.getOutput(), op.getInput());
    if (mask)
      rewriter.replaceAllUsesWith(op.getMask(), mask);
    rewriter.eraseOp(op);
    return success();
  });
}

//===----------------------------------------------------------------------===//
// RandomUniformOp
//===----------------------------------------------------------------------===//

LogicalResult RandomUniformOp::verify() {
  double low = getLow().convertToDouble(), high = getHigh().convertToDouble();
  if (!(low < high))
    return emitOpError("needs low < high, got [") << low << ", " << high << ")";
  return success();
}

//===----------------------------------------------------------------------===//
// QuantizeOp, DequantizeOp
//===----------------------------------------------------------------------===//

/// Checks scale / zero point / axis of a (de)quantize op against the shape of
/// its float side and the range of its integer type.
static LogicalResult
verifyQuantParams(Operation *op, RankedTensorType floatType,
                  IntegerType intType, ArrayRef<double> scale,
                  ArrayRef<int64_t> zeroPoint, std::optional<int64_t> axis,
                  bool isUnsigned) {
  int64_t expected = 1;
  if (axis) {
    int64_t rank = floatType.getRank();
    if (*axis < -rank || *axis >= rank)
      return op->emitOpError("axis ")
             << *axis << " is out of range for rank " << rank;
    int64_t a = *axis < 0 ? *axis + rank : *axis;
    expected = floatType.getDimSize(a);
    if (ShapedType::isDynamic(expected))
      return op->emitOpError("per-axis quantization needs a static size for "
                             "axis ")
             << a;
  }
  if (static_cast<int64_t>(scale.size()) != expected)
    return op->emitOpError("has ")
           << scale.size() << " scales, expected " << expected
           << (axis ? " (one per slice of the axis)" : " (per-tensor)");
  if (zeroPoint.size() != scale.size())
    return op->emitOpError("has ") << zeroPoint.size() << " zero points for "
                                   << scale.size() << " scales";
  for (double s : scale)
    if (!(s > 0) || std::isinf(s))
      return op->emitOpError("scales must be positive and finite, got ") << s;
  // Zero points are i64: an i64 (or wider) result takes any of them, and the
  // bounds are computed without overflowing at width 64.
  unsigned width = intType.getWidth();
  unsigned bits = std::min(width, 64u);
  int64_t lo = isUnsigned ? 0 : APInt::getSignedMinValue(bits).getSExtValue(),
          hi = isUnsigned && bits < 64
                   ? int64_t(APInt::getMaxValue(bits).getZExtValue())
                   : APInt::getSignedMaxValue(bits).getSExtValue();
  for (int64_t z : zeroPoint)
    if (z < lo || z > hi) {
      auto diag = op->emitOpError("zero point ")
                  << z << " is outside the range of ";
      if (isUnsigned)
        diag << "uint" << width;
      else
        diag << intType;
      return diag << " [" << lo << ", " << hi << "]";
    }
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyQuantParams(*this, getInput().getType(),
                           cast<IntegerType>(getType().getElementType()),
                           getScale(), getZeroPoint(), getAxis(),
                           getIsUnsigned());
}

LogicalResult DequantizeOp::verify() {
  return verifyQuantParams(
      *this, getType(),
      cast<IntegerType>(getInput().getType().getElementType()), getScale(),
      getZeroPoint(), getAxis(), getIsUnsigned());
}

namespace {
#include "DLCanonicalization.inc"
} // namespace

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &results,
                                             MLIRContext *context) {
  results.add<QuantizeOfDequantize>(context);
}

//===----------------------------------------------------------------------===//
// FusionOp
//===----------------------------------------------------------------------===//

void FusionOp::build(OpBuilder &builder, OperationState &state,
                     TypeRange resultTypes, ValueRange inputs) {
  state.addOperands(inputs);
  state.addTypes(resultTypes);
  Region *body = state.addRegion();
  Block *block = new Block();
  body->push_back(block);
  for (Value v : inputs)
    block->addArgument(v.getType(), v.getLoc());
}

LogicalResult FusionOp::verify() {
  Block &block = getBody().front();
  if (block.getNumArguments() != getInputs().size())
    return emitOpError("body has ")
           << block.getNumArguments() << " arguments for " << getInputs().size()
           << " inputs";
  for (auto [i, pair] :
       llvm::enumerate(llvm::zip(block.getArguments(), getInputs()))) {
    auto [arg, input] = pair;
    if (arg.getType() != input.getType())
      return emitOpError("body argument #")
             << i << " has type " << arg.getType() << " but input #" << i
             << " is " << input.getType();
  }
  auto yield = cast<YieldOp>(block.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields (")
           << yield.getValues().getTypes() << ") but the results are ("
           << getResultTypes() << ")";
  WalkResult nested = getBody().walk([&](FusionOp inner) {
    inner.emitOpError("must not be nested in another dl.fusion");
    return WalkResult::interrupt();
  });
  return failure(nested.wasInterrupted());
}

//===----------------------------------------------------------------------===//
// Fusion groups
//===----------------------------------------------------------------------===//

/// The mark's payload, which tells it from other DistinctAttrs.
static constexpr llvm::StringLiteral kFusionGroup = "dl.fusion";

Attribute dlc::dl::newFusionGroup(MLIRContext *context) {
  return DistinctAttr::create(StringAttr::get(context, kFusionGroup));
}

Location dlc::dl::withFusionGroup(Location loc, Attribute group) {
  return FusedLoc::get(loc.getContext(), {loc}, group);
}

Attribute dlc::dl::fusionGroup(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  if (!fused)
    return {};
  if (auto distinct = dyn_cast_or_null<DistinctAttr>(fused.getMetadata()))
    if (auto payload = dyn_cast<StringAttr>(distinct.getReferencedAttr());
        payload && payload.getValue() == kFusionGroup)
      return distinct;
  for (Location inner : fused.getLocations())
    if (Attribute group = fusionGroup(inner))
      return group;
  return {};
}

bool dlc::dl::inSameFusionGroup(Operation *a, Operation *b) {
  return fusionGroup(a->getLoc()) == fusionGroup(b->getLoc());
}

void dlc::dl::writeReport(llvm::StringRef text) {
  static std::mutex lock;
  std::lock_guard<std::mutex> guard(lock);
  llvm::errs() << text;
  llvm::errs().flush();
}

//===----------------------------------------------------------------------===//
// RecomputeBarrierOp
//===----------------------------------------------------------------------===//

LogicalResult
RecomputeBarrierOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &inferred) {
  for (Value v : adaptor.getInputs())
    inferred.push_back(v.getType());
  return success();
}
