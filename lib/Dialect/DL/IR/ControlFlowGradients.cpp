//===- ControlFlowGradients.cpp - gradients through regions ---------------===//
//
// The reverse sweep that rules of region-holding ops share, and the rule of
// scf.if (ONNX If): an scf.if on the same condition whose branches rebuild
// their forward ops and sweep them backwards, giving the gradients of the
// values the branches capture from outside.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/GradientBuilder.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/SetVector.h"

using namespace mlir;
using namespace dlc::dl;

static bool isFloatTensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && isa<FloatType>(rt.getElementType());
}

SmallVector<Value> dlc::dl::gradientInputs(Operation *op) {
  SmallVector<Value> inputs(op->getOperands());
  if (op->getNumRegions() == 0)
    return inputs;
  llvm::SetVector<Value> captured;
  op->walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      if (isFloatTensor(v.getType()) &&
          !op->isAncestor(v.getParentRegion()->getParentOp()))
        captured.insert(v);
  });
  inputs.append(captured.begin(), captured.end());
  return inputs;
}

LogicalResult dlc::dl::sweepGradients(OpBuilder &b, Location loc,
                                      ArrayRef<Operation *> ops,
                                      ArrayRef<Value> wrt,
                                      llvm::DenseMap<Value, Value> &grads) {
  llvm::DenseSet<Value> needed(wrt.begin(), wrt.end());
  for (Operation *op : ops)
    if (llvm::any_of(gradientInputs(op),
                     [&](Value v) { return needed.contains(v); }))
      needed.insert(op->result_begin(), op->result_end());
  auto accumulate = [&](Value v, Value g) {
    auto [it, inserted] = grads.try_emplace(v, g);
    if (!inserted)
      it->second = AddOp::create(b, loc, it->second, g);
  };
  for (Operation *op : llvm::reverse(ops)) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      Value g = grads.lookup(r);
      resultGrads.push_back(g);
      any |= g && needed.contains(r);
    }
    SmallVector<Value> inputs = gradientInputs(op);
    if (!any ||
        llvm::none_of(inputs, [&](Value v) { return needed.contains(v); }))
      continue;
    auto rule = dyn_cast<GradientOpInterface>(op);
    if (!rule)
      return op->emitError("no gradient rule for '") << op->getName() << "'";
    for (auto [r, g] : llvm::zip(op->getResults(), resultGrads))
      if (!g && isFloatTensor(r.getType()))
        g = zerosLike(b, loc, r);
    SmallVector<Value> inputGrads;
    if (failed(rule.vjp(b, resultGrads, inputGrads)))
      return failure();
    for (auto [v, g] : llvm::zip(inputs, inputGrads))
      if (g && needed.contains(v))
        accumulate(v, g);
  }
  return success();
}

FailureOr<SmallVector<Value>>
dlc::dl::gradientsOf(OpBuilder &b, Location loc, ArrayRef<Operation *> ops,
                     ArrayRef<std::pair<Value, Value>> seeds,
                     ArrayRef<Value> wrt) {
  llvm::DenseMap<Value, Value> grads;
  for (auto [v, g] : seeds) {
    if (!isFloatTensor(v.getType()))
      continue;
    auto [it, inserted] = grads.try_emplace(v, g);
    if (!inserted)
      it->second = AddOp::create(b, loc, it->second, g);
  }
  if (failed(sweepGradients(b, loc, ops, wrt, grads)))
    return failure();
  SmallVector<Value> out;
  for (Value v : wrt) {
    Value g = grads.lookup(v);
    out.push_back(g ? g : zerosLike(b, loc, v));
  }
  return out;
}

namespace {

struct IfGradient
    : public GradientOpInterface::ExternalModel<IfGradient, scf::IfOp> {
  LogicalResult vjp(Operation *op, OpBuilder &b, ValueRange resultGrads,
                    SmallVectorImpl<Value> &grads) const {
    auto ifOp = cast<scf::IfOp>(op);
    Location loc = op->getLoc();
    SmallVector<Value> inputs = gradientInputs(op);
    SmallVector<Value> captured(inputs.begin() + op->getNumOperands(),
                                inputs.end());
    SmallVector<Type> types;
    for (Value v : captured)
      types.push_back(v.getType());
    auto grad = scf::IfOp::create(b, loc, types, ifOp.getCondition(),
                                  /*withElseRegion=*/true);
    for (int k = 0; k < 2; ++k) {
      Region &from = k == 0 ? ifOp.getThenRegion() : ifOp.getElseRegion();
      Region &to = k == 0 ? grad.getThenRegion() : grad.getElseRegion();
      if (to.empty())
        to.emplaceBlock();
      Block &block = to.front();
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToEnd(&block);
      SmallVector<Operation *> ops;
      IRMapping map;
      SmallVector<Value> yielded;
      if (!from.empty()) {
        for (Operation &inner : from.front().without_terminator())
          ops.push_back(b.clone(inner, map));
        for (Value v : from.front().getTerminator()->getOperands())
          yielded.push_back(map.lookupOrDefault(v));
      }
      SmallVector<std::pair<Value, Value>> seeds;
      for (auto [v, rg] : llvm::zip(yielded, resultGrads))
        if (rg && isFloatTensor(v.getType()))
          seeds.push_back({v, rg.getType() == v.getType()
                                  ? rg
                                  : Value(tensor::CastOp::create(
                                        b, loc, v.getType(), rg))});
      FailureOr<SmallVector<Value>> out =
          gradientsOf(b, loc, ops, seeds, captured);
      if (failed(out))
        return failure();
      scf::YieldOp::create(b, loc, *out);
    }
    grads.push_back(Value()); // the condition
    grads.append(grad.getResults().begin(), grad.getResults().end());
    return success();
  }
};

} // namespace

void dlc::dl::registerControlFlowGradientRules(MLIRContext *context) {
  scf::IfOp::attachInterface<IfGradient>(*context);
}
