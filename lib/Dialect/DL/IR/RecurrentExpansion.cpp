//===- RecurrentExpansion.cpp - rnn, gru, lstm as loops; their gradients --===//
//
// A recurrent layer, per direction, is: the input projections of all steps
// as one matmul (plus the input bias), then an scf.for over time carrying
// the states (and the [T, B, H] output being filled), whose body is one
// step of the cell as dl ops: one [B, H] x [H, G*H] matmul and the gate
// math. dl-to-linalg lowers the ops of the body like any others.
//
// The gradient rule (backprop through time) emits the same pre-loop ops and
// a forward loop that also keeps every step's incoming states, then a loop
// from the last step to the first that rebuilds one step and takes its
// vector-Jacobian product from the rules of the dl ops it is made of, with
// the gradients of the states carried from step to step and those of the
// recurrent weights summed; the pre-loop ops are differentiated the same way.
//
// Reverse directions step from T - 1 to 0; with sequence_lens, a reverse
// direction steps through each sequence reversed within its length (the
// projections permuted once before the loop, the output permuted back), and
// steps past a sequence's length keep its states and output zeros.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/GradientBuilder.h"
#include "dlc/Dialect/DL/IR/Recurrent.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc::dl;

namespace {

/// A dl.rnn / dl.gru / dl.lstm, read once.
struct Layer {
  enum Kind { RNN, GRU, LSTM } kind;
  int64_t hidden, gates, numDirections, actsPerDirection;
  RNNDirection direction;
  SmallVector<RecurrentActivation> acts;
  SmallVector<double> alpha, beta;
  std::optional<double> clip;
  bool linearBeforeReset = false, inputForget = false;
  Value x, w, r, bias, seqLens, h0, c0, p;

  bool reverse(int64_t d) const {
    return direction == RNNDirection::reverse ||
           (direction == RNNDirection::bidirectional && d == 1);
  }
};

/// What one direction's loop reads, built before it.
struct DirectionInputs {
  /// The input projections [T, B, G*H] in step order.
  Value xs;
  /// Recurrent weights transposed ([H, G*H]); for GRU without
  /// linear_before_reset, the z/r part [H, 2H] and the h part [H, H].
  Value rt, rzr, rh;
  /// Recurrent bias [G*H], peepholes [3*H] (null when absent).
  Value rb, p;
  /// Initial states [B, H] (c: LSTM only).
  Value h0, c0;
  /// Sequence lengths as i64 [B] (null: all full length).
  Value lens;
  /// With sequence_lens on a reverse direction: the per-sequence reversal
  /// [T, B, 1] that maps steps to times (and back).
  Value perm;
  bool reverseSteps = false;

  /// The values the step reads that are defined outside the loop and have
  /// gradients.
  SmallVector<Value> invariants() const {
    SmallVector<Value> v;
    for (Value x : {rt, rzr, rh, rb, p})
      if (x)
        v.push_back(x);
    return v;
  }
};

/// The results of one step.
struct StepResult {
  Value h, c, y;
};

} // namespace

static RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

