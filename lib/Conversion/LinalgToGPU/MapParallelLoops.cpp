//===- MapParallelLoops.cpp - the generic GPU schedule --------------------===//
//
// dl-gpu-map-parallel-loops: each kernel's parallel loops as a 1-D grid of
// blocks of threads, consecutive threads on consecutive innermost elements
// (see GPUPasses.td).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace dlc {
#define GEN_PASS_DEF_DLGPUMAPPARALLELLOOPS
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// Whether `op` reads or writes the contents of a buffer (not only its
/// metadata), itself or in its regions.
static bool touchesBufferContents(Operation *op) {
  bool touches = false;
  op->walk([&](Operation *inner) {
    if (isa<memref::LoadOp, memref::StoreOp, memref::CopyOp>(inner))
      touches = true;
    return touches ? WalkResult::interrupt() : WalkResult::advance();
  });
  return touches;
}

/// Whether `buffer` is bookkeeping of the buffer deallocation pipeline (the
/// pointer and ownership lists its `dealloc_helper` reads): host memory.
static bool feedsDeallocHelper(Value buffer) {
  while (auto cast = buffer.getDefiningOp<memref::CastOp>())
    buffer = cast.getSource();
  SmallVector<Value> work{buffer};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto call = dyn_cast<func::CallOp>(user);
          call && call.getCallee().starts_with("dealloc_helper"))
        return true;
      if (auto cast = dyn_cast<memref::CastOp>(user))
        work.push_back(cast.getResult());
    }
  }
  return false;
}

static bool containsParallelLoop(Operation *op) {
  bool found = false;
  op->walk([&](scf::ParallelOp) { found = true; });
  return found;
}

/// Whether `v` is computed from a buffer's contents by ops of `block`.
static bool dependsOnLoad(Value v, Block *block) {
  // Only scalars are recomputed inside: a buffer (an allocation whose size
  // was loaded, a view of it) is the one the host and the other kernels
  // use, and a copy made inside would be another, uninitialized one.
  if (isa<BaseMemRefType>(v.getType()))
    return false;
  Operation *def = v.getDefiningOp();
  if (!def || def->getBlock() != block)
    return false;
  if (isa<memref::LoadOp>(def))
    return true;
  if (def->getNumRegions())
    return false;
  return llvm::any_of(def->getOperands(),
                      [&](Value o) { return dependsOnLoad(o, block); });
}

