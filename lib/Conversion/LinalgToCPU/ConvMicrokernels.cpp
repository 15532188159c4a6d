//===- ConvMicrokernels.cpp - 2-D convs as runtime kernel calls -----------===//
//
// A 2-D convolution on buffers, a linalg.generic computing out + x * w over
// f32 with out [n, m, oh, ow], w [m, c, kh, kw] and the input indexed
// [n, ch, oh * sh + kh * dh, ow * sw + kw * dw], becomes one call into the
// runtime:
//  - ungrouped (ch = c, a reduction; dl-to-linalg's direct-convs form):
//    dlc_sconv2d, dlc_sgemm's blocked microkernel as an implicit GEMM that
//    packs the input's windows straight into its B panels (no im2col
//    matrix), the filter packed once into a cache slot;
//  - depthwise (channel multiplier 1: ch = m (+ g of extent 1), as
//    dl-to-linalg lowers a grouped conv with one input channel per group):
//    dlc_dwconv2d (runtime/src/cpu/dwconv.c), vectorized along output rows
//    and threaded over channels.
// A 2-D max pool (maximumf(out, x) over the same windows) whose output is
// filled with -inf right before it becomes dlc_maxpool2d, its -inf padding
// folded in as below.
// Three more kernels fold into a conv's call:
//  - the zero padding: when the input is a buffer that is zero-filled, has
//    the real input copied into its interior and is read by nothing else,
//    the call reads the real input and the pads; fill, copy and buffer go;
//  - the zero fill of the output before the conv;
//  - the elementwise epilogue that reads the result (per-channel bias,
//    residual, ReLU/ReLU6/Clip), as dl-contractions-to-microkernels folds
//    it into the GEMM.
//
//===----------------------------------------------------------------------===//

#include "MicrokernelUtils.h"
#include "dlc/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace dlc {
#define GEN_PASS_DEF_DLCONVSTOMICROKERNELS
#include "dlc/Conversion/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc::cpu;

