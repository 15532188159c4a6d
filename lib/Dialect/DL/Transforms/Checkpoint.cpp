//===- Checkpoint.cpp - gradient checkpointing (rematerialization) --------===//
//
// dl-checkpoint trades compute for memory in a function that holds a forward
// computation and then its reverse sweep (dl-train-step's train step,
// dl-autodiff's NAME_grad). Left alone, every forward value a gradient rule
// reads stays alive from the forward until its backward op, so the peak
// grows with depth. Here the forward ops are cut into segments; a segment's
// values that the backward reads are recomputed right before the backward
// needs them, from the segment's inputs, and only those inputs (and what
// cannot be recomputed) stay alive (Chen et al. 2016, "Training Deep Nets
// with Sublinear Memory Cost").
//
// Every plan is judged by the same estimate: a liveness walk over the
// transformed block with static sizes (the buffers the CPU pipeline frees
// after their last use, dl-dealloc-at-last-use), so the report and the
// budget search see what the transformation does.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>

namespace dlc::dl {
#define GEN_PASS_DEF_DLCHECKPOINT
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

constexpr llvm::StringLiteral kCheckpointAttr = "dl.checkpoint";

//===----------------------------------------------------------------------===//
// Policies
//===----------------------------------------------------------------------===//

struct Policy {
  enum Kind { None, Sqrt, PerBlock, Budget } kind = None;
  int64_t budget = 0; // bytes
  std::string at;     // per-block: node-name regex
  bool report = false;
};

/// "64MiB", "1.5G", "4096": binary units, an optional B / iB.
std::optional<int64_t> parseSize(StringRef text) {
  text = text.trim();
  size_t digits = 0;
  while (digits < text.size() &&
         (isdigit(static_cast<unsigned char>(text[digits])) ||
          text[digits] == '.'))
    ++digits;
  double value;
  if (digits == 0 || text.take_front(digits).getAsDouble(value))
    return std::nullopt;
  std::string u = text.drop_front(digits).trim().lower();
  double scale = 1;
  if (u == "" || u == "b")
    scale = 1;
  else if (u == "k" || u == "kb" || u == "kib")
    scale = 1024.0;
  else if (u == "m" || u == "mb" || u == "mib")
    scale = 1024.0 * 1024;
  else if (u == "g" || u == "gb" || u == "gib")
    scale = 1024.0 * 1024 * 1024;
  else
    return std::nullopt;
  double bytes = value * scale;
  if (!(bytes >= 1) || bytes > 9e18)
    return std::nullopt;
  return static_cast<int64_t>(bytes);
}

FailureOr<Policy> parsePolicy(Operation *where, StringRef spec, StringRef at) {
  Policy p;
  p.at = at.str();
  spec = spec.trim();
  if (spec.empty() || spec == "none")
    p.kind = at.empty() ? Policy::None : Policy::PerBlock;
  else if (spec == "sqrt")
    p.kind = Policy::Sqrt;
  else if (spec == "per-block")
    p.kind = Policy::PerBlock;
  else if (spec.consume_front("budget=")) {
    std::optional<int64_t> size = parseSize(spec);
    if (!size)
      return where->emitError("dl-checkpoint: cannot read the budget '")
             << spec << "' (expected bytes, e.g. 64MiB, 1.5G or 4096)";
    p.kind = Policy::Budget;
    p.budget = *size;
  } else {
    return where->emitError("dl-checkpoint: unknown policy '")
           << spec << "' (expected none, sqrt, per-block or budget=SIZE)";
  }
  if (!p.at.empty()) {
    std::string error;
    if (!llvm::Regex(p.at).isValid(error))
      return where->emitError("dl-checkpoint: bad --checkpoint-at regex '")
             << p.at << "': " << error;
  }
  return p;
}

//===----------------------------------------------------------------------===//
// Sizes and costs
//===----------------------------------------------------------------------===//

/// Bytes of a tensor value (dynamic dims count 1; i1 is one byte).
int64_t bytesOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return 0;
  int64_t n = 1;
  for (int64_t d : t.getShape())
    n *= ShapedType::isDynamic(d) ? 1 : d;
  Type et = t.getElementType();
  unsigned bits = et.isIntOrFloat() ? et.getIntOrFloatBitWidth() : 64;
  return n * std::max<int64_t>(1, (bits + 7) / 8);
}

