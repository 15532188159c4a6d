//===- Quantization.cpp - ONNX QuantizeLinear, DequantizeLinear -----------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

namespace {
/// Scale and zero point as the quantize ops take them.
struct QuantParams {
  SmallVector<double> scale;
  SmallVector<int64_t> zeroPoint;
  IntegerAttr axis;
};
} // namespace

/// Scale and zero point as dl attributes: constants, one per tensor or one
/// per slice of `axis`.
static LogicalResult quantParams(NodeImporter &n, int64_t rank,
                                 QuantParams &params) {
  auto scale = n.constantFloats(1);
  if (!scale)
    return n.fail("the scale must be a constant");
  SmallVector<int64_t> zeroPoint(scale->size(), 0);
  if (n.hasInput(2)) {
    if (!isa<IntegerType>(n.inputType(2).getElementType()) ||
        n.inputType(2).getElementType().getIntOrFloatBitWidth() != 8)
      return n.fail("only int8 zero points are supported (uint8 is not a dl "
                    "element type)");
    auto zp = n.constantInts(2);
    if (!zp)
      return n.fail("the zero point must be a constant");
    zeroPoint = *zp;
  }
  params.scale = *scale;
  params.zeroPoint = zeroPoint;
  if (n.inputType(1).getRank() == 1 && scale->size() > 1) {
    int64_t axis = n.intAttr("axis", 1);
    params.axis = n.b.getI64IntegerAttr(axis < 0 ? axis + rank : axis);
  }
  return success();
}

void dlc::onnx_frontend::registerQuantizationOps(OpRegistry &r) {
  r["QuantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    auto in = n.inputType(0);
    QuantParams params;
    if (failed(quantParams(n, in.getRank(), params)))
      return failure();
    if (!n.hasInput(2))
      return n.fail("without a zero point ONNX quantizes to uint8, which is "
                    "not a dl element type");
    auto type = RankedTensorType::get(in.getShape(), n.b.getI8Type());
    return n.output(n.createTyped<dl::QuantizeOp>(
        type, n.input(0), params.scale, params.zeroPoint, params.axis));
  };
  r["DequantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    auto in = n.inputType(0);
    if (in.getElementType().getIntOrFloatBitWidth() != 8)
      return n.fail("only int8 inputs are supported");
    QuantParams params;
    if (failed(quantParams(n, in.getRank(), params)))
      return failure();
    auto type =
        RankedTensorType::get(in.getShape(), n.inputType(1).getElementType());
    return n.output(n.createTyped<dl::DequantizeOp>(
        type, n.input(0), params.scale, params.zeroPoint, params.axis));
  };
}
