//===- Math.cpp - ONNX MatMul, Gemm, Einsum -------------------------------===//

#include "NodeImporter.h"

#include <map>
#include <set>

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// Einsum equations that are a (batched) matmul, possibly with transposed
/// operands: "...ij,...jk->...ik" and the like, with the same batch letters
/// in the same order on both sides and the result.
static LogicalResult importEinsumMatMul(NodeImporter &n) {
  std::string eq = n.stringAttr("equation", "");
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  auto arrow = eq.find("->");
  auto comma = eq.find(',');
  if (n.numInputs() != 2 || arrow == std::string::npos ||
      comma == std::string::npos || comma > arrow ||
      eq.find("...") != std::string::npos)
    return n.fail("Einsum '" + eq + "' is not a two-operand matmul form");
  std::string a = eq.substr(0, comma),
              b = eq.substr(comma + 1, arrow - comma - 1),
              out = eq.substr(arrow + 2);
  if (a.size() < 2 || a.size() != b.size() || a.size() != out.size())
    return n.fail("Einsum '" + eq + "' is not a two-operand matmul form");
  // A letter twice in the output (a diagonal) is not a matmul.
  if (std::set<char>(out.begin(), out.end()).size() != out.size())
    return n.fail("Einsum '" + eq + "' repeats an output letter");
  size_t batch = a.size() - 2;
  if (a.substr(0, batch) != b.substr(0, batch) ||
      a.substr(0, batch) != out.substr(0, batch))
    return n.fail("Einsum '" + eq + "' batch letters differ between operands");
  char i = out[batch], k = out[batch + 1];
  // Find the contracted letter: in both inputs, not in the output.
  auto lhsTail = a.substr(batch), rhsTail = b.substr(batch);
  char j = 0;
  for (char c : lhsTail)
    if (c != i && rhsTail.find(c) != std::string::npos && c != k)
      j = c;
  if (!j || lhsTail.find(i) == std::string::npos ||
      rhsTail.find(k) == std::string::npos)
    return n.fail("Einsum '" + eq + "' is not a matmul form");
  auto operand = [&](unsigned idx, const std::string &tail, char first,
                     char second) -> FailureOr<Value> {
    Value v = n.input(idx);
    if (tail[0] == first && tail[1] == second)
      return v;
    SmallVector<int64_t> perm;
    for (size_t d = 0; d < batch; ++d)
      perm.push_back(d);
    perm.push_back(batch + 1);
    perm.push_back(batch);
    return n.create<dl::TransposeOp>(v, perm);
  };
  auto lhs = operand(0, lhsTail, i, j);
  auto rhs = operand(1, rhsTail, j, k);
  if (failed(lhs) || failed(rhs))
    return failure();
  return n.output(n.create<dl::MatMulOp>(*lhs, *rhs));
}

