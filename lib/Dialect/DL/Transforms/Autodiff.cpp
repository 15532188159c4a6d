//===- Autodiff.cpp - reverse-mode gradient functions ---------------------===//

#include "dlc/Dialect/DL/Transforms/Autodiff.h"
#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/IR/GradientBuilder.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"

namespace dlc::dl {
#define GEN_PASS_DEF_DLAUTODIFF
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

bool isFloatTensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && isa<FloatType>(rt.getElementType());
}

} // namespace

FailureOr<SmallVector<Value>> dlc::dl::buildGradients(
    OpBuilder &b, Location loc, ArrayRef<Operation *> forward,
    ArrayRef<std::pair<Value, Value>> seeds, ArrayRef<Value> wrt) {
  return gradientsOf(b, loc, forward, seeds, wrt);
}

namespace {

struct AutodiffPass : public dlc::dl::impl::DLAutodiffBase<AutodiffPass> {
  using DLAutodiffBase::DLAutodiffBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (const std::string &name : functions) {
      auto func = module.lookupSymbol<func::FuncOp>(name);
      if (!func || func.isExternal()) {
        module.emitError("dl-autodiff: no function '")
            << name << "' to differentiate";
        return signalPassFailure();
      }
      if (failed(differentiate(module, func)))
        return signalPassFailure();
    }
  }

  LogicalResult differentiate(ModuleOp module, func::FuncOp func) {
    Location loc = func.getLoc();
    FunctionType fnType = func.getFunctionType();
    SmallVector<Type> inputs(fnType.getInputs());
    inputs.append(fnType.getResults().begin(), fnType.getResults().end());
    SmallVector<Type> results(fnType.getResults());
    SmallVector<unsigned> diffArgs;
    for (auto [i, t] : llvm::enumerate(fnType.getInputs()))
      if (isFloatTensor(t)) {
        diffArgs.push_back(i);
        results.push_back(t);
      }
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(func);
    auto grad = func::FuncOp::create(b, loc, func.getSymName().str() + "_grad",
                                     b.getFunctionType(inputs, results));
    Block *entry = grad.addEntryBlock();
    b.setInsertionPointToStart(entry);

    // Forward: a copy of the body.
    IRMapping map;
    Block &body = func.getBody().front();
    for (auto [i, arg] : llvm::enumerate(body.getArguments()))
      map.map(arg, entry->getArgument(i));
    SmallVector<Operation *> forward;
    for (Operation &op : body.without_terminator())
      forward.push_back(b.clone(op, map));
    auto ret = cast<func::ReturnOp>(body.getTerminator());

    unsigned numArgs = fnType.getNumInputs();
    SmallVector<std::pair<Value, Value>> seeds;
    for (auto [i, v] : llvm::enumerate(ret.getOperands()))
      seeds.push_back({map.lookup(v), entry->getArgument(numArgs + i)});
    SmallVector<Value> wrt;
    for (unsigned i : diffArgs)
      wrt.push_back(entry->getArgument(i));
    auto argGrads = buildGradients(b, loc, forward, seeds, wrt);
    if (failed(argGrads))
      return failure();
    SmallVector<Value> outs;
    for (Value v : ret.getOperands())
      outs.push_back(map.lookup(v));
    outs.append(argGrads->begin(), argGrads->end());
    func::ReturnOp::create(b, loc, outs);
    return success();
  }
};

} // namespace
