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
  return alloca && gpu::GPUDialect::hasWorkgroupMemoryAddressSpace(
                       alloca.getType());
}

struct LaunchPhasesPass
    : public dlc::impl::DLGPULaunchPhasesBase<LaunchPhasesPass> {
  LogicalResult convert(scf::ParallelOp loop) {
    Location loc = loop.getLoc();
    Block *body = loop.getBody();
    if (loop.getNumLoops() != 1 || constantOf(loop.getLowerBound()[0]) != 0 ||
        constantOf(loop.getStep()[0]) != 1)
      return loop.emitError("a block loop of thread phases must be 1-D from "
                            "0 by 1");
    int64_t threads = 1;
    SmallVector<Type> shared;
    for (Operation &op : body->without_terminator()) {
      if (isSharedAlloca(op)) {
        if (!cast<MemRefType>(op.getResult(0).getType()).hasStaticShape())
          return op.emitError("shared memory must have a static size");
        shared.push_back(op.getResult(0).getType());
      }
      if (!isPhase(op))
        continue;
      auto phase = cast<scf::ForOp>(op);
      std::optional<int64_t> lb = constantOf(phase.getLowerBound()),
                             ub = constantOf(phase.getUpperBound()),
                             step = constantOf(phase.getStep());
      if (lb != 0 || step != 1 || !ub || *ub < 1 || *ub > 1024)
        return phase.emitError("a thread phase must run 0 to at most 1024 "
                               "by 1");
      threads = std::max(threads, *ub);
    }

    OpBuilder b(loop);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value blockCount = loop.getUpperBound()[0];
    auto launch = gpu::LaunchOp::create(
        b, loc, blockCount, one, one,
        arith::ConstantIndexOp::create(b, loc, threads), one, one,
        /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
        /*asyncDependencies=*/ValueRange{}, shared);
    Block &kernel = launch.getBody().front();
    OpBuilder kb = OpBuilder::atBlockEnd(&kernel);
    auto terminator = gpu::TerminatorOp::create(kb, loc);
    kb.setInsertionPoint(terminator);
    IRMapping map;
    map.map(loop.getInductionVars()[0], launch.getBlockIds().x);
    Value tid = launch.getThreadIds().x;
    unsigned nextShared = 0;
    SmallVector<Operation *> ops;
    for (Operation &op : body->without_terminator())
      ops.push_back(&op);
    Operation *lastPhase = nullptr;
    for (Operation *op : ops)
      if (isPhase(*op))
        lastPhase = op;
    for (Operation *op : ops) {
      if (isSharedAlloca(*op)) {
        map.map(op->getResult(0),
                launch.getWorkgroupAttributions()[nextShared++]);
        continue;
      }
      if (!isPhase(*op)) {
        kb.clone(*op, map);
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
      if (op != lastPhase)
        gpu::BarrierOp::create(kb, loc);
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
