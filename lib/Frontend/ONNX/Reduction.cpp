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

/// A Reduce* node whose axes are known only at run time (their count is
/// static): dl.dynamic_reduce of `kind` on the input, squared or made
/// absolute first for ReduceSumSquare, ReduceL2 and ReduceL1, and its
/// square root taken for ReduceL2. An empty list is decided here.
template <typename OpTy>
static LogicalResult reduceRuntimeAxes(NodeImporter &n, StringRef kind) {
  auto at = n.inputType(1);
  if (at.getRank() != 1 || at.isDynamicDim(0))
    return n.fail("axes known only at run time must be 1-D with a static "
                  "length");
  int64_t k = at.getDimSize(0);
  if (k == 0)
    return reduce<OpTy>(n, {});
  if (kind.empty())
    return n.fail("axes known only at run time are not supported for " +
                  n.opType());
  auto in = n.inputType(0);
  bool keepdims = n.intAttr("keepdims", 1) != 0;
  SmallVector<int64_t> dims;
  if (keepdims) {
    for (int64_t d : in.getShape())
      dims.push_back(d == 1 ? 1 : ShapedType::kDynamic);
  } else {
    if (k > in.getRank())
      return n.fail("reduces " + Twine(k) + " axes of a rank-" +
                    Twine(in.getRank()) + " input");
    dims.assign(in.getRank() - k, ShapedType::kDynamic);
  }
  FailureOr<Value> x = n.input(0);
  if (kind == "l1")
    x = n.create<dl::AbsOp>(*x);
  else if (kind == "l2" || kind == "sum_square")
    x = n.create<dl::MulOp>(*x, *x);
  if (failed(x))
    return failure();
  StringRef dlKind = kind == "l1" || kind == "l2" || kind == "sum_square"
                         ? StringRef("sum")
                         : kind;
  auto r = n.createTyped<dl::DynamicReduceOp>(
      RankedTensorType::get(dims, in.getElementType()), *x, n.input(1),
      n.b.getStringAttr(dlKind), n.b.getBoolAttr(keepdims));
  if (kind == "l2" && succeeded(r))
    r = n.create<dl::SqrtOp>(*r);
  return n.output(r);
}

/// Before `axesInputOpset` (13 for ReduceSum, 18 for the others) the axes
/// are an attribute, from then on an input: a constant one becomes the
/// op's attribute, one known only at run time a dl.dynamic_reduce of
/// `kind` ("": refused).
template <typename OpTy>
static void registerReduce(OpRegistry &r, StringRef onnxName,
                           int64_t axesInputOpset, StringRef kind = "") {
  r(onnxName, 1) = [](NodeImporter &n) {
    return reduce<OpTy>(n, n.intsAttr("axes").value_or(SmallVector<int64_t>()));
  };
  r(onnxName, axesInputOpset) = [kind](NodeImporter &n) -> LogicalResult {
    SmallVector<int64_t> axes;
    if (n.hasInput(1)) {
      auto c = n.constantInts(1);
      if (!c) {
        if (n.inputType(1).getElementType() != n.b.getI64Type())
          return n.fail("axes must be int64");
        return reduceRuntimeAxes<OpTy>(n, kind);
      }
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

/// TopK: k is an attribute before opset 10, then a one-element input
/// (a run-time k gives a dynamic dim along the axis). The results are
/// always sorted, which sorted=0 allows.
static LogicalResult importTopK(NodeImporter &n) {
  Value k;
  if (n.opset() < 10) {
    k = n.constantI64({n.intAttr("k", 0)});
  } else {
    auto kt = n.inputType(1);
    if (kt.getElementType() != n.b.getI64Type() ||
        dl::shapeProduct(kt.getShape()) != 1)
      return n.fail("k must be one int64 value");
    k = n.input(1);
  }
  auto r = n.createAll<dl::TopKOp>(2, n.input(0), k, n.intAttr("axis", -1),
                                   n.intAttr("largest", 1) != 0);
  if (failed(r))
    return failure();
  n.setOutput(0, (*r)[0]);
  if (n.numOutputs() > 1)
    n.setOutput(1, (*r)[1]);
  return success();
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
  registerReduce<dl::ReduceSumOp>(r, "ReduceSum", 13, "sum");
  registerReduce<dl::ReduceMeanOp>(r, "ReduceMean", 18, "mean");
  registerReduce<dl::ReduceMaxOp>(r, "ReduceMax", 18, "max");
  registerReduce<dl::ReduceMinOp>(r, "ReduceMin", 18, "min");
  registerReduce<dl::ReduceProdOp>(r, "ReduceProd", 18, "prod");
  registerReduce<dl::ReduceL1Op>(r, "ReduceL1", 18, "l1");
  registerReduce<dl::ReduceL2Op>(r, "ReduceL2", 18, "l2");
  registerReduce<dl::ReduceSumSquareOp>(r, "ReduceSumSquare", 18, "sum_square");
  registerReduce<dl::ReduceLogSumExpOp>(r, "ReduceLogSumExp", 18);
  registerReduce<dl::ReduceSumOp>(r, "ReduceLogSum", 18, "sum");
  for (int64_t since : {1, 18}) {
    OpImportFn sum = r("ReduceLogSum", since);
    r("ReduceLogSum", since) = [sum](NodeImporter &n) {
      return importReduceLogSum(n, sum);
    };
  }
  r["TopK"] = importTopK;
  r["ArgMax"] = importArgReduce<dl::ArgMaxOp>;
  r["ArgMin"] = importArgReduce<dl::ArgMinOp>;
}