static Layer readLayer(Operation *op) {
  Layer l;
  auto common = [&](auto o) {
    l.hidden = o.getHiddenSize();
    l.direction = o.getDirection();
    l.numDirections = o.getNumDirections();
    for (Attribute a : o.getActivations())
      l.acts.push_back(
          *parseRecurrentActivation(cast<StringAttr>(a).getValue()));
    l.alpha.assign(o.getActivationAlpha().begin(),
                   o.getActivationAlpha().end());
    l.beta.assign(o.getActivationBeta().begin(), o.getActivationBeta().end());
    if (auto c = o.getClip())
      l.clip = c->convertToDouble();
    l.x = o.getInput();
    l.w = o.getWeight();
    l.r = o.getRecurrence();
    l.bias = o.getBias();
    l.seqLens = o.getSequenceLens();
    l.h0 = o.getInitialH();
  };
  llvm::TypeSwitch<Operation *>(op)
      .Case([&](RNNOp o) {
        common(o);
        l.kind = Layer::RNN;
      })
      .Case([&](GRUOp o) {
        common(o);
        l.kind = Layer::GRU;
        l.linearBeforeReset = o.getLinearBeforeReset();
      })
      .Case([&](LSTMOp o) {
        common(o);
        l.kind = Layer::LSTM;
        l.inputForget = o.getInputForget();
        l.c0 = o.getInitialC();
        l.p = o.getPeepholes();
      });
  l.gates = recurrentGateCount(op);
  l.actsPerDirection = recurrentActivationCount(op);
  return l;
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

/// Slice [start, end) of `v` along `axis`.
static Value sliceAxis(GradBuilder &e, Value v, int64_t axis, int64_t start,
                       int64_t end) {
  return SliceOp::create(e.b, e.l, v, e.b.getDenseI64ArrayAttr({start}),
                         e.b.getDenseI64ArrayAttr({end}),
                         e.b.getDenseI64ArrayAttr({axis}), DenseI64ArrayAttr());
}

/// `v[d]` of a [D, ...] tensor, as [...].
static Value direction(GradBuilder &e, Value v, int64_t d) {
  return e.squeeze(sliceAxis(e, v, 0, d, d + 1), {0});
}

/// `v[t]` of a [T, ...] tensor at a run-time step `t` (index).
static Value stepSlice(OpBuilder &b, Location l, Value v, Value t) {
  auto type = typeOf(v);
  int64_t rank = type.getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
      sizes = tensor::getMixedSizes(b, l, v), strides(rank, b.getIndexAttr(1));
  offsets[0] = t;
  sizes[0] = b.getIndexAttr(1);
  auto resultType = RankedTensorType::get(type.getShape().drop_front(),
                                          type.getElementType());
  return tensor::ExtractSliceOp::create(b, l, resultType, v, offsets, sizes,
                                        strides);
}

/// `dest` with `dest[t] = slice`.
static Value stepInsert(OpBuilder &b, Location l, Value slice, Value dest,
                        Value t) {
  int64_t rank = typeOf(dest).getRank();
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0)),
      sizes = tensor::getMixedSizes(b, l, dest),
      strides(rank, b.getIndexAttr(1));
  offsets[0] = t;
  sizes[0] = b.getIndexAttr(1);
  return tensor::InsertSliceOp::create(b, l, slice, dest, offsets, sizes,
                                       strides);
}

/// An uninitialized [T, B, n] tensor (every step writes its row) with T and
/// B from `steps` ([T, B, ...]).
static Value emptySteps(OpBuilder &b, Location l, Value steps, int64_t n) {
  SmallVector<OpFoldResult> sizes = tensor::getMixedSizes(b, l, steps);
  sizes.resize(2);
  sizes.push_back(b.getIndexAttr(n));
  return tensor::EmptyOp::create(b, l, sizes, typeOf(steps).getElementType());
}

/// Zeros [B, n] with B from `x` ([T, B, ...]).
static Value zerosBatch(GradBuilder &e, Value x, int64_t n) {
  auto xt = typeOf(x);
  auto type = RankedTensorType::get({xt.getDimSize(1), n}, xt.getElementType());
  Value zero = e.c(x, 0);
  if (type.hasStaticShape())
    return ExpandOp::create(e.b, e.l, type, zero, Value());
  Value batch = sliceAxis(e, ShapeOfOp::create(e.b, e.l, x), 0, 1, 2);
  Value shape =
      ConcatOp::create(e.b, e.l, ValueRange{batch, e.i64Constant({n})},
                       e.b.getI64IntegerAttr(0));
  return ExpandOp::create(e.b, e.l, type, zero, shape);
}