namespace {

constexpr StringLiteral kDwConv = "dlc_dwconv2d";
constexpr StringLiteral kConv = "dlc_sconv2d";
constexpr StringLiteral kMaxPool = "dlc_maxpool2d";

/// The loop dims of a depthwise conv and its window.
struct Conv2D {
  unsigned n, m, oh, ow, kh, kw;
  bool depthwise;
  int64_t strides[2], dilations[2];
};

/// The coefficients of `e` (a sum of dims times constants plus a constant)
/// per dim, the constant last; false for anything else.
bool linearCoefficients(AffineExpr e, int64_t scale,
                        SmallVectorImpl<int64_t> &coefficients) {
  if (auto dim = dyn_cast<AffineDimExpr>(e)) {
    coefficients[dim.getPosition()] += scale;
    return true;
  }
  if (auto constant = dyn_cast<AffineConstantExpr>(e)) {
    coefficients.back() += scale * constant.getValue();
    return true;
  }
  auto binary = dyn_cast<AffineBinaryOpExpr>(e);
  if (!binary)
    return false;
  if (binary.getKind() == AffineExprKind::Add)
    return linearCoefficients(binary.getLHS(), scale, coefficients) &&
           linearCoefficients(binary.getRHS(), scale, coefficients);
  if (binary.getKind() != AffineExprKind::Mul)
    return false;
  if (auto c = dyn_cast<AffineConstantExpr>(binary.getRHS()))
    return linearCoefficients(binary.getLHS(), scale * c.getValue(),
                              coefficients);
  if (auto c = dyn_cast<AffineConstantExpr>(binary.getLHS()))
    return linearCoefficients(binary.getRHS(), scale * c.getValue(),
                              coefficients);
  return false;
}

bool isF32Memref(Value v, int64_t rank) {
  auto t = dyn_cast<MemRefType>(v.getType());
  return t && t.getElementType().isF32() && t.getRank() == rank;
}

/// `op`'s dims if it is a depthwise conv, or failure with the reason.
FailureOr<Conv2D> classify(linalg::LinalgOp op, std::string &why) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumResults() != 0 ||
      !llvm::all_of(op->getOperands(),
                    [](Value v) { return isF32Memref(v, 4); })) {
    why = "not three f32 buffers of rank 4";
    return failure();
  }
  if (!linalg::detail::isContractionBody(
          *op.getBlock(),
          [](Operation *first, Operation *second) {
            return isa<arith::MulFOp>(first) && isa<arith::AddFOp>(second);
          }) ||
      op.getBlock()->getOperations().size() != 3) {
    why = "body is not out + x * w";
    return failure();
  }
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned numLoops = op.getNumLoops();
  auto iterators = op.getIteratorTypesArray();
  auto dimOf = [](AffineExpr e) -> std::optional<unsigned> {
    if (auto d = dyn_cast<AffineDimExpr>(e))
      return d.getPosition();
    return std::nullopt;
  };
  // The output [n, c, oh, ow] and the weight [c, g, kh, kw]: plain dims,
  // parallel in the output, reductions in the window.
  SmallVector<std::optional<unsigned>> out, wt;
  for (AffineExpr e : maps[2].getResults())
    out.push_back(dimOf(e));
  for (AffineExpr e : maps[1].getResults())
    wt.push_back(dimOf(e));
  auto parallel = [&](std::optional<unsigned> d) {
    return d && iterators[*d] == utils::IteratorType::parallel;
  };
  auto reduction = [&](std::optional<unsigned> d) {
    return d && iterators[*d] == utils::IteratorType::reduction;
  };
  if (!llvm::all_of(out, parallel) || wt[0] != out[1] || !reduction(wt[2]) ||
      !reduction(wt[3])) {
    why = "not an output [n, m, oh, ow] and a weight [m, c, kh, kw]";
    return failure();
  }
  Conv2D conv{*out[0], *out[1], *out[2], *out[3], *wt[2],
              *wt[3],  false,   {0, 0},  {0, 0}};
  // Every loop is one of these or the weight's channel dim (a reduction,
  // or a unit dim of a depthwise conv's weight [m, 1, kh, kw]).
  SmallVector<unsigned> known = {conv.n,  conv.m,  conv.oh,
                                 conv.ow, conv.kh, conv.kw};
  std::optional<unsigned> unit = wt[1];
  if (unit)
    known.push_back(*unit);
  if (llvm::SmallDenseSet<unsigned>(known.begin(), known.end()).size() !=
          known.size() ||
      known.size() != numLoops) {
    why = "loops other than n, c, oh, ow, kh, kw";
    return failure();
  }
  // The input [n, c (+ g), oh * sh + kh * dh, ow * sw + kw * dw].
  SmallVector<SmallVector<int64_t>> coefficients;
  for (AffineExpr e : maps[0].getResults()) {
    coefficients.emplace_back(numLoops + 1, 0);
    if (!linearCoefficients(e, 1, coefficients.back())) {
      why = "the input is not indexed by a sum of dims";
      return failure();
    }
  }
  auto only = [&](ArrayRef<int64_t> row,
                  ArrayRef<std::pair<unsigned, bool>> allowed) {
    for (unsigned d = 0; d <= numLoops; ++d) {
      const auto *it =
          llvm::find_if(allowed, [&](auto a) { return a.first == d; });
      if (it == allowed.end() ? row[d] != 0 : (it->second && row[d] <= 0))
        return false;
    }
    return true;
  };
  auto &rows = coefficients;
  // The input's channel: m (+ the weight's unit dim), depthwise; the
  // weight's channel, a reduction, ungrouped.
  bool depthwiseChannel =
      rows[1][conv.m] == 1 &&
      cast<MemRefType>(op->getOperand(1).getType()).getDimSize(1) == 1 &&
      (unit ? only(rows[1], {{conv.m, true}, {*unit, false}})
            : only(rows[1], {{conv.m, true}}));
  bool ungroupedChannel = unit && reduction(unit) && rows[1][*unit] == 1 &&
                          only(rows[1], {{*unit, true}});
  conv.depthwise = depthwiseChannel;
  bool ok = rows[0][conv.n] == 1 && only(rows[0], {{conv.n, true}}) &&
            (depthwiseChannel || ungroupedChannel);
  unsigned spatialOut[2] = {conv.oh, conv.ow}, window[2] = {conv.kh, conv.kw};
  for (int i = 0; i < 2; ++i) {
    ArrayRef<int64_t> row = rows[2 + i];
    ok = ok && only(row, {{spatialOut[i], true}, {window[i], true}});
    if (ok) {
      conv.strides[i] = row[spatialOut[i]];
      conv.dilations[i] = row[window[i]];
    }
  }
  if (!ok) {
    why = "the input is not indexed as a conv's";
    return failure();
  }
  // Extents: the window from the weight; every dim but n static.
  auto wType = cast<MemRefType>(op->getOperand(1).getType());
  auto yType = cast<MemRefType>(op->getOperand(2).getType());
  if (!wType.hasStaticShape() ||
      llvm::any_of(yType.getShape().drop_front(), ShapedType::isDynamic) ||
      llvm::any_of(
          cast<MemRefType>(op->getOperand(0).getType()).getShape().drop_front(),
          ShapedType::isDynamic)) {
    why = "dynamic channels or spatial dims";
    return failure();
  }
  if (!conv.depthwise) {
    // dlc_sconv2d reads the filter as [m, c * kh * kw] and writes the
    // output per pixel.
    SmallVector<int64_t> ws, ys;
    int64_t offset;
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
    if (failed(wType.getStridesAndOffset(ws, offset)) ||
        failed(yType.getStridesAndOffset(ys, offset)) || ws[3] != 1 ||
        ws[2] != kw || ws[1] != kh * kw || ShapedType::isDynamic(ys[2]) ||
        ShapedType::isDynamic(ys[3]) ||
        (yType.getDimSize(2) != 1 && ys[2] != yType.getDimSize(3) * ys[3])) {
      why = "the filter is not dense in (c, kh, kw) or the output's pixels "
            "do not collapse";
      return failure();
    }
  }
  return conv;
}

