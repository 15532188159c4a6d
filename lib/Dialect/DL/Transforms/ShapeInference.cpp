//===- ShapeInference.cpp - refine dl result types ------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/SymbolTable.h"

namespace dlc::dl {
#define GEN_PASS_DEF_DLSHAPEINFERENCE
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

/// The more precise of two refinable types: static dims win.
Type meet(Type declared, Type inferred) {
  auto d = dyn_cast<RankedTensorType>(declared);
  auto i = dyn_cast<RankedTensorType>(inferred);
  if (!d || !i || d.getRank() != i.getRank() ||
      d.getElementType() != i.getElementType())
    return declared;
  SmallVector<int64_t> shape;
  for (auto [a, b] : llvm::zip(d.getShape(), i.getShape()))
    shape.push_back(ShapedType::isDynamic(a) ? b : a);
  return RankedTensorType::get(shape, d.getElementType(), d.getEncoding());
}

/// A function whose result types may change: nothing in its module calls it.
bool resultsMayChange(func::FuncOp func) {
  auto module = func->getParentOfType<ModuleOp>();
  return module && !func.isExternal() &&
         SymbolTable::symbolKnownUseEmpty(func, module);
}

struct ShapeInferencePass
    : public dlc::dl::impl::DLShapeInferenceBase<ShapeInferencePass> {
  using DLShapeInferenceBase::DLShapeInferenceBase;

  void runOnOperation() override {
    // Ops are visited in order, so an op sees its operands' refined types.
    getOperation()->walk([&](Operation *op) {
      if (!isa<DLDialect>(op->getDialect()))
        return;
      auto infer = dyn_cast<InferTypeOpInterface>(op);
      if (!infer)
        return;
      SmallVector<Type> inferred;
      if (failed(infer.inferReturnTypes(
              op->getContext(), op->getLoc(), op->getOperands(),
              op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
              op->getRegions(), inferred)))
        return;
      for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
        Type old = result.getType();
        Type refined = meet(old, type);
        if (refined == old)
          continue;
        result.setType(refined);
        ++numRefined;
        keepOtherUsersValid(result, old);
      }
    });
    if (!refineFunctionResults)
      return;
    getOperation()->walk([&](func::FuncOp func) {
      if (!resultsMayChange(func))
        return;
      auto ret =
          dyn_cast<func::ReturnOp>(func.getBody().back().getTerminator());
      if (!ret)
        return;
      SmallVector<Type> results;
      for (auto [declared, value] :
           llvm::zip(func.getFunctionType().getResults(), ret.getOperands()))
        results.push_back(meet(declared, value.getType()));
      func.setFunctionType(FunctionType::get(
          func.getContext(), func.getFunctionType().getInputs(), results));
    });
  }

  /// Users outside dl cannot re-infer: give them a cast to the type they saw.
  void keepOtherUsersValid(Value result, Type old) {
    Value cast;
    for (OpOperand &use : llvm::make_early_inc_range(result.getUses())) {
      Operation *user = use.getOwner();
      if (isa<DLDialect>(user->getDialect()))
        continue;
      if (isa<func::ReturnOp>(user) && refineFunctionResults)
        if (auto func = user->getParentOfType<func::FuncOp>();
            func && resultsMayChange(func))
          continue;
      if (!cast) {
        OpBuilder b(result.getContext());
        b.setInsertionPointAfterValue(result);
        cast = tensor::CastOp::create(b, result.getLoc(), old, result);
      }
      use.set(cast);
    }
  }
};

} // namespace