static Value activate(GradBuilder &e, const Layer &layer, int64_t index,
                      Value x) {
  double a = layer.alpha[index], bt = layer.beta[index];
  auto f64 = [&](double v) { return e.b.getF64FloatAttr(v); };
  switch (layer.acts[index]) {
  case RecurrentActivation::Relu:
    return ReluOp::create(e.b, e.l, x);
  case RecurrentActivation::Tanh:
    return e.tanh(x);
  case RecurrentActivation::Sigmoid:
    return e.sigmoid(x);
  case RecurrentActivation::Affine:
    return e.add(e.mul(x, e.c(x, a)), e.c(x, bt));
  case RecurrentActivation::LeakyRelu:
    return LeakyReluOp::create(e.b, e.l, x, f64(a));
  case RecurrentActivation::ThresholdedRelu:
    return e.select(e.gt(x, e.c(x, a)), x, e.c(x, 0));
  case RecurrentActivation::ScaledTanh:
    return e.mul(e.c(x, a), e.tanh(e.mul(x, e.c(x, bt))));
  case RecurrentActivation::HardSigmoid:
    return HardSigmoidOp::create(e.b, e.l, x, f64(a), f64(bt));
  case RecurrentActivation::Elu:
    return EluOp::create(e.b, e.l, x, f64(a));
  case RecurrentActivation::Softsign:
    return e.div(x, e.add(e.c(x, 1), AbsOp::create(e.b, e.l, x)));
  case RecurrentActivation::Softplus:
    return SoftplusOp::create(e.b, e.l, x);
  }
  llvm_unreachable("unknown activation");
}

/// The pre-activation clipped to [-clip, clip] when the layer clips.
static Value clipped(GradBuilder &e, const Layer &layer, Value x) {
  if (!layer.clip)
    return x;
  return ClipOp::create(e.b, e.l, x, e.b.getF64FloatAttr(-*layer.clip),
                        e.b.getF64FloatAttr(*layer.clip));
}

/// One step of direction `d`: `xt` [B, G*H] (projection with input bias),
/// states `h`, `c` [B, H], `mask` [B, 1] (null: every sequence runs).
static StepResult buildStep(GradBuilder &e, const Layer &layer, int64_t d,
                            const DirectionInputs &in, Value xt, Value h,
                            Value c, Value mask) {
  int64_t hs = layer.hidden;
  int64_t act = d * layer.actsPerDirection;
  auto gate = [&](Value v, int64_t k) {
    return sliceAxis(e, v, typeOf(v).getRank() - 1, k * hs, (k + 1) * hs);
  };
  auto f = [&](int64_t k, Value v) {
    return activate(e, layer, act + k, clipped(e, layer, v));
  };
  Value hNew, cNew;
  switch (layer.kind) {
  case Layer::RNN: {
    Value pre = e.add(xt, e.matmul(h, in.rt));
    if (in.rb)
      pre = e.add(pre, in.rb);
    hNew = f(0, pre);
    break;
  }
  case Layer::LSTM: {
    Value g = e.add(xt, e.matmul(h, in.rt));
    if (in.rb)
      g = e.add(g, in.rb);
    Value iPre = gate(g, 0), oPre = gate(g, 1), fPre = gate(g, 2),
          cPre = gate(g, 3);
    if (in.p) {
      iPre = e.add(iPre, e.mul(gate(in.p, 0), c));
      fPre = e.add(fPre, e.mul(gate(in.p, 2), c));
    }
    Value i = f(0, iPre);
    Value fg = layer.inputForget ? e.sub(e.c(i, 1), i) : f(0, fPre);
    cNew = e.add(e.mul(fg, c), e.mul(i, f(1, cPre)));
    if (in.p)
      oPre = e.add(oPre, e.mul(gate(in.p, 1), cNew));
    Value o = f(0, oPre);
    hNew = e.mul(o, activate(e, layer, act + 2, cNew));
    break;
  }
  case Layer::GRU: {
    Value z, r, hh;
    Value xz = gate(xt, 0), xr = gate(xt, 1), xh = gate(xt, 2);
    Value rbh = in.rb ? gate(in.rb, 2) : Value();
    if (layer.linearBeforeReset) {
      Value hr = e.matmul(h, in.rt);
      if (in.rb)
        hr = e.add(hr, in.rb);
      z = f(0, e.add(xz, gate(hr, 0)));
      r = f(0, e.add(xr, gate(hr, 1)));
      hh = f(1, e.add(xh, e.mul(r, gate(hr, 2))));
    } else {
      Value hzr = e.matmul(h, in.rzr);
      if (in.rb)
        hzr = e.add(hzr, sliceAxis(e, in.rb, 0, 0, 2 * hs));
      z = f(0, e.add(xz, gate(hzr, 0)));
      r = f(0, e.add(xr, gate(hzr, 1)));
      Value hp = e.matmul(e.mul(r, h), in.rh);
      if (rbh)
        hp = e.add(hp, rbh);
      hh = f(1, e.add(xh, hp));
    }
    hNew = e.add(e.mul(e.sub(e.c(z, 1), z), hh), e.mul(z, h));
    break;
  }
  }
  if (!mask)
    return {hNew, cNew, hNew};
  return {e.select(mask, hNew, h), cNew ? e.select(mask, cNew, c) : Value(),
          e.select(mask, hNew, e.c(hNew, 0))};
}