/// Whether `op` writes zeros to all of `buffer` and nothing else.
/// Whether `v` is the constant 0 (`negInf` false) or -inf (true).
bool isPadConstant(Value v, bool negInf) {
  if (!negInf)
    return matchPattern(v, m_AnyZeroFloat());
  FloatAttr attr;
  return matchPattern(v, m_Constant(&attr)) && attr.getValue().isInfinity() &&
         attr.getValue().isNegative();
}

/// Whether `op` writes 0 (`negInf`: -inf) to all of `buffer` and nothing
/// else.
bool isFillOf(Operation *op, Value buffer, bool negInf) {
  if (auto fill = dyn_cast<linalg::FillOp>(op))
    return fill.hasPureBufferSemantics() && fill.getOutputs()[0] == buffer &&
           isPadConstant(fill.getInputs()[0], negInf);
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureBufferSemantics() ||
      linalgOp.getNumDpsInputs() != 0 || linalgOp.getNumDpsInits() != 1 ||
      linalgOp.getDpsInits()[0] != buffer ||
      linalgOp.getNumParallelLoops() != linalgOp.getNumLoops() ||
      !linalgOp.getIndexingMapsArray()[0].isIdentity())
    return false;
  Block *body = linalgOp.getBlock();
  return body->getOperations().size() == 1 &&
         isPadConstant(body->getTerminator()->getOperand(0), negInf);
}

