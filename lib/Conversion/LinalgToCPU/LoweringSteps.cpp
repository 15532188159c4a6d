//===- LoweringSteps.cpp - small CPU lowering passes ----------------------===//
//
// The steps between upstream passes of the CPU pipeline (lib/Pipelines):
// entry-point attributes, copies as linalg.copy, threads on outermost loops
// only, and alloca scopes inlined. Each was an IR walk between pass managers
// in the driver; as passes they run (and are tested) from dlc-opt.
//
//===----------------------------------------------------------------------===//

#include "MicrokernelUtils.h"
#include "dlc/Conversion/Passes.h"
#include "dlc/Dialect/DL/IR/DLAttrNames.h"
#include "dlc/Dialect/DL/IR/NodeLocation.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/FunctionCallUtils.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/CallInterfaces.h"

namespace dlc {
#define GEN_PASS_DEF_DLPREPAREENTRYPOINTS
#define GEN_PASS_DEF_DLDEALLOCATLASTUSE
#define GEN_PASS_DEF_DLCOPYTOLINALG
#define GEN_PASS_DEF_DLREPORTFAILEDASSERTS
#define GEN_PASS_DEF_DLSERIALIZENESTEDPARALLELLOOPS
#define GEN_PASS_DEF_DLTHREADOUTERDIMS
#define GEN_PASS_DEF_DLCOLLAPSEELEMENTWISEDIMS
#define GEN_PASS_DEF_DLINLINEALLOCASCOPES
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

struct PrepareEntryPointsPass
    : public dlc::impl::DLPrepareEntryPointsBase<PrepareEntryPointsPass> {
  using DLPrepareEntryPointsBase::DLPrepareEntryPointsBase;

  void runOnOperation() override {
    MLIRContext *context = &getContext();
    ModuleOp module = getOperation();
    for (const std::string &spec : rename) {
      auto [from, to] = StringRef(spec).split(':');
      auto f = module.lookupSymbol<func::FuncOp>(from);
      if (to.empty() || !f) {
        module.emitError("dl-prepare-entry-points: cannot rename '")
            << spec << "' (expected OLD:NEW naming a function)";
        return signalPassFailure();
      }
      if (failed(SymbolTable::replaceAllSymbolUses(
              f, StringAttr::get(context, to), module)))
        return signalPassFailure();
      f.setSymName(to);
    }
    module.walk([&](func::FuncOp f) {
      if (f.isPublic() && !f.isExternal())
        f->setAttr("llvm.emit_c_interface", UnitAttr::get(context));
      for (StringRef name : {dlc::dl::kNameAttr, dlc::dl::kDimNamesAttr,
                             dlc::dl::kUnsignedAttr}) {
        auto attr = StringAttr::get(context, name);
        for (unsigned i = 0; i < f.getNumArguments(); ++i)
          f.removeArgAttr(i, attr);
        for (unsigned i = 0; i < f.getNumResults(); ++i)
          f.removeResultAttr(i, attr);
      }
    });
  }
};

/// The op after which `dealloc` can free its buffer: the last op of its
/// block that uses the buffer or a memref derived from it, or null when a
/// use leaves the block, reaches a call (other than a runtime kernel's,
/// isRuntimeKernelCall) or takes the buffer's address.
Operation *lastUseInBlock(memref::DeallocOp dealloc) {
  Block *block = dealloc->getBlock();
  Value buffer = dealloc.getMemref();
  Operation *last = nullptr;
  auto later = [&](Operation *op) {
    if (!last || last->isBeforeInBlock(op))
      last = op;
  };
  if (Operation *def = buffer.getDefiningOp()) {
    if (def->getBlock() != block)
      return nullptr;
    later(def);
  } else if (cast<BlockArgument>(buffer).getOwner() != block) {
    return nullptr;
  }
  SmallVector<Value> worklist = {buffer};
  llvm::SmallPtrSet<Value, 8> seen = {buffer};
  while (!worklist.empty()) {
    Value v = worklist.pop_back_val();
    for (OpOperand &use : v.getUses()) {
      Operation *user = use.getOwner();
      if (user == dealloc)
        continue;
      if (isa<memref::DeallocOp, memref::ExtractAlignedPointerAsIndexOp>(
              user) ||
          (isa<CallOpInterface>(user) &&
           !dlc::cpu::isRuntimeKernelCall(user)) ||
          user->hasTrait<OpTrait::IsTerminator>())
        return nullptr;
      Operation *ancestor = block->findAncestorOpInBlock(*user);
      if (!ancestor)
        return nullptr;
      later(ancestor);
      // Any memref an op makes from the buffer may alias it.
      for (Value r : user->getResults())
        if (isa<BaseMemRefType>(r.getType()) && seen.insert(r).second)
          worklist.push_back(r);
    }
  }
  return last;
}

struct DeallocAtLastUsePass
    : public dlc::impl::DLDeallocAtLastUseBase<DeallocAtLastUsePass> {
  void runOnOperation() override {
    SmallVector<memref::DeallocOp> deallocs;
    getOperation()->walk([&](memref::DeallocOp d) { deallocs.push_back(d); });
    for (memref::DeallocOp d : deallocs) {
      Operation *last = lastUseInBlock(d);
      if (!last || last->getNextNode() == d ||
          !last->isBeforeInBlock(d.getOperation()))
        continue;
      d->moveAfter(last);
      ++numMoved;
    }
  }
};

struct CopyToLinalgPass
    : public dlc::impl::DLCopyToLinalgBase<CopyToLinalgPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp c) { copies.push_back(c); });
    for (memref::CopyOp c : copies) {
      OpBuilder b(c);
      linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
      c.erase();
    }
  }
};

