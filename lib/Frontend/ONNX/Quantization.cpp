//===- Quantization.cpp - ONNX QuantizeLinear, DequantizeLinear -----------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

/// Scale and zero point as dl attributes: constants, one per tensor or one
/// per slice of `axis`.
static LogicalResult quantParams(NodeImporter &n, int64_t rank,
                                 SmallVector<NamedAttribute> &attrs) {
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
  attrs.push_back(n.named("scale", n.b.getDenseF64ArrayAttr(*scale)));
  attrs.push_back(n.i64s("zero_point", zeroPoint));
  if (n.inputType(1).getRank() == 1 && scale->size() > 1) {
    int64_t axis = n.intAttr("axis", 1);
    attrs.push_back(n.i64("axis", axis < 0 ? axis + rank : axis));
  }
  return success();
}

void dlc::onnx_frontend::registerQuantizationOps(OpRegistry &r) {
  r["QuantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    auto in = n.inputType(0);
    SmallVector<NamedAttribute> attrs;
    if (failed(quantParams(n, in.getRank(), attrs)))
      return failure();
    if (!n.hasInput(2))
      return n.fail("without a zero point ONNX quantizes to uint8, which is "
                    "not a dl element type");
    auto type = RankedTensorType::get(in.getShape(), n.b.getI8Type());
    return n.output(n.create1("dl.quantize", n.input(0), attrs, type));
  };
  r["DequantizeLinear"] = [](NodeImporter &n) -> LogicalResult {
    auto in = n.inputType(0);
    if (in.getElementType().getIntOrFloatBitWidth() != 8)
      return n.fail("only int8 inputs are supported");
    SmallVector<NamedAttribute> attrs;
    if (failed(quantParams(n, in.getRank(), attrs)))
      return failure();
    auto type =
        RankedTensorType::get(in.getShape(), n.inputType(1).getElementType());
    return n.output(n.create1("dl.dequantize", n.input(0), attrs, type));
  };
}
