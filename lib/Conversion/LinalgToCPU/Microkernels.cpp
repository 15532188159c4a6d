//===- Microkernels.cpp - f32 contractions as dlc_sgemm calls -------------===//
//
// Every linalg op on buffers that is an f32 contraction (a body computing
// out + a * b, one reduction loop, operands indexed by loop dims or
// constants) becomes a call to the runtime's dlc_sgemm
// (runtime/src/cpu/gemm.c): a packed, cache- and register-blocked,
// threaded microkernel for the CPU it runs on. The loop dims are classified
// from the indexing maps: k is the reduction; a parallel dim only in A and
// C is an m, only in B and C an n; any other parallel dim is a batch dim
// (where there is none, a second m or n dim takes its place). Of several
// candidates for a role, the innermost that is not a static 1 runs natively.
// Each operand's strides along m, n, k and one batch dim are read from its
// strided layout at run time, so transposed, broadcast and strided operands
// need no copies. Further m, n or batch dims, and reduction dims but the
// innermost, become scf.for loops around the call. A zero linalg.fill of the
// output just before the contraction is folded into the call (accumulate = 0).
// An operand that is a view of a constant global (a model's weights) and the
// same on every call gets a cache slot of its own, a null-initialized global
// pointer: the runtime packs it once and reuses the packed copy.
// An elementwise consumer of the result of the form min(max(p + x + y, lo),
// hi) (bias, residual, ReLU/ReLU6/Clip: a conv's or a Linear's epilogue)
// is folded into the call as dlc_sgemm_epilogue, applied to each tile
// while it is in cache, and the product is written straight to the
// consumer's output: one kernel instead of two passes over memory.
//
//===----------------------------------------------------------------------===//

#include "MicrokernelUtils.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include <functional>
#include <limits>

namespace dlc {
#define GEN_PASS_DEF_DLCONTRACTIONSTOMICROKERNELS
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc::cpu;

namespace {

constexpr StringLiteral kSgemm = "dlc_sgemm_cached";
constexpr StringLiteral kSgemmEpilogue = "dlc_sgemm_epilogue";

/// The roles of a contraction's loop dims.
struct Roles {
  std::optional<unsigned> m, n, k, batch;
  SmallVector<unsigned> outer;  // parallel dims looped around the call
  SmallVector<unsigned> outerK; // reduction dims looped around the call
};

bool isF32Memref(Value v) {
  auto t = dyn_cast<MemRefType>(v.getType());
  return t && t.getElementType().isF32();
}

/// The roles of `op`'s loops, or failure with the reason.
FailureOr<Roles> classify(linalg::LinalgOp op, std::string &why) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumResults() != 0) {
    why = "not two inputs and one output buffer";
    return failure();
  }
  for (OpOperand &operand : op->getOpOperands())
    if (!isF32Memref(operand.get())) {
      why = "not f32 memrefs";
      return failure();
    }
  if (!linalg::detail::isContractionBody(
          *op.getBlock(), [](Operation *first, Operation *second) {
            return isa<arith::MulFOp>(first) && isa<arith::AddFOp>(second);
          })) {
    why = "body is not out + a * b";
    return failure();
  }
  // isContractionBody lets unary ops (meant for casts) sit between the block
  // arguments and the multiply; dlc_sgemm reads the operands as they are,
  // so a negf there (sum of -a * b) would be dropped.
  if (op.getBlock()->getOperations().size() != 3) {
    why = "body computes more than out + a * b";
    return failure();
  }
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (AffineMap map : maps)
    for (AffineExpr e : map.getResults())
      if (!isa<AffineDimExpr, AffineConstantExpr>(e)) {
        why = "an operand is indexed by a compound expression";
        return failure();
      }
  auto uses = [](AffineMap map, unsigned d) { return map.isFunctionOfDim(d); };
  Roles roles;
  auto iterators = op.getIteratorTypesArray();
  // Candidates in the output's order, innermost last.
  SmallVector<unsigned> ms, ns, batches;
  for (AffineExpr e : maps[2].getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(e);
    if (!dim) {
      why = "the output is indexed by a constant";
      return failure();
    }
    unsigned d = dim.getPosition();
    if (iterators[d] != utils::IteratorType::parallel) {
      why = "the output is indexed by a reduction dim";
      return failure();
    }
    bool inA = uses(maps[0], d), inB = uses(maps[1], d);
    (inA && !inB ? ms : !inA && inB ? ns : batches).push_back(d);
  }
  for (auto [d, it] : llvm::enumerate(iterators)) {
    if (it == utils::IteratorType::parallel) {
      if (!uses(maps[2], d)) {
        why = "a parallel dim does not index the output";
        return failure();
      }
      continue;
    }
    if (!uses(maps[0], d) || !uses(maps[1], d)) {
      why = "a reduction dim does not index both inputs";
      return failure();
    }
    // The innermost reduction runs natively, outer ones are looped.
    if (roles.k)
      roles.outerK.push_back(*roles.k);
    roles.k = d;
  }
  if (!roles.k) {
    why = "no reduction dim";
    return failure();
  }
  // One candidate of each kind runs natively, the rest are looped: the
  // innermost one that is not a static 1, preferring a static extent to a
  // dynamic one. A size-1 m (a [S, 1, D] activation: sequence-first at batch
  // 1) would make S GEMMs of one row each, every 12-row tile 11/12 wasted,
  // where the other m dim gives one GEMM of S rows.
  SmallVector<int64_t> extents = op.getStaticLoopRanges();
  auto takeLast = [&](SmallVector<unsigned> &dims,
                      std::optional<unsigned> &role) {
    if (dims.empty())
      return;
    auto rank = [&](unsigned d) {
      int64_t e = extents[d];
      return e == 1 ? 0 : ShapedType::isDynamic(e) ? 1 : 2;
    };
    unsigned best = dims.size() - 1;
    for (unsigned i = dims.size(); i-- > 0;)
      if (rank(dims[i]) > rank(dims[best]))
        best = i;
    role = dims[best];
    dims.erase(dims.begin() + best);
    roles.outer.append(dims.begin(), dims.end());
  };
  takeLast(batches, roles.batch);
  takeLast(ms, roles.m);
  takeLast(ns, roles.n);
  llvm::sort(roles.outer);
  // Without a batch dim proper, the outermost looped dim runs as the batch
  // (with a zero stride in the operand it does not index).
  if (!roles.batch && !roles.outer.empty()) {
    roles.batch = roles.outer.front();
    roles.outer.erase(roles.outer.begin());
  }
  return roles;
}

} // namespace