/// The zero padding of a conv input: `padded` was filled with zeros, then
/// `source` copied into its interior at offsets (top, left).
struct Padding {
  Value source;
  int64_t top = 0, left = 0;
  SmallVector<Operation *> erase; // the fill, the copy, views, deallocs
  memref::AllocOp alloc;
};

/// The root buffer `v` is a view of.
Value rootOf(Value v) { return memref::skipViewLikeOps(cast<MemrefValue>(v)); }

/// Whether every buffer `op` may write is a fresh allocation other than
/// `keep`'s.
bool writesOnlyFreshBuffers(Operation *op, Value keep) {
  if (isMemoryEffectFree(op) || isa<memref::AllocOp, memref::DeallocOp>(op))
    return true;
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  if (!linalgOp || !linalgOp.hasPureBufferSemantics())
    return false;
  for (Value init : linalgOp.getDpsInits()) {
    Value root = rootOf(init);
    if (!root.getDefiningOp<memref::AllocOp>() || root == rootOf(keep))
      return false;
  }
  return true;
}

/// `conv`'s input as padding (0, or -inf for a max pool) of a smaller
/// buffer, if it is one that only the conv reads.
std::optional<Padding> findPadding(linalg::LinalgOp conv, bool negInf) {
  Value padded = conv.getDpsInputs()[0];
  auto alloc = padded.getDefiningOp<memref::AllocOp>();
  if (!alloc || alloc->getBlock() != conv->getBlock())
    return std::nullopt;
  Padding pad;
  pad.alloc = alloc;
  Operation *fill = nullptr;
  memref::SubViewOp interior;
  for (Operation *user : alloc->getUsers()) {
    if (user == conv)
      continue;
    if (isa<memref::DeallocOp>(user)) {
      pad.erase.push_back(user);
      continue;
    }
    if (!fill && isFillOf(user, padded, negInf)) {
      fill = user;
      continue;
    }
    auto view = dyn_cast<memref::SubViewOp>(user);
    if (!view || interior)
      return std::nullopt;
    interior = view;
  }
  if (!fill || !interior || !interior->hasOneUse())
    return std::nullopt;
  auto copy = dyn_cast<memref::CopyOp>(*interior->getUsers().begin());
  if (!copy || copy.getTarget() != interior.getResult())
    return std::nullopt;
  // Fill, then copy, then the conv, in one block; the source unchanged
  // from the copy to the conv.
  if (fill->getBlock() != conv->getBlock() ||
      copy->getBlock() != conv->getBlock() || !fill->isBeforeInBlock(copy) ||
      !copy->isBeforeInBlock(conv))
    return std::nullopt;
  Value source = copy.getSource();
  SmallVector<Operation *> sourceDeallocs;
  for (Operation *op = copy->getNextNode(); op != conv.getOperation();
       op = op->getNextNode()) {
    if (!writesOnlyFreshBuffers(op, source))
      return std::nullopt;
    auto dealloc = dyn_cast<memref::DeallocOp>(op);
    if (dealloc && rootOf(dealloc.getMemref()) == rootOf(source))
      sourceDeallocs.push_back(op);
  }
  // The interior: unit strides, offsets 0 on n and c and the source's size.
  ArrayRef<int64_t> offsets = interior.getStaticOffsets();
  if (!interior.hasUnitStride() ||
      llvm::any_of(offsets, ShapedType::isDynamic) || offsets[0] != 0 ||
      offsets[1] != 0)
    return std::nullopt;
  auto sourceType = cast<MemRefType>(source.getType());
  auto paddedType = cast<MemRefType>(padded.getType());
  if (!isF32Memref(source, 4) ||
      llvm::any_of(sourceType.getShape().drop_front(), ShapedType::isDynamic) ||
      sourceType.getDimSize(1) != paddedType.getDimSize(1))
    return std::nullopt;
  // The copy was the source's last use, so it may be freed (and its memory
  // taken by a buffer the ops up to the conv write) before the conv: the
  // call reads it, so it lives until then.
  for (Operation *dealloc : sourceDeallocs)
    dealloc->moveAfter(conv);
  pad.source = source;
  pad.top = offsets[2];
  pad.left = offsets[3];
  pad.erase.append({copy, interior, fill});
  return pad;
}

