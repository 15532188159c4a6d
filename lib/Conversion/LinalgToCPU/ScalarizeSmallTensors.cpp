//===- ScalarizeSmallTensors.cpp - shape arithmetic as scalar code --------===//
//
// A model with a dynamic batch computes its Reshape targets at run time:
// Shape -> Gather -> Mul -> Unsqueeze -> Concat on tensors of 1 to 3 i64s.
// Lowered as they are, each of those is a loop nest (a linalg.generic, a
// fill, a copy into a slice) that the CPU pipeline threads like any other
// kernel, for a handful of integers. This pass rewrites linalg ops,
// insert_slices and reshapes on small static integer tensors (and on
// scalars of any type) into scalar
// code (tensor.extract of the operands, the op's body per element,
// tensor.from_elements of the results), which canonicalization then folds
// into plain index arithmetic feeding the reshapes.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/IndexingUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace dlc {
#define GEN_PASS_DEF_DLSCALARIZESMALLTENSORS
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// A static tensor of integers (or indices) with at most `limit` elements,
/// or a scalar (rank 0) of any type: a train step's Adam bias corrections
/// or a loss mean's division, one element that needs no loop or thread.
bool isSmallTensor(Type type, int64_t limit) {
  auto t = dyn_cast<RankedTensorType>(type);
  return t && t.hasStaticShape() && t.getNumElements() <= limit &&
         (t.getElementType().isIntOrIndex() || t.getRank() == 0);
}

Value extractAt(OpBuilder &b, Location loc, Value tensor,
                ArrayRef<int64_t> index) {
  SmallVector<Value> indices = llvm::map_to_vector(index, [&](int64_t i) {
    return Value(arith::ConstantIndexOp::create(b, loc, i));
  });
  return tensor::ExtractOp::create(b, loc, tensor, indices);
}

/// The index of linear (row-major) position `linear` in a static tensor.
SmallVector<int64_t> indexOf(RankedTensorType type, int64_t linear) {
  return type.getRank() ? delinearize(linear, computeStrides(type.getShape()))
                        : SmallVector<int64_t>();
}

/// The element at linear position `linear` of a static tensor.
Value extractLinear(OpBuilder &b, Location loc, Value tensor, int64_t linear) {
  return extractAt(b, loc, tensor,
                   indexOf(cast<RankedTensorType>(tensor.getType()), linear));
}

/// Every point of the iteration space in order, the body cloned with the
/// point's operand elements; outputs carry their element's current value,
/// so reductions accumulate as the loops would.
LogicalResult scalarizeGeneric(linalg::GenericOp op, RewriterBase &rewriter,
                               int64_t limit) {
  if (!op.hasPureTensorSemantics() ||
      !llvm::all_of(op->getOperandTypes(),
                    [&](Type t) { return isSmallTensor(t, limit); }))
    return failure();
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t points = 1;
  for (int64_t r : ranges)
    points *= r;
  if (points > limit)
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  Block &body = *op.getBody();
  unsigned numInputs = op.getNumDpsInputs();
  SmallVector<SmallVector<Value>> current;
  for (OpOperand &init : op.getDpsInitsMutable())
    current.emplace_back(
        cast<RankedTensorType>(init.get().getType()).getNumElements());
  SmallVector<int64_t> strides = computeStrides(ranges);
  for (int64_t p = 0; p < points; ++p) {
    SmallVector<int64_t> point =
        ranges.empty() ? SmallVector<int64_t>() : delinearize(p, strides);
    IRMapping map;
    SmallVector<int64_t> outLinear;
    for (OpOperand &operand : op->getOpOperands()) {
      unsigned n = operand.getOperandNumber();
      SmallVector<int64_t> index =
          op.getMatchingIndexingMap(&operand).compose(point);
      BlockArgument arg = body.getArgument(n);
      if (n < numInputs) {
        if (!arg.use_empty())
          map.map(arg, extractAt(rewriter, loc, operand.get(), index));
        continue;
      }
      auto type = cast<RankedTensorType>(operand.get().getType());
      int64_t linear = type.getRank()
                           ? linearize(index, computeStrides(type.getShape()))
                           : 0;
      outLinear.push_back(linear);
      Value &value = current[n - numInputs][linear];
      if (!arg.use_empty()) {
        if (!value)
          value = extractAt(rewriter, loc, operand.get(), index);
        map.map(arg, value);
      }
    }
    for (Operation &inner : body.without_terminator()) {
      if (auto index = dyn_cast<linalg::IndexOp>(inner)) {
        map.map(index.getResult(), arith::ConstantIndexOp::create(
                                       rewriter, loc, point[index.getDim()]));
        continue;
      }
      rewriter.clone(inner, map);
    }
    auto yield = cast<linalg::YieldOp>(body.getTerminator());
    for (auto [i, v] : llvm::enumerate(yield.getValues()))
      current[i][outLinear[i]] = map.lookupOrDefault(v);
  }
  SmallVector<Value> results;
  for (auto [i, init] : llvm::enumerate(op.getDpsInits())) {
    for (auto [linear, value] : llvm::enumerate(current[i]))
      if (!value)
        value = extractLinear(rewriter, loc, init, linear);
    results.push_back(tensor::FromElementsOp::create(
        rewriter, loc, cast<RankedTensorType>(init.getType()), current[i]));
  }
  rewriter.replaceOp(op, results);
  return success();
}

