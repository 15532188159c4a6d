//===- PlanMemory.cpp - a function's intermediates in one arena -----------===//
//
// Static memory planning (see DLPlanMemory in Passes.td): after
// bufferization and dl-dealloc-at-last-use, each static-size buffer that
// lives and dies in a function's block gets an offset in one arena by
// liveness. Greedy by size, as in TFLite's ArenaPlanner: the largest buffers
// are placed first, each at the lowest offset free for its whole lifetime.
// A static buffer that lives and dies inside a sequential loop or branch
// body counts as alive for the whole of the function-level op around it.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace dlc {
#define GEN_PASS_DEF_DLPLANMEMORY
#define GEN_PASS_DEF_DLARENATORUNTIME
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

constexpr int64_t kAlignment = 64;
/// Marks the arena's alloc for dl-arena-to-runtime.
constexpr llvm::StringLiteral kArenaAttr = "dl.arena";
/// On an arena sized by a dim of one of the function's arguments: that
/// argument, the dim and the arena's bytes per unit of it.
constexpr llvm::StringLiteral kArenaInputDimAttr = "dl.arena_input_dim";

/// A buffer to place: alive from op `start` to op `end` of the block. Its
/// size is `bytes`, times its group's dynamic size where it has one.
struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t bytes, start, end;
  int64_t offset = 0;
};

/// Bytes per element of a memref of int or float elements, or nullopt.
std::optional<int64_t> elementBytes(MemRefType type) {
  if (!type.getLayout().isIdentity() || type.getMemorySpace())
    return std::nullopt;
  Type element = type.getElementType();
  if (!element.isIntOrFloat())
    return std::nullopt;
  return llvm::divideCeil(element.getIntOrFloatBitWidth(), 8);
}

/// Whether `value` (a buffer or a view of it) only reaches ops that read or
/// write it in place: no return, no yield out of a region, no op result
/// that could alias it other than a view (which is followed). `dealloc`
/// collects the deallocs of the buffer itself.
bool staysInPlace(Value value, SmallVectorImpl<memref::DeallocOp> &deallocs,
                  bool isAlloc) {
  for (OpOperand &use : value.getUses()) {
    Operation *user = use.getOwner();
    if (auto dealloc = dyn_cast<memref::DeallocOp>(user)) {
      if (!isAlloc)
        return false; // a view freed: not this pass's pattern
      deallocs.push_back(dealloc);
      continue;
    }
    if (auto view = dyn_cast<ViewLikeOpInterface>(user)) {
      if (view.getViewSource() == value) {
        for (Value result : user->getResults())
          if (isa<BaseMemRefType>(result.getType()) &&
              !staysInPlace(result, deallocs, false))
            return false;
        continue;
      }
    }
    if (auto meta = dyn_cast<memref::ExtractStridedMetadataOp>(user)) {
      if (!staysInPlace(meta.getBaseBuffer(), deallocs, false))
        return false;
      continue;
    }
    if (user->hasTrait<OpTrait::IsTerminator>() ||
        isa<RegionBranchOpInterface>(user) ||
        llvm::any_of(user->getResultTypes(), llvm::IsaPred<BaseMemRefType>))
      return false;
  }
  return true;
}

/// Whether two dynamic sizes are the same value: one SSA value, or the same
/// dim (by constant index) of one buffer. Sizes are not CSE'd before
/// bufferization (CSE there would merge the destinations of equal ops
/// across layers and keep one buffer alive through all of them).
bool sameSize(Value a, Value b) {
  if (a == b)
    return true;
  auto dimA = a.getDefiningOp<memref::DimOp>();
  auto dimB = b.getDefiningOp<memref::DimOp>();
  if (!dimA || !dimB || dimA.getSource() != dimB.getSource())
    return false;
  std::optional<int64_t> indexA = getConstantIntValue(dimA.getIndex());
  std::optional<int64_t> indexB = getConstantIntValue(dimB.getIndex());
  return indexA && indexB && *indexA == *indexB;
}