namespace dlc::cpu {

OperandView viewOf(OpBuilder &b, Location loc, Value buffer, AffineMap map,
                   unsigned numLoops, Value zero) {
  auto meta = memref::ExtractStridedMetadataOp::create(b, loc, buffer);
  OperandView view;
  Value base = memref::ExtractAlignedPointerAsIndexOp::create(
      b, loc, meta.getBaseBuffer());
  Value asInt = arith::IndexCastOp::create(b, loc, b.getI64Type(), base);
  view.pointer = LLVM::IntToPtrOp::create(
      b, loc, LLVM::LLVMPointerType::get(b.getContext()), asInt);
  view.offset = meta.getOffset();
  view.strides.assign(numLoops, zero);
  for (auto [pos, e] : llvm::enumerate(map.getResults())) {
    Value stride = meta.getStrides()[pos];
    if (auto dim = dyn_cast<AffineDimExpr>(e)) {
      Value &s = view.strides[dim.getPosition()];
      s = s == zero ? stride : arith::AddIOp::create(b, loc, s, stride);
      continue;
    }
    int64_t c = cast<AffineConstantExpr>(e).getValue();
    if (c != 0)
      view.offset = arith::AddIOp::create(
          b, loc, view.offset,
          arith::MulIOp::create(b, loc, stride,
                                arith::ConstantIndexOp::create(b, loc, c)));
  }
  return view;
}

/// The static strides of `buffer` (indexed by `map` from the consumer's
/// loops, which are the dims of `view`) along the contraction's loops:
/// each contraction output dim g covers the view dims `groups[g]`, whose
/// strides must be one contiguous run (or all 0) to be walked with one
/// stride; `outMap` gives the loop of each output dim.
static std::optional<SmallVector<int64_t>>
stridesAlongLoops(Value buffer, AffineMap map, ArrayRef<int64_t> viewShape,
                  ArrayRef<ReassociationIndices> groups, AffineMap outMap,
                  unsigned numLoops) {
  auto type = dyn_cast<MemRefType>(buffer.getType());
  if (!type || !type.getElementType().isF32() || !map.isProjectedPermutation())
    return std::nullopt;
  SmallVector<int64_t> strides;
  int64_t offset;
  if (failed(type.getStridesAndOffset(strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  SmallVector<int64_t> alongView(viewShape.size(), 0);
  for (auto [pos, e] : llvm::enumerate(map.getResults()))
    alongView[cast<AffineDimExpr>(e).getPosition()] = strides[pos];
  SmallVector<int64_t> alongLoops(numLoops, 0);
  for (auto [g, group] : llvm::enumerate(groups)) {
    // The non-unit dims of the group, outermost first.
    SmallVector<int64_t> dims;
    for (int64_t d : group)
      if (viewShape[d] != 1)
        dims.push_back(d);
    int64_t stride = dims.empty() ? 0 : alongView[dims.back()];
    for (size_t i = 0; i + 1 < dims.size(); ++i)
      if (alongView[dims[i]] != alongView[dims[i + 1]] * viewShape[dims[i + 1]])
        return std::nullopt;
    alongLoops[cast<AffineDimExpr>(outMap.getResult(g)).getPosition()] = stride;
  }
  return alongLoops;
}

/// The constant of `v` as a float, if it is one.
static std::optional<float> floatConstant(Value v) {
  FloatAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return static_cast<float>(attr.getValueAsDouble());
}

/// The epilogue of contraction `op` (with output buffer `c`, zero-filled
/// before it): its one reader, an all-parallel linalg.generic later in the
/// block that reads c (or an expand_shape of it) elementwise and computes
/// min(max(c + x + y, lo), hi) into its own buffer, with nothing between the
/// two that touches memory. Null when there is none.
std::optional<Epilogue> findEpilogue(linalg::LinalgOp op, Value c,
                                     Operation *fill) {
  Epilogue ep;
  Value read = c;
  SmallVector<ReassociationIndices> groups;
  for (Operation *user : c.getUsers()) {
    if (user == op || user == fill || isa<memref::DeallocOp>(user))
      continue;
    auto generic = dyn_cast<linalg::GenericOp>(user);
    auto expand = dyn_cast<memref::ExpandShapeOp>(user);
    if (expand && !ep.view && llvm::hasSingleElement(expand->getUsers())) {
      ep.view = expand;
      read = expand;
      groups = expand.getReassociationIndices();
      generic = dyn_cast<linalg::GenericOp>(*expand->getUsers().begin());
    }
    if (!generic || ep.op)
      return std::nullopt;
    ep.op = generic;
  }
  linalg::GenericOp e = ep.op;
  // dl-fuse put the consumer in another kernel.
  if (e && !dlc::dl::inSameFusionGroup(op, e))
    return std::nullopt;
  if (!e || e->getBlock() != op->getBlock() || !op->isBeforeInBlock(e) ||
      !e.hasPureBufferSemantics() || e.getNumDpsInits() != 1 ||
      e.getNumParallelLoops() != e.getNumLoops())
    return std::nullopt;
  // Run-time checks of the consumer's dims (a broadcast's) may sit between
  // the two: they move before the contraction, so they still run before
  // the epilogue reads anything.
  SmallVector<Operation *> checks;
  for (Operation *between = op->getNextNode(); between != e;
       between = between->getNextNode()) {
    if (isa<cf::AssertOp>(between)) {
      checks.push_back(between);
      continue;
    }
    if (!isMemoryEffectFree(between) &&
        !isa<memref::AllocOp, memref::DeallocOp>(between))
      return std::nullopt;
  }
  // A dynamic dim (the batch) is fine: the consumer iterates the read
  // buffer's shape, and every stride along the loops must be static
  // (stridesAlongLoops).
  auto readType = cast<MemRefType>(read.getType());
  if (groups.empty())
    for (int64_t d = 0; d < readType.getRank(); ++d)
      groups.push_back({d});
  // The consumer iterates the read view's shape; c is read in order.
  OpOperand *readOperand = nullptr;
  for (OpOperand *input : e.getDpsInputOperands())
    if (input->get() == read) {
      if (readOperand)
        return std::nullopt;
      readOperand = input;
    }
  if (!readOperand || !e.getMatchingIndexingMap(readOperand).isIdentity() ||
      e.getStaticLoopRanges() != readType.getShape())
    return std::nullopt;
  // The body: a chain from c's element through adds of other inputs, then
  // the clamp, to the yield; every block argument but the output's used once.
  Block &body = e.getRegion().front();
  Value v = e.getMatchingBlockArgument(readOperand);
  bool clamped = false;
  SmallVector<OpOperand *> addendOperands;
  auto ops =
      llvm::to_vector(llvm::make_pointer_range(body.without_terminator()));
  for (size_t i = 0; i < ops.size(); ++i) {
    Operation &o = *ops[i];
    if (o.getNumResults() != 1 || o.getNumOperands() != 2 ||
        !llvm::is_contained(o.getOperands(), v))
      return std::nullopt;
    Value other = o.getOperand(0) == v ? o.getOperand(1) : o.getOperand(0);
    std::optional<float> constant = floatConstant(other);
    // A clamp spelled select(cmpf(ugt|ult, v, c), v, c), NaN propagated
    // as by maximumf / minimumf.
    if (auto cmp = dyn_cast<arith::CmpFOp>(o)) {
      auto select = i + 1 < ops.size() ? dyn_cast<arith::SelectOp>(ops[i + 1])
                                       : arith::SelectOp();
      auto pred = cmp.getPredicate();
      bool isMax = pred == arith::CmpFPredicate::UGT ||
                   pred == arith::CmpFPredicate::UGE;
      bool isMin = pred == arith::CmpFPredicate::ULT ||
                   pred == arith::CmpFPredicate::ULE;
      if (!select || !constant || cmp.getLhs() != v ||
          select.getCondition() != cmp.getResult() ||
          select.getTrueValue() != v || select.getFalseValue() != other ||
          !cmp->hasOneUse() || !(isMax || isMin) ||
          llvm::range_size(v.getUses()) != 2)
        return std::nullopt;
      if (isMax)
        ep.lo = std::max(ep.lo, *constant);
      else
        ep.hi = std::min(ep.hi, *constant);
      clamped = true;
      v = select.getResult();
      ++i;
      continue;
    }
    if (!v.hasOneUse())
      return std::nullopt;
    if (isa<arith::AddFOp>(o) && constant && *constant == 0.0f) {
      // + 0 (a zero bias folded to a constant) changes nothing.
    } else if (isa<arith::AddFOp>(o)) {
      auto arg = dyn_cast<BlockArgument>(other);
      if (clamped || !arg || arg.getOwner() != &body || !arg.hasOneUse() ||
          arg.getArgNumber() >= e.getNumDpsInputs() ||
          addendOperands.size() == 2)
        return std::nullopt;
      addendOperands.push_back(e.getDpsInputOperand(arg.getArgNumber()));
    } else if (isa<arith::MaximumFOp>(o) && constant) {
      ep.lo = std::max(ep.lo, *constant);
      clamped = true;
    } else if (isa<arith::MinimumFOp>(o) && constant) {
      ep.hi = std::min(ep.hi, *constant);
      clamped = true;
    } else {
      return std::nullopt;
    }
    v = o.getResult(0);
  }
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getNumOperands() != 1 || yield.getOperand(0) != v ||
      !(ep.lo <= ep.hi) ||
      static_cast<int64_t>(addendOperands.size()) + 1 != e.getNumDpsInputs() ||
      !e.getMatchingBlockArgument(e.getDpsInitOperand(0)).use_empty())
    return std::nullopt;
  // Strides along the contraction's loops, static.
  AffineMap outMap = op.getIndexingMapsArray()[2];
  unsigned numLoops = op.getNumLoops();
  ArrayRef<int64_t> shape = readType.getShape();
  OpOperand *init = e.getDpsInitOperand(0);
  auto destStrides =
      stridesAlongLoops(init->get(), e.getMatchingIndexingMap(init), shape,
                        groups, outMap, numLoops);
  if (!destStrides || !e.getMatchingIndexingMap(init).isIdentity())
    return std::nullopt;
  ep.dest = init->get();
  ep.destStrides = *destStrides;
  for (OpOperand *addend : addendOperands) {
    // An addend that is the destination would be overwritten by the
    // product before the epilogue reads it.
    if (memref::skipViewLikeOps(cast<MemrefValue>(addend->get())) ==
        memref::skipViewLikeOps(cast<MemrefValue>(ep.dest)))
      return std::nullopt;
    auto strides =
        stridesAlongLoops(addend->get(), e.getMatchingIndexingMap(addend),
                          shape, groups, outMap, numLoops);
    if (!strides)
      return std::nullopt;
    ep.addends.push_back({addend->get(), *strides});
  }
  // The call stays where the contraction is: the destination and the
  // addends must exist there. Ops between the two that define them (the
  // destination's alloc, views) move up when they are pure or allocs
  // whose operands are defined before the contraction. The destination
  // must not alias the contraction's inputs.
  std::function<bool(Value, SmallVectorImpl<Operation *> &)> hoistable =
      [&](Value value, SmallVectorImpl<Operation *> &moves) {
        Operation *def = value.getDefiningOp();
        if (!def || def->getBlock() != op->getBlock() ||
            def->isBeforeInBlock(op))
          return true;
        if (!e->isAncestor(def) && !def->isBeforeInBlock(e))
          return false;
        if (!isMemoryEffectFree(def) && !isa<memref::AllocOp>(def))
          return false;
        if (def->getNumRegions() != 0)
          return false;
        for (Value operand : def->getOperands())
          if (!hoistable(operand, moves))
            return false;
        if (!llvm::is_contained(moves, def))
          moves.push_back(def);
        return true;
      };
  SmallVector<Operation *> moves;
  if (!hoistable(ep.dest, moves))
    return std::nullopt;
  for (auto &addend : ep.addends)
    if (!hoistable(addend.first, moves))
      return std::nullopt;
  for (Operation *check : checks)
    if (!hoistable(check->getOperand(0), moves))
      return std::nullopt;
  Value destRoot = memref::skipViewLikeOps(cast<MemrefValue>(ep.dest));
  for (Value input : op.getDpsInputs())
    if (memref::skipViewLikeOps(cast<MemrefValue>(input)) == destRoot)
      return std::nullopt;
  for (Operation *move : moves)
    move->moveBefore(op);
  for (Operation *check : checks)
    check->moveBefore(op);
  return ep;
}

/// A zero fill of `buffer` right before `op` (a linalg.fill, or the
/// linalg.generic linalg-generalize-named-ops makes of one), or null.
Operation *zeroFillBefore(Operation *op, Value buffer) {
  Operation *prev = op->getPrevNode();
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(prev)) {
    if (!fill.hasPureBufferSemantics() || fill.getOutputs()[0] != buffer)
      return nullptr;
    return matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) ? prev : nullptr;
  }
  auto generic = dyn_cast_or_null<linalg::GenericOp>(prev);
  if (!generic || !generic.hasPureBufferSemantics() ||
      generic.getNumDpsInputs() != 0 || generic.getNumDpsInits() != 1 ||
      generic.getDpsInits()[0] != buffer ||
      !generic.getIndexingMapsArray()[0].isIdentity() ||
      generic.getNumParallelLoops() != generic.getNumLoops())
    return nullptr;
  auto yield = cast<linalg::YieldOp>(generic.getBody()->getTerminator());
  if (generic.getBody()->getOperations().size() != 1 ||
      !matchPattern(yield.getOperand(0), m_AnyZeroFloat()))
    return nullptr;
  return prev;
}

func::FuncOp declareRuntimeFunction(ModuleOp module, StringRef name,
                                    ArrayRef<Type> args) {
  if (auto f = module.lookupSymbol<func::FuncOp>(name))
    return f;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  auto f = func::FuncOp::create(b, module.getLoc(), name,
                                b.getFunctionType(args, {}));
  f.setPrivate();
  return f;
}

bool isRuntimeKernelCall(Operation *op) {
  auto call = dyn_cast<func::CallOp>(op);
  if (!call)
    return false;
  StringRef callee = call.getCallee();
  return (callee.starts_with("dlc_") && callee.contains("gemm")) ||
         llvm::is_contained<StringRef>(
             {"dlc_dwconv2d", "dlc_sconv2d", "dlc_qconv2d", "dlc_maxpool2d",
              "dlc_maxpool2d_i8", "dlc_maxpool2d_grad", "dlc_sconv2d_wgrad",
              "dlc_attention", "dlc_attention4"},
             callee);
}

void eraseIfOnlyFreed(Value buffer) {
  auto alloc = buffer.getDefiningOp<memref::AllocOp>();
  if (!alloc ||
      !llvm::all_of(alloc->getUsers(), llvm::IsaPred<memref::DeallocOp>))
    return;
  for (Operation *user : llvm::make_early_inc_range(alloc->getUsers()))
    user->erase();
  alloc->erase();
}

/// Whether `buffer` is a view of a constant memref.global.
bool isConstantGlobal(Value buffer, SymbolTableCollection &symbols) {
  while (Operation *def = buffer.getDefiningOp()) {
    if (auto get = dyn_cast<memref::GetGlobalOp>(def)) {
      auto global = symbols.lookupNearestSymbolFrom<memref::GlobalOp>(
          get, get.getNameAttr());
      return global && global.getConstant();
    }
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      return false;
    buffer = view.getViewSource();
  }
  return false;
}

/// The address of a fresh null-initialized pointer global: a cache slot.
Value cacheSlot(OpBuilder &b, Location loc, ModuleOp module,
                SymbolTable &table) {
  OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
  auto ptr = LLVM::LLVMPointerType::get(b.getContext());
  auto global = LLVM::GlobalOp::create(mb, loc, ptr, /*isConstant=*/false,
                                       LLVM::Linkage::Internal,
                                       "__dlc_packed_operand", Attribute());
  table.insert(global); // renames it if the name is taken
  Block *init = mb.createBlock(&global.getInitializerRegion());
  mb.setInsertionPointToStart(init);
  LLVM::ReturnOp::create(mb, loc, LLVM::ZeroOp::create(mb, loc, ptr));
  return LLVM::AddressOfOp::create(b, loc, global);
}

} // namespace dlc::cpu

