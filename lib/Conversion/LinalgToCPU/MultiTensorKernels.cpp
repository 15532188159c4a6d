//===- MultiTensorKernels.cpp - sibling elementwise ops as one kernel -----===//
//
// A train step updates every parameter with the same elementwise body (SGD's
// w - lr*g, Adam's moments and step), one linalg.generic per parameter. Each
// becomes a parallel region of its own: a ResNet's 62 parameters are 62
// thread forks and joins, most of them for a bias of a few hundred floats.
// This pass rewrites a run of such ops into one scf.forall over fixed-size
// chunks of all their elements (PyTorch's multi-tensor apply). A chunk finds
// its op by comparing its index with each op's first chunk; an
// scf.index_switch yields that op's operands flattened to one dim, and one
// copy of the body runs over the chunk's slice of them.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "llvm/ADT/DenseSet.h"

namespace dlc {
#define GEN_PASS_DEF_DLMULTITENSORKERNELS
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The buffer `v` is a view of (through subviews, reshapes, casts).
Value rootBuffer(Value v) {
  while (auto view = v.getDefiningOp<ViewLikeOpInterface>())
    v = view.getViewSource();
  return v;
}

/// Whether `op` is an elementwise kernel this pass can merge with siblings:
/// all-parallel, static, every operand a scalar (rank 0) or a full,
/// identity-layout buffer read or written at the loop's index, the outputs
/// buffers allocated here, and a body without memory effects.
bool isCandidate(linalg::GenericOp op) {
  if (!op.hasPureBufferSemantics() || op.hasIndexSemantics() ||
      op.getNumLoops() == 0 || op.getNumParallelLoops() != op.getNumLoops())
    return false;
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  if (ShapedType::isDynamicShape(ranges))
    return false;
  for (OpOperand &operand : op->getOpOperands()) {
    auto type = cast<MemRefType>(operand.get().getType());
    if (type.getRank() == 0 && op.isDpsInput(&operand))
      continue;
    if (type.getShape() != ArrayRef<int64_t>(ranges) ||
        !type.getLayout().isIdentity() ||
        !op.getMatchingIndexingMap(&operand).isIdentity())
      return false;
  }
  for (Value out : op.getDpsInits())
    if (!rootBuffer(out).getDefiningOp<memref::AllocOp>())
      return false;
  return llvm::all_of(op.getBody()->without_terminator(), [](Operation &inner) {
    return isMemoryEffectFree(&inner) && inner.getNumRegions() == 0;
  });
}

/// Whether `a` and `b` compute the same thing on operands of the same kinds:
/// element types, scalar or not, memory space; equivalent bodies.
bool sameKernel(linalg::GenericOp a, linalg::GenericOp b) {
  if (a.getNumDpsInputs() != b.getNumDpsInputs() ||
      a.getNumDpsInits() != b.getNumDpsInits())
    return false;
  for (auto [x, y] : llvm::zip(a->getOperandTypes(), b->getOperandTypes())) {
    auto tx = cast<MemRefType>(x), ty = cast<MemRefType>(y);
    if (tx.getElementType() != ty.getElementType() ||
        tx.getMemorySpace() != ty.getMemorySpace() ||
        (tx.getRank() == 0) != (ty.getRank() == 0) ||
        (tx.getRank() == 0 && tx != ty))
      return false;
  }
  DenseMap<Value, Value> same;
  return OperationEquivalence::isRegionEquivalentTo(
      &a.getRegion(), &b.getRegion(),
      [&](Value l, Value r) { return success(l == r || same.lookup(l) == r); },
      [&](Value l, Value r) { same[l] = r; },
      OperationEquivalence::IgnoreLocations);
}

/// How an op between two ops of a run moves so that the run's ops become
/// adjacent: allocations and views move up, before the run; deallocations
/// move down, after the new kernel; a kernel the run may pass (see
/// Run::canPass) stays; anything else ends the run.
enum class Move { Up, Down, Stop };

Move classify(Operation *op) {
  if (isa<memref::DeallocOp>(op))
    return Move::Down;
  if (op->getNumRegions() == 0 &&
      (isMemoryEffectFree(op) || isa<memref::AllocOp, memref::AllocaOp>(op)))
    return Move::Up;
  return Move::Stop;
}

/// A run of sibling kernels in one block and the ops between them.
struct Run {
  SmallVector<linalg::GenericOp> ops;
  SmallVector<Operation *> between, pending;
  DenseSet<Value> read, written; // root buffers

