//===- Reduction.cpp - ONNX Reduce* and ArgMax/ArgMin ---------------------===//

#include "NodeImporter.h"

using namespace mlir;
using namespace dlc::onnx_frontend;

namespace dl = dlc::dl;

/// A Reduce* node with the axes given: none reduces every dim, or nothing
/// with noop_with_empty_axes.
template <typename OpTy>
static LogicalResult reduce(NodeImporter &n, ArrayRef<int64_t> axes) {
  if (axes.empty() && n.intAttr("noop_with_empty_axes", 0)) {
    n.setOutput(0, n.input(0));
    return success();
  }
  return n.output(
      n.create<OpTy>(n.input(0), axes, n.intAttr("keepdims", 1) != 0));
}

/// Before `axesInputOpset` (13 for ReduceSum, 18 for the others) the axes
/// are an attribute, from then on a constant input.
template <typename OpTy>
static void registerReduce(OpRegistry &r, StringRef onnxName,
                           int64_t axesInputOpset) {
  r(onnxName, 1) = [](NodeImporter &n) {
    return reduce<OpTy>(n, n.intsAttr("axes").value_or(SmallVector<int64_t>()));
  };
  r(onnxName, axesInputOpset) = [](NodeImporter &n) -> LogicalResult {
    SmallVector<int64_t> axes;
    if (n.hasInput(1)) {
      auto c = n.constantInts(1);
      if (!c)
        return n.fail("axes must be a constant");
      axes = *c;
    }
    return reduce<OpTy>(n, axes);
  };
}

/// ReduceLogSum = log(ReduceSum), with ReduceSum's axes handling at the
/// node's opset.
static LogicalResult importReduceLogSum(NodeImporter &n,
                                        const OpImportFn &sum) {
  if (failed(sum(n)))
    return failure();
  return n.output(n.create<dl::LogOp>(n.state.values.lookup(n.node.output(0))));
}

template <typename OpTy> static LogicalResult importArgReduce(NodeImporter &n) {
  return n.output(n.create<OpTy>(n.input(0), n.intAttr("axis", 0),
                                 n.intAttr("keepdims", 1) != 0,
                                 n.intAttr("select_last_index", 0) != 0));
}

/// Inclusive / exclusive, forward / reverse prefix sums of `x` along a
/// static-length `axis`: a masked sum over a new source dim j next to the
/// axis, mask[j][i] set where source j feeds destination i. A select, not a
/// multiply by 0/1, so infinities stay out of the positions they do not feed.
static FailureOr<Value> cumsumAlong(NodeImporter &n, Value x, int64_t axis,
                                    bool exclusive, bool reverse) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = type.getRank(), len = type.getDimSize(axis);
  if (ShapedType::isDynamic(len))
    return (void)n.fail("the summed dim must be static"), failure();
  SmallVector<int64_t> maskShape{len, len};
  maskShape.append(rank - 1 - axis, 1);
  SmallVector<bool> mask;
  for (int64_t j = 0; j < len; ++j)
    for (int64_t i = 0; i < len; ++i)
      mask.push_back(reverse ? (exclusive ? j > i : j >= i)
                             : (exclusive ? j < i : j <= i));
  Value m = n.constant(DenseElementsAttr::get(
      RankedTensorType::get(maskShape, n.b.getI1Type()), ArrayRef(mask)));
  auto xe = n.create<dl::UnsqueezeOp>(x, n.i64s({axis + 1}));
  if (failed(xe))
    return failure();
  auto picked =
      n.create<dl::SelectOp>(m, *xe, n.scalar(0, type.getElementType()));
  if (failed(picked))
    return failure();
  return n.create<dl::ReduceSumOp>(*picked, n.i64s({axis}), false);
}

/// CumSum: the axis is an input. A constant one (the usual case) sums once;
/// one known only at run time sums along every dim and selects the one the
/// axis names.
static LogicalResult importCumSum(NodeImporter &n) {
  bool exclusive = n.intAttr("exclusive", 0) != 0;
  bool reverse = n.intAttr("reverse", 0) != 0;
  int64_t rank = n.inputType(0).getRank();
  if (rank == 0)
    return n.fail("the input must have rank >= 1");
  auto axisType = n.inputType(1);
  if (axisType.getNumElements() != 1)
    return n.fail("axis must be a scalar");
  std::optional<int64_t> axis;
  if (auto c = n.constantInts(1))
    axis = (*c)[0];
  else if (rank == 1)
    axis = 0;
  if (axis) {
    if (*axis < -rank || *axis >= rank)
      return n.fail("axis " + Twine(*axis) + " is out of range");
    return n.output(
        cumsumAlong(n, n.input(0), (*axis + rank) % rank, exclusive, reverse));
  }
  Value result;
  Type it = axisType.getElementType();
  Value a = n.input(1);
  if (axisType.getRank() != 0) {
    auto s =
        n.createTyped<dl::ReshapeOp>(RankedTensorType::get({}, it), a, Value());
    if (failed(s))
      return failure();
    a = *s;
  }
  for (int64_t d = 0; d < rank; ++d) {
    auto sum = cumsumAlong(n, n.input(0), d, exclusive, reverse);
    if (failed(sum))
      return failure();
    if (!result) {
      result = *sum;
      continue;
    }
    auto isD = n.create<dl::EqualOp>(a, n.scalar(d, it));
    auto isNegD = n.create<dl::EqualOp>(a, n.scalar(d - rank, it));
    if (failed(isD) || failed(isNegD))
      return failure();
    auto pick = n.create<dl::OrOp>(*isD, *isNegD);
    if (failed(pick))
      return failure();
    auto s = n.create<dl::SelectOp>(*pick, *sum, result);
    if (failed(s))
      return failure();
    result = *s;
  }
  n.setOutput(0, result);
  return success();
}

void dlc::onnx_frontend::registerReductionOps(OpRegistry &r) {
  r["CumSum"] = importCumSum;
  registerReduce<dl::ReduceSumOp>(r, "ReduceSum", 13);
  registerReduce<dl::ReduceMeanOp>(r, "ReduceMean", 18);
  registerReduce<dl::ReduceMaxOp>(r, "ReduceMax", 18);
  registerReduce<dl::ReduceMinOp>(r, "ReduceMin", 18);
  registerReduce<dl::ReduceProdOp>(r, "ReduceProd", 18);
  registerReduce<dl::ReduceL1Op>(r, "ReduceL1", 18);
  registerReduce<dl::ReduceL2Op>(r, "ReduceL2", 18);
  registerReduce<dl::ReduceSumSquareOp>(r, "ReduceSumSquare", 18);
  registerReduce<dl::ReduceLogSumExpOp>(r, "ReduceLogSumExp", 18);
  registerReduce<dl::ReduceSumOp>(r, "ReduceLogSum", 18);
  for (int64_t since : {1, 18}) {
    OpImportFn sum = r("ReduceLogSum", since);
    r("ReduceLogSum", since) = [sum](NodeImporter &n) {
      return importReduceLogSum(n, sum);
    };
  }
  r["ArgMax"] = importArgReduce<dl::ArgMaxOp>;
  r["ArgMin"] = importArgReduce<dl::ArgMinOp>;
}
