//===- Math.cpp - ONNX MatMul, Gemm, Einsum -------------------------------===//

#include "NodeImporter.h"

#include <set>

using namespace mlir;
using namespace dlc::onnx_frontend;
namespace dl = dlc::dl;

/// Einsum equations that are a (batched) matmul, possibly with transposed
/// operands: "...ij,...jk->...ik" and the like, with the same batch letters
/// in the same order on both sides and the result.
static LogicalResult importEinsum(NodeImporter &n) {
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

void dlc::onnx_frontend::registerMathOps(OpRegistry &r) {
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
