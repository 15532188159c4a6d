//===- Int8GemmVNNI.cpp - packed int8 GEMMs on AVX-512 VNNI ---------------===//
//
// The generic that dl-to-linalg marks dl.packed_u8s8_gemm computes
//   C[m, nb, ni] += sum_{kb, ki} A[m, 4 kb + ki] * Bp[nb, kb, ni, ki]
// with A u8 [M, Kp] and Bp s8 [NB, KB, 16, 4], the weights packed at compile
// time. 64 bytes of Bp (16 columns x 4 k values) are one zmm register, and
// vpdpbusd multiplies them with 4 bytes of A broadcast to the 16 lanes,
// summing each lane's 4 products into its i32: 64 multiply-adds per
// instruction. Register tiles of 8 rows x 32 columns (16 accumulators, 2
// weight registers, A broadcast from memory) cover the output, with 1-row
// and 16-column tiles at the edges; the column-block pairs are an
// scf.parallel (threads when the pipeline has them).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/Int8Passes.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

namespace dlc {
#define GEN_PASS_DEF_DLINT8GEMMTOVNNI
#include "dlc/Conversion/Passes.h.inc"
#define GEN_PASS_DEF_DLINT8GEMMTOVECTORS
#include "dlc/Conversion/Int8Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

constexpr StringLiteral kPackedGemmAttr = "dl.packed_u8s8_gemm";
constexpr int64_t kRows = 8; // rows of A per register tile

/// Whether the innermost dim of `t` has unit stride.
bool unitInnerStride(MemRefType t) {
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(t.getStridesAndOffset(strides, offset)) &&
         !strides.empty() && strides.back() == 1;
}

struct Kernel {
  OpBuilder &b;
  Location loc;
  Value a, bp, c; // A [M, Kp] u8, Bp [NB, KB, 64] s8, C [M, NB, 16] i32
  int64_t kb;
  /// vpdpbusd, or (false) portable vector multiplies and adds.
  bool vnni = true;

  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, loc, v); }

  /// One tile: rows [m0, m0 + rows) of A, column blocks [nb0, nb0 + blocks).
  void tile(Value m0, int64_t rows, Value nb0, int64_t blocks) {
    auto acc = VectorType::get({16}, b.getI32Type());
    auto bytes64 = VectorType::get({64}, b.getI8Type());
    auto bytes4 = VectorType::get({4}, b.getI8Type());
    auto one32 = VectorType::get({1}, b.getI32Type());
    SmallVector<Value> rowIdx, blockIdx;
    for (int64_t i = 0; i < rows; ++i)
      rowIdx.push_back(i ? Value(arith::AddIOp::create(b, loc, m0, idx(i)))
                         : m0);
    for (int64_t j = 0; j < blocks; ++j)
      blockIdx.push_back(j ? Value(arith::AddIOp::create(b, loc, nb0, idx(j)))
                           : nb0);
    Value zero = idx(0);
    SmallVector<Value> init;
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < blocks; ++j)
        init.push_back(vector::LoadOp::create(
            b, loc, acc, c, ValueRange{rowIdx[i], blockIdx[j], zero}));
    auto loop = scf::ForOp::create(
        b, loc, zero, idx(kb), idx(1), init,
        [&](OpBuilder &nb, Location l, Value k, ValueRange accs) {
          Value col = arith::MulIOp::create(nb, l, k, idx(4));
          // LLVM's vpdpbusd takes its multiplicands as <64 x i8>.
          SmallVector<Value> w;
          for (int64_t j = 0; j < blocks; ++j)
            w.push_back(vector::LoadOp::create(
                nb, l, bytes64, bp, ValueRange{blockIdx[j], k, zero}));
          SmallVector<Value> next(accs.begin(), accs.end());
          if (!vnni) {
            portableStep(nb, l, col, rowIdx, w, next);
            scf::YieldOp::create(nb, l, next);
            return;
          }
          for (int64_t i = 0; i < rows; ++i) {
            Value four = vector::LoadOp::create(nb, l, bytes4, a,
                                                ValueRange{rowIdx[i], col});
            Value word = vector::ExtractOp::create(
                nb, l, vector::BitCastOp::create(nb, l, one32, four),
                ArrayRef<int64_t>{0});
            Value splat = vector::BitCastOp::create(
                nb, l, bytes64, vector::BroadcastOp::create(nb, l, acc, word));
            for (int64_t j = 0; j < blocks; ++j) {
              Value &r = next[i * blocks + j];
              r = LLVM::CallIntrinsicOp::create(
                      nb, l, acc,
                      nb.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                      ValueRange{r, splat, w[j]})
                      .getResult(0);
            }
          }
          scf::YieldOp::create(nb, l, next);
        });
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t j = 0; j < blocks; ++j)
        vector::StoreOp::create(b, loc, loop.getResult(i * blocks + j), c,
                                ValueRange{rowIdx[i], blockIdx[j], zero});
  }

  /// One k step without VNNI: acc[n] += sum_q a[4k + q] * w[n][q], the
  /// 64 packed bytes split per q into 16 lanes and widened once for all
  /// rows; integer sums wrap as vpdpbusd's do, so the results are equal.
  void portableStep(OpBuilder &nb, Location l, Value col,
                    ArrayRef<Value> rowIdx, ArrayRef<Value> w,
                    SmallVectorImpl<Value> &accs) {
    auto acc = VectorType::get({16}, nb.getI32Type());
    auto bytes4 = VectorType::get({4}, nb.getI8Type());
    int64_t blocks = w.size();
    SmallVector<Value> wq; // [block][q]
    for (Value wj : w)
      for (int64_t q = 0; q < 4; ++q) {
        SmallVector<int64_t> mask;
        for (int64_t n = 0; n < 16; ++n)
          mask.push_back(4 * n + q);
        Value lanes = vector::ShuffleOp::create(nb, l, wj, wj, mask);
        wq.push_back(arith::ExtSIOp::create(nb, l, acc, lanes));
      }
    for (size_t i = 0; i < rowIdx.size(); ++i) {
      Value four =
          vector::LoadOp::create(nb, l, bytes4, a, ValueRange{rowIdx[i], col});
      for (int64_t q = 0; q < 4; ++q) {
        Value byte =
            vector::ExtractOp::create(nb, l, four, ArrayRef<int64_t>{q});
        Value x = arith::ExtUIOp::create(nb, l, nb.getI32Type(), byte);
        Value splat = vector::BroadcastOp::create(nb, l, acc, x);
        for (int64_t j = 0; j < blocks; ++j) {
          Value &r = accs[i * blocks + j];
          r = arith::AddIOp::create(
              nb, l, r, arith::MulIOp::create(nb, l, splat, wq[j * 4 + q]));
        }
      }
    }
  }

  /// Every row of A against column blocks [nb0, nb0 + blocks).
  void rows(Value nb0, int64_t blocks) {
    Value m = memref::DimOp::create(b, loc, a, 0);
    Value full = arith::MulIOp::create(
        b, loc, arith::DivUIOp::create(b, loc, m, idx(kRows)), idx(kRows));
    scf::ForOp::create(b, loc, idx(0), full, idx(kRows), ValueRange{},
                       [&](OpBuilder &nb, Location l, Value m0, ValueRange) {
                         OpBuilder::InsertionGuard g(b);
                         b.setInsertionPoint(nb.getInsertionBlock(),
                                             nb.getInsertionPoint());
                         tile(m0, kRows, nb0, blocks);
                         scf::YieldOp::create(b, l);
                       });
    scf::ForOp::create(b, loc, full, m, idx(1), ValueRange{},
                       [&](OpBuilder &nb, Location l, Value m0, ValueRange) {
                         OpBuilder::InsertionGuard g(b);
                         b.setInsertionPoint(nb.getInsertionBlock(),
                                             nb.getInsertionPoint());
                         tile(m0, 1, nb0, blocks);
                         scf::YieldOp::create(b, l);
                       });
  }
};

