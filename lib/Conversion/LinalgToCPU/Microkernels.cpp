//===- Microkernels.cpp - f32 contractions as dlc_sgemm calls -------------===//
//
// Every linalg op on buffers that is an f32 contraction (a body computing
// out + a * b, one reduction loop, operands indexed by loop dims or
// constants) becomes a call to the runtime's dlc_sgemm
// (runtime/src/cpu/gemm.c): a packed, cache- and register-blocked,
// threaded microkernel for the CPU it runs on. The loop dims are classified
// from the indexing maps: k is the reduction; a parallel dim only in A and
// C is an m, only in B and C an n; any other parallel dim is a batch dim
// (where there is none, a second m or n dim takes its place).
// Each operand's strides along m, n, k and one batch dim are read from its
// strided layout at run time, so transposed, broadcast and strided operands
// need no copies. Further m, n or batch dims, and reduction dims but the
// innermost, become scf.for loops around the call. A zero linalg.fill of the
// output just before the contraction is folded into the call (accumulate = 0).
// An operand that is a view of a constant global (a model's weights) and the
// same on every call gets a cache slot of its own, a null-initialized global
// pointer: the runtime packs it once and reuses the packed copy.
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace dlc {
#define GEN_PASS_DEF_DLCONTRACTIONSTOMICROKERNELS
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

constexpr StringLiteral kSgemm = "dlc_sgemm_cached";

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
  // The innermost candidate of each kind runs natively, the rest are looped.
  auto takeLast = [&](SmallVector<unsigned> &dims,
                      std::optional<unsigned> &role) {
    if (dims.empty())
      return;
    role = dims.pop_back_val();
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

/// One operand as dlc_sgemm takes it: an aligned base pointer, an element
/// offset and a stride for every loop dim.
struct OperandView {
  Value pointer, offset;
  SmallVector<Value> strides; // per loop dim
};

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

/// A zero fill of `buffer` right before `op`, or null.
linalg::FillOp zeroFillBefore(Operation *op, Value buffer) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op->getPrevNode());
  if (!fill || !fill.hasPureBufferSemantics() || fill.getOutputs()[0] != buffer)
    return nullptr;
  return matchPattern(fill.getInputs()[0], m_AnyZeroFloat()) ? fill : nullptr;
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

func::FuncOp declareSgemm(ModuleOp module) {
  if (auto f = module.lookupSymbol<func::FuncOp>(kSgemm))
    return f;
  OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
  MLIRContext *ctx = module.getContext();
  Type idx = b.getIndexType(), ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> args = {idx, idx, idx, idx};
  for (int i = 0; i < 3; ++i)
    args.append({ptr, idx, idx, idx, idx});
  args.append({b.getI32Type(), ptr, ptr});
  auto f = func::FuncOp::create(b, module.getLoc(), kSgemm,
                                b.getFunctionType(args, {}));
  f.setPrivate();
  return f;
}

void lowerToCall(linalg::LinalgOp op, const Roles &roles, func::FuncOp callee,
                 SymbolTableCollection &symbols, SymbolTable &table) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  unsigned numLoops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  Value c = op.getDpsInits()[0];
  int32_t accumulate = 1;
  if (linalg::FillOp fill = zeroFillBefore(op, c)) {
    fill.erase();
    accumulate = 0;
  }
  SmallVector<Range> ranges = op.createLoopRanges(b, loc);
  SmallVector<Value> extents;
  for (Range r : ranges)
    extents.push_back(getValueOrCreateConstantIndexOp(b, loc, r.size));
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  SmallVector<OperandView> views;
  for (OpOperand &operand : op->getOpOperands())
    views.push_back(viewOf(b, loc, operand.get(),
                           maps[operand.getOperandNumber()], numLoops, zero));
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
  for (auto [i, v] : llvm::enumerate(views))
    args.append({v.pointer, v.offset, stride(v, roles.batch),
                 stride(v, rowCol[i][0]), stride(v, rowCol[i][1])});
  args.push_back(
      accumulateFlag
          ? Value(
                arith::ExtUIOp::create(b, loc, b.getI32Type(), accumulateFlag))
          : Value(arith::ConstantIntOp::create(b, loc, accumulate, 32)));
  // A and B: a cache slot when the operand is constant and the same for
  // every call (no looped or batch dim moves it).
  auto module = op->getParentOfType<ModuleOp>();
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
  func::CallOp::create(b, loc, callee, args);
  op->erase();
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
    func::FuncOp callee = declareSgemm(module);
    SymbolTableCollection symbols;
    SymbolTable table(module);
    for (auto &[op, roles] : matches)
      lowerToCall(op, roles, callee, symbols, table);
  }
};

} // namespace