func::FuncOp declareDwConv(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type idx = IndexType::get(ctx), ptr = LLVM::LLVMPointerType::get(ctx);
  Type f32 = Float32Type::get(ctx);
  SmallVector<Type> args = {idx, idx, idx, idx, ptr, idx, idx, idx, idx, idx};
  args.append({idx, idx, ptr, idx, idx, idx, idx}); // filter
  args.append(8, idx);                              // window, out size
  args.append({ptr, idx, idx, idx, idx, idx, IntegerType::get(ctx, 32)}); // y
  for (int i = 0; i < 2; ++i)
    args.append({ptr, idx, idx, idx, idx, idx});
  args.append({f32, f32});
  return declareRuntimeFunction(module, kDwConv, args);
}

func::FuncOp declareConv(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type idx = IndexType::get(ctx), ptr = LLVM::LLVMPointerType::get(ctx);
  Type f32 = Float32Type::get(ctx);
  SmallVector<Type> args = {idx, idx, idx, idx, ptr, idx, idx, idx, idx, idx};
  args.append({idx, idx, idx, ptr, idx, idx}); // filter
  args.append(8, idx);                         // window, out size
  args.append(
      {ptr, idx, idx, idx, idx, IntegerType::get(ctx, 32), ptr}); // y, cache
  for (int i = 0; i < 2; ++i)
    args.append({ptr, idx, idx, idx, idx});
  args.append({f32, f32});
  return declareRuntimeFunction(module, kConv, args);
}

/// The input operand as the runtime's conv and pool calls take it first:
/// batch (dynamic or not), channels, h, w, then the buffer's aligned
/// pointer, offset and four strides.
SmallVector<Value> inputArgs(OpBuilder &b, Location loc, Value x, Value zero) {
  auto type = cast<MemRefType>(x.getType());
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  OperandView v = viewOf(
      b, loc, x, AffineMap::getMultiDimIdentityMap(4, b.getContext()), 4, zero);
  Value batch = type.isDynamicDim(0)
                    ? Value(memref::DimOp::create(b, loc, x, 0))
                    : constant(type.getDimSize(0));
  SmallVector<Value> args = {batch,
                             constant(type.getDimSize(1)),
                             constant(type.getDimSize(2)),
                             constant(type.getDimSize(3)),
                             v.pointer,
                             v.offset};
  args.append(v.strides);
  return args;
}

/// Whether strides along the conv's (n, m, oh, ow) walk each output plane
/// with one stride per pixel (oh * ow + ow), as dlc_sconv2d takes them.
bool pixelsCollapse(ArrayRef<int64_t> alongLoops, const Conv2D &conv,
                    int64_t oh, int64_t ow) {
  return oh == 1 || alongLoops[conv.oh] == ow * alongLoops[conv.ow];
}