int64_t elementsOf(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  if (!t)
    return 0;
  int64_t n = 1;
  for (int64_t d : t.getShape())
    n *= ShapedType::isDynamic(d) ? 1 : d;
  return n;
}

/// Floating-point operations of an op, roughly: 2 per multiply-add of a
/// contraction, one per result element otherwise.
double flopsOf(Operation *op) {
  auto shape = [](Value v) {
    return cast<RankedTensorType>(v.getType()).getShape();
  };
  auto prodFrom = [](ArrayRef<int64_t> s, unsigned from) {
    double p = 1;
    for (unsigned i = from; i < s.size(); ++i)
      p *= ShapedType::isDynamic(s[i]) ? 1 : s[i];
    return p;
  };
  if (auto mm = dyn_cast<MatMulOp>(op)) {
    ArrayRef<int64_t> l = shape(mm.getLhs());
    double k = l.empty() || ShapedType::isDynamic(l.back()) ? 1 : l.back();
    return 2 * k * elementsOf(mm.getResult());
  }
  if (auto g = dyn_cast<GemmOp>(op)) {
    ArrayRef<int64_t> a = shape(g.getA());
    int64_t k = g.getTransA() ? a[0] : a[1];
    return 2.0 * (ShapedType::isDynamic(k) ? 1 : k) * elementsOf(g.getResult());
  }
  if (auto c = dyn_cast<ConvOp>(op))
    return 2 * prodFrom(shape(c.getWeight()), 1) * elementsOf(c.getResult());
  if (auto c = dyn_cast<ConvTransposeOp>(op))
    return 2 * prodFrom(shape(c.getWeight()), 1) * elementsOf(c.getInput());
  double n = 0;
  for (Value r : op->getResults())
    n += elementsOf(r);
  return n;
}

/// Ops whose results are views of their first operand (no buffer).
bool isView(Operation *op) {
  return isa<ReshapeOp, FlattenOp, SqueezeOp, UnsqueezeOp>(op);
}

bool isContraction(Operation *op) {
  return isa<MatMulOp, GemmOp, ConvOp, ConvTransposeOp>(op);
}

/// Whether cloning `op` computes the same values again: no side effects,
/// no regions. dl's random ops qualify: their draws are keyed by the seed
/// attribute and the step counter operand, so a clone replays them.
bool isRecomputable(Operation *op) {
  return op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
         !op->hasTrait<OpTrait::ConstantLike>() && !isa<RecomputeBarrierOp>(op);
}

std::string nodeName(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    for (Location l : fused.getLocations())
      if (std::string n = nodeName(l); !n.empty())
        return n;
    return "";
  }
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  return "";
}

std::string formatBytes(double bytes) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (bytes >= 1024.0 * 1024 * 1024)
    os << llvm::format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
  else if (bytes >= 1024.0 * 1024)
    os << llvm::format("%.2f MiB", bytes / (1024.0 * 1024));
  else if (bytes >= 1024.0)
    os << llvm::format("%.1f KiB", bytes / 1024.0);
  else
    os << llvm::format("%.0f B", bytes);
  return s;
}

std::string formatFlops(double flops) {
  std::string s;
  llvm::raw_string_ostream os(s);
  if (flops >= 1e9)
    os << llvm::format("%.3g GFLOP", flops / 1e9);
  else if (flops >= 1e6)
    os << llvm::format("%.3g MFLOP", flops / 1e6);
  else
    os << llvm::format("%.0f FLOP", flops);
  return s;
}

//===----------------------------------------------------------------------===//
// The estimate
//===----------------------------------------------------------------------===//

/// What is live at the estimated peak, for the report.
struct PeakProfile {
  Operation *at = nullptr;                     // the op where the peak is
  SmallVector<std::pair<Value, int64_t>> live; // buffers (roots) and bytes
};

