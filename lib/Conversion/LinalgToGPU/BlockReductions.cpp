//===- BlockReductions.cpp - reductions as block reductions ---------------===//
//
// dl-gpu-block-reductions: a reduction over many elements runs on a block of
// threads per output element, its partials combined by a tree in shared
// memory (see GPUPasses.td); dl-gpu-launch-phases makes the phases one
// gpu.launch with barriers.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Affine/IR/AffineOps.h"

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Utils/Utils.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

namespace dlc {
#define GEN_PASS_DEF_DLGPUBLOCKREDUCTIONS
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The attribute marking an scf.for as one phase of a block's threads.
constexpr llvm::StringLiteral kThreadsAttr = "dl.gpu.threads";

/// Combiners whose order does not matter (so partials may be combined in
/// any order, and the output's initial value last).
static bool isCommutativeCombiner(Operation *op) {
  return isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp,
             arith::MaxNumFOp, arith::MinNumFOp, arith::AddIOp, arith::MulIOp,
             arith::MaxSIOp, arith::MinSIOp, arith::MaxUIOp, arith::MinUIOp,
             arith::AndIOp, arith::OrIOp, arith::XOrIOp>(op);
}

/// Row-major decoding of `linear` over `sizes` (innermost fastest).
static SmallVector<Value> delinearize(OpBuilder &b, Location loc, Value linear,
                                      ArrayRef<int64_t> sizes) {
  SmallVector<Value> out(sizes.size());
  Value rest = linear;
  for (int64_t d = sizes.size() - 1; d >= 0; --d) {
    Value size = arith::ConstantIndexOp::create(b, loc, sizes[d]);
    out[d] = d == 0 ? rest : arith::RemUIOp::create(b, loc, rest, size);
    if (d > 0)
      rest = arith::DivUIOp::create(b, loc, rest, size);
  }
  return out;
}

struct BlockReductionsPass
    : public dlc::impl::DLGPUBlockReductionsBase<BlockReductionsPass> {
  using DLGPUBlockReductionsBase::DLGPUBlockReductionsBase;

  /// The combiner of `op` if it is a reduction this schedule takes.
  static Operation *combinerOf(linalg::LinalgOp op) {
    if (!op.hasPureBufferSemantics() || op.getNumDpsInits() != 1 ||
        op.getNumReductionLoops() == 0 || op->getNumResults() != 0)
      return nullptr;
    Block *body = op.getBlock();
    if (llvm::any_of(body->getOperations(),
                     [](Operation &o) { return o.getNumRegions() != 0; }))
      return nullptr;
    BlockArgument out = op.getRegionOutputArgs()[0];
    SmallVector<Operation *> combiners;
    if (!matchReduction(op.getRegionOutputArgs(), 0, combiners) ||
        combiners.size() != 1 || !out.hasOneUse() ||
        !isCommutativeCombiner(combiners[0]) ||
        combiners[0]->getNumOperands() != 2)
      return nullptr;
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    if (yield.getNumOperands() != 1 ||
        yield.getOperand(0).getDefiningOp() != combiners[0])
      return nullptr;
    return combiners[0];
  }

  void rewrite(linalg::LinalgOp op, Operation *combiner,
               ArrayRef<int64_t> ranges) {
    MLIRContext *ctx = &getContext();
    Location loc = op.getLoc();
    OpBuilder b(op);
    auto index = [&](int64_t v) -> Value {
      return arith::ConstantIndexOp::create(b, loc, v);
    };
    SmallVector<unsigned> parallelDims, reductionDims;
    op.getParallelDims(parallelDims);
    op.getReductionDims(reductionDims);
    SmallVector<int64_t> parallelSizes, reductionSizes;
    int64_t numOutputs = 1, reduction = 1;
    for (unsigned d : parallelDims) {
      parallelSizes.push_back(ranges[d]);
      numOutputs *= ranges[d];
    }
    for (unsigned d : reductionDims) {
      reductionSizes.push_back(ranges[d]);
      reduction *= ranges[d];
    }
    int64_t threads = std::min<int64_t>(
        blockSize, int64_t(1) << llvm::Log2_64(uint64_t(reduction)));

    BlockArgument outArg = op.getRegionOutputArgs()[0];
    Value partialValue = combiner->getOperand(0) == outArg
                             ? combiner->getOperand(1)
                             : combiner->getOperand(0);
    Type elementType = outArg.getType();
    OpOperand *init = op.getDpsInitOperand(0);
    Value outBuffer = init->get();
    AffineMap outMap = op.getMatchingIndexingMap(init);

    // The indices of an operand at the loop ivs `ivs`.
    auto indicesOf = [&](OpBuilder &ib, AffineMap map, ValueRange ivs) {
      SmallVector<Value> indices;
      for (AffineExpr e : map.getResults())
        indices.push_back(affine::AffineApplyOp::create(
            ib, loc, AffineMap::get(map.getNumDims(), 0, e), ivs));
      return indices;
    };
    // The body's value to reduce at the full loop ivs, computed at `ib`.
    auto valueAt = [&](OpBuilder &ib, ValueRange ivs) -> Value {
      IRMapping map;
      for (OpOperand *in : op.getDpsInputOperands()) {
        BlockArgument arg = op.getMatchingBlockArgument(in);
        if (!isa<MemRefType>(in->get().getType())) {
          map.map(arg, in->get());
          continue;
        }
        map.map(arg, memref::LoadOp::create(
                         ib, loc, in->get(),
                         indicesOf(ib, op.getMatchingIndexingMap(in), ivs)));
      }
      for (Operation &inner : op.getBlock()->without_terminator()) {
        if (&inner == combiner)
          break;
        if (auto idx = dyn_cast<linalg::IndexOp>(inner)) {
          map.map(idx.getResult(), ivs[idx.getDim()]);
          continue;
        }
        ib.clone(inner, map);
      }
      return map.lookupOrDefault(partialValue);
    };
    auto combine = [&](OpBuilder &ib, Value x, Value y) -> Value {
      IRMapping map;
      map.map(combiner->getOperand(0), x);
      map.map(combiner->getOperand(1), y);
      return ib.clone(*combiner, map)->getResult(0);
    };
    // The loop ivs from the parallel and reduction ones.
    auto allIvs = [&](ArrayRef<Value> parallel, ArrayRef<Value> reduced) {
      SmallVector<Value> ivs(ranges.size());
      for (auto [d, v] : llvm::zip(parallelDims, parallel))
        ivs[d] = v;
      for (auto [d, v] : llvm::zip(reductionDims, reduced))
        ivs[d] = v;
      return ivs;
    };
    auto phase = [&](OpBuilder &pb, int64_t trip,
                     function_ref<void(OpBuilder &, Value)> body) {
      auto loop = scf::ForOp::create(
          pb, loc, arith::ConstantIndexOp::create(pb, loc, 0),
          arith::ConstantIndexOp::create(pb, loc, trip),
          arith::ConstantIndexOp::create(pb, loc, 1));
      loop->setAttr(kThreadsAttr, UnitAttr::get(ctx));
      OpBuilder lb = OpBuilder::atBlockBegin(loop.getBody());
      body(lb, loop.getInductionVar());
    };

    // One block per output element.
    auto blockLoop = scf::ParallelOp::create(b, loc, ValueRange{index(0)},
                                             ValueRange{index(numOutputs)},
                                             ValueRange{index(1)});
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    (void)gpu::setMappingAttr(blockLoop,
                              {gpu::ParallelLoopDimMappingAttr::get(
                                  ctx, gpu::Processor::BlockX, id, id)});
    OpBuilder bb = OpBuilder::atBlockBegin(blockLoop.getBody());
    SmallVector<Value> parallelIvs =
        delinearize(bb, loc, blockLoop.getInductionVars()[0], parallelSizes);
    Attribute space;
    if (workgroupMemory)
      space = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    // Shared memory on the GPU; on the host (no barriers to honour) a heap
    // buffer per block, freed at its end.
    auto partialsType =
        MemRefType::get({threads}, elementType, AffineMap(), space);
    Value partials =
        workgroupMemory
            ? memref::AllocaOp::create(bb, loc, partialsType).getResult()
            : memref::AllocOp::create(bb, loc, partialsType).getResult();
    Value threadCount = arith::ConstantIndexOp::create(bb, loc, threads);
    Value reductionCount = arith::ConstantIndexOp::create(bb, loc, reduction);

    // Each thread strides the reduction (consecutive threads, consecutive
    // elements of the innermost reduced dim).
    phase(bb, threads, [&](OpBuilder &tb, Value t) {
      Value first = valueAt(
          tb, allIvs(parallelIvs, delinearize(tb, loc, t, reductionSizes)));
      Value start = arith::AddIOp::create(tb, loc, t, threadCount);
      auto strided = scf::ForOp::create(tb, loc, start, reductionCount,
                                        threadCount, ValueRange{first});
      OpBuilder sb = OpBuilder::atBlockBegin(strided.getBody());
      Value v =
          valueAt(sb, allIvs(parallelIvs,
                             delinearize(sb, loc, strided.getInductionVar(),
                                         reductionSizes)));
      scf::YieldOp::create(sb, loc,
                           combine(sb, strided.getRegionIterArgs()[0], v));
      memref::StoreOp::create(tb, loc, strided.getResult(0), partials,
                              ValueRange{t});
    });
    // The tree.
    for (int64_t half = threads / 2; half >= 1; half /= 2)
      phase(bb, half, [&](OpBuilder &tb, Value t) {
        Value other = arith::AddIOp::create(
            tb, loc, t, arith::ConstantIndexOp::create(tb, loc, half));
        Value x = memref::LoadOp::create(tb, loc, partials, ValueRange{t});
        Value y = memref::LoadOp::create(tb, loc, partials, ValueRange{other});
        memref::StoreOp::create(tb, loc, combine(tb, x, y), partials,
                                ValueRange{t});
      });
    // The output's initial value, combined once.
    phase(bb, 1, [&](OpBuilder &tb, Value) {
      SmallVector<Value> zeros(reductionDims.size(),
                               arith::ConstantIndexOp::create(tb, loc, 0));
      SmallVector<Value> outIndices =
          indicesOf(tb, outMap, allIvs(parallelIvs, zeros));
      Value total = memref::LoadOp::create(
          tb, loc, partials,
          ValueRange{arith::ConstantIndexOp::create(tb, loc, 0)});
      Value old = memref::LoadOp::create(tb, loc, outBuffer, outIndices);
      Value result = combiner->getOperand(0) == outArg
                         ? combine(tb, old, total)
                         : combine(tb, total, old);
      memref::StoreOp::create(tb, loc, result, outBuffer, outIndices);
    });
    if (!workgroupMemory)
      memref::DeallocOp::create(bb, loc, partials);
    op->erase();
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (blockSize < 32 || blockSize > 1024 || !llvm::isPowerOf2_64(blockSize)) {
      func.emitError("dl-gpu-block-reductions: block-size must be a power of "
                     "two from 32 to 1024, got ")
          << blockSize;
      return signalPassFailure();
    }
    SmallVector<std::pair<linalg::LinalgOp, Operation *>> candidates;
    for (Block &block : func.getBody())
      for (Operation &o : block) {
        auto op = dyn_cast<linalg::LinalgOp>(o);
        if (!op)
          continue;
        Operation *combiner = combinerOf(op);
        if (!combiner)
          continue;
        candidates.push_back({op, combiner});
      }
    for (auto [op, combiner] : candidates) {
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      if (llvm::any_of(ranges, ShapedType::isDynamic))
        continue;
      int64_t numOutputs = 1, reduction = 1;
      for (auto [d, type] : llvm::enumerate(op.getIteratorTypesArray()))
        (type == utils::IteratorType::reduction ? reduction : numOutputs) *=
            ranges[d];
      if (reduction < minReduction || numOutputs > maxParallel ||
          numOutputs < 1)
        continue;
      rewrite(op, combiner, ranges);
    }
  }
};

} // namespace