void lowerToCall(linalg::LinalgOp op, const Conv2D &conv,
                 SymbolTableCollection &symbols, SymbolTable &table) {
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  auto module = op->getParentOfType<ModuleOp>();
  Value c = op.getDpsInits()[0];
  Operation *fill = zeroFillBefore(op, c);
  auto yType = cast<MemRefType>(c.getType());
  int64_t oh = yType.getDimSize(2), ow = yType.getDimSize(3);
  std::optional<Epilogue> ep;
  if (fill)
    ep = findEpilogue(op, c, fill);
  // The implicit GEMM addresses its output and addends per pixel.
  if (ep && !conv.depthwise) {
    bool collapse = pixelsCollapse(ep->destStrides, conv, oh, ow);
    for (auto &addend : ep->addends)
      collapse &= pixelsCollapse(addend.second, conv, oh, ow);
    if (!collapse)
      ep.reset();
  }
  std::optional<Padding> pad = findPadding(op, /*negInf=*/false);
  // The call writes its destination while it reads the source: they must
  // not overlap.
  Value dest = ep ? ep->dest : c;
  if (pad && rootOf(pad->source) == rootOf(dest))
    pad.reset();
  if (fill)
    fill->erase();
  OpBuilder b(op);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
  Value x = pad ? pad->source : op.getDpsInputs()[0];
  auto wType = cast<MemRefType>(op.getDpsInputs()[1].getType());
  SmallVector<Value> args = inputArgs(b, loc, x, zero);
  OperandView wv = viewOf(b, loc, op.getDpsInputs()[1], identity, 4, zero);
  // Strides along n, m, oh, ow of a buffer with static strides along the
  // conv's loops (the epilogue's); dlc_sconv2d takes n, m and the pixel.
  unsigned loops[4] = {conv.n, conv.m, conv.oh, conv.ow};
  auto staticView = [&](Value buffer, ArrayRef<int64_t> strides) {
    OperandView v = viewOf(b, loc, buffer, AffineMap::get(ctx), 0, zero);
    for (unsigned d : loops)
      v.strides.push_back(constant(strides[d]));
    if (!conv.depthwise)
      v.strides.erase(v.strides.begin() + 2);
    return v;
  };
  Value null = LLVM::ZeroOp::create(b, loc, LLVM::LLVMPointerType::get(ctx));
  Value window[2] = {constant(wType.getDimSize(2)),
                     constant(wType.getDimSize(3))};
  if (conv.depthwise)
    args.append({window[0], window[1], wv.pointer, wv.offset, wv.strides[0],
                 wv.strides[2], wv.strides[3]});
  else
    args.append({constant(wType.getDimSize(0)), window[0], window[1],
                 wv.pointer, wv.offset, wv.strides[0]});
  for (int64_t v :
       {conv.strides[0], conv.strides[1], conv.dilations[0], conv.dilations[1]})
    args.push_back(constant(v));
  args.append({constant(pad ? pad->top : 0), constant(pad ? pad->left : 0),
               constant(oh), constant(ow)});
  OperandView yv = ep ? staticView(ep->dest, ep->destStrides)
                      : viewOf(b, loc, c, identity, 4, zero);
  if (!ep && !conv.depthwise)
    yv.strides.erase(yv.strides.begin() + 2);
  args.append({yv.pointer, yv.offset});
  args.append(yv.strides);
  args.push_back(arith::ConstantIntOp::create(b, loc, fill ? 0 : 1, 32));
  if (!conv.depthwise) {
    // The filter packed once when it is a constant (a model's weights).
    args.push_back(isConstantGlobal(op.getDpsInputs()[1], symbols)
                       ? cacheSlot(b, loc, module, table)
                       : null);
  }
  for (unsigned i = 0; i < 2; ++i) {
    if (ep && i < ep->addends.size()) {
      OperandView av = staticView(ep->addends[i].first, ep->addends[i].second);
      args.append({av.pointer, av.offset});
      args.append(av.strides);
      continue;
    }
    args.append({null, zero});
    args.append(conv.depthwise ? 4 : 3, zero);
  }
  float lo = ep ? ep->lo : -std::numeric_limits<float>::infinity();
  float hi = ep ? ep->hi : std::numeric_limits<float>::infinity();
  args.push_back(
      arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(lo)));
  args.push_back(
      arith::ConstantFloatOp::create(b, loc, b.getF32Type(), APFloat(hi)));
  // The call computes the epilogue's and the padding's nodes too
  // (dl-report-kernels).
  SmallVector<Location> locs{loc};
  if (ep)
    ep->op->walk([&](Operation *inner) { locs.push_back(inner->getLoc()); });
  func::CallOp::create(
      b, b.getFusedLoc(locs),
      conv.depthwise ? declareDwConv(module) : declareConv(module), args);
  op->erase();
  if (pad) {
    for (Operation *dead : pad->erase)
      dead->erase();
    pad->alloc->erase();
  }
  if (!ep)
    return;
  ep->op->erase();
  if (ep->view)
    ep->view.getDefiningOp()->erase();
  eraseIfOnlyFreed(c);
}

