//===- ControlFlow.cpp - ONNX If, Loop, Scan ------------------------------===//
//
// Control flow becomes scf ops on tensors whose regions hold the dl ops of
// the subgraphs: If an scf.if, Loop an scf.while, Scan an scf.for. Subgraph
// nodes see the values of the enclosing graphs directly (regions are not
// isolated), and an If whose condition is a constant imports only the branch
// it takes. dl-to-linalg lowers the dl ops inside the regions like any
// others; one-shot bufferization takes the scf ops.
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// The common type of `a` and `b`: dims that differ become dynamic; null
/// when rank or element type differ.
static RankedTensorType joinTypes(RankedTensorType a, RankedTensorType b) {
  if (a == b)
    return a;
  if (a.getRank() != b.getRank() || a.getElementType() != b.getElementType())
    return {};
  SmallVector<int64_t> shape;
  for (auto [x, y] : llvm::zip(a.getShape(), b.getShape()))
    shape.push_back(x == y ? x : ShapedType::kDynamic);
  return RankedTensorType::get(shape, a.getElementType());
}

static Value castTo(OpBuilder &b, Location l, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, l, type, v);
}

/// The graph attribute `name` of the node, or null after reporting.
static const onnx::GraphProto *graphAttr(NodeImporter &n, StringRef name) {
  const auto *a = n.attr(name);
  if (!a || !a->has_g()) {
    (void)n.fail("attribute '" + name.str() + "' must be a graph");
    return nullptr;
  }
  return &a->g();
}

/// Imports the nodes of `graph` at the builder's insertion point with its
/// inputs bound to `inputs` and returns its outputs. Names it defines are
/// visible only inside.
static FailureOr<SmallVector<Value>>
importSubgraph(NodeImporter &n, const onnx::GraphProto &graph,
               ValueRange inputs) {
  if (graph.input_size() != static_cast<int>(inputs.size())) {
    (void)n.fail("subgraph '" + graph.name() + "' takes " +
                 std::to_string(graph.input_size()) + " inputs, " +
                 std::to_string(inputs.size()) + " given");
    return failure();
  }
  llvm::StringMap<Value> saved = n.state.values;
  for (auto [in, v] : llvm::zip(graph.input(), inputs))
    n.state.values[in.name()] = v;
  SmallVector<Value> outputs;
  bool ok = n.state.importNodes && succeeded(n.state.importNodes(graph));
  if (ok)
    for (const auto &out : graph.output()) {
      Value v = n.state.values.lookup(out.name());
      if (!v) {
        (void)n.fail("subgraph output '" + out.name() +
                     "' is not produced by any node");
        ok = false;
        break;
      }
      outputs.push_back(v);
    }
  n.state.values = std::move(saved);
  if (!ok)
    return failure();
  return outputs;
}

/// The i1 of a one-element boolean tensor.
static FailureOr<Value> scalarOf(NodeImporter &n, Value v, StringRef what) {
  auto t = cast<RankedTensorType>(v.getType());
  if (!t.hasStaticShape() || t.getNumElements() != 1)
    return n.fail(what + " must have one element, got " +
                  dl::shapeToString(t.getShape()));
  Value zero = arith::ConstantIndexOp::create(n.b, n.loc, 0);
  SmallVector<Value> indices(t.getRank(), zero);
  return Value(tensor::ExtractOp::create(n.b, n.loc, v, indices));
}

