//===- Signal.cpp - ONNX window functions, DFT ----------------------------===//
//
// Windows are cosine sums over dl.range, so a size known only at run time
// gives a dynamic-length window. DFT is a matmul with constant cos / sin
// matrices along the transformed axis (exact O(n^2) form; the lengths the
// transform is used at in models are small).
//
//===----------------------------------------------------------------------===//

#include "NodeImporter.h"

#include <cmath>

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// sum_k coeffs[k] * cos(2 pi k n / N) for n in [0, size), N = size when
/// periodic, else size - 1 (ONNX Hann/Hamming/BlackmanWindow).
static LogicalResult importWindow(NodeImporter &n, ArrayRef<double> coeffs) {
  int64_t dtype = n.intAttr("output_datatype", onnx::TensorProto::FLOAT);
  Type et = convertElementType(n.b.getContext(), static_cast<int32_t>(dtype));
  if (!et || !isa<FloatType>(et))
    return n.fail("output_datatype " + Twine(dtype) +
                  " is not a supported float type");
  auto st = n.inputType(0);
  if (st.getRank() != 0 && !(st.getRank() == 1 && st.getDimSize(0) == 1))
    return n.fail("size must be a scalar");
  Type it = st.getElementType();
  Value size = n.input(0);
  if (st.getRank() == 1) {
    auto s = n.create<dl::SqueezeOp>(size, n.i64s({0}));
    if (failed(s))
      return failure();
    size = *s;
  }
  auto idx = n.createTyped<dl::RangeOp>(
      RankedTensorType::get({ShapedType::kDynamic}, it), n.scalar(0, it), size,
      n.scalar(1, it));
  if (auto c = n.constantInts(0); c && !c->empty())
    idx = n.createTyped<dl::RangeOp>(
        RankedTensorType::get({std::max<int64_t>((*c)[0], 0)}, it),
        n.scalar(0, it), size, n.scalar(1, it));
  if (failed(idx))
    return failure();
  auto fidx = n.createTyped<dl::CastOp>(
      RankedTensorType::get(cast<RankedTensorType>(idx->getType()).getShape(),
                            et),
      *idx);
  auto fsize = n.createTyped<dl::CastOp>(RankedTensorType::get({}, et), size);
  if (failed(fidx) || failed(fsize))
    return failure();
  Value denom = *fsize;
  if (!n.intAttr("periodic", 1)) {
    auto d = n.create<dl::SubOp>(denom, n.scalar(1, et));
    if (failed(d))
      return failure();
    denom = *d;
  }
  // phase = 2 pi n / N
  auto phase = n.create<dl::MulOp>(*fidx, n.scalar(2 * M_PI, et));
  if (failed(phase))
    return failure();
  phase = n.create<dl::DivOp>(*phase, denom);
  if (failed(phase))
    return failure();
  // coeffs[0] + sum_{k >= 1} coeffs[k] * cos(k * phase)
  Value acc;
  for (size_t k = 1; k < coeffs.size(); ++k) {
    auto kp = n.create<dl::MulOp>(*phase, n.scalar(double(k), et));
    if (failed(kp))
      return failure();
    auto cs = n.create<dl::CosOp>(*kp);
    if (failed(cs))
      return failure();
    auto term = n.create<dl::MulOp>(*cs, n.scalar(coeffs[k], et));
    if (failed(term))
      return failure();
    if (!acc) {
      acc = *term;
      continue;
    }
    auto sum = n.create<dl::AddOp>(acc, *term);
    if (failed(sum))
      return failure();
    acc = *sum;
  }
  return n.output(n.create<dl::AddOp>(acc, n.scalar(coeffs[0], et)));
}