/// The most bytes live at once when `block` runs in order: each tensor
/// result not a view, barrier or constant gets a buffer at its op, freed
/// after the last use of it or of a view of it; returned values live to the
/// end; the block's arguments are the caller's. With `profile`, also what
/// is live there.
int64_t estimatePeak(Block &block, PeakProfile *profile = nullptr) {
  llvm::DenseMap<Value, Value> root;
  llvm::DenseMap<Value, int64_t> bytes;
  llvm::DenseMap<Value, unsigned> lastUse, defined;
  auto rootOf = [&](Value v) {
    auto it = root.find(v);
    return it == root.end() ? v : it->second;
  };
  unsigned index = 0, end = block.getOperations().size();
  for (Operation &op : block) {
    for (Value v : op.getOperands()) {
      Value r = rootOf(v);
      unsigned at = op.hasTrait<OpTrait::IsTerminator>() ? end : index;
      auto [it, inserted] = lastUse.try_emplace(r, at);
      if (!inserted)
        it->second = std::max(it->second, at);
    }
    op.walk([&](Operation *nested) {
      if (nested == &op)
        return;
      for (Value v : nested->getOperands())
        if (v.getParentBlock() == &block) {
          Value r = rootOf(v);
          auto [it, inserted] = lastUse.try_emplace(r, index);
          if (!inserted)
            it->second = std::max(it->second, index);
        }
    });
    if (auto barrier = dyn_cast<RecomputeBarrierOp>(op)) {
      for (auto [in, out] :
           llvm::zip(barrier.getInputs(), barrier.getResults()))
        root[out] = rootOf(in);
    } else if (isView(&op)) {
      root[op.getResult(0)] = rootOf(op.getOperand(0));
    } else if (!op.hasTrait<OpTrait::ConstantLike>()) {
      for (Value r : op.getResults()) {
        bytes[r] = bytesOf(r);
        defined[r] = index;
      }
    }
    ++index;
  }
  // Frees per position.
  llvm::DenseMap<unsigned, int64_t> freedAt;
  for (auto [r, b] : bytes) {
    // A result never used is freed right after its op.
    auto it = lastUse.find(r);
    freedAt[it != lastUse.end() ? it->second : defined.lookup(r)] += b;
  }
  int64_t live = 0, peak = 0;
  unsigned peakAt = 0;
  Operation *peakOp = nullptr;
  index = 0;
  for (Operation &op : block) {
    for (Value r : op.getResults())
      if (auto it = bytes.find(r); it != bytes.end())
        live += it->second;
    if (live > peak) {
      peak = live;
      peakAt = index;
      peakOp = &op;
    }
    live -= freedAt.lookup(index);
    ++index;
  }
  if (profile && peakOp) {
    profile->at = peakOp;
    for (auto [r, b] : bytes) {
      auto it = lastUse.find(r);
      unsigned freed = it != lastUse.end() ? it->second : defined.lookup(r);
      if (defined.lookup(r) <= peakAt && freed >= peakAt)
        profile->live.push_back({r, b});
    }
    llvm::stable_sort(profile->live,
                      [](auto &a, auto &b) { return a.second > b.second; });
  }
  return peak;
}

//===----------------------------------------------------------------------===//
// The forward and its cut points
//===----------------------------------------------------------------------===//

struct Forward {
  Block *block = nullptr;
  SmallVector<Operation *> ops; // forward ops but constants, in order
  llvm::DenseMap<Operation *, unsigned> index;
  Operation *end = nullptr; // the last forward op
  // The producer (an index into ops) whose buffer a value lives in.
  llvm::DenseMap<Value, unsigned> owner;
  SmallVector<int64_t> bytes;       // per op: bytes of its buffers
  SmallVector<unsigned> lastFwd;    // per op: last forward op reading them
  SmallVector<unsigned> crossCount; // per cut after op i: producers
  SmallVector<int64_t> crossBytes;  // and their bytes
};