struct MapParallelLoopsPass
    : public dlc::impl::DLGPUMapParallelLoopsBase<MapParallelLoopsPass> {
  using DLGPUMapParallelLoopsBase::DLGPUMapParallelLoopsBase;

  /// Wraps serial host ops that touch buffers into one-point parallel
  /// loops; the scalars they use that come from loads go in with them.
  /// Host control flow that launches kernels or whose results the host
  /// uses (a loop carrying buffers: TopK's passes, ONNX Loop) stays on the
  /// host, and its body is wrapped the same way.
  LogicalResult wrapSerialCode(func::FuncOp func) {
    for (Block &block : func.getBody())
      if (failed(wrapSerialCode(block)))
        return failure();
    return success();
  }

  LogicalResult wrapSerialCode(Block &block) {
    {
      SmallVector<Operation *> serial, hostControl;
      for (Operation &op : block) {
        if (isa<scf::ParallelOp>(op) || op.hasTrait<OpTrait::IsTerminator>())
          continue;
        // Stores into `index` buffers build shapes for memref.reshape: host
        // metadata, not data.
        auto store = dyn_cast<memref::StoreOp>(op);
        bool isControl = isa<scf::ForOp, scf::IfOp, scf::WhileOp>(op) &&
                         touchesBufferContents(&op);
        bool staysOnHost =
            isControl && (containsParallelLoop(&op) ||
                          (op.getNumResults() && !op.use_empty()));
        if (staysOnHost)
          hostControl.push_back(&op);
        else if ((store && !store.getMemRefType().getElementType().isIndex() &&
                  !feedsDeallocHelper(store.getMemRef())) ||
                 isControl)
          serial.push_back(&op);
      }
      for (Operation *op : hostControl)
        for (Region &region : op->getRegions())
          for (Block &inner : region)
            if (failed(wrapSerialCode(inner)))
              return failure();
      for (Operation *op : serial) {
        OpBuilder b(op);
        Location loc = op->getLoc();
        Value zero = arith::ConstantIndexOp::create(b, loc, 0);
        Value one = arith::ConstantIndexOp::create(b, loc, 1);
        auto loop = scf::ParallelOp::create(b, loc, ValueRange{zero},
                                            ValueRange{one}, ValueRange{one});
        Block *body = loop.getBody();
        // Clone the chains of loaded scalars it uses (a load of a 0-d
        // buffer feeding a store) into the loop.
        SetVector<Operation *> chain;
        std::function<void(Value)> collect = [&](Value v) {
          if (!dependsOnLoad(v, &block))
            return;
          Operation *def = v.getDefiningOp();
          if (chain.contains(def))
            return;
          for (Value o : def->getOperands())
            collect(o);
          chain.insert(def);
        };
        op->walk([&](Operation *inner) {
          for (Value v : inner->getOperands())
            collect(v);
        });
        OpBuilder inner = OpBuilder::atBlockBegin(body);
        IRMapping map;
        for (Operation *def : chain)
          inner.clone(*def, map);
        op->moveBefore(body->getTerminator());
        for (Operation *def : chain)
          for (Value from : def->getResults())
            from.replaceUsesWithIf(map.lookup(from), [&](OpOperand &use) {
              return loop->isProperAncestor(use.getOwner());
            });
        for (Operation *def : llvm::reverse(chain))
          if (def->use_empty())
            def->erase();
      }
    }
    return success();
  }

  void mapLoop(scf::ParallelOp loop) {
    if (loop.getNumResults() || !loop.getInitVals().empty())
      return;
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    // Trip counts and the linear size N.
    SmallVector<Value> trips;
    Value total = index(1);
    bool isStatic = true;
    int64_t staticTotal = 1;
    for (auto [lb, ub, step] : llvm::zip(
             loop.getLowerBound(), loop.getUpperBound(), loop.getStep())) {
      Value extent = arith::SubIOp::create(b, loc, ub, lb);
      Value trip = arith::CeilDivSIOp::create(b, loc, extent, step);
      // Empty or negative ranges run nothing.
      trip = arith::MaxSIOp::create(b, loc, trip, index(0));
      trips.push_back(trip);
      total = arith::MulIOp::create(b, loc, total, trip);
      APInt l, u, s;
      if (isStatic && matchPattern(lb, m_ConstantInt(&l)) &&
          matchPattern(ub, m_ConstantInt(&u)) &&
          matchPattern(step, m_ConstantInt(&s)) && s.getSExtValue() > 0)
        staticTotal *= std::max<int64_t>(
            0, llvm::divideCeil(u.getSExtValue() - l.getSExtValue(),
                                s.getSExtValue()));
      else
        isStatic = false;
    }
    int64_t threads = blockSize;
    // A small kernel gets a block just large enough (whole warps).
    if (isStatic && staticTotal < threads)
      threads = staticTotal <= 1 ? 1 : llvm::alignTo(staticTotal, 32);
    Value threadCount = index(threads);
    Value blocks = arith::CeilDivSIOp::create(b, loc, total, threadCount);

    MLIRContext *ctx = &getContext();
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    auto mapping = [&](gpu::Processor p) {
      return gpu::ParallelLoopDimMappingAttr::get(ctx, p, id, id);
    };
    auto blockLoop = scf::ParallelOp::create(
        b, loc, ValueRange{index(0)}, ValueRange{blocks}, ValueRange{index(1)});
    (void)gpu::setMappingAttr(blockLoop, {mapping(gpu::Processor::BlockX)});
    b.setInsertionPointToStart(blockLoop.getBody());
    auto threadLoop =
        scf::ParallelOp::create(b, loc, ValueRange{index(0)},
                                ValueRange{threadCount}, ValueRange{index(1)});
    (void)gpu::setMappingAttr(threadLoop, {mapping(gpu::Processor::ThreadX)});
    b.setInsertionPointToStart(threadLoop.getBody());
    Value linear = arith::AddIOp::create(
        b, loc,
        arith::MulIOp::create(b, loc, blockLoop.getInductionVars()[0],
                              threadCount),
        threadLoop.getInductionVars()[0]);
    Value inRange =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult, linear, total);
    auto guard = scf::IfOp::create(b, loc, inRange, /*withElseRegion=*/false);
    b.setInsertionPointToStart(guard.thenBlock());
    // Innermost dim fastest: consecutive threads, consecutive elements.
    SmallVector<Value> ivs(trips.size());
    Value rest = linear;
    for (int64_t d = trips.size() - 1; d >= 0; --d) {
      Value pos =
          d == 0 ? rest : arith::RemUIOp::create(b, loc, rest, trips[d]);
      if (d > 0)
        rest = arith::DivUIOp::create(b, loc, rest, trips[d]);
      ivs[d] = arith::AddIOp::create(
          b, loc, loop.getLowerBound()[d],
          arith::MulIOp::create(b, loc, pos, loop.getStep()[d]));
    }
    Block *body = loop.getBody();
    body->getTerminator()->erase();
    Block *then = guard.thenBlock();
    then->getOperations().splice(Block::iterator(then->getTerminator()),
                                 body->getOperations());
    for (auto [arg, iv] : llvm::zip(body->getArguments(), ivs))
      arg.replaceAllUsesWith(iv);
    loop.erase();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    // The deallocation pipeline's helper works on host bookkeeping only.
    if (func.isExternal() || func.getName().starts_with("dealloc_helper"))
      return;
    if (blockSize < 1 || blockSize > 1024) {
      func.emitError("dl-gpu-map-parallel-loops: block-size must be 1 to "
                     "1024, got ")
          << blockSize;
      return signalPassFailure();
    }
    if (failed(wrapSerialCode(func)))
      return signalPassFailure();
    SmallVector<scf::ParallelOp> outermost;
    func.walk([&](scf::ParallelOp p) {
      if (!p->getParentOfType<scf::ParallelOp>() &&
          !p->hasAttr(gpu::getMappingAttrName()))
        outermost.push_back(p);
    });
    for (scf::ParallelOp p : outermost)
      mapLoop(p);
  }
};

} // namespace