/// A 2-D max pool: a linalg op computing maximumf(out, x) over (n, c, oh,
/// ow, kh, kw) with x indexed [n, c, oh * sh + kh * dh, ow * sw + kw * dw]
/// and a second input (the window's shape) indexed [kh, kw].
FailureOr<Conv2D> classifyMaxPool(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op->getNumResults() != 0 ||
      !isF32Memref(op->getOperand(0), 4) || !isF32Memref(op->getOperand(2), 4))
    return failure();
  Block *body = op.getBlock();
  if (body->getOperations().size() != 2)
    return failure();
  auto max = dyn_cast<arith::MaximumFOp>(body->front());
  Value in = body->getArgument(0), out = body->getArgument(2);
  if (!max || body->getTerminator()->getOperand(0) != max.getResult() ||
      !((max.getLhs() == out && max.getRhs() == in) ||
        (max.getLhs() == in && max.getRhs() == out)))
    return failure();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  unsigned numLoops = op.getNumLoops();
  auto iterators = op.getIteratorTypesArray();
  SmallVector<unsigned> dims;
  for (AffineMap map : {maps[2], maps[1]})
    for (AffineExpr e : map.getResults()) {
      auto d = dyn_cast<AffineDimExpr>(e);
      if (!d)
        return failure();
      dims.push_back(d.getPosition());
    }
  if (dims.size() != 6 || numLoops != 6 ||
      llvm::SmallDenseSet<unsigned>(dims.begin(), dims.end()).size() != 6)
    return failure();
  for (int i = 0; i < 6; ++i)
    if (iterators[dims[i]] != (i < 4 ? utils::IteratorType::parallel
                                     : utils::IteratorType::reduction))
      return failure();
  Conv2D pool{dims[0], dims[1], dims[2], dims[3], dims[4],
              dims[5], false,   {0, 0},  {0, 0}};
  SmallVector<SmallVector<int64_t>> rows;
  for (AffineExpr e : maps[0].getResults()) {
    rows.emplace_back(numLoops + 1, 0);
    if (!linearCoefficients(e, 1, rows.back()))
      return failure();
  }
  auto only = [&](ArrayRef<int64_t> row, ArrayRef<unsigned> allowed) {
    for (unsigned d = 0; d <= numLoops; ++d)
      if (llvm::is_contained(allowed, d) ? row[d] <= 0 : row[d] != 0)
        return false;
    return true;
  };
  if (rows[0][pool.n] != 1 || !only(rows[0], {pool.n}) ||
      rows[1][pool.m] != 1 || !only(rows[1], {pool.m}) ||
      !only(rows[2], {pool.oh, pool.kh}) || !only(rows[3], {pool.ow, pool.kw}))
    return failure();
  pool.strides[0] = rows[2][pool.oh];
  pool.strides[1] = rows[3][pool.ow];
  pool.dilations[0] = rows[2][pool.kh];
  pool.dilations[1] = rows[3][pool.kw];
  auto xType = cast<MemRefType>(op->getOperand(0).getType());
  auto yType = cast<MemRefType>(op->getOperand(2).getType());
  if (llvm::any_of(xType.getShape().drop_front(), ShapedType::isDynamic) ||
      llvm::any_of(yType.getShape().drop_front(), ShapedType::isDynamic) ||
      ShapedType::isDynamic(op.getStaticLoopRanges()[pool.kh]) ||
      ShapedType::isDynamic(op.getStaticLoopRanges()[pool.kw]))
    return failure();
  return pool;
}

