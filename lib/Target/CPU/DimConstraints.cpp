//===- DimConstraints.cpp - dynamic dims an entry point needs equal -------===//

#include "dlc/Target/CPU/DimConstraints.h"

#include "dlc/Dialect/DL/IR/DLOps.h"

#include "mlir/IR/Block.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "llvm/ADT/DenseMap.h"

using namespace mlir;

namespace dlc::cpu {
namespace {

/// A union-find over (value, dim) of dynamic dims; a root may be pinned to a
/// static size.
class DimUnion {
public:
  /// The node of `v`'s dim `d`, or -1 if that dim is static.
  int node(Value v, int64_t d) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t || d < 0 || d >= t.getRank() || !t.isDynamicDim(d))
      return -1;
    auto [it, inserted] = nodes.try_emplace({v, d}, (int)parent.size());
    if (inserted) {
      parent.push_back(it->second);
      pinned.push_back(-1);
    }
    return it->second;
  }
  int find(int n) {
    while (parent[n] != n)
      n = parent[n] = parent[parent[n]];
    return n;
  }
  void unite(int a, int b) {
    if (a < 0 || b < 0)
      return;
    a = find(a);
    b = find(b);
    if (a == b)
      return;
    parent[b] = a;
    if (pinned[a] < 0)
      pinned[a] = pinned[b];
  }
  void pin(int n, int64_t size) {
    if (n >= 0 && pinned[find(n)] < 0)
      pinned[find(n)] = size;
  }
  int64_t pinnedSize(int n) { return pinned[find(n)]; }
  int size() const { return (int)parent.size(); }

private:
  llvm::DenseMap<std::pair<Value, int64_t>, int> nodes;
  std::vector<int> parent;
  std::vector<int64_t> pinned;
};

int64_t rankOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t ? t.getRank() : -1;
}

int64_t staticDim(Value v, int64_t d) {
  auto t = cast<RankedTensorType>(v.getType());
  return t.isDynamicDim(d) ? -1 : t.getDimSize(d);
}

/// Dims that must be the same size: unify the dynamic ones, and pin them to
/// a static size > 1 among them (a static 1 broadcasts).
void sameSize(DimUnion &u, ArrayRef<std::pair<Value, int64_t>> dims,
              bool staticOneBroadcasts) {
  int first = -1;
  int64_t size = -1;
  for (auto [v, d] : dims) {
    if (d < 0 || d >= rankOf(v))
      continue;
    int n = u.node(v, d);
    if (n < 0) {
      int64_t s = staticDim(v, d);
      if (!(staticOneBroadcasts && s == 1))
        size = s;
      continue;
    }
    if (first < 0)
      first = n;
    u.unite(first, n);
  }
  if (first >= 0 && size >= 0)
    u.pin(first, size);
}

/// numpy broadcasting of `values` aligned at their last dims (the lowering
/// takes dynamic dims to be equal, not 1 broadcast at run time).
void broadcast(DimUnion &u, ArrayRef<Value> values) {
  int64_t rank = 0;
  for (Value v : values)
    rank = std::max(rank, rankOf(v));
  for (int64_t i = 0; i < rank; ++i) {
    SmallVector<std::pair<Value, int64_t>> dims;
    for (Value v : values)
      dims.push_back({v, i - (rank - rankOf(v))});
    sameSize(u, dims, /*staticOneBroadcasts=*/true);
  }
}

/// The explicit rules: ops whose lowering needs dims equal.
void applyRules(DimUnion &u, Operation *op) {
  if (op->getNumResults() != 1 || rankOf(op->getResult(0)) < 0)
    return;
  Value result = op->getResult(0);
  if (isa<dl::ElementwiseOpInterface, dl::SelectOp>(op)) {
    SmallVector<Value> values(op->getOperands());
    values.push_back(result);
    broadcast(u, values);
    return;
  }
  if (auto concat = dyn_cast<dl::ConcatOp>(op)) {
    int64_t rank = rankOf(result);
    int64_t axis = static_cast<int64_t>(concat.getAxis());
    if (axis < 0)
      axis += rank;
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis)
        continue;
      SmallVector<std::pair<Value, int64_t>> dims{{result, d}};
      for (Value v : concat.getInputs())
        dims.push_back({v, d});
      sameSize(u, dims, /*staticOneBroadcasts=*/false);
    }
    return;
  }
  if (auto matmul = dyn_cast<dl::MatMulOp>(op)) {
    Value a = matmul.getLhs(), b = matmul.getRhs();
    int64_t ra = rankOf(a), rb = rankOf(b);
    sameSize(u, {{a, ra - 1}, {b, rb >= 2 ? rb - 2 : 0}},
             /*staticOneBroadcasts=*/false);
    // Batch dims broadcast against each other and the result's.
    int64_t batch = std::max<int64_t>({ra - 2, rb - 2, 0});
    int64_t rr = rankOf(result);
    for (int64_t i = 0; i < batch; ++i) {
      SmallVector<std::pair<Value, int64_t>> dims;
      if (ra > 2)
        dims.push_back({a, i - (batch - (ra - 2))});
      if (rb > 2)
        dims.push_back({b, i - (batch - (rb - 2))});
      if (rr - 2 >= batch)
        dims.push_back({result, i - (batch - (rr - 2))});
      sameSize(u, dims, /*staticOneBroadcasts=*/true);
    }
    return;
  }
  if (auto gemm = dyn_cast<dl::GemmOp>(op)) {
    Value a = gemm.getA(), b = gemm.getB();
    if (rankOf(a) != 2 || rankOf(b) != 2 || rankOf(result) != 2)
      return;
    int64_t ka = gemm.getTransA() ? 0 : 1, kb = gemm.getTransB() ? 1 : 0;
    sameSize(u, {{a, ka}, {b, kb}}, /*staticOneBroadcasts=*/false);
    sameSize(u, {{a, 1 - ka}, {result, 0}}, false);
    sameSize(u, {{b, 1 - kb}, {result, 1}}, false);
    if (Value c = gemm.getC())
      broadcast(u, {c, result});
    return;
  }
  if (op->hasTrait<OpTrait::SameOperandsAndResultShape>()) {
    for (int64_t d = 0; d < rankOf(result); ++d) {
      SmallVector<std::pair<Value, int64_t>> dims{{result, d}};
      for (Value v : op->getOperands())
        if (rankOf(v) == rankOf(result))
          dims.push_back({v, d});
      sameSize(u, dims, /*staticOneBroadcasts=*/false);
    }
  }
}