/// `v` [T, B, K] with its rows reordered along T by `perm` [T, B, 1].
static Value permuteSteps(GradBuilder &e, Value v, Value perm) {
  auto vt = typeOf(v);
  auto indexType = RankedTensorType::get(vt.getShape(), e.b.getI64Type());
  Value index =
      ExpandOp::create(e.b, e.l, indexType, perm, dynamicShape(e.b, e.l, v));
  return GatherElementsOp::create(e.b, e.l, v, index, e.b.getI64IntegerAttr(0));
}

/// The loop-invariant inputs of direction `d`, built at the builder.
static DirectionInputs buildInputs(GradBuilder &e, const Layer &layer,
                                   int64_t d) {
  DirectionInputs in;
  int64_t hs = layer.hidden, gh = layer.gates * hs;
  Value w = direction(e, layer.w, d), r = direction(e, layer.r, d);
  Value xs = e.matmul(layer.x, e.transpose(w, {1, 0}));
  if (layer.bias) {
    Value bias = direction(e, layer.bias, d);
    xs = e.add(xs, sliceAxis(e, bias, 0, 0, gh));
    in.rb = sliceAxis(e, bias, 0, gh, 2 * gh);
  }
  in.rt = e.transpose(r, {1, 0});
  if (layer.kind == Layer::GRU && !layer.linearBeforeReset) {
    in.rzr = sliceAxis(e, in.rt, 1, 0, 2 * hs);
    in.rh = sliceAxis(e, in.rt, 1, 2 * hs, 3 * hs);
    in.rt = Value();
  }
  if (layer.p)
    in.p = direction(e, layer.p, d);
  in.h0 = layer.h0 ? direction(e, layer.h0, d) : zerosBatch(e, layer.x, hs);
  if (layer.kind == Layer::LSTM)
    in.c0 = layer.c0 ? direction(e, layer.c0, d) : zerosBatch(e, layer.x, hs);
  if (layer.seqLens) {
    auto lt = typeOf(layer.seqLens);
    in.lens = lt.getElementType().isInteger(64)
                  ? layer.seqLens
                  : Value(CastOp::create(
                        e.b, e.l,
                        RankedTensorType::get(lt.getShape(), e.b.getI64Type()),
                        layer.seqLens));
  }
  if (layer.reverse(d) && in.lens) {
    // perm[s, b] = len_b - 1 - s for s < len_b, else s; an involution.
    auto xt = typeOf(layer.x);
    Value steps;
    if (!xt.isDynamicDim(0)) {
      SmallVector<int64_t> iota;
      for (int64_t i = 0; i < xt.getDimSize(0); ++i)
        iota.push_back(i);
      steps = e.i64Constant(iota);
    } else {
      Value t = e.squeeze(
          sliceAxis(e, ShapeOfOp::create(e.b, e.l, layer.x), 0, 0, 1), {0});
      auto i64 = [&](int64_t v) {
        return ConstantOp::create(
            e.b, e.l,
            DenseElementsAttr::get(RankedTensorType::get({}, e.b.getI64Type()),
                                   e.b.getI64IntegerAttr(v).getValue()));
      };
      steps = RangeOp::create(
          e.b, e.l,
          RankedTensorType::get({ShapedType::kDynamic}, e.b.getI64Type()),
          i64(0), t, i64(1));
    }
    Value s = e.unsqueeze(steps, {1});
    Value len = e.unsqueeze(in.lens, {0});
    Value one = ConstantOp::create(
        e.b, e.l,
        DenseElementsAttr::get(RankedTensorType::get({}, e.b.getI64Type()),
                               e.b.getI64IntegerAttr(1).getValue()));
    Value perm = e.select(e.lt(s, len), e.sub(e.sub(len, one), s), s);
    in.perm = e.unsqueeze(perm, {2});
    in.xs = permuteSteps(e, xs, in.perm);
  } else {
    in.xs = xs;
    in.reverseSteps = layer.reverse(d);
  }
  return in;
}