/// The ops the first `numResults` returned values depend on.
FailureOr<Forward> analyzeForward(func::FuncOp func, unsigned numResults) {
  Forward f;
  if (!func.getBody().hasOneBlock())
    return failure();
  f.block = &func.getBody().front();
  auto ret = dyn_cast<func::ReturnOp>(f.block->getTerminator());
  if (!ret || ret.getNumOperands() < numResults || numResults == 0)
    return failure();
  llvm::SmallPtrSet<Operation *, 32> inSlice;
  SmallVector<Operation *> worklist;
  auto visit = [&](Value v) {
    Operation *def = v.getDefiningOp();
    if (def && def->getBlock() == f.block && inSlice.insert(def).second)
      worklist.push_back(def);
  };
  for (Value v : ret.getOperands().take_front(numResults))
    visit(v);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    for (Value v : op->getOperands())
      visit(v);
    op->walk([&](Operation *nested) {
      for (Value v : nested->getOperands())
        visit(v);
    });
  }
  for (Operation &op : *f.block) {
    if (!inSlice.contains(&op))
      continue;
    f.end = &op;
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    f.index[&op] = f.ops.size();
    f.ops.push_back(&op);
  }
  unsigned n = f.ops.size();
  f.bytes.assign(n, 0);
  f.lastFwd.assign(n, 0);
  for (auto [i, op] : llvm::enumerate(f.ops)) {
    f.lastFwd[i] = i;
    for (Value v : op->getOperands())
      if (auto it = f.owner.find(v); it != f.owner.end())
        f.lastFwd[it->second] = i;
    if (isView(op)) {
      if (auto it = f.owner.find(op->getOperand(0)); it != f.owner.end())
        f.owner[op->getResult(0)] = it->second;
      continue;
    }
    for (Value r : op->getResults()) {
      f.owner[r] = i;
      f.bytes[i] += bytesOf(r);
    }
  }
  // Producers computed from the state alone (a weight's transpose, which
  // every layer sharing that weight reads) do not depend on the batch: they
  // are kept, not recomputed, and do not stop a cut. The state arguments are
  // the ones a result updates in place (dl.inplace); without such results
  // every argument counts as data.
  llvm::SmallDenseSet<unsigned> stateArgs;
  for (unsigned r = 0; r < func.getNumResults(); ++r)
    if (auto a = func.getResultAttrOfType<IntegerAttr>(r, "dl.inplace"))
      stateArgs.insert(a.getInt());
  SmallVector<bool> fromData(n, false);
  for (auto [i, op] : llvm::enumerate(f.ops)) {
    auto dependsOnData = [&](Value v) {
      if (auto arg = dyn_cast<BlockArgument>(v))
        return arg.getOwner() == f.block &&
               !stateArgs.contains(arg.getArgNumber());
      auto it = f.owner.find(v);
      return it != f.owner.end() && fromData[it->second];
    };
    fromData[i] = llvm::any_of(op->getOperands(), dependsOnData);
    op->walk([&](Operation *nested) {
      if (nested != op)
        fromData[i] =
            fromData[i] || llvm::any_of(nested->getOperands(), dependsOnData);
    });
  }
  // A view extends its source's life: lastFwd already counts uses of the
  // view as uses of the owner.
  f.crossCount.assign(n, 0);
  f.crossBytes.assign(n, 0);
  for (unsigned a = 0; a < n; ++a)
    for (unsigned i = a; fromData[a] && i < f.lastFwd[a]; ++i) {
      ++f.crossCount[i];
      f.crossBytes[i] += f.bytes[a];
    }
  return f;
}

/// Cuts where at most one producer's buffers cross (articulation points).
SmallVector<unsigned> articulationPoints(const Forward &f) {
  SmallVector<unsigned> cuts;
  for (unsigned i = 0; i + 1 < f.ops.size(); ++i)
    if (f.crossCount[i] <= 1)
      cuts.push_back(i);
  return cuts;
}

/// `k` segments of about equal bytes, cut at `candidates`.
SmallVector<unsigned>
equalBytesCuts(const Forward &f, ArrayRef<unsigned> candidates, unsigned k) {
  SmallVector<unsigned> cuts;
  if (k <= 1 || candidates.empty())
    return cuts;
  double total = 0;
  for (int64_t b : f.bytes)
    total += b;
  SmallVector<double> prefix(f.ops.size() + 1, 0);
  for (unsigned i = 0; i < f.ops.size(); ++i)
    prefix[i + 1] = prefix[i] + f.bytes[i];
  unsigned next = 1;
  for (unsigned c : candidates) {
    if (next >= k)
      break;
    if (prefix[c + 1] >= total * next / k) {
      cuts.push_back(c);
      while (next < k && prefix[c + 1] >= total * next / k)
        ++next;
    }
  }
  return cuts;
}

SmallVector<unsigned> sqrtCuts(const Forward &f) {
  SmallVector<unsigned> candidates = articulationPoints(f);
  if (candidates.size() < 2) {
    candidates.clear();
    for (unsigned i = 0; i + 1 < f.ops.size(); ++i)
      candidates.push_back(i);
  }
  unsigned k = std::max<unsigned>(
      1, std::lround(std::sqrt(double(candidates.size() + 1))));
  return equalBytesCuts(f, candidates, k);
}