  /// Whether `op` may run concurrently with the run's ops: it writes no
  /// buffer they touch and reads none they write.
  bool independentOf(linalg::GenericOp op) const {
    for (OpOperand &operand : op->getOpOperands()) {
      Value root = rootBuffer(operand.get());
      if (written.contains(root) ||
          (op.isDpsInit(&operand) && read.contains(root)))
        return false;
    }
    return true;
  }

  /// Whether the run's ops so far may move past `op`, a kernel that does
  /// not join the run (a weight's update through a transposed gradient):
  /// its body has no memory effects, and it writes only buffers allocated
  /// here that the run neither reads nor writes, and reads none the run
  /// writes.
  bool canPass(Operation *op) const {
    auto generic = dyn_cast<linalg::GenericOp>(op);
    if (!generic || !generic.hasPureBufferSemantics() ||
        !llvm::all_of(
            generic.getBody()->without_terminator(), [](Operation &inner) {
              return isMemoryEffectFree(&inner) && inner.getNumRegions() == 0;
            }))
      return false;
    for (OpOperand &operand : generic->getOpOperands()) {
      Value root = rootBuffer(operand.get());
      if (written.contains(root))
        return false;
      if (generic.isDpsInit(&operand) &&
          (read.contains(root) || !root.getDefiningOp<memref::AllocOp>()))
        return false;
    }
    return true;
  }

  void add(linalg::GenericOp op) {
    between.append(pending);
    pending.clear();
    ops.push_back(op);
    for (OpOperand &operand : op->getOpOperands()) {
      Value root = rootBuffer(operand.get());
      read.insert(root);
      if (op.isDpsInit(&operand))
        written.insert(root);
    }
  }
};

/// `buffer` (static, identity layout) as a one-dim buffer of dynamic size,
/// so every op's operand at one position has one type.
Value flatten(OpBuilder &b, Location loc, Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  if (type.getRank() == 0)
    return buffer;
  if (type.getRank() > 1) {
    ReassociationIndices all =
        llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()));
    buffer = memref::CollapseShapeOp::create(
        b, loc, buffer, ArrayRef<ReassociationIndices>{all});
  }
  auto flat =
      MemRefType::get({ShapedType::kDynamic}, type.getElementType(),
                      MemRefLayoutAttrInterface(), type.getMemorySpace());
  return memref::CastOp::create(b, loc, flat, buffer);
}