/// `v` as `type` (a tensor.cast where static and dynamic dims differ).
static Value castTo(OpBuilder &b, Location l, Value v, Type type) {
  if (v.getType() == type)
    return v;
  return tensor::CastOp::create(b, l, type, v);
}

/// The time a step `s` (index) reads and writes: T - 1 - s when the
/// direction steps backwards through time.
static Value timeOf(OpBuilder &b, Location l, const DirectionInputs &in,
                    Value s, Value steps) {
  if (!in.reverseSteps)
    return s;
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  return arith::SubIOp::create(b, l, arith::SubIOp::create(b, l, steps, one),
                               s);
}

/// [B, 1]: whether step `s` is inside each sequence (null without lengths).
static Value stepMask(GradBuilder &e, const DirectionInputs &in, Value s) {
  if (!in.lens)
    return {};
  Value si = arith::IndexCastOp::create(e.b, e.l, e.b.getI64Type(), s);
  Value st = tensor::FromElementsOp::create(
      e.b, e.l, RankedTensorType::get({}, e.b.getI64Type()), ValueRange{si});
  return e.unsqueeze(e.lt(st, in.lens), {1});
}

namespace {
struct LoopResult {
  Value h, c, ys, hPrev, cPrev;
};
} // namespace

/// The loop over time of direction `d`; with `save`, also every step's
/// incoming states ([T, B, H] each), for the backward loop.
static LoopResult buildForwardLoop(GradBuilder &e, const Layer &layer,
                                   int64_t d, const DirectionInputs &in,
                                   bool save) {
  OpBuilder &b = e.b;
  Location l = e.l;
  int64_t hs = layer.hidden;
  Value zero = arith::ConstantIndexOp::create(b, l, 0);
  Value one = arith::ConstantIndexOp::create(b, l, 1);
  Value steps = tensor::DimOp::create(b, l, in.xs, 0);
  bool cell = bool(in.c0);
  SmallVector<Value> init{in.h0};
  if (cell)
    init.push_back(in.c0);
  init.push_back(emptySteps(b, l, in.xs, hs));
  if (save) {
    init.push_back(emptySteps(b, l, in.xs, hs));
    if (cell)
      init.push_back(emptySteps(b, l, in.xs, hs));
  }
  auto loop = scf::ForOp::create(
      b, l, zero, steps, one, init,
      [&](OpBuilder &nb, Location nl, Value s, ValueRange args) {
        GradBuilder ne{nb, nl};
        Value t = timeOf(nb, nl, in, s, steps);
        unsigned k = 0;
        Value h = args[k++];
        Value c = cell ? args[k++] : Value();
        Value ys = args[k++];
        Value xt = stepSlice(nb, nl, in.xs, t);
        StepResult r =
            buildStep(ne, layer, d, in, xt, h, c, stepMask(ne, in, s));
        auto rowType = [&](Value dest) {
          auto dt = typeOf(dest);
          return RankedTensorType::get(dt.getShape().drop_front(),
                                       dt.getElementType());
        };
        SmallVector<Value> next{castTo(nb, nl, r.h, h.getType())};
        if (cell)
          next.push_back(castTo(nb, nl, r.c, c.getType()));
        next.push_back(
            stepInsert(nb, nl, castTo(nb, nl, r.y, rowType(ys)), ys, t));
        if (save) {
          Value hp = args[k++];
          next.push_back(
              stepInsert(nb, nl, castTo(nb, nl, h, rowType(hp)), hp, t));
          if (cell) {
            Value cp = args[k++];
            next.push_back(
                stepInsert(nb, nl, castTo(nb, nl, c, rowType(cp)), cp, t));
          }
        }
        scf::YieldOp::create(nb, nl, next);
      });
  LoopResult out;
  unsigned k = 0;
  out.h = loop.getResult(k++);
  if (cell)
    out.c = loop.getResult(k++);
  out.ys = loop.getResult(k++);
  if (save) {
    out.hPrev = loop.getResult(k++);
    if (cell)
      out.cPrev = loop.getResult(k++);
  }
  return out;
}

