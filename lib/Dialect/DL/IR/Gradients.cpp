//===- Gradients.cpp - reverse-mode rules of the dl ops -------------------===//
//
// Each differentiable op's vector-Jacobian product, attached to the op as a
// GradientOpInterface external model. Rules are composed from dl ops, so the
// backward pass lowers and fuses like the forward one. Broadcasting ops
// un-broadcast their gradients by summing over the broadcast dims; shapes
// with dynamic dims come from dl.shape_of of the operand.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/GradientBuilder.h"

#include "mlir/IR/Matchers.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

using namespace mlir;
using namespace dlc::dl;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static RankedTensorType typeOf(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// True if `g` is null or known to be all zeros (a zero splat, possibly
/// expanded, as dl-autodiff passes for results without a gradient), so a
/// rule can skip the terms it feeds.
static bool isZero(Value g) {
  if (!g)
    return true;
  if (auto expand = g.getDefiningOp<ExpandOp>())
    g = expand.getInput();
  DenseElementsAttr attr;
  return matchPattern(g, m_Constant(&attr)) && attr.isSplat() &&
         isa<FloatType>(attr.getElementType()) &&
         attr.getSplatValue<APFloat>().isZero();
}

/// The number of elements of `x` in the dims `axes`, as a rank-0 tensor of
/// x's element type: a constant unless one of those dims is dynamic.
static Value elementCount(GradBuilder &e, Value x, ArrayRef<int64_t> axes) {
  auto t = typeOf(x);
  double count = 1;
  bool dynamic = false;
  for (int64_t a : axes) {
    dynamic |= t.isDynamicDim(a);
    if (!t.isDynamicDim(a))
      count *= double(t.getDimSize(a));
  }
  if (!dynamic)
    return e.c(x, count);
  Value shape = CastOp::create(
      e.b, e.l, RankedTensorType::get({t.getRank()}, t.getElementType()),
      ShapeOfOp::create(e.b, e.l, x));
  Value dims = GatherOp::create(e.b, e.l, shape, e.i64Constant(axes),
                                e.b.getI64IntegerAttr(0));
  return ReduceProdOp::create(e.b, e.l, dims, e.b.getDenseI64ArrayAttr({}),
                              e.b.getBoolAttr(false));
}

/// 0, 1, ..., n - 1.
static SmallVector<int64_t> iota(int64_t n) {
  SmallVector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i)
    v[i] = i;
  return v;
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

using Pair = std::pair<Value, Value>;

// Binary ops: d/dx and d/dy, then un-broadcast to each operand.
template <typename F>
static LogicalResult binaryRule(Operation *op, OpBuilder &b, Value g,
                                SmallVectorImpl<Value> &grads, F partials) {
  GradBuilder e{b, op->getLoc()};
  Value x = op->getOperand(0), y = op->getOperand(1);
  auto [gx, gy] = partials(e, x, y, g);
  grads.assign(2, Value());
  if (gx)
    grads[0] = e.unbroadcast(gx, x);
  if (gy)
    grads[1] = e.unbroadcast(gy, y);
  return success();
}

DL_RULE(AddOp) {
  return binaryRule(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &, Value, Value, Value g) { return Pair{g, g}; });
}
DL_RULE(SubOp) {
  return binaryRule(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &e, Value, Value, Value g) { return Pair{g, e.neg(g)}; });
}
DL_RULE(MulOp) {
  return binaryRule(raw, b, resultGrads[0], grads,
                    [](GradBuilder &e, Value x, Value y, Value g) {
                      return Pair{e.mul(g, y), e.mul(g, x)};
                    });
}
DL_RULE(DivOp) {
  // d(x/y) = g / y, -g * x / y^2
  return binaryRule(raw, b, resultGrads[0], grads,
                    [](GradBuilder &e, Value x, Value y, Value g) {
                      Value gx = e.div(g, y);
                      return Pair{gx, e.neg(e.mul(e.div(gx, y), x))};
                    });
}
DL_RULE(PowOp) {
  // As PyTorch: d/dx = y x^(y-1), 0 where y == 0; d/dy = x^y log(x), 0
  // where x == 0 and y >= 0 (the limit there).
  Value out = raw->getResult(0);
  return binaryRule(
      raw, b, resultGrads[0], grads,
      [out](GradBuilder &e, Value x, Value y, Value g) {
        Value zero = e.c(x, 0);
        Value gx = e.mul(g, e.mul(y, e.pow(x, e.sub(y, e.c(y, 1)))));
        gx = e.select(e.eq(y, zero), zero, gx);
        Value gy = e.mul(g, e.mul(out, e.log(x)));
        gy = e.select(e.both(e.eq(x, zero), e.ge(y, zero)), zero, gy);
        return Pair{gx, gy};
      });
}
/// max / min: the gradient goes to the operand that wins; ties split it
/// evenly, as torch.maximum / torch.minimum do.
template <bool isMax>
static LogicalResult extremumRule(Operation *raw, OpBuilder &b, Value g,
                                  SmallVectorImpl<Value> &grads) {
  return binaryRule(
      raw, b, g, grads, [](GradBuilder &e, Value x, Value y, Value g) {
        Value wins = isMax ? e.gt(x, y) : e.lt(x, y);
        Value share = e.select(wins, e.c(g, 1),
                               e.select(e.eq(x, y), e.c(g, 0.5), e.c(g, 0)));
        Value gx = e.mul(g, share);
        return Pair{gx, e.sub(g, gx)};
      });
}
DL_RULE(MaxOp) { return extremumRule<true>(raw, b, resultGrads[0], grads); }
DL_RULE(MinOp) { return extremumRule<false>(raw, b, resultGrads[0], grads); }
DL_RULE(ModOp) {
  // Float mod is fmod: x - trunc(x / y) * y.
  return binaryRule(raw, b, resultGrads[0], grads,
                    [](GradBuilder &e, Value x, Value y, Value g) {
                      Value q = e.div(x, y);
                      Value trunc =
                          e.select(e.lt(q, e.c(q, 0)), e.ceil(q), e.floor(q));
                      return Pair{g, e.neg(e.mul(g, trunc))};
                    });
}
DL_RULE(SelectOp) {
  // The condition is not differentiable; each branch gets g where it was
  // picked.
  auto op = cast<SelectOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value g = resultGrads[0], zero = e.c(g, 0), cond = op.getCond();
  grads.assign(3, Value());
  grads[1] = e.unbroadcast(e.select(cond, g, zero), op.getTrueValue());
  grads[2] = e.unbroadcast(e.select(cond, zero, g), op.getFalseValue());
  return success();
}
DL_RULE(CastOp) {
  // Between float types the gradient casts back; through an integer type
  // there is none.
  auto op = cast<CastOp>(raw);
  auto in = op.getInput().getType();
  grads.assign(1, Value());
  if (isa<FloatType>(in.getElementType()) &&
      isa<FloatType>(op.getType().getElementType()))
    grads[0] = CastOp::create(b, op.getLoc(), in, resultGrads[0]);
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

/// Unary ops: the gradient is g * f'(x), with f' built from x and y = f(x).
template <typename F>
static LogicalResult unaryRule(Operation *op, OpBuilder &b, Value g,
                               SmallVectorImpl<Value> &grads, F derivative) {
  GradBuilder e{b, op->getLoc()};
  Value x = op->getOperand(0), y = op->getResult(0);
  grads.assign(1, e.mul(g, derivative(e, x, y)));
  return success();
}

/// Ops that are piecewise constant (sign, floor, ceil, round): zero
/// gradient, so no contribution at all.
static LogicalResult zeroRule(SmallVectorImpl<Value> &grads) {
  grads.assign(1, Value());
  return success();
}

DL_RULE(NegOp) {
  grads.assign(1, NegOp::create(b, raw->getLoc(), resultGrads[0]));
  return success();
}
DL_RULE(ExpOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &, Value, Value y) { return y; });
}
DL_RULE(LogOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) { return e.recip(x); });
}
DL_RULE(TanhOp) {
  // 1 - y^2
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value, Value y) {
                     return e.sub(e.c(y, 1), e.square(y));
                   });
}
DL_RULE(SigmoidOp) {
  // y (1 - y)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value, Value y) {
                     return e.mul(y, e.sub(e.c(y, 1), y));
                   });
}
DL_RULE(ReluOp) {
  // g where y > 0 (the same as x > 0), else 0: read from the output, as
  // PyTorch's threshold_backward does, so the input is not kept for the
  // backward pass. The step keeps y anyway (the next layer's weight
  // gradient reads it), and x then has one use: a conv's or Linear's bias
  // and the ReLU become one GEMM epilogue in the forward pass.
  GradBuilder e{b, raw->getLoc()};
  Value y = raw->getResult(0);
  grads.assign(1, e.where(e.gt(y, e.c(y, 0)), resultGrads[0]));
  return success();
}
DL_RULE(SqrtOp) {
  // 1 / (2 y)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value, Value y) {
                     return e.recip(e.mul(y, e.c(y, 2)));
                   });
}
DL_RULE(RsqrtOp) {
  // -y^3 / 2
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value, Value y) {
                     return e.mul(e.mul(y, e.square(y)), e.c(y, -0.5));
                   });
}
DL_RULE(ReciprocalOp) {
  // -y^2
  return unaryRule(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &e, Value, Value y) { return e.neg(e.square(y)); });
}
DL_RULE(SiluOp) {
  // s (1 + x (1 - s)), s = sigmoid(x)
  return unaryRule(
      raw, b, resultGrads[0], grads, [](GradBuilder &e, Value x, Value) {
        Value s = e.sigmoid(x);
        Value inner = e.add(e.c(x, 1), e.mul(x, e.sub(e.c(x, 1), s)));
        return e.mul(s, inner);
      });
}
DL_RULE(AbsOp) {
  // sign(x): 0 at 0, as PyTorch.
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) { return e.sign(x); });
}
DL_RULE(SignOp) { return zeroRule(grads); }
DL_RULE(FloorOp) { return zeroRule(grads); }
DL_RULE(CeilOp) { return zeroRule(grads); }
DL_RULE(RoundOp) { return zeroRule(grads); }
DL_RULE(ClipOp) {
  // As torch.clamp: the gradient passes where min <= x <= max.
  auto op = cast<ClipOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput(), inside;
  if (auto lo = op.getMin())
    inside = e.ge(x, e.c(x, lo->convertToDouble()));
  if (auto hi = op.getMax()) {
    Value below = e.le(x, e.c(x, hi->convertToDouble()));
    inside = inside ? e.both(inside, below) : below;
  }
  grads.assign(1, inside ? e.where(inside, resultGrads[0]) : resultGrads[0]);
  return success();
}
DL_RULE(LeakyReluOp) {
  // 1 where x > 0, else alpha (PyTorch's choice at 0).
  auto op = cast<LeakyReluOp>(raw);
  double alpha = op.getAlpha().convertToDouble();
  return unaryRule(
      raw, b, resultGrads[0], grads, [alpha](GradBuilder &e, Value x, Value) {
        return e.select(e.gt(x, e.c(x, 0)), e.c(x, 1), e.c(x, alpha));
      });
}
DL_RULE(EluOp) {
  // 1 where x > 0, else alpha exp(x).
  double alpha = cast<EluOp>(raw).getAlpha().convertToDouble();
  return unaryRule(raw, b, resultGrads[0], grads,
                   [alpha](GradBuilder &e, Value x, Value) {
                     return e.select(e.gt(x, e.c(x, 0)), e.c(x, 1),
                                     e.mul(e.exp(x), e.c(x, alpha)));
                   });
}
DL_RULE(SeluOp) {
  // gamma where x > 0, else gamma alpha exp(x).
  auto op = cast<SeluOp>(raw);
  double alpha = op.getAlpha().convertToDouble();
  double gamma = op.getGamma().convertToDouble();
  return unaryRule(raw, b, resultGrads[0], grads,
                   [alpha, gamma](GradBuilder &e, Value x, Value) {
                     return e.select(e.gt(x, e.c(x, 0)), e.c(x, gamma),
                                     e.mul(e.exp(x), e.c(x, alpha * gamma)));
                   });
}
DL_RULE(GeluOp) {
  bool tanhApprox =
      cast<GeluOp>(raw).getApproximate() == GeluApproximation::tanh;
  return unaryRule(
      raw, b, resultGrads[0], grads,
      [tanhApprox](GradBuilder &e, Value x, Value) {
        if (tanhApprox) {
          // y = x (1 + t) / 2, t = tanh(k (x + c x^3)):
          // y' = (1 + t) / 2 + x (1 - t^2) k (1 + 3 c x^2) / 2.
          const double k = 0.7978845608028654, c = 0.044715;
          Value x2 = e.square(x);
          Value t = e.tanh(
              e.mul(e.c(x, k), e.add(x, e.mul(e.c(x, c), e.mul(x2, x)))));
          Value half1pt = e.mul(e.c(x, 0.5), e.add(e.c(x, 1), t));
          Value dt = e.mul(e.sub(e.c(x, 1), e.square(t)),
                           e.add(e.c(x, k), e.mul(e.c(x, 3 * c * k), x2)));
          return e.add(half1pt, e.mul(e.mul(e.c(x, 0.5), x), dt));
        }
        // Phi(x) + x phi(x).
        Value cdf = e.mul(e.c(x, 0.5),
                          e.add(e.c(x, 1), e.erf(e.mul(x, e.c(x, M_SQRT1_2)))));
        Value pdf = e.mul(e.exp(e.mul(e.square(x), e.c(x, -0.5))),
                          e.c(x, 0.3989422804014327));
        return e.add(cdf, e.mul(x, pdf));
      });
}
DL_RULE(SoftplusOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) { return e.sigmoid(x); });
}
DL_RULE(ErfOp) {
  // 2 / sqrt(pi) exp(-x^2)
  return unaryRule(
      raw, b, resultGrads[0], grads, [](GradBuilder &e, Value x, Value) {
        return e.mul(e.exp(e.neg(e.square(x))), e.c(x, M_2_SQRTPI));
      });
}
DL_RULE(HardSigmoidOp) {
  // alpha where 0 < alpha x + beta < 1 (strictly, as PyTorch), else 0.
  auto op = cast<HardSigmoidOp>(raw);
  double alpha = op.getAlpha().convertToDouble();
  double beta = op.getBeta().convertToDouble();
  return unaryRule(raw, b, resultGrads[0], grads,
                   [alpha, beta](GradBuilder &e, Value x, Value) {
                     Value t = e.add(e.mul(x, e.c(x, alpha)), e.c(x, beta));
                     Value inside =
                         e.both(e.gt(t, e.c(x, 0)), e.lt(t, e.c(x, 1)));
                     return e.select(inside, e.c(x, alpha), e.c(x, 0));
                   });
}
DL_RULE(HardSwishOp) {
  // PyTorch: 0 below -3, x / 3 + 1/2 up to 3, 1 above.
  return unaryRule(
      raw, b, resultGrads[0], grads, [](GradBuilder &e, Value x, Value) {
        Value mid = e.add(e.mul(x, e.c(x, 1.0 / 3.0)), e.c(x, 0.5));
        return e.select(e.lt(x, e.c(x, -3)), e.c(x, 0),
                        e.select(e.le(x, e.c(x, 3)), mid, e.c(x, 1)));
      });
}
DL_RULE(SinOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return Value(CosOp::create(e.b, e.l, x));
                   });
}
DL_RULE(CosOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return e.neg(SinOp::create(e.b, e.l, x));
                   });
}
DL_RULE(TanOp) {
  // 1 + y^2
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value, Value y) {
                     return e.add(e.c(y, 1), e.square(y));
                   });
}
DL_RULE(AsinOp) {
  // 1 / sqrt(1 - x^2)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return e.rsqrt(e.sub(e.c(x, 1), e.square(x)));
                   });
}
DL_RULE(AcosOp) {
  // -1 / sqrt(1 - x^2)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return e.neg(e.rsqrt(e.sub(e.c(x, 1), e.square(x))));
                   });
}
DL_RULE(AtanOp) {
  // 1 / (1 + x^2)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return e.recip(e.add(e.c(x, 1), e.square(x)));
                   });
}
DL_RULE(SinhOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return Value(CoshOp::create(e.b, e.l, x));
                   });
}
DL_RULE(CoshOp) {
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return Value(SinhOp::create(e.b, e.l, x));
                   });
}
DL_RULE(AsinhOp) {
  // 1 / sqrt(x^2 + 1)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return e.rsqrt(e.add(e.square(x), e.c(x, 1)));
                   });
}
DL_RULE(AcoshOp) {
  // 1 / sqrt(x^2 - 1)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return e.rsqrt(e.sub(e.square(x), e.c(x, 1)));
                   });
}
DL_RULE(AtanhOp) {
  // 1 / (1 - x^2)
  return unaryRule(raw, b, resultGrads[0], grads,
                   [](GradBuilder &e, Value x, Value) {
                     return e.recip(e.sub(e.c(x, 1), e.square(x)));
                   });
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

DL_RULE(MatMulOp) {
  auto op = cast<MatMulOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value g = resultGrads[0], lhs = op.getLhs(), rhs = op.getRhs();
  int64_t lhsRank = typeOf(lhs).getRank(), rhsRank = typeOf(rhs).getRank();
  if (lhsRank == 2 && rhsRank == 2) {
    grads.assign({e.matmul(g, e.transpose(rhs, {1, 0})),
                  e.matmul(e.transpose(lhs, {1, 0}), g)});
    return success();
  }
  // x @ W with batch dims on x only (a Linear layer on [B, T, K]): both
  // gradients are single gemms over the flattened rows. The generic rule
  // below would compute dW as a batch of [K, N] products, summed after:
  // a [B*T/M, K, N] temporary (96 MiB for one attention projection of a
  // 16x128x256 Transformer batch) and products with a tiny inner dim.
  auto lt = typeOf(lhs);
  if (rhsRank == 2 && lhsRank >= 3 && lt.hasStaticShape() &&
      typeOf(g).hasStaticShape()) {
    int64_t k = lt.getShape().back(), n = typeOf(rhs).getDimSize(1);
    int64_t rows = lt.getNumElements() / std::max<int64_t>(k, 1);
    Type et = lt.getElementType();
    auto flat = [&](Value v, int64_t cols) -> Value {
      return ReshapeOp::create(b, e.l, RankedTensorType::get({rows, cols}, et),
                               v, Value(), b.getBoolAttr(false));
    };
    auto gemm = [&](ArrayRef<int64_t> shape, Value x, Value y, bool tx,
                    bool ty) -> Value {
      return GemmOp::create(b, e.l, RankedTensorType::get(shape, et), x, y,
                            Value(), b.getBoolAttr(tx), b.getBoolAttr(ty),
                            b.getF64FloatAttr(1.0), b.getF64FloatAttr(1.0));
    };
    Value g2 = flat(g, n);
    Value ga = gemm({rows, k}, g2, rhs, false, true);
    grads.assign(
        {ReshapeOp::create(b, e.l, lt, ga, Value(), b.getBoolAttr(false)),
         gemm({k, n}, flat(lhs, k), g2, true, false)});
    return success();
  }
  // numpy matmul: promote 1-D operands to [1, K] and [K, 1] (and give g the
  // dims they drop), multiply by the transposes over the batch dims, sum
  // the gradient over the batch dims an operand was broadcast along, and
  // drop the promoted dims again.
  bool lhsVec = lhsRank == 1, rhsVec = rhsRank == 1;
  Value a = lhsVec ? e.unsqueeze(lhs, {0}) : lhs;
  Value bm = rhsVec ? e.unsqueeze(rhs, {1}) : rhs;
  int64_t full = typeOf(g).getRank() + lhsVec + rhsVec;
  SmallVector<int64_t> promoted;
  if (lhsVec)
    promoted.push_back(full - 2);
  if (rhsVec)
    promoted.push_back(full - 1);
  Value gFull = e.unsqueeze(g, promoted);
  auto swapLast = [&](Value v) {
    SmallVector<int64_t> perm = iota(typeOf(v).getRank());
    std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
    return e.transpose(v, perm);
  };
  Value ga = e.unbroadcast(e.matmul(gFull, swapLast(bm)), a);
  Value gb = e.unbroadcast(e.matmul(swapLast(a), gFull), bm);
  grads.assign(
      {lhsVec ? e.squeeze(ga, {0}) : ga, rhsVec ? e.squeeze(gb, {1}) : gb});
  return success();
}
DL_RULE(GemmOp) {
  // Y = alpha op(A) op(B) + beta C. Each operand gradient is itself a gemm
  // with the right transposes: for A, alpha g op(B)^T (transposed back when
  // trans_a); for B, alpha op(A)^T g (likewise).
  auto op = cast<GemmOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value g = resultGrads[0], a = op.getA(), bm = op.getB(), cv = op.getC();
  bool ta = op.getTransA(), tb = op.getTransB();
  FloatAttr alpha = op.getAlphaAttr();
  auto gemm = [&](Type type, Value x, Value y, bool tx, bool ty) -> Value {
    return GemmOp::create(b, e.l, type, x, y, Value(), b.getBoolAttr(tx),
                          b.getBoolAttr(ty), alpha, b.getF64FloatAttr(1.0));
  };
  Value ga = ta ? gemm(a.getType(), bm, g, tb, true)
                : gemm(a.getType(), g, bm, false, !tb);
  Value gb = tb ? gemm(bm.getType(), g, a, true, ta)
                : gemm(bm.getType(), a, g, !ta, false);
  grads.assign({ga, gb});
  if (cv) {
    double beta = op.getBeta().convertToDouble();
    Value gc = beta == 1.0 ? g : e.mul(g, e.c(g, beta));
    grads.push_back(e.unbroadcast(gc, cv));
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Reductions: `partial(e, x, y, g, axes)` gives dx from the input, the
/// result (a callback, as most rules do not need it) and its gradient, both
/// with the reduced dims kept as size 1 so they broadcast against x; the
/// rule expands dx to x's shape if needed.
template <typename OpTy, typename F>
static LogicalResult reduceRule(Operation *raw, OpBuilder &b, Value g,
                                SmallVectorImpl<Value> &grads, F partial) {
  auto op = cast<OpTy>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput();
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> axes;
  for (int64_t a : op.getAxes())
    axes.push_back(a < 0 ? a + rank : a);
  if (axes.empty())
    axes = iota(rank);
  llvm::sort(axes);
  auto kept = [&](Value v) {
    return op.getKeepdims() ? v : e.unsqueeze(v, axes);
  };
  auto y = [&] { return kept(op.getResult()); };
  Value dx = partial(e, x, function_ref<Value()>(y), kept(g), ArrayRef(axes));
  grads.assign(1, e.expandLike(dx, x));
  return success();
}

using AxesRef = ArrayRef<int64_t>;
using ResultFn = function_ref<Value()>;

DL_RULE(ReduceSumOp) {
  return reduceRule<ReduceSumOp>(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &, Value, ResultFn, Value g, AxesRef) { return g; });
}
DL_RULE(ReduceMeanOp) {
  return reduceRule<ReduceMeanOp>(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &e, Value x, ResultFn, Value g, AxesRef axes) {
        return e.div(g, elementCount(e, x, axes));
      });
}
/// reduce_max / reduce_min: to the elements equal to the result, split
/// evenly among ties (as torch.amax).
static Value extremumGrad(GradBuilder &e, Value x, ResultFn result, Value g,
                          AxesRef axes) {
  Value hit = e.toFloat(e.eq(x, result()), x);
  return e.mul(hit, e.div(g, e.sum(hit, axes, true)));
}
DL_RULE(ReduceMaxOp) {
  return reduceRule<ReduceMaxOp>(raw, b, resultGrads[0], grads, extremumGrad);
}
DL_RULE(ReduceMinOp) {
  return reduceRule<ReduceMinOp>(raw, b, resultGrads[0], grads, extremumGrad);
}
DL_RULE(ReduceProdOp) {
  // y / x: for inputs without zeros.
  return reduceRule<ReduceProdOp>(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &e, Value x, ResultFn result, Value g, AxesRef) {
        Value y = result();
        return e.div(e.mul(g, y), x);
      });
}
DL_RULE(ReduceL1Op) {
  return reduceRule<ReduceL1Op>(raw, b, resultGrads[0], grads,
                                [](GradBuilder &e, Value x, ResultFn, Value g,
                                   AxesRef) { return e.mul(g, e.sign(x)); });
}
DL_RULE(ReduceL2Op) {
  // x / y, 0 where the norm is 0 (as torch.linalg.norm).
  return reduceRule<ReduceL2Op>(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &e, Value x, ResultFn result, Value g, AxesRef) {
        Value y = result();
        Value zero = e.c(y, 0);
        return e.mul(x, e.select(e.eq(y, zero), zero, e.div(g, y)));
      });
}
DL_RULE(ReduceSumSquareOp) {
  return reduceRule<ReduceSumSquareOp>(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &e, Value x, ResultFn, Value g, AxesRef) {
        return e.mul(e.mul(g, e.c(x, 2)), x);
      });
}
DL_RULE(ReduceLogSumExpOp) {
  // softmax over the reduced dims: exp(x - y).
  return reduceRule<ReduceLogSumExpOp>(
      raw, b, resultGrads[0], grads,
      [](GradBuilder &e, Value x, ResultFn result, Value g, AxesRef) {
        Value y = result();
        return e.mul(g, e.exp(e.sub(x, y)));
      });
}