class MultiTensorKernelsPass
    : public dlc::impl::DLMultiTensorKernelsBase<MultiTensorKernelsPass> {
public:
  using DLMultiTensorKernelsBase::DLMultiTensorKernelsBase;

  void runOnOperation() override {
    if (chunkElements < 1) {
      getOperation().emitError("dl-multi-tensor-kernels: chunk-elements must "
                               "be at least 1");
      return signalPassFailure();
    }
    SmallVector<Run> runs;
    getOperation().walk([&](Block *block) {
      Operation *parent = block->getParentOp();
      // Inside a parallel loop the ops already share one kernel.
      if (isa<scf::ForallOp, scf::ParallelOp>(parent) ||
          parent->getParentOfType<scf::ForallOp>() ||
          parent->getParentOfType<scf::ParallelOp>())
        return;
      collectRuns(*block, runs);
    });
    for (Run &run : runs)
      merge(run);
  }

private:
  static void collectRuns(Block &block, SmallVectorImpl<Run> &runs) {
    Run run;
    auto finish = [&] {
      if (run.ops.size() > 1)
        runs.push_back(std::move(run));
      run = Run();
    };
    for (Operation &op : block) {
      auto generic = dyn_cast<linalg::GenericOp>(op);
      if (generic && isCandidate(generic)) {
        if (run.ops.empty() || (sameKernel(run.ops.front(), generic) &&
                                run.independentOf(generic))) {
          run.add(generic);
          continue;
        }
        finish();
        run.add(generic);
        continue;
      }
      if (!run.ops.empty() &&
          (classify(&op) != Move::Stop || run.canPass(&op))) {
        run.pending.push_back(&op);
        continue;
      }
      finish();
    }
    finish();
  }

  void merge(Run &run) {
    linalg::GenericOp first = run.ops.front(), last = run.ops.back();
    Operation *after = last;
    for (Operation *op : run.between) {
      // A kernel the run passes stays; the run's kernels before it now
      // run after it.
      if (isa<linalg::GenericOp>(op))
        continue;
      if (classify(op) == Move::Down) {
        op->moveAfter(after);
        after = op;
      } else {
        op->moveBefore(first);
      }
    }

    OpBuilder b(last);
    Location loc = b.getFusedLoc(llvm::map_to_vector(
        run.ops, [](linalg::GenericOp op) { return op.getLoc(); }));
    // Each op's element count and first chunk.
    SmallVector<int64_t> elements, firstChunk;
    int64_t chunks = 0;
    for (linalg::GenericOp op : run.ops) {
      int64_t n = 1;
      for (int64_t r : op.getStaticLoopRanges())
        n *= r;
      elements.push_back(n);
      firstChunk.push_back(chunks);
      chunks += llvm::divideCeil(n, chunkElements);
    }
    // The operands, flattened; a position every op shares needs no switch.
    unsigned numOperands = first->getNumOperands();
    SmallVector<Value> shared(numOperands);
    SmallVector<SmallVector<Value>> perOp(run.ops.size());
    SmallVector<unsigned> switched;
    for (unsigned p = 0; p < numOperands; ++p) {
      Value v = first->getOperand(p);
      if (llvm::all_of(run.ops, [&](linalg::GenericOp op) {
            return op->getOperand(p) == v;
          })) {
        shared[p] = flatten(b, loc, v);
        continue;
      }
      switched.push_back(p);
      for (auto [i, op] : llvm::enumerate(run.ops))
        perOp[i].push_back(flatten(b, loc, op->getOperand(p)));
    }

    auto forall = scf::ForallOp::create(
        b, loc, ArrayRef<OpFoldResult>{b.getIndexAttr(chunks)}, ValueRange{},
        std::nullopt);
    b.setInsertionPointToStart(forall.getBody());
    Value chunk = forall.getInductionVars()[0];
    auto cidx = [&](int64_t v) {
      return arith::ConstantIndexOp::create(b, loc, v).getResult();
    };
    // The op of this chunk: how many ops after the first start at or
    // before it.
    Value which = cidx(0);
    for (unsigned i = 1; i < run.ops.size(); ++i) {
      Value starts = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::uge,
                                           chunk, cidx(firstChunk[i]));
      which = arith::AddIOp::create(
          b, loc, which,
          arith::IndexCastOp::create(
              b, loc, b.getIndexType(),
              arith::ExtUIOp::create(b, loc, b.getI64Type(), starts)));
    }
    // Per op: its first chunk, its element count and its switched operands.
    SmallVector<Type> types = {b.getIndexType(), b.getIndexType()};
    for (Value v : perOp[0])
      types.push_back(v.getType());
    SmallVector<int64_t> cases =
        llvm::to_vector(llvm::seq<int64_t>(1, run.ops.size()));
    auto select =
        scf::IndexSwitchOp::create(b, loc, types, which, cases, cases.size());
    for (unsigned i = 0; i < run.ops.size(); ++i) {
      Region &region =
          i == 0 ? select.getDefaultRegion() : select.getCaseRegions()[i - 1];
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(&region.emplaceBlock());
      SmallVector<Value> yielded = {cidx(firstChunk[i]), cidx(elements[i])};
      yielded.append(perOp[i]);
      scf::YieldOp::create(b, loc, yielded);
    }
    // This chunk's offset and length in its op's elements.
    Value offset = arith::MulIOp::create(
        b, loc,
        arith::SubIOp::create(b, loc, chunk, select.getResult(0)).getResult(),
        cidx(chunkElements));
    Value size = arith::MinSIOp::create(
        b, loc, cidx(chunkElements),
        arith::SubIOp::create(b, loc, select.getResult(1), offset).getResult());
    SmallVector<Value> operands(shared);
    for (auto [k, p] : llvm::enumerate(switched))
      operands[p] = select.getResult(2 + k);
    for (Value &v : operands) {
      if (cast<MemRefType>(v.getType()).getRank() == 0)
        continue;
      v = memref::SubViewOp::create(b, loc, v, ArrayRef<OpFoldResult>{offset},
                                    ArrayRef<OpFoldResult>{size},
                                    ArrayRef<OpFoldResult>{b.getIndexAttr(1)});
    }
    MLIRContext *ctx = b.getContext();
    SmallVector<AffineMap> maps = llvm::map_to_vector(operands, [&](Value v) {
      return cast<MemRefType>(v.getType()).getRank() == 0
                 ? AffineMap::get(1, 0, ctx)
                 : AffineMap::getMultiDimIdentityMap(1, ctx);
    });
    unsigned numInputs = first.getNumDpsInputs();
    auto kernel = linalg::GenericOp::create(
        b, loc, TypeRange{}, ArrayRef<Value>(operands).take_front(numInputs),
        ArrayRef<Value>(operands).drop_front(numInputs), maps,
        SmallVector<utils::IteratorType>{utils::IteratorType::parallel});
    IRMapping map;
    first.getRegion().cloneInto(&kernel.getRegion(), map);
    kernel->setDiscardableAttrs(first->getDiscardableAttrDictionary());
    for (linalg::GenericOp op : run.ops)
      op.erase();
  }
};

} // namespace