struct ReportFailedAssertsPass
    : public dlc::impl::DLReportFailedAssertsBase<ReportFailedAssertsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp a) { asserts.push_back(a); });
    if (asserts.empty())
      return;
    MLIRContext *context = &getContext();
    OpBuilder b(context);
    b.setInsertionPointToEnd(module.getBody());
    auto ptr = LLVM::LLVMPointerType::get(context);
    FailureOr<LLVM::LLVMFuncOp> fail = LLVM::lookupOrCreateFn(
        b, module, "dlc_entry_fail", {ptr}, LLVM::LLVMVoidType::get(context));
    if (failed(fail))
      return signalPassFailure();
    for (auto [i, a] : llvm::enumerate(asserts)) {
      Location loc = a.getLoc();
      b.setInsertionPoint(a);
      Value failed = arith::XOrIOp::create(
          b, loc, a.getArg(),
          arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
      auto branch = scf::IfOp::create(b, loc, failed, /*withElseRegion=*/false);
      b.setInsertionPointToStart(branch.thenBlock());
      std::string message = dlc::dl::describeNode(loc) + a.getMsg().str();
      message.push_back('\0');
      Value text =
          LLVM::createGlobalString(loc, b, "dlc_check_" + std::to_string(i),
                                   message, LLVM::Linkage::Internal);
      LLVM::CallOp::create(b, loc, *fail, ValueRange{text});
      a.erase();
    }
  }
};

struct SerializeNestedParallelLoopsPass
    : public dlc::impl::DLSerializeNestedParallelLoopsBase<
          SerializeNestedParallelLoopsPass> {
  void runOnOperation() override {
    SmallVector<scf::ParallelOp> nested;
    getOperation()->walk([&](scf::ParallelOp p) {
      for (Operation *parent = p->getParentOp();
           parent && !isa<FunctionOpInterface>(parent);
           parent = parent->getParentOp()) {
        if (isa<scf::ParallelOp, scf::ForOp>(parent)) {
          nested.push_back(p);
          break;
        }
      }
    });
    // The walk is post-order: an inner loop is rewritten before the loop
    // around it, whose clone then carries the rewritten body.
    for (scf::ParallelOp p : nested) {
      OpBuilder b(p);
      scf::buildLoopNest(
          b, p.getLoc(), p.getLowerBound(), p.getUpperBound(), p.getStep(),
          [&](OpBuilder &nb, Location, ValueRange ivs) {
            IRMapping map;
            map.map(p.getInductionVars(), ivs);
            for (Operation &op : p.getBody()->without_terminator())
              nb.clone(op, map);
          });
      p.erase();
    }
  }
};

/// The dims of `p` to keep parallel (see DLThreadOuterDims in Passes.td).
SmallVector<unsigned> threadedDims(scf::ParallelOp p, int64_t minTripCount) {
  unsigned rank = p.getNumLoops();
  SmallVector<std::optional<int64_t>> trips;
  for (unsigned d = 0; d < rank; ++d) {
    std::optional<int64_t> lb = getConstantIntValue(p.getLowerBound()[d]),
                           ub = getConstantIntValue(p.getUpperBound()[d]),
                           step = getConstantIntValue(p.getStep()[d]);
    trips.push_back(lb && ub && step && *step > 0
                        ? std::optional<int64_t>(std::max<int64_t>(
                              0, llvm::divideCeil(*ub - *lb, *step)))
                        : std::nullopt);
  }
  SmallVector<unsigned> dims;
  int64_t product = 1;
  for (unsigned d = 0; d < rank && product < minTripCount; ++d) {
    if (trips[d] && *trips[d] == 1)
      continue;
    // The innermost dim stays serial unless nothing else is parallel.
    if (d + 1 == rank && !dims.empty())
      break;
    dims.push_back(d);
    if (trips[d])
      product *= *trips[d];
  }
  if (dims.empty())
    dims.push_back(rank - 1);
  return dims;
}