/// Before each residual block or Transformer sublayer (a region between
/// articulation points with more than one op: something skips over its
/// inside) and before each contraction of a plain chain; or before every
/// op whose node name matches `at`.
SmallVector<unsigned> perBlockCuts(const Forward &f, StringRef at) {
  SmallVector<unsigned> cuts;
  unsigned n = f.ops.size();
  if (!at.empty()) {
    llvm::Regex re(at);
    for (unsigned i = 1; i < n; ++i)
      if (re.match(nodeName(f.ops[i]->getLoc())))
        cuts.push_back(i - 1);
    return cuts;
  }
  SmallVector<unsigned> points = articulationPoints(f);
  // Regions: (previous point, point]; the first starts at op 0.
  int prev = -1;
  SmallVector<std::pair<unsigned, unsigned>> regions; // [begin, end]
  for (unsigned p : points) {
    regions.push_back({unsigned(prev + 1), p});
    prev = p;
  }
  if (prev + 1 < int(n))
    regions.push_back({unsigned(prev + 1), n - 1});
  for (auto [begin, last] : regions) {
    if (begin == 0)
      continue;
    bool block = last > begin;
    if (block || isContraction(f.ops[begin]))
      cuts.push_back(begin - 1);
  }
  return cuts;
}

//===----------------------------------------------------------------------===//
// The transformation
//===----------------------------------------------------------------------===//

struct Segment {
  unsigned begin, end; // ops [begin, end)
  bool recompute = true;
  // Filled by the transformation.
  unsigned cloned = 0;
  double flops = 0;
  int64_t bytes = 0;
};

SmallVector<Segment> segmentsFor(const Forward &f, ArrayRef<unsigned> cuts) {
  SmallVector<Segment> segs;
  unsigned begin = 0;
  for (unsigned c : cuts) {
    if (c + 1 <= begin || c + 1 >= f.ops.size())
      continue;
    segs.push_back({begin, c + 1});
    begin = c + 1;
  }
  segs.push_back({begin, unsigned(f.ops.size())});
  // The last segment's backward comes first: recomputing it saves nothing.
  segs.back().recompute = false;
  for (Segment &s : segs)
    for (unsigned i = s.begin; i < s.end; ++i)
      s.bytes += f.bytes[i];
  return segs;
}

/// Clones each segment to recompute before the first backward op that
/// reads it and points the backward ops at the clones. Returns the
/// recompute FLOPs; fills each segment's counts.
double applyPlan(const Forward &f, MutableArrayRef<Segment> segs) {
  Block *block = f.block;
  Operation *terminator = block->getTerminator();
  auto isBackward = [&](Operation *user) {
    Operation *op = block->findAncestorOpInBlock(*user);
    return op && op != terminator && op != f.end && f.end->isBeforeInBlock(op);
  };
  double total = 0;
  // Last segment first: the backward meets the segments in reverse.
  for (Segment &s : llvm::reverse(segs)) {
    s.cloned = 0;
    s.flops = 0;
    if (!s.recompute)
      continue;
    auto inSegment = [&](Operation *op) {
      auto it = f.index.find(op);
      return it != f.index.end() && it->second >= s.begin && it->second < s.end;
    };
    // A value the segment keeps anyway: read by a later segment's forward
    // or returned. The backward reads the original.
    auto saved = [&](Value v) {
      for (Operation *user : v.getUsers()) {
        if (user == terminator)
          return true;
        auto it = f.index.find(user);
        if (it != f.index.end() && it->second >= s.end)
          return true;
      }
      return false;
    };
    // The values to recompute and the ops that compute them.
    llvm::SetVector<Value> wanted;
    for (unsigned i = s.begin; i < s.end; ++i) {
      Operation *op = f.ops[i];
      if (!isRecomputable(op))
        continue;
      for (Value r : op->getResults())
        if (!saved(r) && llvm::any_of(r.getUsers(), isBackward))
          wanted.insert(r);
    }
    if (wanted.empty())
      continue;
    llvm::SmallPtrSet<Operation *, 32> toClone;
    SmallVector<Value> worklist(wanted.begin(), wanted.end());
    while (!worklist.empty()) {
      Value v = worklist.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (!def || !inSegment(def) || !isRecomputable(def) ||
          toClone.contains(def))
        continue;
      // A saved value in the segment's middle is read, not recomputed,
      // unless it is itself wanted.
      if (!wanted.contains(v) && saved(v))
        continue;
      toClone.insert(def);
      for (Value operand : def->getOperands())
        worklist.push_back(operand);
    }
    // Where: before the first backward op that reads a wanted value.
    Operation *first = nullptr;
    for (Value v : wanted)
      for (Operation *user : v.getUsers()) {
        if (!isBackward(user))
          continue;
        Operation *op = block->findAncestorOpInBlock(*user);
        if (!first || op->isBeforeInBlock(first))
          first = op;
      }
    // The clones read their inputs through the barrier.
    SmallVector<Operation *> ordered;
    for (unsigned i = s.begin; i < s.end; ++i)
      if (toClone.contains(f.ops[i]))
        ordered.push_back(f.ops[i]);
    llvm::SetVector<Value> inputs;
    for (Operation *op : ordered)
      for (Value v : op->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (!def || !toClone.contains(def))
          inputs.insert(v);
      }
    // Ordered after the nearest computed backward value (a cotangent).
    SmallVector<Value> after;
    for (Operation *prev = first->getPrevNode(); prev && isBackward(prev);
         prev = prev->getPrevNode()) {
      if (prev->hasTrait<OpTrait::ConstantLike>() ||
          prev->getNumResults() == 0 ||
          !isa<RankedTensorType>(prev->getResult(0).getType()))
        continue;
      after.push_back(prev->getResult(0));
      break;
    }
    OpBuilder b(first);
    auto barrier = RecomputeBarrierOp::create(b, ordered.front()->getLoc(),
                                              inputs.getArrayRef(), after);
    IRMapping map;
    for (auto [in, out] : llvm::zip(inputs, barrier.getResults()))
      map.map(in, out);
    for (Operation *op : ordered) {
      b.clone(*op, map);
      s.flops += flopsOf(op);
      ++s.cloned;
    }
    for (Value v : wanted) {
      Value clone = map.lookup(v);
      v.replaceUsesWithIf(
          clone, [&](OpOperand &use) { return isBackward(use.getOwner()); });
    }
    total += s.flops;
  }
  return total;
}