/// DFT (opset 17): input [..., n, 1 or 2] (real or complex), the transform
/// along `axis` (not the last), output [..., m, 2] with m = dft_length, or
/// m / 2 + 1 when onesided. A shorter dft_length truncates, a longer one
/// zero-pads: the matrix just has fewer or more rows than the input.
static LogicalResult importDFT(NodeImporter &n) {
  auto in = n.inputType(0);
  Type et = in.getElementType();
  int64_t rank = in.getRank();
  if (!isa<FloatType>(et))
    return n.fail("the input must be a float tensor");
  if (rank < 2 || in.isDynamicDim(rank - 1) ||
      (in.getDimSize(rank - 1) != 1 && in.getDimSize(rank - 1) != 2))
    return n.fail("the last dim must be 1 (real) or 2 (complex)");
  int64_t axis = n.intAttr("axis", 1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank - 1)
    return n.fail("axis must name a dim before the last");
  int64_t len = in.getDimSize(axis);
  if (ShapedType::isDynamic(len))
    return n.fail("the transformed dim must be static");
  int64_t dftLen = len;
  if (n.hasInput(1)) {
    auto c = n.constantInts(1);
    if (!c || c->size() != 1)
      return n.fail("dft_length must be a constant scalar");
    dftLen = (*c)[0];
    if (dftLen < 1)
      return n.fail("dft_length must be positive");
  }
  bool inverse = n.intAttr("inverse", 0) != 0;
  bool onesided = n.intAttr("onesided", 0) != 0;
  bool complexIn = in.getDimSize(rank - 1) == 2;
  if (inverse && onesided)
    return n.fail("onesided inverse DFT is not supported");
  int64_t outLen = onesided ? dftLen / 2 + 1 : dftLen;
  int64_t used = std::min(len, dftLen);

  // Move the axis last and split real / imaginary parts: [..., len].
  SmallVector<int64_t> perm;
  for (int64_t d = 0; d < rank - 1; ++d)
    if (d != axis)
      perm.push_back(d);
  perm.push_back(axis);
  perm.push_back(rank - 1);
  auto moved = n.create<dl::TransposeOp>(n.input(0), perm);
  if (failed(moved))
    return failure();
  auto parts = n.createAll<dl::SplitOp>(
      complexIn ? 2 : 1, *moved, rank - 1,
      n.i64s(complexIn ? ArrayRef<int64_t>{1, 1} : ArrayRef<int64_t>{1}));
  if (failed(parts))
    return failure();
  SmallVector<Value> re;
  for (Value p : *parts) {
    auto s = n.create<dl::SqueezeOp>(p, n.i64s({rank - 1}));
    if (failed(s))
      return failure();
    re.push_back(*s);
  }
  // x[..., t] * M[t, k], M = cos / sin(+-2 pi t k / dftLen), rows past the
  // input's length dropped (zero padding), past dftLen (truncation) zero.
  double sign = inverse ? 1.0 : -1.0, scale = inverse ? 1.0 / dftLen : 1.0;
  auto matrix = [&](bool sine) {
    SmallVector<double> m(len * outLen, 0.0);
    for (int64_t t = 0; t < used; ++t)
      for (int64_t k = 0; k < outLen; ++k) {
        double a = 2 * M_PI * double((t * k) % dftLen) / double(dftLen);
        m[t * outLen + k] = scale * (sine ? sign * std::sin(a) : std::cos(a));
      }
    auto type = RankedTensorType::get({len, outLen}, et);
    SmallVector<APFloat> values;
    for (double v : m) {
      APFloat f(v);
      bool lost;
      f.convert(cast<FloatType>(et).getFloatSemantics(),
                APFloat::rmNearestTiesToEven, &lost);
      values.push_back(f);
    }
    return n.constant(DenseElementsAttr::get(type, values));
  };
  Value cosM = matrix(false), sinM = matrix(true);
  // (a + ib)(c + is) = (ac - bs) + i(as + bc)
  auto mm = [&](Value x, Value m) { return n.create<dl::MatMulOp>(x, m); };
  auto outRe = mm(re[0], cosM), outIm = mm(re[0], sinM);
  if (failed(outRe) || failed(outIm))
    return failure();
  if (complexIn) {
    auto bs = mm(re[1], sinM), bc = mm(re[1], cosM);
    if (failed(bs) || failed(bc))
      return failure();
    outRe = n.create<dl::SubOp>(*outRe, *bs);
    outIm = n.create<dl::AddOp>(*outIm, *bc);
    if (failed(outRe) || failed(outIm))
      return failure();
  }
  auto r = n.create<dl::UnsqueezeOp>(*outRe, n.i64s({rank - 1}));
  auto i = n.create<dl::UnsqueezeOp>(*outIm, n.i64s({rank - 1}));
  if (failed(r) || failed(i))
    return failure();
  auto joined = n.create<dl::ConcatOp>(ValueRange{*r, *i}, rank - 1);
  if (failed(joined))
    return failure();
  // Back to the input's dim order.
  SmallVector<int64_t> inv(rank);
  for (int64_t d = 0; d < rank; ++d)
    inv[perm[d]] = d;
  return n.output(n.create<dl::TransposeOp>(*joined, inv));
}

void dlc::onnx_frontend::registerSignalOps(OpRegistry &r) {
  r["HannWindow"] = [](NodeImporter &n) {
    return importWindow(n, {0.5, -0.5});
  };
  r["HammingWindow"] = [](NodeImporter &n) {
    return importWindow(n, {25.0 / 46.0, -(1.0 - 25.0 / 46.0)});
  };
  r["BlackmanWindow"] = [](NodeImporter &n) {
    return importWindow(n, {0.42, -0.5, 0.08});
  };
  r["DFT"] = importDFT;
}