struct ThreadOuterDimsPass
    : public dlc::impl::DLThreadOuterDimsBase<ThreadOuterDimsPass> {
  using DLThreadOuterDimsBase::DLThreadOuterDimsBase;

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> outermost;
    getOperation()->walk([&](scf::ParallelOp p) {
      if (!p->getParentOfType<scf::ParallelOp>() && p.getNumLoops() > 1 &&
          p.getInitVals().empty())
        outermost.push_back(p);
    });
    for (scf::ParallelOp p : outermost) {
      SmallVector<unsigned> dims = threadedDims(p, minTripCount);
      if (dims.size() == p.getNumLoops())
        continue;
      SmallVector<unsigned> serial;
      for (unsigned d = 0; d < p.getNumLoops(); ++d)
        if (!llvm::is_contained(dims, d))
          serial.push_back(d);
      auto pick = [](ValueRange values, ArrayRef<unsigned> at) {
        return llvm::map_to_vector(at, [&](unsigned d) { return values[d]; });
      };
      OpBuilder b(p);
      auto outer = scf::ParallelOp::create(
          b, p.getLoc(), pick(p.getLowerBound(), dims),
          pick(p.getUpperBound(), dims), pick(p.getStep(), dims),
          [&](OpBuilder &ob, Location loc, ValueRange outerIvs) {
            scf::buildLoopNest(
                ob, loc, pick(p.getLowerBound(), serial),
                pick(p.getUpperBound(), serial), pick(p.getStep(), serial),
                [&](OpBuilder &nb, Location, ValueRange innerIvs) {
                  IRMapping map;
                  for (auto [d, iv] : llvm::zip(dims, outerIvs))
                    map.map(p.getInductionVars()[d], iv);
                  for (auto [d, iv] : llvm::zip(serial, innerIvs))
                    map.map(p.getInductionVars()[d], iv);
                  for (Operation &op : p.getBody()->without_terminator())
                    nb.clone(op, map);
                });
          });
      outer->setAttrs(p->getDiscardableAttrDictionary());
      p.erase();
    }
  }
};

/// The trailing loop dims of `op` to merge into one loop, or none.
static std::optional<ReassociationIndices>
trailingDimsToCollapse(linalg::GenericOp op, int64_t minInner) {
  unsigned n = op.getNumLoops();
  if (n < 2 || !op.hasPureBufferSemantics() || op.getNumParallelLoops() != n ||
      op.hasIndexSemantics())
    return std::nullopt;
  for (Value operand : op->getOperands()) {
    auto type = dyn_cast<MemRefType>(operand.getType());
    if (!type || !memref::isStaticShapeAndContiguousRowMajor(type))
      return std::nullopt;
  }
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // A broadcast through a unit dim (a 0 in a map) is not a projection the
  // collapse keeps.
  if (!llvm::all_of(maps,
                    [](AffineMap map) { return map.isProjectedPermutation(); }))
    return std::nullopt;
  ReassociationIndices group{static_cast<int64_t>(n) - 1};
  int64_t inner = ranges[n - 1];
  for (int64_t d = static_cast<int64_t>(n) - 2; d >= 0 && inner < minInner;
       --d) {
    ReassociationIndices wider{d};
    wider.append(group.begin(), group.end());
    if (ShapedType::isDynamic(ranges[d]) ||
        !linalg::areDimSequencesPreserved(maps, {wider}))
      break;
    group = std::move(wider);
    inner *= ranges[d];
  }
  if (ShapedType::isDynamic(inner) || group.size() < 2)
    return std::nullopt;
  return group;
}

struct CollapseElementwiseDimsPass
    : public dlc::impl::DLCollapseElementwiseDimsBase<
          CollapseElementwiseDimsPass> {
  using DLCollapseElementwiseDimsBase::DLCollapseElementwiseDimsBase;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) { ops.push_back(op); });
    IRRewriter rewriter(&getContext());
    for (linalg::GenericOp op : ops) {
      std::optional<ReassociationIndices> group =
          trailingDimsToCollapse(op, minInner);
      if (!group)
        continue;
      rewriter.setInsertionPoint(op);
      FailureOr<linalg::CollapseResult> collapsed =
          linalg::collapseOpIterationDims(op, {*group}, rewriter);
      if (failed(collapsed))
        continue;
      collapsed->collapsedOp->setDiscardableAttrs(
          op->getDiscardableAttrDictionary());
      rewriter.replaceOp(op, collapsed->results);
    }
  }
};

struct InlineAllocaScopesPass
    : public dlc::impl::DLInlineAllocaScopesBase<InlineAllocaScopesPass> {
  void runOnOperation() override {
    SmallVector<memref::AllocaScopeOp> scopes;
    getOperation()->walk([&](memref::AllocaScopeOp s) { scopes.push_back(s); });
    for (memref::AllocaScopeOp scope : scopes) {
      bool allocates = false;
      scope.walk([&](memref::AllocaOp) { allocates = true; });
      if (allocates || !scope.getBodyRegion().hasOneBlock())
        continue;
      Block &body = scope.getBodyRegion().front();
      auto ret = cast<memref::AllocaScopeReturnOp>(body.getTerminator());
      SmallVector<Value> results(ret.getResults());
      ret.erase();
      scope->getBlock()->getOperations().splice(Block::iterator(scope),
                                                body.getOperations());
      scope->replaceAllUsesWith(results);
      scope.erase();
    }
  }
};

} // namespace