/// Any Einsum: each operand's repeated letters become its diagonal, its dims
/// are permuted and padded with 1s into one order of all letters (output
/// letters first), the operands multiply with broadcasting and the letters
/// not in the output are summed. Ellipses stand for the same broadcast dims
/// in every operand. Exact but not fast for contractions: the matmul forms
/// take importEinsumMatMul.
static LogicalResult importEinsumGeneral(NodeImporter &n) {
  std::string eq = n.stringAttr("equation", "");
  eq.erase(std::remove(eq.begin(), eq.end(), ' '), eq.end());
  auto arrow = eq.find("->");
  std::string lhs = eq.substr(0, arrow);
  std::optional<std::string> rhs;
  if (arrow != std::string::npos)
    rhs = eq.substr(arrow + 2);
  SmallVector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (terms.size() != n.numInputs())
    return n.fail("Einsum '" + eq + "' has " + Twine(terms.size()) +
                  " operand terms for " + Twine(n.numInputs()) + " inputs");
  // Labels: letters as themselves; ellipsis dims as '0' + k, right-aligned
  // (the k-th from the last ellipsis dim is the same label everywhere).
  int64_t ellipsisRank = 0;
  SmallVector<SmallVector<char>> labels;
  for (auto [i, term] : llvm::enumerate(terms)) {
    size_t dots = term.find("...");
    std::string letters = term;
    if (dots != std::string::npos)
      letters.erase(dots, 3);
    for (char c : letters)
      if (!std::isalpha(static_cast<unsigned char>(c)))
        return n.fail("Einsum '" + eq + "' has an invalid term '" + term + "'");
    int64_t rank = n.inputType(i).getRank();
    int64_t extra = rank - static_cast<int64_t>(letters.size());
    if ((dots == std::string::npos && extra != 0) || extra < 0)
      return n.fail("Einsum term '" + term + "' does not fit a rank-" +
                    Twine(rank) + " input");
    SmallVector<char> l;
    for (size_t p = 0; p < term.size();) {
      if (p == dots) {
        for (int64_t k = extra; k > 0; --k)
          l.push_back(static_cast<char>('0' + k));
        p += 3;
        continue;
      }
      l.push_back(term[p++]);
    }
    ellipsisRank = std::max(ellipsisRank, extra);
    labels.push_back(l);
  }
  if (ellipsisRank > 9)
    return n.fail("Einsum ellipsis covers more than 9 dims");
  SmallVector<char> outLabels;
  std::map<char, int> counts;
  for (auto &l : labels)
    for (char c : l)
      ++counts[c];
  if (rhs) {
    size_t dots = rhs->find("...");
    for (size_t p = 0; p < rhs->size();) {
      if (p == dots) {
        for (int64_t k = ellipsisRank; k > 0; --k)
          outLabels.push_back(static_cast<char>('0' + k));
        p += 3;
        continue;
      }
      char c = (*rhs)[p++];
      if (!counts.count(c) || llvm::is_contained(outLabels, c))
        return n.fail("Einsum '" + eq + "' has an invalid output letter '" +
                      Twine(c) + "'");
      outLabels.push_back(c);
    }
  } else {
    // Implicit output: the ellipsis dims, then letters used once, sorted.
    for (int64_t k = ellipsisRank; k > 0; --k)
      outLabels.push_back(static_cast<char>('0' + k));
    for (auto [c, cnt] : counts)
      if (std::isalpha(static_cast<unsigned char>(c)) && cnt == 1)
        outLabels.push_back(c);
  }
  SmallVector<char> order(outLabels);
  for (auto [c, cnt] : counts)
    if (!llvm::is_contained(order, c))
      order.push_back(c);

  Value product;
  for (unsigned i = 0; i < n.numInputs(); ++i) {
    Value v = n.input(i);
    SmallVector<char> l = labels[i];
    // Repeated letters: keep the diagonal (select it, sum out the repeat).
    for (bool again = true; again;) {
      again = false;
      for (size_t p = 0; p < l.size() && !again; ++p)
        for (size_t q = p + 1; q < l.size() && !again; ++q) {
          if (l[p] != l[q])
            continue;
          auto t = cast<RankedTensorType>(v.getType());
          int64_t d = t.getDimSize(p);
          if (ShapedType::isDynamic(d) || d != t.getDimSize(q))
            return n.fail("Einsum '" + eq +
                          "' takes a diagonal of dims that are not static "
                          "and equal");
          SmallVector<int64_t> maskShape(l.size(), 1);
          maskShape[p] = maskShape[q] = d;
          SmallVector<bool> eye;
          for (int64_t a = 0; a < d; ++a)
            for (int64_t b = 0; b < d; ++b)
              eye.push_back(a == b);
          Value mask = n.constant(DenseElementsAttr::get(
              RankedTensorType::get(maskShape, n.b.getI1Type()),
              ArrayRef(eye)));
          auto sel =
              n.create<dl::SelectOp>(mask, v, n.scalar(0, t.getElementType()));
          if (failed(sel))
            return failure();
          auto sum = n.create<dl::ReduceSumOp>(
              *sel, n.i64s({static_cast<int64_t>(q)}), false);
          if (failed(sum))
            return failure();
          v = *sum;
          l.erase(l.begin() + q);
          again = true;
        }
    }
    // Permute into `order`, then insert 1s for the letters it lacks.
    SmallVector<int64_t> perm;
    SmallVector<char> sorted;
    for (char c : order)
      if (auto it = llvm::find(l, c); it != l.end()) {
        perm.push_back(it - l.begin());
        sorted.push_back(c);
      }
    bool identity = llvm::equal(perm, llvm::seq<int64_t>(0, perm.size()));
    if (!identity) {
      auto t = n.create<dl::TransposeOp>(v, perm);
      if (failed(t))
        return failure();
      v = *t;
    }
    SmallVector<int64_t> missing;
    for (auto [pos, c] : llvm::enumerate(order))
      if (!llvm::is_contained(sorted, c))
        missing.push_back(pos);
    if (!missing.empty()) {
      auto u = n.create<dl::UnsqueezeOp>(v, n.i64s(missing));
      if (failed(u))
        return failure();
      v = *u;
    }
    if (!product) {
      product = v;
      continue;
    }
    auto m = n.create<dl::MulOp>(product, v);
    if (failed(m))
      return failure();
    product = *m;
  }
  SmallVector<int64_t> summed;
  for (size_t pos = outLabels.size(); pos < order.size(); ++pos)
    summed.push_back(pos);
  if (summed.empty()) {
    n.setOutput(0, product);
    return success();
  }
  return n.output(n.create<dl::ReduceSumOp>(product, n.i64s(summed), false));
}