struct Evaluation {
  int64_t peak = 0;
  double flops = 0;
  SmallVector<Segment> segments;
};

/// The estimate of `func` under the plan `segs`, on a copy.
Evaluation evaluate(func::FuncOp func, unsigned numResults,
                    ArrayRef<Segment> segs) {
  Evaluation e;
  e.segments.assign(segs.begin(), segs.end());
  auto copy = cast<func::FuncOp>(func->clone());
  FailureOr<Forward> f = analyzeForward(copy, numResults);
  e.flops = applyPlan(*f, e.segments);
  e.peak = estimatePeak(copy.getBody().front());
  copy->erase();
  return e;
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct CheckpointPass : public dlc::dl::impl::DLCheckpointBase<CheckpointPass> {
  using DLCheckpointBase::DLCheckpointBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    auto attr = func->getAttrOfType<DictionaryAttr>(kCheckpointAttr);
    bool named = llvm::is_contained(functions, func.getSymName().str());
    if (!attr && !named)
      return;
    std::string spec = policy, regex = at;
    bool doReport = report;
    if (attr) {
      if (spec.empty())
        if (auto p = attr.getAs<StringAttr>("policy"))
          spec = p.str();
      if (regex.empty())
        if (auto a = attr.getAs<StringAttr>("at"))
          regex = a.str();
      doReport |= static_cast<bool>(attr.get("report"));
      func->removeAttr(kCheckpointAttr);
    }
    FailureOr<Policy> p = parsePolicy(func, spec, regex);
    if (failed(p))
      return signalPassFailure();
    p->report = doReport;
    if (p->kind == Policy::None && !p->report)
      return;
    FailureOr<Forward> f = analyzeForward(func, forwardResults);
    if (failed(f)) {
      func.emitError("dl-checkpoint: '")
          << func.getSymName()
          << "' is not a single block returning its forward results";
      return signalPassFailure();
    }
    if (failed(run(func, *f, *p)))
      signalPassFailure();
  }

  LogicalResult run(func::FuncOp func, const Forward &f, const Policy &p) {
    int64_t plainPeak = estimatePeak(*f.block);
    SmallVector<Segment> plan;
    switch (p.kind) {
    case Policy::None:
      plan = segmentsFor(f, {});
      break;
    case Policy::Sqrt:
      plan = segmentsFor(f, sqrtCuts(f));
      break;
    case Policy::PerBlock:
      plan = segmentsFor(f, perBlockCuts(f, p.at));
      break;
    case Policy::Budget: {
      FailureOr<SmallVector<Segment>> chosen =
          budgetPlan(func, f, p.budget, plainPeak);
      if (failed(chosen))
        return failure();
      plan = std::move(*chosen);
      break;
    }
    }
    double forwardFlops = 0;
    for (Operation *op : f.ops)
      forwardFlops += flopsOf(op);
    double flops = applyPlan(f, plan);
    for (const Segment &s : plan)
      if (s.cloned) {
        ++numSegments;
        numCloned += s.cloned;
      }
    if (p.report) {
      PeakProfile profile;
      int64_t peak = estimatePeak(*f.block, &profile);
      printReport(func, f, p, plan, plainPeak, peak, flops, forwardFlops);
      printPeak(f, profile);
    }
    return success();
  }

  /// The plan with the least recompute work whose estimate fits `budget`.
  FailureOr<SmallVector<Segment>> budgetPlan(func::FuncOp func,
                                             const Forward &f, int64_t budget,
                                             int64_t plainPeak) {
    if (plainPeak <= budget)
      return segmentsFor(f, {});
    SmallVector<unsigned> candidates = articulationPoints(f);
    if (candidates.size() < 2) {
      candidates.clear();
      for (unsigned i = 0; i + 1 < f.ops.size(); ++i)
        candidates.push_back(i);
    }
    // Segment counts to try: 2 ... all candidates, about geometrically.
    SmallVector<unsigned> counts;
    unsigned most = candidates.size() + 1;
    for (double k = 2; k <= most; k = std::max(k + 1, k * 1.35))
      counts.push_back(unsigned(k));
    if (counts.empty() || counts.back() != most)
      counts.push_back(most);
    counts.push_back(
        std::max<unsigned>(2, std::lround(std::sqrt(double(most)))));
    std::optional<Evaluation> best;
    int64_t smallest = plainPeak;
    unsigned smallestCount = 1;
    for (unsigned k : counts) {
      SmallVector<Segment> segs =
          segmentsFor(f, equalBytesCuts(f, candidates, k));
      Evaluation e = evaluate(func, forwardResults, segs);
      if (e.peak < smallest) {
        smallest = e.peak;
        smallestCount = segs.size();
      }
      if (e.peak > budget)
        continue;
      // Keep (stop recomputing) the segments that cost the most work per
      // byte while the estimate stays within the budget.
      SmallVector<unsigned> order;
      for (unsigned i = 0; i < e.segments.size(); ++i)
        if (e.segments[i].recompute && e.segments[i].cloned)
          order.push_back(i);
      llvm::stable_sort(order, [&](unsigned a, unsigned b) {
        const Segment &x = e.segments[a], &y = e.segments[b];
        return x.flops * double(std::max<int64_t>(1, y.bytes)) >
               y.flops * double(std::max<int64_t>(1, x.bytes));
      });
      for (unsigned i : order) {
        SmallVector<Segment> trial(e.segments);
        trial[i].recompute = false;
        Evaluation t = evaluate(func, forwardResults, trial);
        if (t.peak <= budget)
          e = std::move(t);
      }
      if (!best || e.flops < best->flops ||
          (e.flops == best->flops && e.peak < best->peak))
        best = std::move(e);
    }
    if (!best)
      return emitError(func.getLoc(), "dl-checkpoint: the budget of ")
             << formatBytes(budget) << " (" << budget
             << " bytes) cannot be met: the smallest estimated peak is "
             << formatBytes(smallest) << " (" << smallest << " bytes, with "
             << smallestCount << " segment(s); without checkpointing "
             << formatBytes(plainPeak) << ")";
    SmallVector<Segment> plan = best->segments;
    for (Segment &s : plan) {
      s.cloned = 0;
      s.flops = 0;
    }
    return plan;
  }

  /// What the estimated peak is made of: the returned values (the new
  /// state, the loss), forward buffers kept for the backward, recomputed
  /// ones and the backward's own (gradients), with the largest buffers.
  void printPeak(const Forward &f, const PeakProfile &profile) {
    if (!profile.at)
      return;
    llvm::raw_ostream &os = llvm::errs();
    Operation *terminator = f.block->getTerminator();
    // The clones follow their barrier and read only it and each other.
    llvm::SmallPtrSet<Operation *, 32> recomputed;
    bool inClones = false;
    for (Operation &op : *f.block) {
      if (isa<RecomputeBarrierOp>(op)) {
        inClones = true;
      } else if (inClones) {
        inClones = llvm::all_of(op.getOperands(), [&](Value v) {
          Operation *def = v.getDefiningOp();
          return def && recomputed.contains(def);
        });
        if (!inClones)
          continue;
      } else {
        continue;
      }
      recomputed.insert(&op);
    }
    llvm::SmallPtrSet<Value, 16> returned(terminator->operand_begin(),
                                          terminator->operand_end());
    enum { Returned, Forward, Recomputed, Backward };
    const char *kinds[] = {"returned", "forward", "recomputed", "backward"};
    int64_t sums[4] = {0, 0, 0, 0};
    auto kindOf = [&](Value v) {
      Operation *def = v.getDefiningOp();
      if (returned.contains(v))
        return Returned;
      if (f.index.contains(def))
        return Forward;
      return recomputed.contains(def) ? Recomputed : Backward;
    };
    int64_t total = 0;
    for (auto [v, b] : profile.live) {
      sums[kindOf(v)] += b;
      total += b;
    }
    Operation *at = profile.at;
    os << "  at the peak (" << at->getName().stripDialect();
    if (std::string n = nodeName(at->getLoc()); !n.empty())
      os << " '" << n << "'";
    os << ", "
       << (f.end->isBeforeInBlock(at) ? "in the backward" : "in the forward")
       << "): " << formatBytes(total) << " live = returned "
       << formatBytes(sums[Returned]) << " + forward kept "
       << formatBytes(sums[Forward]) << " + recomputed "
       << formatBytes(sums[Recomputed]) << " + backward "
       << formatBytes(sums[Backward]) << "\n";
    for (auto [v, b] : ArrayRef(profile.live).take_front(6)) {
      Operation *def = v.getDefiningOp();
      os << "    " << formatBytes(b) << " " << kinds[kindOf(v)] << " "
         << def->getName().stripDialect();
      if (std::string n = nodeName(def->getLoc()); !n.empty())
        os << " '" << n << "'";
      os << "\n";
    }
  }

  void printReport(func::FuncOp func, const Forward &f, const Policy &p,
                   ArrayRef<Segment> plan, int64_t plainPeak, int64_t peak,
                   double flops, double forwardFlops) {
    llvm::raw_ostream &os = llvm::errs();
    const char *names[] = {"none", "sqrt", "per-block", "budget"};
    os << "dl-checkpoint: " << func.getSymName() << ": policy "
       << names[p.kind];
    if (p.kind == Policy::Budget)
      os << " (" << formatBytes(p.budget) << ")";
    if (!p.at.empty())
      os << " at '" << p.at << "'";
    os << "\n";
    int64_t activations = 0;
    for (int64_t b : f.bytes)
      activations += b;
    os << "  forward: " << f.ops.size() << " ops, " << formatBytes(activations)
       << " of results, " << formatFlops(forwardFlops) << "\n";
    os << "  estimated peak: " << formatBytes(plainPeak)
       << " without checkpointing, " << formatBytes(peak) << " with";
    if (peak > 0)
      os << llvm::format(" (%.2fx less)", double(plainPeak) / double(peak));
    os << "\n";
    unsigned recomputed = 0;
    for (const Segment &s : plan)
      recomputed += s.cloned > 0;
    os << "  segments: " << plan.size() << ", " << recomputed
       << " recomputed\n";
    for (auto [i, s] : llvm::enumerate(plan)) {
      std::string from = nodeName(f.ops[s.begin]->getLoc());
      std::string to = nodeName(f.ops[s.end - 1]->getLoc());
      os << "    #" << i << ": ops " << s.begin << "-" << s.end - 1 << " ("
         << f.ops[s.begin]->getName().stripDialect();
      if (!from.empty())
        os << " '" << from << "'";
      os << " .. " << f.ops[s.end - 1]->getName().stripDialect();
      if (!to.empty())
        os << " '" << to << "'";
      os << "), " << formatBytes(s.bytes);
      if (s.cloned)
        os << ", recomputed: " << s.cloned << " ops, " << formatFlops(s.flops);
      else
        os << ", kept";
      os << "\n";
    }
    os << "  recompute: " << formatFlops(flops);
    if (forwardFlops > 0)
      os << llvm::format(" (%.0f%% of the forward)",
                         100.0 * flops / forwardFlops);
    os << "\n";
  }
};

} // namespace