func::FuncOp declareMaxPool(ModuleOp module) {
  MLIRContext *ctx = module.getContext();
  Type idx = IndexType::get(ctx), ptr = LLVM::LLVMPointerType::get(ctx);
  SmallVector<Type> args = {idx, idx, idx, idx, ptr, idx, idx, idx, idx, idx};
  args.append(10, idx); // window, pads, out size
  args.append({ptr, idx, idx, idx, idx, idx});
  return declareRuntimeFunction(module, kMaxPool, args);
}

/// A max pool whose output is filled with -inf right before it as one
/// dlc_maxpool2d call, its -inf padding folded in.
void lowerMaxPoolToCall(linalg::LinalgOp op, const Conv2D &pool) {
  Value y = op.getDpsInits()[0];
  Operation *prev = op->getPrevNode();
  if (!prev || !isFillOf(prev, y, /*negInf=*/true))
    return;
  std::optional<Padding> pad = findPadding(op, /*negInf=*/true);
  if (pad && rootOf(pad->source) == rootOf(y))
    pad.reset();
  Location loc = op.getLoc();
  MLIRContext *ctx = op.getContext();
  OpBuilder b(op);
  Value zero = arith::ConstantIndexOp::create(b, loc, 0);
  auto constant = [&](int64_t v) -> Value {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  AffineMap identity = AffineMap::getMultiDimIdentityMap(4, ctx);
  Value x = pad ? pad->source : op.getDpsInputs()[0];
  auto yType = cast<MemRefType>(y.getType());
  Value window = op.getDpsInputs()[1];
  SmallVector<Value> args = inputArgs(b, loc, x, zero);
  OperandView yv = viewOf(b, loc, y, identity, 4, zero);
  // The window's extents: the loop ranges of kh and kw.
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  args.append({constant(ranges[pool.kh]), constant(ranges[pool.kw])});
  for (int64_t v :
       {pool.strides[0], pool.strides[1], pool.dilations[0], pool.dilations[1]})
    args.push_back(constant(v));
  args.append({constant(pad ? pad->top : 0), constant(pad ? pad->left : 0),
               constant(yType.getDimSize(2)), constant(yType.getDimSize(3)),
               yv.pointer, yv.offset});
  args.append(yv.strides);
  func::CallOp::create(b, loc, declareMaxPool(op->getParentOfType<ModuleOp>()),
                       args);
  op->erase();
  prev->erase();
  if (pad) {
    for (Operation *dead : pad->erase)
      dead->erase();
    pad->alloc->erase();
  }
  // The window's shape buffer, read by nothing now.
  eraseIfOnlyFreed(window);
}

struct ConvsToMicrokernelsPass
    : public dlc::impl::DLConvsToMicrokernelsBase<ConvsToMicrokernelsPass> {
  void runOnOperation() override {
    SmallVector<std::pair<linalg::LinalgOp, Conv2D>> matches, pools;
    getOperation().walk([&](linalg::LinalgOp op) {
      std::string why;
      FailureOr<Conv2D> conv = classify(op, why);
      if (failed(conv)) {
        FailureOr<Conv2D> pool = classifyMaxPool(op);
        if (succeeded(pool) &&
            rootOf(op.getDpsInits()[0]) != rootOf(op.getDpsInputs()[0]))
          pools.emplace_back(op, *pool);
        return;
      }
      Value c = op.getDpsInits()[0];
      if (rootOf(c) == rootOf(op.getDpsInputs()[0]) ||
          rootOf(c) == rootOf(op.getDpsInputs()[1]))
        return;
      matches.emplace_back(op, *conv);
    });
    for (auto &[op, pool] : pools)
      lowerMaxPoolToCall(op, pool);
    if (matches.empty())
      return;
    SymbolTableCollection symbols;
    SymbolTable table(getOperation());
    for (auto &[op, conv] : matches)
      lowerToCall(op, conv, symbols, table);
  }
};

} // namespace
