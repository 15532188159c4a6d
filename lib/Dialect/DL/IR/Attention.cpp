//===- Attention.cpp - scaled dot-product attention in dl ops -------------===//

#include "dlc/Dialect/DL/IR/Attention.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;

namespace dlc::dl {
namespace {

/// The value of a splat f32 constant (a scale), if `v` is one.
std::optional<float> splatF32(Value v) {
  DenseElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)) || !attr.isSplat() ||
      !attr.getElementType().isF32())
    return std::nullopt;
  return attr.getSplatValue<float>();
}

/// `v` = x / c or x * c with a splat constant c: the op, x, c and whether
/// it divides.
std::optional<std::tuple<Operation *, Value, float, bool>> scaled(Value v) {
  if (auto div = v.getDefiningOp<DivOp>())
    if (auto c = splatF32(div.getRhs()))
      return std::make_tuple(div.getOperation(), div.getLhs(), *c, true);
  if (auto mul = v.getDefiningOp<MulOp>())
    if (auto c = splatF32(mul.getRhs()))
      return std::make_tuple(mul.getOperation(), mul.getLhs(), *c, false);
  return std::nullopt;
}

bool isF32OfRank(Value t, int64_t rank) {
  auto rt = dyn_cast<RankedTensorType>(t.getType());
  return rt && rt.getRank() == rank && rt.getElementType().isF32();
}

/// Whether dims `a` and `b` can be equal (either is dynamic, or they are).
bool mayEqual(int64_t a, int64_t b) {
  return ShapedType::isDynamic(a) || ShapedType::isDynamic(b) || a == b;
}

std::optional<Attention> fail(std::string *why, const char *reason) {
  if (why)
    *why = reason;
  return std::nullopt;
}

} // namespace

std::optional<Attention> matchAttention(MatMulOp pv, std::string *why) {
  Attention a;
  a.pv = pv;
  int64_t rank = cast<RankedTensorType>(pv.getType()).getRank();
  if (rank != 3 && rank != 4)
    return fail(why, "not of rank 3 or 4");
  a.rank = rank;
  auto softmax = pv.getLhs().getDefiningOp<SoftmaxOp>();
  int64_t axis = softmax ? static_cast<int64_t>(softmax.getAxis()) : 0;
  if (!softmax || !softmax->hasOneUse() || (axis != -1 && axis != rank - 1))
    return fail(why, "not softmax(...) * V");
  a.softmax = softmax;
  a.ops = {pv, softmax};
  a.locs = {softmax.getLoc(), pv.getLoc()};
  Value scores = softmax.getInput();
  AddOp maskAdd;
  if (auto add = scores.getDefiningOp<AddOp>(); add && add->hasOneUse()) {
    auto isScores = [](Value v) {
      return v.getDefiningOp<MatMulOp>() || v.getDefiningOp<DivOp>() ||
             v.getDefiningOp<MulOp>();
    };
    bool lhsIsScores = isScores(add.getLhs());
    scores = lhsIsScores ? add.getLhs() : add.getRhs();
    a.mask = lhsIsScores ? add.getRhs() : add.getLhs();
    maskAdd = add;
  }
  // Q scaled as the model scales it: Q / c rounds unlike Q * (1 / c).
  if (auto s = scaled(scores); s && std::get<1>(*s).getDefiningOp<MatMulOp>() &&
                               scores.getDefiningOp()->hasOneUse()) {
    a.scaleOp = std::get<0>(*s);
    a.ops.push_back(a.scaleOp);
    a.locs.push_back(scores.getLoc());
    std::tie(std::ignore, scores, a.scale, a.divide) = *s;
  }
  auto qk = scores.getDefiningOp<MatMulOp>();
  if (!qk || !qk->hasOneUse())
    return fail(why, "scores are not one Q * K^T");
  a.qk = qk;
  a.ops.push_back(qk);
  a.locs.push_back(qk.getLoc());
  a.q = qk.getLhs();
  a.kt = qk.getRhs();
  a.v = pv.getRhs();
  if (a.scale == 1.0f && !a.divide)
    if (auto s = scaled(a.q)) {
      a.scaleOp = std::get<0>(*s);
      a.scalesQ = true;
      a.ops.push_back(a.scaleOp);
      a.locs.push_back(a.q.getLoc());
      std::tie(std::ignore, a.q, a.scale, a.divide) = *s;
    }
  for (Value t : {a.q, a.kt, a.v, Value(pv.getResult())})
    if (!isF32OfRank(t, rank))
      return fail(why, "not f32 of one rank");
  auto qt = cast<RankedTensorType>(a.q.getType());
  auto ktt = cast<RankedTensorType>(a.kt.getType());
  auto vt = cast<RankedTensorType>(a.v.getType());
  int64_t r = rank - 2; // the rows dim
  int64_t queries = qt.getDimSize(r), dim = qt.getDimSize(r + 1),
          keys = ktt.getDimSize(r + 1), dimV = vt.getDimSize(r + 1);
  if (ShapedType::isDynamic(dim) || ShapedType::isDynamic(dimV) || dim > 1024 ||
      dimV > 1024)
    return fail(why, "head sizes not static, <= 1024");
  for (int64_t i = 0; i < r; ++i)
    if (!mayEqual(ktt.getDimSize(i), qt.getDimSize(i)) ||
        !mayEqual(vt.getDimSize(i), qt.getDimSize(i)))
      return fail(why, "group dims differ");
  if (ktt.getDimSize(r) != dim || !mayEqual(vt.getDimSize(r), keys))
    return fail(why, "shapes are not attention's");
  if (a.mask) {
    a.maskAdd = maskAdd;
    a.ops.push_back(maskAdd);
    a.locs.push_back(maskAdd.getLoc());
    auto mt = dyn_cast<RankedTensorType>(a.mask.getType());
    // Dynamic dims (a padding mask per sample) only at the full rank: no
    // expand_shape is needed then.
    if (!mt || !mt.getElementType().isF32() || mt.getRank() < 2 ||
        mt.getRank() > rank || (mt.getRank() < rank && !mt.hasStaticShape()))
      return fail(why, "mask is not f32 of fitting rank");
    // The scores' dims, which the mask's trailing ones broadcast to.
    SmallVector<int64_t, 4> want(qt.getShape().take_front(r));
    want.append({queries, keys});
    for (int64_t i = 0; i < mt.getRank(); ++i) {
      int64_t d = mt.getDimSize(mt.getRank() - 1 - i);
      if (d != 1 && !mayEqual(d, want[rank - 1 - i]))
        return fail(why, "mask does not broadcast");
    }
    if (!mayEqual(mt.getDimSize(mt.getRank() - 1), keys) ||
        (mt.getDimSize(mt.getRank() - 1) == 1 && keys != 1))
      return fail(why, "mask broadcasts over keys");
  }
  // Last: it walks the function.
  if (auto fn = pv->getParentOfType<func::FuncOp>();
      fn && fn.walk([](RecomputeBarrierOp) {
                return WalkResult::interrupt();
              }).wasInterrupted())
    return fail(why, "a checkpointed function");
  return a;
}

} // namespace dlc::dl