/// Places `buffers` (offsets set) and returns the arena's size.
int64_t place(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &b : buffers)
    order.push_back(&b);
  llvm::stable_sort(order,
                    [](Buffer *a, Buffer *b) { return a->bytes > b->bytes; });
  SmallVector<Buffer *> placed;
  int64_t arena = 0;
  for (Buffer *b : order) {
    // The placed buffers alive with b, by offset; b goes in the first gap.
    SmallVector<Buffer *> live;
    for (Buffer *p : placed)
      if (p->start <= b->end && b->start <= p->end)
        live.push_back(p);
    llvm::sort(live,
               [](Buffer *x, Buffer *y) { return x->offset < y->offset; });
    int64_t offset = 0;
    for (Buffer *p : live) {
      if (offset + b->bytes <= p->offset)
        break;
      offset = std::max<int64_t>(
          offset, llvm::alignTo(p->offset + p->bytes, kAlignment));
    }
    b->offset = offset;
    arena = std::max(arena, offset + b->bytes);
    placed.push_back(b);
  }
  return static_cast<int64_t>(llvm::alignTo(arena, kAlignment));
}

/// An arena's buffers: static sizes (no `factor`), or sizes that are a
/// constant times the same dynamic size (a batch dim).
struct Group {
  Value factor;
  SmallVector<Buffer> buffers;
};

