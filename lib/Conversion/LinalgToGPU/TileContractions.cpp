//===- TileContractions.cpp - matmuls in shared-memory tiles --------------===//
//
// dl-gpu-tile-contractions: a matmul-like contraction as blocks of 32 x 32
// outputs, the operands' 32 x 32 tiles staged through shared memory, each
// thread accumulating a 2 x 2 register tile (see GPUPasses.td). Expressed as
// phases of the block's threads (dl.gpu.threads loops), which
// dl-gpu-launch-phases turns into one gpu.launch with barriers and the host
// (--gpu-emulate) runs in order.
//
//===----------------------------------------------------------------------===//

#include "mlir/Dialect/Affine/IR/AffineOps.h"

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/ParallelLoopMapper.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"

namespace dlc {
#define GEN_PASS_DEF_DLGPUTILECONTRACTIONS
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kThreadsAttr = "dl.gpu.threads";
constexpr llvm::StringLiteral kPrivateAttr = "dl.gpu.private";

/// The tile: kTile x kTile outputs per block, kTile-deep slices of the
/// contraction, kThreads threads of kReg x kReg outputs each.
constexpr int64_t kTile = 32, kThreads = 256, kReg = 2, kThreadCols = 16;

struct TileContractionsPass
    : public dlc::impl::DLGPUTileContractionsBase<TileContractionsPass> {
  using DLGPUTileContractionsBase::DLGPUTileContractionsBase;

  void rewrite(linalg::LinalgOp op, const linalg::ContractionDimensions &dims,
               ArrayRef<int64_t> ranges) {
    MLIRContext *ctx = &getContext();
    Location loc = op.getLoc();
    OpBuilder b(op);
    unsigned mDim = dims.m[0], nDim = dims.n[0], kDim = dims.k[0];
    std::optional<unsigned> batchDim;
    if (!dims.batch.empty())
      batchDim = dims.batch[0];
    int64_t m = ranges[mDim], n = ranges[nDim], k = ranges[kDim];
    int64_t batch = batchDim ? ranges[*batchDim] : 1;
    int64_t tilesM = llvm::divideCeil(m, kTile),
            tilesN = llvm::divideCeil(n, kTile);

    OpOperand *lhs = op.getDpsInputOperand(0), *rhs = op.getDpsInputOperand(1);
    OpOperand *init = op.getDpsInitOperand(0);
    Block *body = op.getBlock();
    BlockArgument lhsArg = op.getMatchingBlockArgument(lhs),
                  rhsArg = op.getMatchingBlockArgument(rhs),
                  accArg = op.getMatchingBlockArgument(init);
    Type lhsType = lhsArg.getType(), rhsType = rhsArg.getType(),
         accType = accArg.getType();

    auto cst = [&](OpBuilder &cb, int64_t v) -> Value {
      return arith::ConstantIndexOp::create(cb, loc, v);
    };
    auto add = [&](OpBuilder &cb, Value x, Value y) -> Value {
      return arith::AddIOp::create(cb, loc, x, y);
    };
    auto mul = [&](OpBuilder &cb, Value x, int64_t c) -> Value {
      return arith::MulIOp::create(cb, loc, x, cst(cb, c));
    };
    // The indices of `operand` where the loop dims are `ivs` (others 0).
    auto indicesOf = [&](OpBuilder &ib, OpOperand *operand,
                         SmallVector<Value> ivs) {
      AffineMap map = op.getMatchingIndexingMap(operand);
      for (Value &v : ivs)
        if (!v)
          v = cst(ib, 0);
      SmallVector<Value> indices;
      for (AffineExpr e : map.getResults())
        indices.push_back(affine::AffineApplyOp::create(
            ib, loc, AffineMap::get(map.getNumDims(), 0, e), ivs));
      return indices;
    };
    auto phase = [&](OpBuilder &pb, function_ref<void(OpBuilder &, Value)> fn) {
      auto loop = scf::ForOp::create(pb, loc, cst(pb, 0), cst(pb, kThreads),
                                     cst(pb, 1));
      loop->setAttr(kThreadsAttr, UnitAttr::get(ctx));
      OpBuilder lb = OpBuilder::atBlockBegin(loop.getBody());
      fn(lb, loop.getInductionVar());
    };
    // for i in 0..n-1 (a constant loop the back end unrolls).
    auto times = [&](OpBuilder &tb, int64_t count,
                     function_ref<void(OpBuilder &, Value)> fn) {
      auto loop =
          scf::ForOp::create(tb, loc, cst(tb, 0), cst(tb, count), cst(tb, 1));
      OpBuilder lb = OpBuilder::atBlockBegin(loop.getBody());
      fn(lb, loop.getInductionVar());
    };

    auto blockLoop = scf::ParallelOp::create(
        b, loc, ValueRange{cst(b, 0)},
        ValueRange{cst(b, batch * tilesM * tilesN)}, ValueRange{cst(b, 1)});
    AffineMap id = AffineMap::getMultiDimIdentityMap(1, ctx);
    (void)gpu::setMappingAttr(blockLoop,
                              {gpu::ParallelLoopDimMappingAttr::get(
                                  ctx, gpu::Processor::BlockX, id, id)});
    OpBuilder bb = OpBuilder::atBlockBegin(blockLoop.getBody());
    // Block -> (batch, tile row, tile column), the column fastest.
    Value blockId = blockLoop.getInductionVars()[0];
    Value tileN = arith::RemUIOp::create(bb, loc, blockId, cst(bb, tilesN));
    Value rest = arith::DivUIOp::create(bb, loc, blockId, cst(bb, tilesN));
    Value tileM = arith::RemUIOp::create(bb, loc, rest, cst(bb, tilesM));
    Value batchIv = arith::DivUIOp::create(bb, loc, rest, cst(bb, tilesM));
    Value rowBase = mul(bb, tileM, kTile), colBase = mul(bb, tileN, kTile);

    Attribute shared;
    if (workgroupMemory)
      shared = gpu::AddressSpaceAttr::get(ctx, gpu::AddressSpace::Workgroup);
    // Shared memory and registers on the GPU; on the host heap buffers per
    // block, freed at its end.
    SmallVector<Value> scratch;
    auto allocate = [&](MemRefType type) -> Value {
      if (workgroupMemory)
        return memref::AllocaOp::create(bb, loc, type);
      scratch.push_back(memref::AllocOp::create(bb, loc, type));
      return scratch.back();
    };
    Value lhsTile =
        allocate(MemRefType::get({kTile, kTile}, lhsType, AffineMap(), shared));
    Value rhsTile =
        allocate(MemRefType::get({kTile, kTile}, rhsType, AffineMap(), shared));
    // Each thread's accumulators, indexed by the thread first: registers on
    // the GPU (dl-gpu-launch-phases drops the thread index).
    Value acc = allocate(MemRefType::get({kThreads, kReg, kReg}, accType));
    acc.getDefiningOp()->setAttr(kPrivateAttr, UnitAttr::get(ctx));

    auto fullIvs = [&](Value mIv, Value nIv, Value kIv) {
      SmallVector<Value> ivs(ranges.size());
      ivs[mDim] = mIv;
      ivs[nDim] = nIv;
      ivs[kDim] = kIv;
      if (batchDim)
        ivs[*batchDim] = batchIv;
      return ivs;
    };
    // The thread's place: column tx (consecutive threads, consecutive
    // columns), row ty; its outputs are rows ty + 16 i, columns tx + 16 j.
    auto place = [&](OpBuilder &tb, Value t) {
      return std::pair<Value, Value>(
          arith::DivUIOp::create(tb, loc, t, cst(tb, kThreadCols)),
          arith::RemUIOp::create(tb, loc, t, cst(tb, kThreadCols)));
    };

    Attribute zeroAttr = isa<FloatType>(accType)
                             ? Attribute(FloatAttr::get(accType, 0.0))
                             : Attribute(IntegerAttr::get(accType, 0));
    phase(bb, [&](OpBuilder &tb, Value t) {
      Value zero =
          arith::ConstantOp::create(tb, loc, cast<TypedAttr>(zeroAttr));
      times(tb, kReg, [&](OpBuilder &ib, Value i) {
        times(ib, kReg, [&](OpBuilder &jb, Value j) {
          memref::StoreOp::create(jb, loc, zero, acc, ValueRange{t, i, j});
        });
      });
    });

    auto depth =
        scf::ForOp::create(bb, loc, cst(bb, 0), cst(bb, k), cst(bb, kTile));
    OpBuilder kb = OpBuilder::atBlockBegin(depth.getBody());
    Value k0 = depth.getInductionVar();
    // Stage both tiles (zeros outside the operands), coalesced: consecutive
    // threads load consecutive elements of a tile row.
    phase(kb, [&](OpBuilder &tb, Value t) {
      times(tb, kTile * kTile / kThreads, [&](OpBuilder &eb, Value e) {
        Value linear = add(eb, t, mul(eb, e, kThreads));
        Value row = arith::DivUIOp::create(eb, loc, linear, cst(eb, kTile));
        Value col = arith::RemUIOp::create(eb, loc, linear, cst(eb, kTile));
        auto stage = [&](OpOperand *operand, Value tile, Type type, Value mIv,
                         Value nIv, Value kIv, Value inBounds) {
          auto guarded = scf::IfOp::create(eb, loc, TypeRange{type}, inBounds,
                                           /*withElseRegion=*/true);
          OpBuilder thenB = guarded.getThenBodyBuilder();
          Value v = memref::LoadOp::create(
              thenB, loc, operand->get(),
              indicesOf(thenB, operand, fullIvs(mIv, nIv, kIv)));
          scf::YieldOp::create(thenB, loc, v);
          OpBuilder elseB = guarded.getElseBodyBuilder();
          Attribute z = isa<FloatType>(type)
                            ? Attribute(FloatAttr::get(type, 0.0))
                            : Attribute(IntegerAttr::get(type, 0));
          scf::YieldOp::create(elseB, loc,
                               ValueRange{arith::ConstantOp::create(
                                              elseB, loc, cast<TypedAttr>(z))
                                              .getResult()});
          memref::StoreOp::create(eb, loc, guarded.getResult(0), tile,
                                  ValueRange{row, col});
        };
        auto lt = [&](Value x, int64_t bound) -> Value {
          return arith::CmpIOp::create(eb, loc, arith::CmpIPredicate::ult, x,
                                       cst(eb, bound));
        };
        // lhs tile: rows m, columns k; rhs tile: rows k, columns n.
        Value lm = add(eb, rowBase, row), lk = add(eb, k0, col);
        stage(lhs, lhsTile, lhsType, lm, Value(), lk,
              arith::AndIOp::create(eb, loc, lt(lm, m), lt(lk, k)));
        Value rk = add(eb, k0, row), rn = add(eb, colBase, col);
        stage(rhs, rhsTile, rhsType, Value(), rn, rk,
              arith::AndIOp::create(eb, loc, lt(rk, k), lt(rn, n)));
      });
    });
    // Multiply the tiles into the accumulators (the op's own body: its
    // casts, its multiply and add).
    phase(kb, [&](OpBuilder &tb, Value t) {
      auto [ty, tx] = place(tb, t);
      times(tb, kTile, [&](OpBuilder &db, Value kk) {
        times(db, kReg, [&](OpBuilder &ib, Value i) {
          Value row = add(ib, ty, mul(ib, i, kTile / kReg));
          Value a =
              memref::LoadOp::create(ib, loc, lhsTile, ValueRange{row, kk});
          times(ib, kReg, [&](OpBuilder &jb, Value j) {
            Value col = add(jb, tx, mul(jb, j, kThreadCols));
            Value bv =
                memref::LoadOp::create(jb, loc, rhsTile, ValueRange{kk, col});
            Value c = memref::LoadOp::create(jb, loc, acc, ValueRange{t, i, j});
            IRMapping map;
            map.map(lhsArg, a);
            map.map(rhsArg, bv);
            map.map(accArg, c);
            for (Operation &inner : body->without_terminator())
              jb.clone(inner, map);
            Value next =
                map.lookupOrDefault(body->getTerminator()->getOperand(0));
            memref::StoreOp::create(jb, loc, next, acc, ValueRange{t, i, j});
          });
        });
      });
    });
    // The results: out = out + acc, inside the bounds.
    phase(bb, [&](OpBuilder &tb, Value t) {
      auto [ty, tx] = place(tb, t);
      times(tb, kReg, [&](OpBuilder &ib, Value i) {
        Value row = add(ib, rowBase, add(ib, ty, mul(ib, i, kTile / kReg)));
        times(ib, kReg, [&](OpBuilder &jb, Value j) {
          Value col = add(jb, colBase, add(jb, tx, mul(jb, j, kThreadCols)));
          Value inside = arith::AndIOp::create(
              jb, loc,
              arith::CmpIOp::create(jb, loc, arith::CmpIPredicate::ult, row,
                                    cst(jb, m)),
              arith::CmpIOp::create(jb, loc, arith::CmpIPredicate::ult, col,
                                    cst(jb, n)));
          auto guard = scf::IfOp::create(jb, loc, inside, false);
          OpBuilder gb = OpBuilder::atBlockBegin(guard.thenBlock());
          SmallVector<Value> outIdx =
              indicesOf(gb, init, fullIvs(row, col, {}));
          Value old = memref::LoadOp::create(gb, loc, init->get(), outIdx);
          Value sum = memref::LoadOp::create(gb, loc, acc, ValueRange{t, i, j});
          Value result = isa<FloatType>(accType)
                             ? Value(arith::AddFOp::create(gb, loc, old, sum))
                             : Value(arith::AddIOp::create(gb, loc, old, sum));
          memref::StoreOp::create(gb, loc, result, init->get(), outIdx);
        });
      });
    });
    for (Value buffer : scratch)
      memref::DeallocOp::create(bb, loc, buffer);
    op->erase();
  }

  /// Whether `op`'s body is out += f(lhs, rhs) with an add (as a matmul's).
  static bool isMultiplyAccumulate(linalg::LinalgOp op) {
    Block *body = op.getBlock();
    auto yield = cast<linalg::YieldOp>(body->getTerminator());
    if (yield.getNumOperands() != 1)
      return false;
    Operation *sum = yield.getOperand(0).getDefiningOp();
    if (!isa_and_nonnull<arith::AddFOp, arith::AddIOp>(sum))
      return false;
    BlockArgument acc = op.getRegionOutputArgs()[0];
    if (!acc.hasOneUse() || acc.getUses().begin()->getOwner() != sum)
      return false;
    return llvm::all_of(body->getOperations(),
                        [](Operation &o) { return o.getNumRegions() == 0; });
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    SmallVector<std::pair<linalg::LinalgOp, linalg::ContractionDimensions>>
        candidates;
    for (Block &block : func.getBody())
      for (Operation &o : block) {
        auto op = dyn_cast<linalg::LinalgOp>(o);
        if (!op || !op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
            op.getNumDpsInits() != 1 || op->getNumResults())
          continue;
        FailureOr<linalg::ContractionDimensions> dims =
            linalg::inferContractionDims(op);
        if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
            dims->k.size() != 1 || dims->batch.size() > 1 ||
            op.getNumLoops() != 3 + dims->batch.size() ||
            !isMultiplyAccumulate(op))
          continue;
        SmallVector<int64_t> ranges = op.getStaticLoopRanges();
        if (llvm::any_of(ranges, ShapedType::isDynamic))
          continue;
        // Small outputs are better as block reductions (a row times a
        // matrix) or the generic schedule.
        if (ranges[dims->m[0]] < minSize || ranges[dims->n[0]] < minSize ||
            ranges[dims->k[0]] < minSize)
          continue;
        candidates.push_back({op, *dims});
      }
    for (auto &[op, dims] : candidates)
      rewrite(op, dims, op.getStaticLoopRanges());
  }
};

} // namespace