FailureOr<SmallVector<Value>> dlc::dl::expandRecurrentOp(OpBuilder &b,
                                                         Operation *op) {
  Layer layer = readLayer(op);
  GradBuilder e{b, op->getLoc()};
  SmallVector<Value> ys, hs, cs;
  for (int64_t d = 0; d < layer.numDirections; ++d) {
    DirectionInputs in = buildInputs(e, layer, d);
    LoopResult r = buildForwardLoop(e, layer, d, in, /*save=*/false);
    Value y = in.perm ? permuteSteps(e, r.ys, in.perm) : r.ys;
    ys.push_back(e.unsqueeze(y, {1}));
    hs.push_back(e.unsqueeze(r.h, {0}));
    if (r.c)
      cs.push_back(e.unsqueeze(r.c, {0}));
  }
  auto join = [&](ArrayRef<Value> parts, int64_t axis) -> Value {
    if (parts.size() == 1)
      return parts[0];
    return ConcatOp::create(b, e.l, parts, b.getI64IntegerAttr(axis));
  };
  SmallVector<Value> results{join(ys, 1), join(hs, 0)};
  if (!cs.empty())
    results.push_back(join(cs, 0));
  for (unsigned i = 0; i < results.size(); ++i)
    results[i] = castTo(b, e.l, results[i], op->getResult(i).getType());
  return results;
}

//===----------------------------------------------------------------------===//
// Backprop through time
//===----------------------------------------------------------------------===//

/// The op just before the builder's insertion point (null at the start).
static Operation *lastBefore(OpBuilder &b) {
  Block *block = b.getInsertionBlock();
  auto it = b.getInsertionPoint();
  return it == block->begin() ? nullptr : &*std::prev(it);
}

/// The ops built since `mark` (from lastBefore), in order.
static SmallVector<Operation *> opsSince(OpBuilder &b, Operation *mark) {
  Block *block = b.getInsertionBlock();
  auto it = mark ? std::next(Block::iterator(mark)) : block->begin();
  SmallVector<Operation *> ops;
  for (auto end = b.getInsertionPoint(); it != end; ++it)
    ops.push_back(&*it);
  return ops;
}

static bool isFloatTensor(Type t) {
  auto rt = dyn_cast<RankedTensorType>(t);
  return rt && isa<FloatType>(rt.getElementType());
}