struct PlanMemoryPass : public dlc::impl::DLPlanMemoryBase<PlanMemoryPass> {
  using DLPlanMemoryBase::DLPlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal() || !func.getBody().hasOneBlock())
      return;
    Block &block = func.front();
    llvm::DenseMap<Operation *, int64_t> position;
    for (auto [i, op] : llvm::enumerate(block))
      position[&op] = static_cast<int64_t>(i);

    // Group 0 holds the static buffers; the others one dynamic size each.
    SmallVector<Group> groups(1);
    int64_t unplanned = 0;
    func.walk([&](memref::AllocOp alloc) {
      MemRefType type = alloc.getType();
      std::optional<int64_t> bytes = elementBytes(type);
      ValueRange dynamic = alloc.getDynamicSizes();
      SmallVector<memref::DeallocOp> deallocs;
      // A static buffer allocated and freed in the body of a sequential
      // loop or branch (a conv's im2col chunk) lives while the function's
      // op around it runs: one slot, reused by every iteration.
      Operation *top = alloc;
      while (top && top->getBlock() != &block)
        top = top->getParentOp();
      bool nested = top != alloc.getOperation();
      bool sequential = true;
      for (Operation *p = alloc->getParentOp(); nested && p != func;
           p = p->getParentOp())
        sequential &= isa<scf::ForOp, scf::IfOp, scf::WhileOp>(p);
      if (!bytes || !top || (nested && (!dynamic.empty() || !sequential)) ||
          dynamic.size() > 1 ||
          (dynamic.size() == 1 && dynamic[0].getParentBlock() != &block) ||
          alloc.getAlignment().value_or(0) > kAlignment ||
          !staysInPlace(alloc.getResult(), deallocs, true) ||
          deallocs.size() != 1 ||
          deallocs[0]->getBlock() != alloc->getBlock()) {
        ++unplanned;
        return;
      }
      for (int64_t d : type.getShape())
        if (!ShapedType::isDynamic(d))
          *bytes *= d;
      Value factor = dynamic.empty() ? Value() : dynamic[0];
      auto *group = llvm::find_if(groups, [&](const Group &g) {
        return g.factor == factor ||
               (g.factor && factor && sameSize(g.factor, factor));
      });
      if (group == groups.end()) {
        groups.push_back({factor, {}});
        group = std::prev(groups.end());
      }
      int64_t start = position[top];
      int64_t end = nested ? start : position[deallocs[0]];
      group->buffers.push_back({alloc, deallocs[0], *bytes, start, end});
    });

    // The report, written in one piece (functions run in parallel).
    std::string text;
    llvm::raw_string_ostream os(text);
    for (Group &group : groups) {
      if (group.buffers.size() < 2) {
        unplanned += group.buffers.size();
        continue;
      }
      int64_t arenaBytes = place(group.buffers);
      int64_t total = 0;
      for (const Buffer &b : group.buffers)
        total += b.bytes;
      rewrite(block, group, arenaBytes);
      if (report)
        os << "dl-plan-memory: @" << func.getName() << ": "
           << group.buffers.size() << " buffers of " << total
           << " bytes in an arena of " << arenaBytes << " bytes"
           << (group.factor ? " per unit of a dynamic dim" : "") << "\n";
    }
    if (report) {
      os << "dl-plan-memory: @" << func.getName() << ": " << unplanned
         << " allocation(s) left to the allocator\n";
      dlc::writeReport(text);
    }
  }

  /// One arena for `group`: allocated where its dynamic size is known (or
  /// first), freed before the return; each alloc a view of it.
  void rewrite(Block &block, Group &group, int64_t arenaBytes) {
    OpBuilder b(&getContext());
    Location loc = block.getParentOp()->getLoc();
    Value factor = group.factor;
    if (!factor || isa<BlockArgument>(factor))
      b.setInsertionPointToStart(&block);
    else
      b.setInsertionPointAfter(factor.getDefiningOp());
    auto scaled = [&](int64_t bytes) -> Value {
      Value c = arith::ConstantIndexOp::create(b, loc, bytes);
      return factor ? arith::MulIOp::create(b, loc, factor, c) : c;
    };
    Value arena;
    if (factor)
      arena = memref::AllocOp::create(
          b, loc, MemRefType::get({ShapedType::kDynamic}, b.getI8Type()),
          ValueRange{scaled(arenaBytes)}, b.getI64IntegerAttr(kAlignment));
    else
      arena = memref::AllocOp::create(
          b, loc, MemRefType::get({arenaBytes}, b.getI8Type()),
          b.getI64IntegerAttr(kAlignment));
    arena.getDefiningOp()->setAttr(kArenaAttr, b.getUnitAttr());
    // A size the caller knows before the call: a dim of an argument.
    if (auto dim = factor ? factor.getDefiningOp<memref::DimOp>() : nullptr) {
      auto arg = dyn_cast<BlockArgument>(dim.getSource());
      std::optional<int64_t> index = getConstantIntValue(dim.getIndex());
      if (arg && arg.getOwner() == &block && index)
        arena.getDefiningOp()->setAttr(
            kArenaInputDimAttr,
            b.getDenseI64ArrayAttr({static_cast<int64_t>(arg.getArgNumber()),
                                    *index, arenaBytes}));
    }
    for (Buffer &buffer : group.buffers) {
      b.setInsertionPoint(buffer.alloc);
      Value view = memref::ViewOp::create(
          b, buffer.alloc.getLoc(), buffer.alloc.getType(), arena,
          scaled(buffer.offset), buffer.alloc.getDynamicSizes());
      buffer.alloc.replaceAllUsesWith(view);
      buffer.dealloc.erase();
      buffer.alloc.erase();
    }
    b.setInsertionPoint(block.getTerminator());
    memref::DeallocOp::create(b, loc, arena);
  }
};