/// Replaces each packed int8 GEMM generic of `module` with register tiles
/// (vpdpbusd with `vnni`, else portable vectors); returns how many.
unsigned lowerPackedGemms(ModuleOp module, bool vnni);

struct Int8GemmToVNNIPass
    : public dlc::impl::DLInt8GemmToVNNIBase<Int8GemmToVNNIPass> {
  void runOnOperation() override {
    numKernels += lowerPackedGemms(getOperation(), /*vnni=*/true);
  }
};

struct Int8GemmToVectorsPass
    : public dlc::impl::DLInt8GemmToVectorsBase<Int8GemmToVectorsPass> {
  void runOnOperation() override {
    numKernels += lowerPackedGemms(getOperation(), /*vnni=*/false);
  }
};

struct PackedGemmLowering {
  bool vnni;

  unsigned run(ModuleOp module) {
    SmallVector<linalg::GenericOp> gemms;
    module->walk([&](linalg::GenericOp g) {
      if (g->hasAttr(kPackedGemmAttr))
        gemms.push_back(g);
    });
    unsigned n = 0;
    for (linalg::GenericOp g : gemms)
      n += succeeded(lower(g));
    return n;
  }

  LogicalResult lower(linalg::GenericOp g) {
    if (!g.hasPureBufferSemantics() || g.getNumDpsInputs() != 2 ||
        g.getNumDpsInits() != 1)
      return failure();
    Value a = g.getDpsInputs()[0], bp = g.getDpsInputs()[1],
          c = g.getDpsInits()[0];
    auto at = dyn_cast<MemRefType>(a.getType());
    auto bt = dyn_cast<MemRefType>(bp.getType());
    auto ct = dyn_cast<MemRefType>(c.getType());
    if (!at || !bt || !ct || at.getRank() != 2 || bt.getRank() != 4 ||
        ct.getRank() != 3 || !bt.hasStaticShape() ||
        !bt.getLayout().isIdentity() || !unitInnerStride(at) ||
        !unitInnerStride(ct) || bt.getDimSize(2) != 16 ||
        bt.getDimSize(3) != 4 || ct.getDimSize(2) != 16 || ct.isDynamicDim(1) ||
        ct.getDimSize(1) != bt.getDimSize(0) || at.isDynamicDim(1) ||
        at.getDimSize(1) != 4 * bt.getDimSize(1))
      return failure();
    // The packed [16][4] bytes of a column block and k step are contiguous:
    // view them as one 64-byte row.
    OpBuilder b(g);
    Location loc = g.getLoc();
    Value bp64 = memref::CollapseShapeOp::create(
        b, loc, bp, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    int64_t nb = bt.getDimSize(0);
    Kernel k{b, loc, a, bp64, c, bt.getDimSize(1), vnni};
    if (nb / 2 > 0) {
      scf::ParallelOp::create(b, loc, ValueRange{k.idx(0)},
                              ValueRange{k.idx(nb / 2)}, ValueRange{k.idx(1)},
                              [&](OpBuilder &nbld, Location l, ValueRange ivs) {
                                OpBuilder::InsertionGuard guard(b);
                                b.setInsertionPoint(nbld.getInsertionBlock(),
                                                    nbld.getInsertionPoint());
                                Value nb0 = arith::MulIOp::create(b, l, ivs[0],
                                                                  k.idx(2));
                                k.rows(nb0, 2);
                              });
    }
    if (nb % 2)
      k.rows(k.idx(nb - 1), 1);
    g.erase();
    return success();
  }
};

unsigned lowerPackedGemms(ModuleOp module, bool vnni) {
  return PackedGemmLowering{vnni}.run(module);
}

} // namespace