/// Softmax: g_x = y * (g - sum(g * y)); log_softmax: g - exp(y) * sum(g),
/// with the sums over the axis, kept for broadcasting.
template <bool isLog>
static LogicalResult softmaxRule(Operation *raw, OpBuilder &b, Value g,
                                 SmallVectorImpl<Value> &grads, int64_t axis) {
  GradBuilder e{b, raw->getLoc()};
  Value y = raw->getResult(0);
  int64_t rank = typeOf(y).getRank();
  int64_t a = axis < 0 ? axis + rank : axis;
  if constexpr (isLog)
    grads.assign(1, e.sub(g, e.mul(e.exp(y), e.sum(g, {a}, true))));
  else
    grads.assign(1, e.mul(y, e.sub(g, e.sum(e.mul(g, y), {a}, true))));
  return success();
}
DL_RULE(SoftmaxOp) {
  return softmaxRule<false>(
      raw, b, resultGrads[0], grads,
      static_cast<int64_t>(cast<SoftmaxOp>(raw).getAxis()));
}
DL_RULE(LogSoftmaxOp) {
  return softmaxRule<true>(
      raw, b, resultGrads[0], grads,
      static_cast<int64_t>(cast<LogSoftmaxOp>(raw).getAxis()));
}

/// Softmax cross-entropy: g * (softmax(x) - t), one op the CPU backend
/// computes in one row kernel; the labels get no gradient.
DL_RULE(SoftmaxCrossEntropyOp) {
  auto op = cast<SoftmaxCrossEntropyOp>(raw);
  Value g = resultGrads[0];
  grads.assign(2, Value());
  if (isZero(g))
    return success();
  grads[0] = SoftmaxCrossEntropyGradOp::create(
      b, op.getLoc(), op.getLogits().getType(), op.getLogits(), op.getLabels(),
      g, op.getLabelSmoothingAttr());
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization
//===----------------------------------------------------------------------===//

/// x normalized over `axes` (statistics kept as size-1 dims): the centered
/// input, 1 / sqrt(var + eps) and xhat.
namespace {
struct Normalized {
  Value centered, invStd, xhat;
};
} // namespace

/// Normalizes with the given statistics, or computes them (biased variance,
/// as the forward ops).
static Normalized normalize(GradBuilder &e, Value x, AxesRef axes, double eps,
                            Value mean = {}, Value var = {}) {
  if (!mean)
    mean = e.mean(x, axes);
  Value centered = e.sub(x, mean);
  if (!var)
    var = e.mean(e.square(centered), axes);
  Value invStd = e.rsqrt(e.add(var, e.c(x, eps)));
  return {centered, invStd, e.mul(centered, invStd)};
}

/// The input gradient of a normalization given the gradient of xhat:
/// invstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)).
static Value normalizeGrad(GradBuilder &e, const Normalized &n, Value dxhat,
                           AxesRef axes) {
  Value centered = e.sub(dxhat, e.mean(dxhat, axes));
  Value projected = e.mul(n.xhat, e.mean(e.mul(dxhat, n.xhat), axes));
  return e.mul(n.invStd, e.sub(centered, projected));
}

/// The dims of an N x C x ... tensor other than the channels.
static SmallVector<int64_t> nonChannelDims(int64_t rank) {
  SmallVector<int64_t> dims = {0};
  for (int64_t d = 2; d < rank; ++d)
    dims.push_back(d);
  return dims;
}

/// A per-channel [C] tensor as [1, C, 1, ...] for rank-`rank` inputs.
static Value perChannel(GradBuilder &e, Value v, int64_t rank) {
  return e.unsqueeze(v, nonChannelDims(rank));
}

/// Sums an N x C x ... tensor down to [C].
static Value channelSum(GradBuilder &e, Value v) {
  return e.sum(v, nonChannelDims(typeOf(v).getRank()), false);
}

DL_RULE(BatchNormTrainOp) {
  auto op = cast<BatchNormTrainOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput();
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> axes = nonChannelDims(rank);
  Value g = resultGrads[0], gMean = resultGrads[1], gVar = resultGrads[2];
  // The op's own batch statistics are the ones it normalized with.
  Value mean = perChannel(e, op.getBatchMean(), rank);
  Value var = perChannel(e, op.getBatchVariance(), rank);
  Normalized n =
      normalize(e, x, axes, op.getEpsilon().convertToDouble(), mean, var);
  grads.assign(3, Value());
  Value dx;
  if (!isZero(g)) {
    // With s1 = sum(g) and s2 = sum(g (x - mean)) per channel (count N):
    //   dx = scale invstd (g - s1 / N - (x - mean) invstd^2 s2 / N)
    //      = a g + b (x - mean) + c,  a, b, c per channel,
    // one elementwise pass over g and x after the two reductions, instead
    // of normalizeGrad's chain of full-size temporaries (xhat, the scaled
    // gradient, two centred terms): at the peak of a ResNet's stem
    // backward they were four more buffers of the activation's size.
    Value s1 = channelSum(e, g);
    Value s2 = channelSum(e, e.mul(g, n.centered));
    Value count = elementCount(e, x, axes);
    Value a = e.mul(perChannel(e, op.getScale(), rank), n.invStd);
    Value bCoef = e.neg(e.div(
        e.mul(e.mul(a, e.square(n.invStd)), perChannel(e, s2, rank)), count));
    Value c = e.neg(e.div(e.mul(a, perChannel(e, s1, rank)), count));
    dx = e.add(e.add(e.mul(a, g), e.mul(bCoef, n.centered)), c);
    grads[1] = e.mul(s2, e.squeeze(n.invStd, axes));
    grads[2] = s1;
  }
  // Gradients of the returned statistics: d mean = 1 / count and
  // d var = 2 (x - mean) / count per element.
  Value stats;
  if (!isZero(gMean))
    stats = perChannel(e, gMean, rank);
  if (!isZero(gVar)) {
    Value t = e.mul(e.mul(perChannel(e, gVar, rank), e.c(x, 2)), n.centered);
    stats = stats ? e.add(stats, t) : t;
  }
  if (stats) {
    stats = e.div(stats, elementCount(e, x, axes));
    dx = dx ? e.add(dx, stats) : e.expandLike(stats, x);
  }
  grads[0] = dx;
  return success();
}
DL_RULE(AllReduceOp) {
  // The mean (or sum) over the ranks is linear and every rank holds a copy
  // of the result, each read by its own rank's loss: an input's cotangent
  // is the same all-reduce of the results' cotangents. Cotangents known to
  // be zero are left out alike on every rank (the same program), so the
  // ranks' collectives still match.
  auto op = cast<AllReduceOp>(raw);
  SmallVector<Value> live;
  SmallVector<unsigned> which;
  for (auto [i, g] : llvm::enumerate(resultGrads))
    if (!isZero(g)) {
      live.push_back(g);
      which.push_back(i);
    }
  grads.assign(op.getNumOperands(), Value());
  if (live.empty())
    return success();
  auto reduced = AllReduceOp::create(
      b, op.getLoc(), ValueRange(live).getTypes(), live, op.getKindAttr());
  for (auto [k, i] : llvm::enumerate(which))
    grads[i] = reduced.getResult(k);
  return success();
}
DL_RULE(BatchNormOp) {
  // y = (x - mean) invstd scale + bias with fixed statistics, invstd =
  // 1 / sqrt(var + eps); every operand is differentiable.
  auto op = cast<BatchNormOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput(), g = resultGrads[0];
  int64_t rank = typeOf(x).getRank();
  Value invStd = e.rsqrt(
      e.add(op.getVariance(), e.c(x, op.getEpsilon().convertToDouble())));
  Value invStdC = perChannel(e, invStd, rank);
  Value centered = e.sub(x, perChannel(e, op.getMean(), rank));
  Value gScaled = e.mul(g, perChannel(e, op.getScale(), rank));
  Value dx = e.mul(gScaled, invStdC);
  Value dVar = e.mul(channelSum(e, e.mul(gScaled, centered)),
                     e.mul(e.c(x, -0.5), e.mul(invStd, e.square(invStd))));
  grads.assign({dx, channelSum(e, e.mul(g, e.mul(centered, invStdC))),
                channelSum(e, g), e.neg(channelSum(e, dx)), dVar});
  return success();
}
DL_RULE(LayerNormOp) {
  auto op = cast<LayerNormOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput(), g = resultGrads[0];
  Value scale = op.getScale(), bias = op.getBias();
  int64_t rank = typeOf(x).getRank();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> axes;
  for (int64_t d = axis; d < rank; ++d)
    axes.push_back(d);
  Normalized n = normalize(e, x, axes, op.getEpsilon().convertToDouble());
  grads.assign(1, normalizeGrad(e, n, scale ? e.mul(g, scale) : g, axes));
  if (scale)
    grads.push_back(e.unbroadcast(e.mul(g, n.xhat), scale));
  if (bias)
    grads.push_back(e.unbroadcast(g, bias));
  return success();
}
DL_RULE(InstanceNormOp) {
  auto op = cast<InstanceNormOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput(), g = resultGrads[0];
  int64_t rank = typeOf(x).getRank();
  SmallVector<int64_t> axes;
  for (int64_t d = 2; d < rank; ++d)
    axes.push_back(d);
  Normalized n = normalize(e, x, axes, op.getEpsilon().convertToDouble());
  Value dxhat = e.mul(g, perChannel(e, op.getScale(), rank));
  grads.assign({normalizeGrad(e, n, dxhat, axes),
                channelSum(e, e.mul(g, n.xhat)), channelSum(e, g)});
  return success();
}
DL_RULE(GroupNormOp) {
  // Normalized over [N, G, C/G * spatial], then per-channel scale and bias.
  auto op = cast<GroupNormOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput(), g = resultGrads[0];
  auto type = typeOf(x);
  int64_t rank = type.getRank(), groups = op.getNumGroups();
  int64_t perGroup = 1;
  for (int64_t d = 1; d < rank; ++d) {
    if (type.isDynamicDim(d))
      return op.emitOpError("gradient needs static channel and spatial dims");
    perGroup *= type.getDimSize(d);
  }
  perGroup /= groups;
  // At most the batch dim is dynamic: the reshape finds it.
  auto grouped = RankedTensorType::get({type.getDimSize(0), groups, perGroup},
                                       type.getElementType());
  auto toGroups = [&](Value v) -> Value {
    return ReshapeOp::create(b, e.l, grouped, v, Value(), b.getBoolAttr(false));
  };
  SmallVector<int64_t> axes = {2};
  Normalized n =
      normalize(e, toGroups(x), axes, op.getEpsilon().convertToDouble());
  Value dxhat = toGroups(e.mul(g, perChannel(e, op.getScale(), rank)));
  Value xhat = e.reshapeLike(n.xhat, x);
  grads.assign({e.reshapeLike(normalizeGrad(e, n, dxhat, axes), x),
                channelSum(e, e.mul(g, xhat)), channelSum(e, g)});
  return success();
}

//===----------------------------------------------------------------------===//
// Shape and data movement
//===----------------------------------------------------------------------===//

DL_RULE(TransposeOp) {
  auto op = cast<TransposeOp>(raw);
  SmallVector<int64_t> inverse(op.getPerm().size());
  for (auto [i, p] : llvm::enumerate(op.getPerm()))
    inverse[p] = i;
  grads.assign(1, TransposeOp::create(b, op.getLoc(), resultGrads[0],
                                      b.getDenseI64ArrayAttr(inverse)));
  return success();
}

/// Ops that only rearrange elements into a new shape (reshape, squeeze,
/// unsqueeze, flatten): the gradient is reshaped back; a dynamic input
/// shape comes from dl.shape_of. Shape operands get no gradient.
static LogicalResult reshapeLikeRule(Operation *raw, OpBuilder &b, Value g,
                                     SmallVectorImpl<Value> &grads) {
  grads.assign(raw->getNumOperands(), Value());
  grads[0] = reshapeLike(b, raw->getLoc(), g, raw->getOperand(0));
  return success();
}
DL_RULE(ReshapeOp) { return reshapeLikeRule(raw, b, resultGrads[0], grads); }
DL_RULE(SqueezeOp) { return reshapeLikeRule(raw, b, resultGrads[0], grads); }
DL_RULE(UnsqueezeOp) { return reshapeLikeRule(raw, b, resultGrads[0], grads); }
DL_RULE(FlattenOp) { return reshapeLikeRule(raw, b, resultGrads[0], grads); }
DL_RULE(ExpandOp) {
  grads.assign(raw->getNumOperands(), Value());
  grads[0] = unbroadcast(b, raw->getLoc(), resultGrads[0], raw->getOperand(0));
  return success();
}
DL_RULE(ConcatOp) {
  // Each input gets its piece of g back: a split at the same sizes.
  auto op = cast<ConcatOp>(raw);
  int64_t rank = op.getType().getRank();
  int64_t axis = static_cast<int64_t>(op.getAxis());
  if (axis < 0)
    axis += rank;
  SmallVector<int64_t> sizes;
  SmallVector<Type> types;
  for (Value v : op.getInputs()) {
    if (typeOf(v).isDynamicDim(axis))
      return op.emitOpError("gradient needs static input sizes along the "
                            "concat axis ")
             << axis;
    sizes.push_back(typeOf(v).getDimSize(axis));
    types.push_back(v.getType());
  }
  auto split =
      SplitOp::create(b, op.getLoc(), types, resultGrads[0],
                      b.getI64IntegerAttr(axis), b.getDenseI64ArrayAttr(sizes));
  grads.assign(split.getResults().begin(), split.getResults().end());
  return success();
}
DL_RULE(SplitOp) {
  // The pieces' gradients joined again; a piece without one adds zeros.
  auto op = cast<SplitOp>(raw);
  Location l = op.getLoc();
  SmallVector<Value> pieces;
  for (auto [r, g] : llvm::zip(op.getResults(), resultGrads))
    pieces.push_back(g ? g : zerosLike(b, l, r));
  grads.assign(1, ConcatOp::create(b, l, op.getInput().getType(), pieces,
                                   op.getAxisAttr()));
  return success();
}

/// Adds `g` (with `from` rows along `axis`) into zeros with `x`'s size along
/// that axis: row k of g goes to row rows[k]. Dims other than `axis` keep
/// g's sizes; the dynamic ones among them are x's.
static Value scatterRows(GradBuilder &e, Value g, Value x, int64_t axis,
                         ArrayRef<int64_t> rows) {
  SmallVector<int64_t> shape(typeOf(g).getShape());
  shape[axis] = typeOf(x).getDimSize(axis);
  auto t = RankedTensorType::get(shape, typeOf(g).getElementType());
  Value zeros = ExpandOp::create(
      e.b, e.l, t, e.c(g, 0),
      t.hasStaticShape() ? Value() : dynamicShape(e.b, e.l, x));
  return ScatterAddOp::create(e.b, e.l, t, zeros, e.i64Constant(rows), g,
                              e.b.getI64IntegerAttr(axis));
}

DL_RULE(SliceOp) {
  // Step 1: pad g back with zeros. Other steps (negative ones too): scatter
  // g's rows to the rows they were read from, one axis at a time.
  auto op = cast<SliceOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput(), g = resultGrads[0];
  auto xType = typeOf(x);
  int64_t rank = xType.getRank();
  SmallVector<int64_t> pads(2 * rank, 0);
  auto sliced = op.getSlicedAxes();
  if (failed(sliced))
    return failure();
  for (const SliceOp::SlicedAxis &a : *sliced) {
    int64_t axis = a.axis, step = a.step;
    int64_t dim = xType.getDimSize(axis);
    if (ShapedType::isDynamic(dim))
      return op.emitOpError("gradient needs a static size in sliced dim ")
             << axis;
    SliceDim s = clampSlice(dim, a.start, a.end, step);
    if (step == 1) {
      pads[axis] = s.start;
      pads[axis + rank] = dim - s.start - s.size;
      continue;
    }
    SmallVector<int64_t> rows;
    for (int64_t k = 0; k < s.size; ++k)
      rows.push_back(s.start + k * step);
    g = scatterRows(e, g, x, axis, rows);
  }
  if (llvm::any_of(pads, [](int64_t p) { return p != 0; }))
    g = PadOp::create(b, e.l, xType, g, b.getDenseI64ArrayAttr(pads),
                      PadModeAttr::get(b.getContext(), PadMode::constant),
                      b.getF64FloatAttr(0));
  grads.assign(1, g);
  return success();
}
DL_RULE(PadOp) {
  auto op = cast<PadOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value x = op.getInput(), g = resultGrads[0];
  auto xType = typeOf(x);
  int64_t rank = xType.getRank();
  ArrayRef<int64_t> pads = op.getPads();
  if (op.getMode() == PadMode::constant) {
    // The inverse pad: crop what was added, zero-fill what was cropped.
    SmallVector<int64_t> inverse;
    for (int64_t p : pads)
      inverse.push_back(-p);
    grads.assign(
        1, PadOp::create(b, e.l, xType, g, b.getDenseI64ArrayAttr(inverse),
                         PadModeAttr::get(b.getContext(), PadMode::constant),
                         b.getF64FloatAttr(0)));
    return success();
  }
  // Edge and reflect: every output row along a padded dim reads one input
  // row; scatter g's rows back to those, one dim at a time.
  bool reflect = op.getMode() == PadMode::reflect;
  for (int64_t d = 0; d < rank; ++d) {
    if (pads[d] == 0 && pads[d + rank] == 0)
      continue;
    int64_t dim = xType.getDimSize(d);
    if (ShapedType::isDynamic(dim))
      return op.emitOpError("gradient needs a static size in padded dim ") << d;
    int64_t last = dim - 1;
    SmallVector<int64_t> rows;
    for (int64_t i = 0, out = dim + pads[d] + pads[d + rank]; i < out; ++i) {
      int64_t r = i - pads[d];
      if (reflect) {
        r = std::abs(r);
        r = r > last ? 2 * last - r : r;
      } else {
        r = std::clamp<int64_t>(r, 0, last);
      }
      rows.push_back(r);
    }
    g = scatterRows(e, g, x, d, rows);
  }
  grads.assign(1, g);
  return success();
}
DL_RULE(TileOp) {
  // g as [r0, d0, r1, d1, ...], summed over the repeats.
  auto op = cast<TileOp>(raw);
  GradBuilder e{b, op.getLoc()};
  auto xType = op.getInput().getType();
  if (!xType.hasStaticShape())
    return op.emitOpError("gradient needs a static input shape");
  SmallVector<int64_t> shape, axes;
  for (auto [d, r] : llvm::enumerate(op.getRepeats())) {
    axes.push_back(2 * d);
    shape.push_back(r);
    shape.push_back(xType.getDimSize(d));
  }
  Value split = ReshapeOp::create(
      b, e.l, RankedTensorType::get(shape, xType.getElementType()),
      resultGrads[0], Value(), b.getBoolAttr(false));
  grads.assign(1, e.sum(split, axes, false));
  return success();
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

DL_RULE(GatherOp) {
  // Scatter-add: rows gathered twice get both gradients.
  auto op = cast<GatherOp>(raw);
  Location l = op.getLoc();
  Value x = op.getInput();
  grads.assign(
      {ScatterAddOp::create(b, l, x.getType(), zerosLike(b, l, x),
                            op.getIndices(), resultGrads[0], op.getAxisAttr()),
       Value()});
  return success();
}
DL_RULE(GatherElementsOp) {
  auto op = cast<GatherElementsOp>(raw);
  Location l = op.getLoc();
  Value x = op.getInput();
  grads.assign({ScatterElementsAddOp::create(
                    b, l, x.getType(), zerosLike(b, l, x), op.getIndices(),
                    resultGrads[0], op.getAxisAttr()),
                Value()});
  return success();
}
DL_RULE(ScatterAddOp) {
  // data passes through; each update reads the gradient where it landed.
  auto op = cast<ScatterAddOp>(raw);
  Value g = resultGrads[0];
  grads.assign({g, Value(),
                GatherOp::create(b, op.getLoc(), op.getUpdates().getType(), g,
                                 op.getIndices(), op.getAxisAttr())});
  return success();
}
DL_RULE(ScatterElementsAddOp) {
  auto op = cast<ScatterElementsAddOp>(raw);
  Value g = resultGrads[0];
  grads.assign(
      {g, Value(),
       GatherElementsOp::create(b, op.getLoc(), op.getUpdates().getType(), g,
                                op.getIndices(), op.getAxisAttr())});
  return success();
}

//===----------------------------------------------------------------------===//
// Training-time ops
//===----------------------------------------------------------------------===//

DL_RULE(DropoutOp) {
  // The forward pass's own mask, scaled as the kept elements were; the
  // identity outside training.
  auto op = cast<DropoutOp>(raw);
  GradBuilder e{b, op.getLoc()};
  Value g = resultGrads[0];
  double ratio = op.getRatio().convertToDouble();
  grads.assign(1, Value());
  if (isZero(g))
    return success();
  if (!op.getTraining() || ratio == 0)
    grads[0] = g;
  else
    grads[0] = e.where(op.getMask(), e.mul(g, e.c(g, 1.0 / (1.0 - ratio))));
  return success();
}
DL_RULE(StopGradientOp) {
  grads.assign(1, Value());
  return success();
}

void dlc::dl::registerGradientRules(MLIRContext *context) {
  // Elementwise binary.
  attachGradientRules<AddOp, SubOp, MulOp, DivOp, PowOp, MaxOp, MinOp, ModOp,
                      SelectOp, CastOp>(context);
  // Elementwise unary.
  attachGradientRules<NegOp, ExpOp, LogOp, TanhOp, SigmoidOp, ReluOp, SqrtOp,
                      RsqrtOp, ReciprocalOp, SiluOp, AbsOp, SignOp, FloorOp,
                      CeilOp, RoundOp, ClipOp, LeakyReluOp, EluOp, SeluOp,
                      GeluOp, SoftplusOp, ErfOp, HardSigmoidOp, HardSwishOp,
                      SinOp, CosOp, TanOp, AsinOp, AcosOp, AtanOp, SinhOp,
                      CoshOp, AsinhOp, AcoshOp, AtanhOp>(context);
  // Contractions, reductions, softmax.
  attachGradientRules<MatMulOp, GemmOp, ReduceSumOp, ReduceMeanOp, ReduceMaxOp,
                      ReduceMinOp, ReduceProdOp, ReduceL1Op, ReduceL2Op,
                      ReduceSumSquareOp, ReduceLogSumExpOp, SoftmaxOp,
                      LogSoftmaxOp, SoftmaxCrossEntropyOp>(context);
  // Normalization.
  attachGradientRules<BatchNormTrainOp, BatchNormOp, LayerNormOp,
                      InstanceNormOp, GroupNormOp>(context);
  // Shape, data movement, indexing.
  attachGradientRules<TransposeOp, ReshapeOp, SqueezeOp, UnsqueezeOp, FlattenOp,
                      ExpandOp, ConcatOp, SplitOp, SliceOp, PadOp, TileOp,
                      GatherOp, GatherElementsOp, ScatterAddOp,
                      ScatterElementsAddOp>(context);
  // Training-time ops.
  attachGradientRules<DropoutOp, StopGradientOp, AllReduceOp>(context);
}