static LogicalResult importIf(NodeImporter &n) {
  const onnx::GraphProto *thenGraph = graphAttr(n, "then_branch");
  const onnx::GraphProto *elseGraph = graphAttr(n, "else_branch");
  if (!thenGraph || !elseGraph)
    return failure();
  // A constant condition: only the branch taken.
  if (auto c = n.constantInts(0); c && c->size() == 1) {
    auto outs = importSubgraph(n, (*c)[0] ? *thenGraph : *elseGraph, {});
    if (failed(outs))
      return failure();
    for (auto [i, v] : llvm::enumerate(*outs))
      n.setOutput(i, v);
    return success();
  }
  auto cond = scalarOf(n, n.input(0), "the condition");
  if (failed(cond))
    return failure();
  // The branches first go into a result-less scf.if; the final one gets
  // the joined result types and takes the regions over.
  auto probe = scf::IfOp::create(n.b, n.loc, TypeRange(), *cond,
                                 /*withElseRegion=*/true);
  SmallVector<Value> branchOuts[2];
  for (int k = 0; k < 2; ++k) {
    Block *block = k == 0 ? probe.thenBlock() : probe.elseBlock();
    OpBuilder::InsertionGuard guard(n.b);
    n.b.setInsertionPoint(block->getTerminator());
    auto outs = importSubgraph(n, k == 0 ? *thenGraph : *elseGraph, {});
    if (failed(outs)) {
      probe.erase();
      return failure();
    }
    branchOuts[k] = *outs;
  }
  if (branchOuts[0].size() != branchOuts[1].size()) {
    probe.erase();
    return n.fail("the branches have different output counts");
  }
  SmallVector<Type> types;
  for (auto [a, b] : llvm::zip(branchOuts[0], branchOuts[1])) {
    auto t = joinTypes(cast<RankedTensorType>(a.getType()),
                       cast<RankedTensorType>(b.getType()));
    if (!t) {
      probe.erase();
      return n.fail("the branches give outputs of different rank or element "
                    "type");
    }
    types.push_back(t);
  }
  auto ifOp = scf::IfOp::create(n.b, n.loc, types, *cond,
                                /*withElseRegion=*/true);
  for (int k = 0; k < 2; ++k) {
    Region &from = k == 0 ? probe.getThenRegion() : probe.getElseRegion();
    Region &to = k == 0 ? ifOp.getThenRegion() : ifOp.getElseRegion();
    to.takeBody(from);
    Block &block = to.front();
    Operation *oldYield = block.getTerminator();
    OpBuilder::InsertionGuard guard(n.b);
    n.b.setInsertionPoint(oldYield);
    SmallVector<Value> yielded;
    for (auto [v, t] : llvm::zip(branchOuts[k], types))
      yielded.push_back(castTo(n.b, n.loc, v, t));
    scf::YieldOp::create(n.b, n.loc, yielded);
    oldYield->erase();
  }
  probe.erase();
  for (auto [i, v] : llvm::enumerate(ifOp.getResults()))
    n.setOutput(i, v);
  return success();
}

/// A rank-0 tensor holding the i64 of `index`.
static Value indexTensor(OpBuilder &b, Location l, Value index) {
  Value i = arith::IndexCastOp::create(b, l, b.getI64Type(), index);
  return tensor::FromElementsOp::create(
      b, l, RankedTensorType::get({}, b.getI64Type()), ValueRange{i});
}

/// Imports `graph` into a detached block whose arguments have `argTypes`;
/// the caller moves its ops into the loop body and replaces the arguments.
static FailureOr<SmallVector<Value>> importBody(NodeImporter &n,
                                                const onnx::GraphProto &graph,
                                                ArrayRef<Type> argTypes,
                                                std::unique_ptr<Block> &block) {
  block = std::make_unique<Block>();
  SmallVector<Location> locs(argTypes.size(), n.loc);
  block->addArguments(argTypes, locs);
  OpBuilder::InsertionGuard guard(n.b);
  n.b.setInsertionPointToEnd(block.get());
  return importSubgraph(n, graph, block->getArguments());
}

/// Moves the ops of `body` to the end of `dest` with its arguments replaced
/// by `args` (cast to the argument types where they differ), in the ops and
/// in `outs` (the body's outputs).
static void inlineBody(OpBuilder &b, Location l, Block &body, Block &dest,
                       ValueRange args, SmallVectorImpl<Value> &outs) {
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToEnd(&dest);
  SmallVector<Value> casted;
  for (auto [arg, v] : llvm::zip(body.getArguments(), args))
    casted.push_back(castTo(b, l, v, arg.getType()));
  for (auto [arg, v] : llvm::zip(body.getArguments(), casted)) {
    arg.replaceAllUsesWith(v);
    for (Value &o : outs)
      if (o == arg)
        o = v;
  }
  dest.getOperations().splice(dest.end(), body.getOperations());
}

/// The type of a scan output of `n` steps of `element`.
static RankedTensorType stackedType(Type element, int64_t n) {
  auto t = cast<RankedTensorType>(element);
  SmallVector<int64_t> shape{n};
  shape.append(t.getShape().begin(), t.getShape().end());
  return RankedTensorType::get(shape, t.getElementType());
}

static SmallVector<OpFoldResult> stackedSizes(OpBuilder &b, Location l,
                                              Value element, Value count) {
  SmallVector<OpFoldResult> sizes{count};
  auto more = tensor::getMixedSizes(b, l, element);
  sizes.append(more.begin(), more.end());
  return sizes;
}