/// dl-arena-to-runtime: each arena's alloc and dealloc as runtime calls.
struct ArenaToRuntimePass
    : public dlc::impl::DLArenaToRuntimeBase<ArenaToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    Type i64 = IntegerType::get(ctx, 64);
    Type ptr = LLVM::LLVMPointerType::get(ctx);
    auto declare = [&](StringRef name, Type result, Type arg) {
      if (auto f = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
        return f;
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      return LLVM::LLVMFuncOp::create(b, module.getLoc(), name,
                                      LLVM::LLVMFunctionType::get(result, arg));
    };
    SmallVector<memref::AllocOp> arenas;
    module.walk([&](memref::AllocOp alloc) {
      if (alloc->hasAttr(kArenaAttr))
        arenas.push_back(alloc);
    });
    if (arenas.empty())
      return;
    LLVM::LLVMFuncOp acquire = declare("dlc_arena_acquire", ptr, i64);
    LLVM::LLVMFuncOp release =
        declare("dlc_arena_release", LLVM::LLVMVoidType::get(ctx), ptr);
    // The descriptor of a 1-D memref (allocated and aligned pointer, offset,
    // size, stride), as the memref-to-LLVM conversion lays it out.
    auto array = LLVM::LLVMArrayType::get(i64, 1);
    auto descriptor =
        LLVM::LLVMStructType::getLiteral(ctx, {ptr, ptr, i64, array, array});
    llvm::StringMap<int64_t> staticBytes;
    llvm::StringMap<SmallVector<Attribute>> inputDims;
    for (memref::AllocOp alloc : arenas) {
      MemRefType type = alloc.getType();
      if (type.getRank() != 1 || !type.getElementType().isInteger(8) ||
          !type.getLayout().isIdentity() || type.getMemorySpace()) {
        alloc.emitOpError("marked dl.arena is not a 1-D i8 buffer");
        return signalPassFailure();
      }
      OpBuilder b(alloc);
      Location loc = alloc.getLoc();
      auto func = alloc->getParentOfType<func::FuncOp>();
      Value size;
      if (type.hasStaticShape()) {
        size = arith::ConstantIntOp::create(b, loc, type.getDimSize(0), 64);
        if (func)
          staticBytes[func.getSymName()] += type.getDimSize(0);
      } else {
        size =
            arith::IndexCastOp::create(b, loc, i64, alloc.getDynamicSizes()[0]);
        if (Attribute dim = alloc->getAttr(kArenaInputDimAttr); dim && func)
          inputDims[func.getSymName()].push_back(dim);
      }
      Value pointer =
          LLVM::CallOp::create(b, loc, acquire, ValueRange{size}).getResult();
      Value d = LLVM::PoisonOp::create(b, loc, descriptor);
      d = LLVM::InsertValueOp::create(b, loc, d, pointer, ArrayRef<int64_t>{0});
      d = LLVM::InsertValueOp::create(b, loc, d, pointer, ArrayRef<int64_t>{1});
      Value zero = arith::ConstantIntOp::create(b, loc, 0, 64);
      Value one = arith::ConstantIntOp::create(b, loc, 1, 64);
      d = LLVM::InsertValueOp::create(b, loc, d, zero, ArrayRef<int64_t>{2});
      d = LLVM::InsertValueOp::create(b, loc, d, size, ArrayRef<int64_t>{3, 0});
      d = LLVM::InsertValueOp::create(b, loc, d, one, ArrayRef<int64_t>{4, 0});
      Value buffer =
          UnrealizedConversionCastOp::create(b, loc, type, d).getResult(0);
      for (OpOperand &use : llvm::make_early_inc_range(alloc->getUses())) {
        auto dealloc = dyn_cast<memref::DeallocOp>(use.getOwner());
        if (!dealloc)
          continue;
        OpBuilder db(dealloc);
        Value freed = UnrealizedConversionCastOp::create(db, dealloc.getLoc(),
                                                         descriptor, buffer)
                          .getResult(0);
        Value base = LLVM::ExtractValueOp::create(db, dealloc.getLoc(), freed,
                                                  ArrayRef<int64_t>{0});
        LLVM::CallOp::create(db, dealloc.getLoc(), release, ValueRange{base});
        dealloc.erase();
      }
      alloc.replaceAllUsesWith(buffer);
      alloc.erase();
    }
    SmallVector<NamedAttribute> entries;
    for (auto &[name, bytes] : staticBytes)
      entries.emplace_back(StringAttr::get(ctx, name),
                           IntegerAttr::get(i64, bytes));
    llvm::sort(entries, [](const NamedAttribute &a, const NamedAttribute &b) {
      return a.getName().strref() < b.getName().strref();
    });
    module->setAttr("dl.workspace_bytes", DictionaryAttr::get(ctx, entries));
    if (!inputDims.empty()) {
      SmallVector<NamedAttribute> dims;
      for (auto &[name, list] : inputDims)
        dims.emplace_back(StringAttr::get(ctx, name),
                          ArrayAttr::get(ctx, list));
      module->setAttr("dl.workspace_input_dims",
                      DictionaryAttr::get(ctx, dims));
    }
  }
};

} // namespace