/// A unit-stride insert_slice of the same rank: each element from the
/// source inside the slice, from the destination outside it.
LogicalResult scalarizeInsertSlice(tensor::InsertSliceOp op,
                                   RewriterBase &rewriter, int64_t limit) {
  auto dest = op.getDestType();
  if (!isSmallTensor(dest, limit) ||
      !isSmallTensor(op.getSourceType(), limit) ||
      op.getSourceType().getRank() != dest.getRank() || !op.hasUnitStride() ||
      !op.getOffsets().empty() || !op.getSizes().empty())
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  ArrayRef<int64_t> offsets = op.getStaticOffsets();
  ArrayRef<int64_t> sizes = op.getStaticSizes();
  SmallVector<Value> elements;
  for (int64_t linear = 0; linear < dest.getNumElements(); ++linear) {
    SmallVector<int64_t> index = indexOf(dest, linear);
    bool inside = true;
    SmallVector<int64_t> inSource;
    for (auto [i, offset, size] : llvm::zip(index, offsets, sizes)) {
      inside &= i >= offset && i < offset + size;
      inSource.push_back(i - offset);
    }
    elements.push_back(inside
                           ? extractAt(rewriter, loc, op.getSource(), inSource)
                           : extractAt(rewriter, loc, op.getDest(), index));
  }
  rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, dest, elements);
  return success();
}

/// A reshape keeps the elements' order.
LogicalResult scalarizeReshape(tensor::ReshapeOp op, RewriterBase &rewriter,
                               int64_t limit) {
  auto type = cast<RankedTensorType>(op.getType());
  if (!isSmallTensor(type, limit) ||
      !isSmallTensor(op.getSource().getType(), limit))
    return failure();
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> elements;
  for (int64_t linear = 0; linear < type.getNumElements(); ++linear)
    elements.push_back(extractLinear(rewriter, loc, op.getSource(), linear));
  rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, type, elements);
  return success();
}

/// A fill as its value repeated.
LogicalResult scalarizeFill(linalg::FillOp op, RewriterBase &rewriter,
                            int64_t limit) {
  if (!op.hasPureTensorSemantics() ||
      !isSmallTensor(op.getResult(0).getType(), limit))
    return failure();
  auto type = cast<RankedTensorType>(op.getResult(0).getType());
  SmallVector<Value> elements(type.getNumElements(), op.getInputs()[0]);
  rewriter.setInsertionPoint(op);
  rewriter.replaceOpWithNewOp<tensor::FromElementsOp>(op, type, elements);
  return success();
}

struct ScalarizeSmallTensorsPass
    : public dlc::impl::DLScalarizeSmallTensorsBase<ScalarizeSmallTensorsPass> {
  using DLScalarizeSmallTensorsBase::DLScalarizeSmallTensorsBase;

  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<linalg::GenericOp, linalg::FillOp, tensor::InsertSliceOp,
              tensor::ReshapeOp>(op))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      if (auto g = dyn_cast<linalg::GenericOp>(op))
        (void)scalarizeGeneric(g, rewriter, maxElements);
      else if (auto f = dyn_cast<linalg::FillOp>(op))
        (void)scalarizeFill(f, rewriter, maxElements);
      else if (auto s = dyn_cast<tensor::InsertSliceOp>(op))
        (void)scalarizeInsertSlice(s, rewriter, maxElements);
      else if (auto r = dyn_cast<tensor::ReshapeOp>(op))
        (void)scalarizeReshape(r, rewriter, maxElements);
    }
  }
};

} // namespace