/// `acc` with `acc[i] = element`.
static Value insertRow(OpBuilder &b, Location l, Value element, Value acc,
                       Value i) {
  auto at = cast<RankedTensorType>(acc.getType());
  int64_t rank = at.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
      sizes = tensor::getMixedSizes(b, l, acc),
      strides(rank, b.getIndexAttr(1));
  offsets[0] = i;
  sizes[0] = b.getIndexAttr(1);
  auto rowType =
      RankedTensorType::get(at.getShape().drop_front(), at.getElementType());
  return tensor::InsertSliceOp::create(b, l, castTo(b, l, element, rowType),
                                       acc, offsets, sizes, strides);
}

/// `v[i]` of a [N, ...] tensor.
static Value extractRow(OpBuilder &b, Location l, Value v, Value i) {
  auto vt = cast<RankedTensorType>(v.getType());
  int64_t rank = vt.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
      sizes = tensor::getMixedSizes(b, l, v), strides(rank, b.getIndexAttr(1));
  offsets[0] = i;
  sizes[0] = b.getIndexAttr(1);
  auto rowType =
      RankedTensorType::get(vt.getShape().drop_front(), vt.getElementType());
  return tensor::ExtractSliceOp::create(b, l, rowType, v, offsets, sizes,
                                        strides);
}

/// ONNX Loop: an scf.while over (iteration, condition, carried values, scan
/// accumulators). Scan outputs need the trip count M, which sizes them; the
/// iterations run are kept.
static LogicalResult importLoop(NodeImporter &n) {
  const onnx::GraphProto *body = graphAttr(n, "body");
  if (!body)
    return failure();
  OpBuilder &b = n.b;
  Location l = n.loc;
  unsigned numCarried = n.numInputs() > 2 ? n.numInputs() - 2 : 0;
  SmallVector<Value> carriedInit;
  for (unsigned i = 0; i < numCarried; ++i) {
    if (!n.hasInput(2 + i))
      return n.fail("loop-carried input " + std::to_string(i) + " is missing");
    carriedInit.push_back(n.input(2 + i));
  }
  if (body->output_size() < static_cast<int>(1 + numCarried))
    return n.fail("the body must give the condition and every carried value");
  unsigned numScan = body->output_size() - 1 - numCarried;
  Value maxTrips;
  if (n.hasInput(0)) {
    auto m = scalarOf(n, n.input(0), "the trip count");
    if (failed(m))
      return failure();
    maxTrips = arith::IndexCastOp::create(b, l, b.getIndexType(), *m);
  } else if (numScan) {
    return n.fail("scan outputs need a trip count (input M)");
  }
  Value condInit;
  if (n.hasInput(1)) {
    auto c = scalarOf(n, n.input(1), "the condition");
    if (failed(c))
      return failure();
    condInit = *c;
  } else {
    condInit = arith::ConstantOp::create(b, l, b.getBoolAttr(true));
  }

  // The body, imported once to learn its output types.
  auto i64Scalar = RankedTensorType::get({}, b.getI64Type());
  auto i1Scalar = RankedTensorType::get({}, b.getI1Type());
  SmallVector<Type> argTypes{i64Scalar, i1Scalar};
  for (Value v : carriedInit)
    argTypes.push_back(v.getType());
  std::unique_ptr<Block> block;
  auto outs = importBody(n, *body, argTypes, block);
  if (failed(outs))
    return failure();
  SmallVector<Type> carriedTypes;
  for (unsigned i = 0; i < numCarried; ++i) {
    auto t = joinTypes(cast<RankedTensorType>(carriedInit[i].getType()),
                       cast<RankedTensorType>((*outs)[1 + i].getType()));
    if (!t)
      return n.fail("carried value " + std::to_string(i) +
                    " changes rank or element type in the body");
    carriedTypes.push_back(t);
  }
  SmallVector<Type> scanTypes;
  SmallVector<Value> init{arith::ConstantIndexOp::create(b, l, 0), condInit};
  for (auto [v, t] : llvm::zip(carriedInit, carriedTypes))
    init.push_back(castTo(b, l, v, t));
  for (unsigned k = 0; k < numScan; ++k) {
    Value element = (*outs)[1 + numCarried + k];
    if (element.getParentBlock() != block.get() &&
        !cast<RankedTensorType>(element.getType()).hasStaticShape())
      return n.fail("a dynamic scan output defined outside the body");
    auto et = cast<RankedTensorType>(element.getType());
    if (!et.hasStaticShape())
      return n.fail("scan output " + std::to_string(k) +
                    " has a dynamic shape in the body");
    scanTypes.push_back(stackedType(et, ShapedType::kDynamic));
    init.push_back(tensor::EmptyOp::create(
        b, l, stackedSizes(b, l, element, maxTrips), et.getElementType()));
  }
  SmallVector<Type> loopTypes;
  for (Value v : init)
    loopTypes.push_back(v.getType());

  auto whileOp = scf::WhileOp::create(b, l, loopTypes, init);
  SmallVector<Location> locs(loopTypes.size(), l);
  Block *before = b.createBlock(&whileOp.getBefore(), {}, loopTypes, locs);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(before);
    Value go = before->getArgument(1);
    if (maxTrips)
      go = arith::AndIOp::create(
          b, l, go,
          arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt,
                                before->getArgument(0), maxTrips));
    scf::ConditionOp::create(b, l, go, before->getArguments());
  }
  Block *after = b.createBlock(&whileOp.getAfter(), {}, loopTypes, locs);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(after);
    Value iter = after->getArgument(0);
    SmallVector<Value> args{
        indexTensor(b, l, iter),
        tensor::FromElementsOp::create(b, l, i1Scalar,
                                       ValueRange{after->getArgument(1)})};
    for (unsigned i = 0; i < numCarried; ++i)
      args.push_back(after->getArgument(2 + i));
    inlineBody(b, l, *block, *after, args, *outs);
    b.setInsertionPointToEnd(after);
    auto condOut = scalarOf(n, (*outs)[0], "the body's condition");
    if (failed(condOut))
      return failure();
    SmallVector<Value> next{
        arith::AddIOp::create(b, l, iter,
                              arith::ConstantIndexOp::create(b, l, 1)),
        *condOut};
    for (unsigned i = 0; i < numCarried; ++i)
      next.push_back(castTo(b, l, (*outs)[1 + i], carriedTypes[i]));
    for (unsigned k = 0; k < numScan; ++k)
      next.push_back(insertRow(b, l, (*outs)[1 + numCarried + k],
                               after->getArgument(2 + numCarried + k), iter));
    scf::YieldOp::create(b, l, next);
  }
  b.setInsertionPointAfter(whileOp);
  for (unsigned i = 0; i < numCarried; ++i)
    n.setOutput(i, whileOp.getResult(2 + i));
  Value count = whileOp.getResult(0);
  for (unsigned k = 0; k < numScan; ++k) {
    Value acc = whileOp.getResult(2 + numCarried + k);
    auto at = cast<RankedTensorType>(acc.getType());
    int64_t rank = at.getRank();
    SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
        sizes = tensor::getMixedSizes(b, l, acc),
        strides(rank, b.getIndexAttr(1));
    sizes[0] = count;
    n.setOutput(numCarried + k, tensor::ExtractSliceOp::create(
                                    b, l, at, acc, offsets, sizes, strides));
  }
  return success();
}

