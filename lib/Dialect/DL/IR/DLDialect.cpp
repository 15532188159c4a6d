//===- DLDialect.cpp - dl dialect registration ----------------------------===//

#include "dlc/Dialect/DL/IR/DLDialect.h"
#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/IR/GradientBuilder.h"
#include "dlc/Dialect/DL/IR/Recurrent.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc::dl;

#include "dlc/Dialect/DL/IR/DLDialect.cpp.inc"
#include "dlc/Dialect/DL/IR/DLEnums.cpp.inc"
#include "dlc/Dialect/DL/IR/DLInterfaces.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dlc/Dialect/DL/IR/DLAttrs.cpp.inc"

void DLDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dlc/Dialect/DL/IR/DLOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dlc/Dialect/DL/IR/DLAttrs.cpp.inc"
      >();
  registerGradientRules(getContext());
  registerConvGradientRules(getContext());
  registerRecurrentGradientRules(getContext());
  registerControlFlowGradientRules(getContext());
}

Operation *DLDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

ParseResult ConstantOp::parse(OpAsmParser &parser, OperationState &result) {
  if (parser.parseOptionalAttrDict(result.attributes))
    return failure();
  SMLoc loc = parser.getCurrentLocation();
  Attribute value;
  if (parser.parseAttribute(value))
    return failure();
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements)
    return parser.emitError(loc, "expected a typed elements attribute such "
                                 "as dense<...> : tensor<...>");
  result.getOrAddProperties<Properties>().value = elements;
  result.addTypes(elements.getType());
  return success();
}

void ConstantOp::print(OpAsmPrinter &p) {
  p.printOptionalAttrDict((*this)->getAttrs(), /*elidedAttrs=*/{"value"});
  p << ' ';
  p.printAttribute(getValue());
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

#define GET_OP_CLASSES
#include "dlc/Dialect/DL/IR/DLOps.cpp.inc"