/// Learns which operand dim each dynamic result dim is: infers the result
/// types with every class of dynamic operand dims given its own size.
void probe(DimUnion &u, Operation *op) {
  auto infer = dyn_cast<InferTypeOpInterface>(op);
  if (!infer || op->getNumRegions() != 0)
    return;
  Block scratch;
  SmallVector<Value> operands;
  llvm::DenseMap<int64_t, int> rootOfSize;
  for (Value v : op->getOperands()) {
    auto t = dyn_cast<RankedTensorType>(v.getType());
    if (!t) {
      operands.push_back(scratch.addArgument(v.getType(), op->getLoc()));
      continue;
    }
    SmallVector<int64_t> shape(t.getShape());
    for (int64_t d = 0; d < t.getRank(); ++d) {
      int n = u.node(v, d);
      if (n < 0)
        continue;
      int root = u.find(n);
      if (u.pinnedSize(root) >= 0) {
        shape[d] = u.pinnedSize(root);
        continue;
      }
      // Large, odd and far apart, so that no sum or product of two of them
      // or with a small static dim is mistaken for another.
      shape[d] = 1000003 + 2 * (int64_t)root * 7919;
      rootOfSize[shape[d]] = root;
    }
    operands.push_back(scratch.addArgument(t.clone(shape), op->getLoc()));
  }
  if (rootOfSize.empty())
    return;
  SmallVector<Type> inferred;
  if (failed(infer.inferReturnTypes(
          op->getContext(), std::nullopt, operands, op->getRawDictionaryAttrs(),
          op->getPropertiesStorage(), op->getRegions(), inferred)) ||
      inferred.size() != op->getNumResults())
    return;
  for (auto [result, type] : llvm::zip(op->getResults(), inferred)) {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t || t.getRank() != rankOf(result))
      continue;
    for (int64_t d = 0; d < t.getRank(); ++d) {
      auto it = rootOfSize.find(t.getDimSize(d));
      if (it != rootOfSize.end())
        u.unite(it->second, u.node(result, d));
    }
  }
}

} // namespace

DimConstraints analyzeDimConstraints(func::FuncOp func) {
  DimUnion u;
  func.walk([&](Operation *op) {
    if (!isa_and_nonnull<dl::DLDialect>(op->getDialect()))
      return;
    applyRules(u, op);
    probe(u, op);
  });
  DimConstraints c;
  // Count the argument dims of each root.
  llvm::DenseMap<int, int> uses;
  for (BlockArgument arg : func.getArguments())
    for (int64_t d = 0; d < std::max<int64_t>(rankOf(arg), 0); ++d)
      if (int n = u.node(arg, d); n >= 0)
        ++uses[u.find(n)];
  llvm::DenseMap<int, int32_t> classOf;
  for (BlockArgument arg : func.getArguments()) {
    std::vector<int32_t> classes;
    for (int64_t d = 0; d < std::max<int64_t>(rankOf(arg), 0); ++d) {
      int n = u.node(arg, d);
      int root = n < 0 ? -1 : u.find(n);
      if (root < 0 || (uses[root] < 2 && u.pinnedSize(root) < 0)) {
        classes.push_back(-1);
        continue;
      }
      auto [it, inserted] = classOf.try_emplace(root, c.classSize.size());
      if (inserted)
        c.classSize.push_back(u.pinnedSize(root));
      classes.push_back(it->second);
    }
    c.argClass.push_back(std::move(classes));
  }
  return c;
}

} // namespace dlc::cpu