namespace {

func::FuncOp declareSgemm(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type idx = IndexType::get(ctx), ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> args = {idx, idx, idx, idx};
  for (int i = 0; i < 3; ++i)
    args.append({ptr, idx, idx, idx, idx});
  args.append({IntegerType::get(ctx, 32), ptr, ptr});
  return declareRuntimeFunction(module, kSgemm, args);
}

func::FuncOp declareSgemmEpilogue(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type idx = IndexType::get(ctx), ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> args(declareSgemm(module).getFunctionType().getInputs());
  for (int i = 0; i < 2; ++i)
    args.append({ptr, idx, idx, idx, idx});
  args.append({Float32Type::get(ctx), Float32Type::get(ctx)});
  return declareRuntimeFunction(module, kSgemmEpilogue, args);
}

void lowerToCall(linalg::LinalgOp op, const Roles &roles,
                 SymbolTableCollection &symbols, SymbolTable &table) {
  Location loc = op.getLoc();
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value c = op.getDpsInits()[0];
  auto module = op->getParentOfType<ModuleOp>();
  int32_t accumulate = 1;
  Operation *fill = zeroFillBefore(op, c);
  // An epilogue needs the whole product in one call: no accumulation into
  // c's old value, no reduction looped around the call.
  std::optional<Epilogue> ep;
  if (fill && roles.outerK.empty())
    ep = findEpilogue(op, c, fill);
  if (fill) {
    fill->erase();
    accumulate = 0;
  }
  OpBuilder b(op);
  SmallVector<Range> ranges = op.createLoopRanges(b, loc);
  SmallVector<Value> extents;
  for (Range r : ranges)
    extents.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<OperandView> views;
  for (OpOperand &operand : op->getOpOperands()) {
    if (ep && operand.getOperandNumber() == 2)
      break; // the epilogue's destination instead (below)
    views.push_back(viewOf(b, loc, operand.get(),
                           maps[operand.getOperandNumber()], numLoops, zero));
  }
  // A buffer with static strides along the loops (the epilogue's).
  auto staticView = [&](Value buffer, ArrayRef<int64_t> strides) {
    OperandView v =
        viewOf(b, loc, buffer, AffineMap::get(b.getContext()), numLoops, zero);
    for (auto [d, stride] : llvm::enumerate(strides))
      v.strides[d] = arith::ConstantIndexOp::create(b, loc, stride);
    return v;
  };
  if (ep) {
    views.push_back(staticView(ep->dest, ep->destStrides));
    for (auto &[buffer, strides] : ep->addends)
      views.push_back(staticView(buffer, strides));
  }
  Value one = arith::ConstantIndexOp::create(b, loc, 1);
  // Loops over the outer dims, each moving every operand's offset. Past
  // the first iteration of a looped reduction, the call accumulates.
  Value accumulateFlag;
  SmallVector<unsigned> looped = roles.outer;
  looped.append(roles.outerK.begin(), roles.outerK.end());
  for (unsigned d : looped) {
    auto loop = scf::ForOp::create(b, loc, zero, extents[d], one);
    b.setInsertionPointToStart(loop.getBody());
    Value iv = loop.getInductionVar();
    for (OperandView &v : views)
      v.offset = arith::AddIOp::create(
          b, loc, v.offset, arith::MulIOp::create(b, loc, iv, v.strides[d]));
    if (accumulate || !llvm::is_contained(roles.outerK, d))
      continue;
    Value later =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, iv, zero);
    accumulateFlag = accumulateFlag
                         ? arith::OrIOp::create(b, loc, accumulateFlag, later)
                         : later;
  }
  auto extent = [&](std::optional<unsigned> d) {
    return d ? extents[*d] : one;
  };
  auto stride = [&](const OperandView &v, std::optional<unsigned> d) {
    return d ? v.strides[*d] : zero;
  };
  SmallVector<Value> args = {extent(roles.batch), extent(roles.m),
                             extent(roles.n), extent(roles.k)};
  // A: batch, m, k; B: batch, k, n; C: batch, m, n.
  std::optional<unsigned> rowCol[3][2] = {
      {roles.m, roles.k}, {roles.k, roles.n}, {roles.m, roles.n}};
  auto appendView = [&](const OperandView &v, std::optional<unsigned> row,
                        std::optional<unsigned> col) {
    args.append({v.pointer, v.offset, stride(v, roles.batch), stride(v, row),
                 stride(v, col)});
  };
  for (unsigned i = 0; i < 3; ++i)
    appendView(views[i], rowCol[i][0], rowCol[i][1]);
  args.push_back(
      accumulateFlag
          ? Value(
                arith::ExtUIOp::create(b, loc, b.getI32Type(), accumulateFlag))
          : Value(arith::ConstantIntOp::create(b, loc, accumulate, 32)));
  // A and B: a cache slot when the operand is constant and the same for
  // every call (no looped or batch dim moves it).
  Value null =
      LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(b.getContext()));
  for (unsigned i = 0; i < 2; ++i) {
    bool fixed = !roles.batch || !maps[i].isFunctionOfDim(*roles.batch);
    for (unsigned d : looped)
      fixed &= !maps[i].isFunctionOfDim(d);
    args.push_back(fixed && isConstantGlobal(op->getOperand(i), symbols)
                       ? cacheSlot(b, loc, module, table)
                       : null);
  }
  if (!ep) {
    func::CallOp::create(b, loc, declareSgemm(module), args);
    op->erase();
    return;
  }
  // The addends (absent ones null), then the clamp's bounds.
  for (unsigned i = 0; i < 2; ++i) {
    if (3 + i < views.size()) {
      appendView(views[3 + i], roles.m, roles.n);
      continue;
    }
    args.append({null, zero, zero, zero, zero});
  }
  args.push_back(
      arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(ep->lo)));
  args.push_back(
      arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(ep->hi)));
  // The call computes the consumer's nodes too (dl-report-kernels).
  SmallVector<Location> locs{loc};
  ep->op->walk([&](Operation *inner) { locs.push_back(inner->getLoc()); });
  func::CallOp::create(b, b.getFusedLoc(locs), declareSgemmEpilogue(module),
                       args);
  ep->op->erase();
  op->erase();
  // The product's buffer is dead: its view, its deallocs, itself.
  if (ep->view)
    ep->view.getDefiningOp()->erase();
  eraseIfOnlyFreed(c);
}

struct ContractionsToMicrokernelsPass
    : public dlc::impl::DLContractionsToMicrokernelsBase<
          ContractionsToMicrokernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<std::pair<linalg::LinalgOp, Roles>> matches;
    module.walk([&](linalg::LinalgOp op) {
      std::string why;
      FailureOr<Roles> roles = classify(op, why);
      if (succeeded(roles)) {
        // Outputs that alias an input would be read after being written.
        Value c = op.getDpsInits()[0];
        if (c == op.getDpsInputs()[0] || c == op.getDpsInputs()[1])
          return;
        matches.emplace_back(op, *roles);
      }
    });
    if (matches.empty())
      return;
    SymbolTableCollection symbols;
    SymbolTable table(module);
    for (auto &[op, roles] : matches)
      lowerToCall(op, roles, symbols, table);
  }
};

} // namespace