/// The matmul forms as one dl.matmul; everything else composed.
static LogicalResult importEinsum(NodeImporter &n) {
  size_t errors = n.state.errors.size();
  if (succeeded(importEinsumMatMul(n)))
    return success();
  n.state.errors.resize(errors);
  return importEinsumGeneral(n);
}

/// Det of square matrices up to 3 x 3 (the last two dims), by the closed
/// forms (the cofactor expansion along the first row); larger ones are
/// refused.
static LogicalResult importDet(NodeImporter &n) {
  auto x = n.inputType(0);
  int64_t rank = x.getRank();
  if (rank < 2 || !isa<FloatType>(x.getElementType()))
    return n.fail("the input must be a float tensor of rank 2 or more");
  int64_t size = x.getDimSize(rank - 1);
  if (ShapedType::isDynamic(size) || x.getDimSize(rank - 2) != size)
    return n.fail("the matrices must be square with a static size");
  if (size > 3)
    return n.fail("Det of " + Twine(size) + "x" + Twine(size) +
                  " matrices is not supported (up to 3x3)");
  auto batch =
      RankedTensorType::get(x.getShape().drop_back(2), x.getElementType());
  auto elem = [&](int64_t i, int64_t j) -> FailureOr<Value> {
    auto s = n.create<dl::SliceOp>(n.input(0), n.i64s({i, j}),
                                   n.i64s({i + 1, j + 1}),
                                   n.i64s({rank - 2, rank - 1}), nullptr);
    if (failed(s))
      return failure();
    return n.createTyped<dl::ReshapeOp>(batch, *s, Value());
  };
  auto mul = [&](FailureOr<Value> a, FailureOr<Value> b) -> FailureOr<Value> {
    if (failed(a) || failed(b))
      return failure();
    return n.create<dl::MulOp>(*a, *b);
  };
  auto sub = [&](FailureOr<Value> a, FailureOr<Value> b) -> FailureOr<Value> {
    if (failed(a) || failed(b))
      return failure();
    return n.create<dl::SubOp>(*a, *b);
  };
  // The 2 x 2 minor of rows r0, r1 and columns c0, c1.
  auto minor = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
    return sub(mul(elem(r0, c0), elem(r1, c1)),
               mul(elem(r0, c1), elem(r1, c0)));
  };
  if (size == 1)
    return n.output(elem(0, 0));
  if (size == 2)
    return n.output(minor(0, 1, 0, 1));
  auto t0 = mul(elem(0, 0), minor(1, 2, 1, 2));
  auto t1 = mul(elem(0, 1), minor(1, 2, 0, 2));
  auto t2 = mul(elem(0, 2), minor(1, 2, 0, 1));
  auto d = sub(t0, t1);
  if (failed(d) || failed(t2))
    return failure();
  return n.output(n.create<dl::AddOp>(*d, *t2));
}

void dlc::onnx_frontend::registerMathOps(OpRegistry &r) {
  r["Det"] = importDet;
  r["MatMul"] = [](NodeImporter &n) -> LogicalResult {
    return n.output(n.create<dl::MatMulOp>(n.input(0), n.input(1)));
  };
  r["Gemm"] = [](NodeImporter &n) -> LogicalResult {
    // An omitted C is null, which the builder leaves out.
    return n.output(n.create<dl::GemmOp>(
        n.input(0), n.input(1), n.input(2), n.intAttr("transA", 0) != 0,
        n.intAttr("transB", 0) != 0, APFloat(n.floatAttr("alpha", 1.0)),
        APFloat(n.floatAttr("beta", 1.0))));
  };
  r["Einsum"] = importEinsum;
}