static LogicalResult recurrentVjp(Operation *op, OpBuilder &b,
                                  ValueRange resultGrads,
                                  SmallVectorImpl<Value> &grads) {
  Layer layer = readLayer(op);
  Location loc = op->getLoc();
  GradBuilder e{b, loc};
  int64_t hs = layer.hidden, gh = layer.gates * hs;
  auto resultGrad = [&](unsigned i) {
    return i < resultGrads.size() && resultGrads[i]
               ? resultGrads[i]
               : zerosLike(b, loc, op->getResult(i));
  };
  Value dY = resultGrad(0), dYh = resultGrad(1);
  Value dYc = layer.kind == Layer::LSTM ? resultGrad(2) : Value();
  SmallVector<Value> operands(op->getOperands());
  llvm::DenseMap<Value, Value> total;
  for (int64_t d = 0; d < layer.numDirections; ++d) {
    Operation *mark = lastBefore(b);
    DirectionInputs in = buildInputs(e, layer, d);
    SmallVector<Operation *> pre = opsSince(b, mark);
    LoopResult fwd = buildForwardLoop(e, layer, d, in, /*save=*/true);
    (void)fwd.h;

    Value dy = e.squeeze(sliceAxis(e, dY, 1, d, d + 1), {1});
    if (in.perm)
      dy = permuteSteps(e, dy, in.perm);
    SmallVector<Value> inv = in.invariants();
    bool cell = bool(in.c0);
    SmallVector<Value> init{
        castTo(b, loc, direction(e, dYh, d), in.h0.getType())};
    if (cell)
      init.push_back(castTo(b, loc, direction(e, dYc, d), in.c0.getType()));
    init.push_back(emptySteps(b, loc, in.xs, gh));
    for (Value v : inv)
      init.push_back(zerosLike(b, loc, v));

    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    Value steps = tensor::DimOp::create(b, loc, in.xs, 0);
    LogicalResult status = success();
    auto loop = scf::ForOp::create(
        b, loc, zero, steps, one, init,
        [&](OpBuilder &nb, Location nl, Value i, ValueRange args) {
          GradBuilder ne{nb, nl};
          // Steps from the last to the first.
          Value s = arith::SubIOp::create(
              nb, nl, arith::SubIOp::create(nb, nl, steps, one), i);
          Value t = timeOf(nb, nl, in, s, steps);
          unsigned k = 0;
          Value dh = args[k++];
          Value dc = cell ? args[k++] : Value();
          Value dxs = args[k++];
          Value h = stepSlice(nb, nl, fwd.hPrev, t);
          Value c = cell ? stepSlice(nb, nl, fwd.cPrev, t) : Value();
          Value xt = stepSlice(nb, nl, in.xs, t);
          Value mask = stepMask(ne, in, s);
          Operation *stepMark = lastBefore(nb);
          StepResult r = buildStep(ne, layer, d, in, xt, h, c, mask);
          SmallVector<Operation *> stepOps = opsSince(nb, stepMark);
          llvm::DenseMap<Value, Value> g;
          auto seed = [&](Value v, Value grad) {
            auto [it, inserted] = g.try_emplace(v, grad);
            if (!inserted)
              it->second = AddOp::create(nb, nl, it->second, grad);
          };
          seed(r.h, dh);
          if (cell)
            seed(r.c, dc);
          seed(r.y, stepSlice(nb, nl, dy, t));
          SmallVector<Value> wrt{xt, h};
          if (cell)
            wrt.push_back(c);
          wrt.append(inv.begin(), inv.end());
          if (failed(sweepGradients(nb, nl, stepOps, wrt, g)))
            status = failure();
          auto gradOf = [&](Value v) {
            Value gv = g.lookup(v);
            return gv ? gv : zerosLike(nb, nl, v);
          };
          SmallVector<Value> next{castTo(nb, nl, gradOf(h), dh.getType())};
          if (cell)
            next.push_back(castTo(nb, nl, gradOf(c), dc.getType()));
          auto dxt = typeOf(dxs);
          next.push_back(stepInsert(
              nb, nl,
              castTo(nb, nl, gradOf(xt),
                     RankedTensorType::get(dxt.getShape().drop_front(),
                                           dxt.getElementType())),
              dxs, t));
          for (Value v : inv) {
            Value acc = args[k++];
            next.push_back(castTo(nb, nl, AddOp::create(nb, nl, acc, gradOf(v)),
                                  acc.getType()));
          }
          scf::YieldOp::create(nb, nl, next);
        });
    if (failed(status))
      return failure();

    // The pre-loop ops, seeded with the loop inputs' gradients.
    llvm::DenseMap<Value, Value> g;
    unsigned k = 0;
    g[in.h0] = loop.getResult(k++);
    if (cell)
      g[in.c0] = loop.getResult(k++);
    g[in.xs] = loop.getResult(k++);
    for (Value v : inv)
      g[v] = loop.getResult(k++);
    if (failed(sweepGradients(b, loc, pre, operands, g)))
      return failure();
    for (Value v : operands)
      if (Value gv = g.lookup(v)) {
        auto [it, inserted] = total.try_emplace(v, gv);
        if (!inserted)
          it->second = AddOp::create(b, loc, it->second, gv);
      }
  }
  // One gradient per operand; a value used twice gets it once.
  llvm::DenseSet<Value> given;
  for (Value v : operands) {
    Value gv = given.insert(v).second && isFloatTensor(v.getType())
                   ? total.lookup(v)
                   : Value();
    if (!gv && isFloatTensor(v.getType()))
      gv = zerosLike(b, loc, v);
    grads.push_back(gv ? castTo(b, loc, gv, v.getType()) : Value());
  }
  return success();
}

DL_RULE(RNNOp) { return recurrentVjp(raw, b, resultGrads, grads); }
DL_RULE(GRUOp) { return recurrentVjp(raw, b, resultGrads, grads); }
DL_RULE(LSTMOp) { return recurrentVjp(raw, b, resultGrads, grads); }

void dlc::dl::registerRecurrentGradientRules(MLIRContext *context) {
  attachGradientRules<RNNOp, GRUOp, LSTMOp>(context);
}
