//===- LaunchPhases.cpp - block loops of thread phases as gpu.launch ------===//
//
// dl-gpu-launch-phases: the schedules that run a block's threads in phases
// (dl-gpu-block-reductions) as one gpu.launch, each phase guarded by the
// thread id and followed by a barrier (see GPUPasses.td).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"

namespace dlc {
#define GEN_PASS_DEF_DLGPULAUNCHPHASES
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kThreadsAttr = "dl.gpu.threads";
constexpr llvm::StringLiteral kPrivateAttr = "dl.gpu.private";

static std::optional<int64_t> constantOf(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

static bool isPhase(Operation &op) {
  return isa<scf::ForOp>(op) && op.hasAttr(kThreadsAttr);
}

static bool isSharedAlloca(Operation &op) {
  auto alloca = dyn_cast<memref::AllocaOp>(op);
  return alloca &&
         gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(alloca.getType());
}

/// A block-scope scf.for whose body holds phases (the k loop of a tiled
/// matmul).
static bool holdsPhases(Operation &op) {
  auto loop = dyn_cast<scf::ForOp>(op);
  return loop && !op.hasAttr(kThreadsAttr) && loop.getInitArgs().empty() &&
         llvm::any_of(loop.getBody()->getOperations(), isPhase);
}

/// Per-thread memory of the host form: its first index is the thread.
static bool isPrivateAlloca(Operation &op) {
  return isa<memref::AllocaOp>(op) && op.hasAttr(kPrivateAttr);
}

struct LaunchPhasesPass
    : public dlc::impl::DLGPULaunchPhasesBase<LaunchPhasesPass> {
  /// The most threads any phase under `block` runs (0: an invalid phase).
  static int64_t threadsOf(Block *block) {
    int64_t threads = 1;
    for (Operation &op : block->without_terminator()) {
      if (holdsPhases(op)) {
        int64_t inner = threadsOf(cast<scf::ForOp>(op).getBody());
        if (!inner)
          return 0;
        threads = std::max(threads, inner);
      }
      if (!isPhase(op))
        continue;
      auto phase = cast<scf::ForOp>(op);
      std::optional<int64_t> lb = constantOf(phase.getLowerBound()),
                             ub = constantOf(phase.getUpperBound()),
                             step = constantOf(phase.getStep());
      if (lb != 0 || step != 1 || !ub || *ub < 1 || *ub > 1024) {
        phase.emitError("a thread phase must run 0 to at most 1024 by 1");
        return 0;
      }
      threads = std::max(threads, *ub);
    }
    return threads;
  }

  /// Clones the block-scope ops of `block` into the kernel at `kb`: each
  /// phase guarded by the thread id and followed by a barrier (but the last
  /// of the kernel), loops of phases as loops.
  void emit(OpBuilder &kb, Block *block, IRMapping &map, Value tid,
            int64_t threads, Operation *lastPhase) {
    Location loc = block->getParentOp()->getLoc();
    for (Operation &op : block->without_terminator()) {
      if (map.contains(op.getNumResults() ? op.getResult(0) : Value()))
        continue; // an attribution
      if (holdsPhases(op)) {
        auto loop = cast<scf::ForOp>(op);
        auto inner = scf::ForOp::create(
            kb, loop.getLoc(), map.lookupOrDefault(loop.getLowerBound()),
            map.lookupOrDefault(loop.getUpperBound()),
            map.lookupOrDefault(loop.getStep()));
        map.map(loop.getInductionVar(), inner.getInductionVar());
        OpBuilder ib = OpBuilder::atBlockBegin(inner.getBody());
        emit(ib, loop.getBody(), map, tid, threads, lastPhase);
        continue;
      }
      if (!isPhase(op)) {
        kb.clone(op, map);
        continue;
      }
      auto phase = cast<scf::ForOp>(op);
      int64_t trip = *constantOf(phase.getUpperBound());
      OpBuilder pb = kb;
      if (trip < threads) {
        Value inPhase = arith::CmpIOp::create(
            kb, loc, arith::CmpIPredicate::ult, tid,
            arith::ConstantIndexOp::create(kb, loc, trip));
        auto guard = scf::IfOp::create(kb, loc, inPhase,
                                       /*withElseRegion=*/false);
        pb.setInsertionPoint(guard.thenBlock()->getTerminator());
      }
      map.map(phase.getInductionVar(), tid);
      for (Operation &inner : phase.getBody()->without_terminator())
        pb.clone(inner, map);
      // The next phase reads what this one wrote.
      if (&op != lastPhase)
        gpu::BarrierOp::create(kb, loc);
    }
  }

  LogicalResult convert(scf::ParallelOp loop) {
    Location loc = loop.getLoc();
    Block *body = loop.getBody();
    // On the host the block's scratch is in an alloca scope (freed per
    // block); a kernel's attributions need none.
    if (auto scope = dyn_cast<memref::AllocaScopeOp>(body->front()))
      return scope.emitError("a block loop of thread phases for the GPU "
                             "must not have an alloca scope");
    if (loop.getNumLoops() != 1 || constantOf(loop.getLowerBound()[0]) != 0 ||
        constantOf(loop.getStep()[0]) != 1)
      return loop.emitError("a block loop of thread phases must be 1-D from "
                            "0 by 1");
    int64_t threads = threadsOf(body);
    if (!threads)
      return failure();
    SmallVector<Type> shared, priv;
    SmallVector<Operation *> sharedOps, privOps;
    for (Operation &op : body->without_terminator()) {
      if (!isSharedAlloca(op) && !isPrivateAlloca(op))
        continue;
      auto type = cast<MemRefType>(op.getResult(0).getType());
      if (!type.hasStaticShape())
        return op.emitError("shared and private memory must have a static "
                            "size");
      if (isSharedAlloca(op)) {
        shared.push_back(type);
        sharedOps.push_back(&op);
        continue;
      }
      if (type.getRank() < 2 || type.getDimSize(0) != threads)
        return op.emitError("per-thread memory must be indexed by the "
                            "thread first");
      priv.push_back(MemRefType::get(
          type.getShape().drop_front(), type.getElementType(), AffineMap(),
          gpu::AddressSpaceAttr::get(&getContext(),
                                     gpu::AddressSpace::Private)));
      privOps.push_back(&op);
    }

    OpBuilder b(loop);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value blockCount = loop.getUpperBound()[0];
    auto launch = gpu::LaunchOp::create(
        b, loc, blockCount, one, one,
        arith::ConstantIndexOp::create(b, loc, threads), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange{}, shared, priv);
    Block &kernel = launch.getBody().front();
    OpBuilder kb = OpBuilder::atBlockEnd(&kernel);
    auto terminator = gpu::TerminatorOp::create(kb, loc);
    kb.setInsertionPoint(terminator);
    IRMapping map;
    map.map(loop.getInductionVars()[0], launch.getBlockIds().x);
    Value tid = launch.getThreadIds().x;
    for (auto [op, attribution] :
         llvm::zip(sharedOps, launch.getWorkgroupAttributions()))
      map.map(op->getResult(0), attribution);
    // Per-thread memory: the host form's [thread, ...] buffer stands in
    // while cloning, then its accesses lose the thread index.
    SmallVector<std::pair<Value, Value>> privates;
    for (auto [op, attribution] :
         llvm::zip(privOps, launch.getPrivateAttributions())) {
      Operation *standIn = kb.clone(*op);
      map.map(op->getResult(0), standIn->getResult(0));
      privates.push_back({standIn->getResult(0), attribution});
    }
    Operation *lastPhase = nullptr;
    for (Operation &op : body->without_terminator())
      if (isPhase(op) || holdsPhases(op))
        lastPhase = &op;
    if (lastPhase && !isPhase(*lastPhase))
      lastPhase = nullptr;
    emit(kb, body, map, tid, threads, lastPhase);
    for (auto [standIn, attribution] : privates) {
      for (Operation *user : llvm::make_early_inc_range(standIn.getUsers())) {
        OpBuilder ub(user);
        auto drop = [&](ValueRange indices) -> FailureOr<SmallVector<Value>> {
          if (indices.empty() || indices.front() != tid)
            return failure();
          return SmallVector<Value>(indices.drop_front());
        };
        if (auto load = dyn_cast<memref::LoadOp>(user)) {
          auto indices = drop(load.getIndices());
          if (failed(indices))
            return load.emitError("per-thread memory read at another "
                                  "thread's index");
          load.replaceAllUsesWith(
              memref::LoadOp::create(ub, load.getLoc(), attribution, *indices)
                  .getResult());
          load.erase();
        } else if (auto store = dyn_cast<memref::StoreOp>(user)) {
          auto indices = drop(store.getIndices());
          if (failed(indices))
            return store.emitError("per-thread memory written at another "
                                   "thread's index");
          memref::StoreOp::create(ub, store.getLoc(), store.getValue(),
                                  attribution, *indices);
          store.erase();
        } else {
          return user->emitError("per-thread memory used other than by "
                                 "loads and stores");
        }
      }
      standIn.getDefiningOp()->erase();
    }
    loop.erase();
    return success();
  }

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> loops;
    getOperation().walk([&](scf::ParallelOp p) {
      if (!p->getParentOfType<scf::ParallelOp>() &&
          llvm::any_of(p.getBody()->getOperations(), isPhase))
        loops.push_back(p);
    });
    for (scf::ParallelOp p : loops)
      if (failed(convert(p)))
        return signalPassFailure();
  }
};

} // namespace