/// ONNX Scan (opset 9+): an scf.for over the scanned axis carrying the
/// states and the stacked scan outputs.
static LogicalResult importScan(NodeImporter &n) {
  const onnx::GraphProto *body = graphAttr(n, "body");
  if (!body)
    return failure();
  OpBuilder &b = n.b;
  Location l = n.loc;
  int64_t numScanIn = n.intAttr("num_scan_inputs", 0);
  int64_t numStates = static_cast<int64_t>(n.numInputs()) - numScanIn;
  if (numScanIn <= 0 || numStates < 0)
    return n.fail("num_scan_inputs must be in [1, inputs]");
  for (unsigned i = 0; i < n.numInputs(); ++i)
    if (!n.hasInput(i))
      return n.fail("input " + Twine(i) +
                    " is missing (states and scanned "
                    "inputs cannot be omitted)");
  int64_t numScanOut = body->output_size() - numStates;
  if (numScanOut < 0)
    return n.fail("the body must give every state");
  auto ints = [&](StringRef name, int64_t count) {
    auto v = n.intsAttr(name).value_or(SmallVector<int64_t>());
    v.resize(count, 0);
    return v;
  };
  SmallVector<int64_t> inAxes = ints("scan_input_axes", numScanIn),
                       inDirs = ints("scan_input_directions", numScanIn),
                       outAxes = ints("scan_output_axes", numScanOut),
                       outDirs = ints("scan_output_directions", numScanOut);
  // Scanned inputs with the scanned axis first.
  SmallVector<Value> scanIns;
  for (int64_t k = 0; k < numScanIn; ++k) {
    Value v = n.input(numStates + k);
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    int64_t axis = inAxes[k] < 0 ? inAxes[k] + rank : inAxes[k];
    if (axis < 0 || axis >= rank)
      return n.fail("scan_input_axes out of range");
    if (axis != 0) {
      SmallVector<int64_t> perm{axis};
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis)
          perm.push_back(d);
      auto t = n.create<dl::TransposeOp>(v, perm);
      if (failed(t))
        return failure();
      v = *t;
    }
    scanIns.push_back(v);
  }
  auto steps0 = cast<RankedTensorType>(scanIns[0].getType()).getDimSize(0);
  Value steps = tensor::DimOp::create(b, l, scanIns[0], 0);
  SmallVector<Type> argTypes;
  for (int64_t i = 0; i < numStates; ++i)
    argTypes.push_back(n.input(i).getType());
  for (Value v : scanIns) {
    auto t = cast<RankedTensorType>(v.getType());
    argTypes.push_back(
        RankedTensorType::get(t.getShape().drop_front(), t.getElementType()));
  }
  std::unique_ptr<Block> block;
  auto outs = importBody(n, *body, argTypes, block);
  if (failed(outs))
    return failure();
  SmallVector<Value> init;
  SmallVector<Type> stateTypes;
  for (int64_t i = 0; i < numStates; ++i) {
    auto t = joinTypes(cast<RankedTensorType>(argTypes[i]),
                       cast<RankedTensorType>((*outs)[i].getType()));
    if (!t)
      return n.fail("state " + std::to_string(i) +
                    " changes rank or element type in the body");
    stateTypes.push_back(t);
    init.push_back(castTo(b, l, n.input(i), t));
  }
  for (int64_t k = 0; k < numScanOut; ++k) {
    auto et = cast<RankedTensorType>((*outs)[numStates + k].getType());
    if (!et.hasStaticShape())
      return n.fail("scan output " + std::to_string(k) +
                    " has a dynamic shape in the body");
    SmallVector<OpFoldResult> sizes{ShapedType::isDynamic(steps0)
                                        ? OpFoldResult(steps)
                                        : OpFoldResult(b.getIndexAttr(steps0))};
    for (int64_t d : et.getShape())
      sizes.push_back(b.getIndexAttr(d));
    init.push_back(tensor::EmptyOp::create(b, l, sizes, et.getElementType()));
  }
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  auto reversed = [&](OpBuilder &nb, Value i) -> Value {
    return arith::SubIOp::create(nb, l,
                                 arith::SubIOp::create(nb, l, steps, one), i);
  };
  auto forOp = scf::ForOp::create(b, l, zero, steps, one, init);
  {
    OpBuilder::InsertionGuard guard(b);
    Block *loopBody = forOp.getBody();
    if (!loopBody->empty())
      loopBody->getTerminator()->erase();
    b.setInsertionPointToEnd(loopBody);
    Value i = forOp.getInductionVar();
    SmallVector<Value> args;
    for (int64_t s = 0; s < numStates; ++s)
      args.push_back(forOp.getRegionIterArgs()[s]);
    for (int64_t k = 0; k < numScanIn; ++k)
      args.push_back(
          extractRow(b, l, scanIns[k], inDirs[k] ? reversed(b, i) : i));
    inlineBody(b, l, *block, *loopBody, args, *outs);
    b.setInsertionPointToEnd(loopBody);
    SmallVector<Value> next;
    for (int64_t s = 0; s < numStates; ++s)
      next.push_back(castTo(b, l, (*outs)[s], stateTypes[s]));
    for (int64_t k = 0; k < numScanOut; ++k)
      next.push_back(insertRow(b, l, (*outs)[numStates + k],
                               forOp.getRegionIterArgs()[numStates + k],
                               outDirs[k] ? reversed(b, i) : i));
    scf::YieldOp::create(b, l, next);
  }
  b.setInsertionPointAfter(forOp);
  for (int64_t s = 0; s < numStates; ++s)
    n.setOutput(s, forOp.getResult(s));
  for (int64_t k = 0; k < numScanOut; ++k) {
    Value v = forOp.getResult(numStates + k);
    int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
    int64_t axis = outAxes[k] < 0 ? outAxes[k] + rank : outAxes[k];
    if (axis < 0 || axis >= rank)
      return n.fail("scan_output_axes out of range");
    if (axis != 0) {
      SmallVector<int64_t> perm;
      for (int64_t d = 1; d <= axis; ++d)
        perm.push_back(d);
      perm.push_back(0);
      for (int64_t d = axis + 1; d < rank; ++d)
        perm.push_back(d);
      auto t = n.create<dl::TransposeOp>(v, perm);
      if (failed(t))
        return failure();
      v = *t;
    }
    n.setOutput(numStates + k, v);
  }
  return success();
}

void dlc::onnx_frontend::registerControlFlowOps(OpRegistry &r) {
  r["If"] = importIf;
  r["Loop"] = importLoop;
  r("Scan", 9) = importScan;
}
