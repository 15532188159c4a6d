//===- Fusion.cpp - dl-fuse: groups of ops that become one kernel ---------===//
//
// Producer-consumer analysis over each block, in order. A contraction
// starts a group that takes the epilogue the runtime's GEMM and conv
// kernels apply per tile (adds, then a clamp); an elementwise op starts or
// joins a group of elementwise ops along single-use edges. Each group of
// two or more ops becomes a dl.fusion region; lowering marks its ops so the
// linalg-level fusions keep groups apart (FusionGroup.h). Edges left out
// get a reason (remarks, -debug-only=dl-fuse).
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/Attention.h"
#include "dlc/Dialect/DL/IR/DLOps.h"
#include "dlc/Dialect/DL/IR/FusionGroup.h"
#include "dlc/Dialect/DL/IR/NodeLocation.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "dl-fuse"

namespace dlc::dl {
#define GEN_PASS_DEF_DLFUSE
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

struct Group {
  /// The contraction the group starts with, or null (elementwise ops).
  Operation *contraction = nullptr;
  /// In block order.
  SmallVector<Operation *> ops;
  /// The group's last op so far: a contraction's epilogue continues from it.
  Operation *tail = nullptr;
  /// Addends the contraction kernel applies already (the conv's or gemm's
  /// bias) and after it; at most two.
  int adds = 0;
  bool clamped = false;
  /// Ends with a reduction: what reads its result runs over other loops.
  bool closed = false;
  /// A contraction's group that took an op its kernel's epilogue cannot
  /// apply: from there on, a loop nest after the product (which takes the
  /// contraction's bias along), grown as elementwise groups grow.
  bool loopNest = false;
};

bool isContraction(Operation *op) { return isa<MatMulOp, GemmOp, ConvOp>(op); }

/// Elementwise ops cheap enough to compute again in each reader rather than
/// store (dl-fuse's duplicateCheapProducers).
bool isCheap(Operation *op) {
  return isa<GreaterOp, GreaterEqualOp, LessOp, LessEqualOp, SelectOp, ReluOp,
             NegOp, AddOp, SubOp, MulOp>(op) &&
         op->getNumResults() == 1;
}

bool isElementwise(Operation *op) {
  return isa<ElementwiseOpInterface, CastOp, SelectOp>(op) &&
         op->getNumResults() == 1 &&
         isa<RankedTensorType>(op->getResult(0).getType());
}

/// Reductions that take an elementwise prologue into their loop nest: the
/// producer's elements are computed where the reduction reads them.
bool isReduction(Operation *op) {
  return isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp,
             ReduceSumSquareOp, GlobalAvgPoolOp, GlobalMaxPoolOp>(op);
}

/// Reshapes: views of their input once lowered, which the linalg fusions
/// move through (an elementwise chain across a Reshape is one loop nest).
bool isReshape(Operation *op) {
  return isa<ReshapeOp, SqueezeOp, UnsqueezeOp, FlattenOp, ExpandOp>(op);
}

/// Why the runtime's kernels cannot apply an epilogue to `op`'s product
/// (empty if they can).
std::string productBlocker(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  if (!type.getElementType().isF32())
    return "the product is not f32";
  for (int64_t d = 1; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      return "dim " + std::to_string(d) +
             " of the product is dynamic, and the kernels' epilogue walks "
             "the buffers with static strides";
  if (auto gemm = dyn_cast<GemmOp>(op))
    if (gemm.getAlpha().convertToDouble() != 1.0 ||
        (gemm.getC() && gemm.getBeta().convertToDouble() != 1.0))
      return "the gemm scales its product (alpha or beta is not 1)";
  return "";
}

std::string nameOf(Operation *op) { return op->getName().getStringRef().str(); }

/// `op`'s name and, if it came from one, its ONNX node: "dl.relu (Relu_1
/// (Relu))".
std::string describeOp(Operation *op) {
  SmallVector<std::string> nodes;
  appendNodeNames(op->getLoc(), nodes);
  return nameOf(op) + (nodes.empty() ? "" : " (" + nodes.front() + ")");
}

struct FusePass : public dlc::dl::impl::DLFuseBase<FusePass> {
  using DLFuseBase::DLFuseBase;

  /// With `report`: where the edges left out are told, and the function.
  llvm::raw_ostream *apart = nullptr;
  StringRef funcName;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    std::string text;
    llvm::raw_string_ostream os(text);
    if (report) {
      apart = &os;
      funcName = func.getName();
    }
    int64_t groupCount = 0, opCount = 0;
    for (Block &block : func.getBody()) {
      duplicateCheapProducers(block);
      SmallVector<Group> groups;
      DenseMap<Operation *, size_t> groupOf;
      formGroups(block, groups, groupOf);
      for (Group &group : groups) {
        if (group.ops.empty())
          continue;
        // A group of one stays as it is, marked as lowering marks a
        // region's ops: no other kernel takes it in.
        if (group.ops.size() == 1) {
          Operation *op = group.ops.front();
          op->setLoc(
              withFusionGroup(op->getLoc(), newFusionGroup(op->getContext())));
          continue;
        }
        if (report)
          describe(func, groupCount, group, os);
        ++groupCount;
        opCount += group.ops.size();
        outline(group);
      }
    }
    numGroups += groupCount;
    numFused += opCount;
    if (report) {
      os << "dl-fuse: @" << func.getName() << ": " << groupCount
         << " groups of " << opCount << " ops\n";
      writeReport(text);
    }
  }

  /// A cheap elementwise op (a compare, select, ReLU, negation, add, sub or
  /// mul) read by several ops, each of them elementwise or a reduction, is
  /// computed again in each (one copy per reader, placed before it): each
  /// copy joins its reader's group, and the value is never stored. That is
  /// a ReLU's gradient, select(y > 0, dy, 0), and batch norm's centred
  /// input, x - mean, in batch norm's backward: both are read by the two
  /// per-channel sums and by the pass that computes dx. Each copy reads
  /// the op's inputs again, as the readers would have read the stored
  /// value: no more traffic, one kernel and one activation-sized buffer
  /// less. Readers are visited before their producers, so a chain of such
  /// ops (the compare under the select) is copied whole.
  void duplicateCheapProducers(Block &block) {
    SmallVector<Operation *> ops;
    for (Operation &op : block)
      if (isCheap(&op))
        ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops)) {
      llvm::SetVector<Operation *> readers;
      bool fusable = true;
      for (OpOperand &use : op->getResult(0).getUses()) {
        Operation *user = use.getOwner();
        if (isa<ShapeOfOp>(user))
          continue;
        fusable &= user->getBlock() == &block &&
                   (isElementwise(user) ||
                    (isReduction(user) && use.getOperandNumber() == 0));
        readers.insert(user);
      }
      if (!fusable || readers.size() < 2 || readers.size() > 4 ||
          !inputsStored(op))
        continue;
      LLVM_DEBUG(llvm::dbgs() << "dl-fuse: " << nameOf(op) << " computed in "
                              << readers.size() << " readers\n");
      if (remarks)
        op->emitRemark("dl-fuse: computed again in each of its ")
            << readers.size() << " readers, not stored";
      if (apart)
        *apart << "dl-fuse: @" << funcName << ": recomputed: " << describeOp(op)
               << " in each of its " << readers.size() << " readers\n";
      // The first reader keeps the op; each other gets a copy just before
      // it.
      SmallVector<Operation *> ordered(readers.begin(), readers.end());
      llvm::sort(ordered, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
      for (Operation *reader : llvm::drop_begin(ordered)) {
        OpBuilder b(reader);
        Value copy = b.clone(*op)->getResult(0);
        reader->replaceUsesOfWith(op->getResult(0), copy);
      }
    }
  }

  /// Whether copying `op` into its readers leaves its inputs' kernels as
  /// they were: each input is an argument or constant, is read by other ops
  /// too (stored anyway), comes from an op whose result is stored anyway (a
  /// reduction, a runtime kernel), from a reshape of such a value, or from
  /// a cheap op for which all this holds (copied in turn). Not a
  /// contraction's product (its epilogue would lose `op`) nor a value an
  /// elementwise op computes for `op` alone: that would be stored where
  /// `op` took it into its loop nest, and the copies would only move the
  /// buffer.
  static bool inputsStored(Operation *op, int depth = 0) {
    if (depth > 8)
      return false;
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      while (def && isReshape(def) && v.hasOneUse()) {
        v = def->getOperand(0);
        def = v.getDefiningOp();
      }
      if (!def || matchPattern(v, m_Constant()))
        continue;
      int64_t readers = llvm::count_if(
          v.getUsers(), [](Operation *u) { return !isa<ShapeOfOp>(u); });
      if (readers > 1)
        continue;
      if (isCheap(def) && inputsStored(def, depth + 1))
        continue;
      if (isContraction(def) || isElementwise(def) || isReshape(def))
        return false;
    }
    return true;
  }

  /// Says why `consumer` does not join the group of `producer`.
  void leaveOut(Operation *producer, Operation *consumer,
                const std::string &why) {
    LLVM_DEBUG(llvm::dbgs()
               << "dl-fuse: " << nameOf(consumer) << " not fused with "
               << nameOf(producer) << ": " << why << "\n");
    if (remarks)
      consumer->emitRemark("dl-fuse: not fused with its operand's ")
          << nameOf(producer) << ": " << why;
    if (apart)
      *apart << "dl-fuse: @" << funcName << ": apart: " << describeOp(consumer)
             << " from " << describeOp(producer) << ": " << why << "\n";
  }

  /// Why `consumer` cannot join `group` through `value`, the result of
  /// `producer` in that group (empty if it can). Where it joins a
  /// contraction's group but cannot be its epilogue, `loopNest` gets why.
  std::string edgeBlocker(const Group &group, Operation *producer, Value value,
                          Operation *consumer, std::string &loopNest) {
    if (group.closed)
      return "its group ends with a reduction, whose result is read over "
             "other loops";
    bool elementwiseConsumer = isElementwise(consumer);
    int64_t others = 0;
    bool onlyReturned = true;
    for (Operation *user : value.getUsers()) {
      // A shape_of reads the dims, which lowering takes from elsewhere.
      if (user == consumer || isa<ShapeOfOp>(user))
        continue;
      ++others;
      onlyReturned &= isa<func::ReturnOp>(user);
    }
    // A producer also returned (an optimizer's new state) joins an
    // elementwise consumer of its shape: the kernel yields both.
    bool returnedToo = others > 0 && onlyReturned && !group.contraction &&
                       elementwiseConsumer &&
                       consumer->getResult(0).getType() == value.getType();
    if (others > 0 && !returnedToo)
      return "its result has " + std::to_string(others) + " other use" +
             (others > 1 ? "s" : "") +
             (onlyReturned ? " (returned), and the consumer is not "
                             "elementwise over the same shape"
                           : "");
    if (!group.contraction)
      return "";
    // The region runs where all its inputs are ready: a value computed
    // after the product would hold the product's operands until then (a
    // weight gradient's GEMM waiting for the optimizer's scaled moment).
    for (Value other : consumer->getOperands()) {
      Operation *def = other.getDefiningOp();
      if (other != value && def && def->getBlock() == consumer->getBlock() &&
          group.contraction->isBeforeInBlock(def) &&
          !llvm::is_contained(group.ops, def))
        return "it reads " + nameOf(def) +
               "'s result, computed after the product, which would wait "
               "for it";
    }
    if (group.loopNest)
      return "";
    // A view of the finished epilogue's result: not a loop nest's op.
    if (isReshape(consumer) && group.ops.size() > 1 && !isReshape(group.tail))
      return "a reshape after the epilogue";
    loopNest = epilogueBlocker(group, producer, value, consumer);
    return "";
  }

  /// Why `consumer`, reading `value` of `producer`, cannot extend the
  /// epilogue of contraction group `group` (empty if it can).
  std::string epilogueBlocker(const Group &group, Operation *producer,
                              Value value, Operation *consumer) {
    if (isReduction(consumer))
      return "a reduction is not an epilogue of the contraction kernels";
    if (producer != group.tail)
      return "it reads " + nameOf(producer) +
             " from inside the group, not the end of its epilogue";
    if (std::string blocker = productBlocker(group.contraction);
        !blocker.empty())
      return blocker;
    if (isReshape(consumer))
      return group.ops.size() == 1 ? "" : "a second reshape";
    auto type = cast<RankedTensorType>(value.getType());
    if (isa<AddOp>(consumer)) {
      if (consumer->getResult(0).getType() != type)
        return "the add broadcasts the product";
      if (consumer->getOperand(0) == consumer->getOperand(1))
        return "the add reads the product twice";
      if (group.clamped)
        return "an add after the clamp";
      if (group.adds >= 2)
        return "the kernels take at most two addends";
      return "";
    }
    if (isa<ReluOp, ClipOp>(consumer))
      return group.clamped ? "a second clamp" : "";
    return nameOf(consumer) +
           " is not an epilogue the GEMM and conv kernels take (adds, then "
           "ReLU, ReLU6 or Clip)";
  }

  /// The ops of each attention in `block` (dl::matchAttention): dl-to-linalg
  /// makes one dlc_attention call of them (no score matrix stored), which a
  /// region around some of them would hide.
  llvm::SmallPtrSet<Operation *, 16> attentionOps(Block &block) {
    llvm::SmallPtrSet<Operation *, 16> ops;
    for (auto pv : block.getOps<MatMulOp>())
      if (std::optional<Attention> a = matchAttention(pv))
        ops.insert(a->ops.begin(), a->ops.end());
    return ops;
  }

  void formGroups(Block &block, SmallVectorImpl<Group> &groups,
                  DenseMap<Operation *, size_t> &groupOf) {
    llvm::SmallPtrSet<Operation *, 16> attention = attentionOps(block);
    for (Operation &op : block) {
      if (attention.contains(&op)) {
        LLVM_DEBUG(llvm::dbgs() << "dl-fuse: " << nameOf(&op)
                                << " is part of an attention\n");
        if (remarks)
          op.emitRemark("dl-fuse: left to dl-to-linalg, which makes the "
                        "attention it is part of one dlc_attention call");
        if (apart && isa<SoftmaxOp>(op))
          *apart << "dl-fuse: @" << funcName << ": apart: the attention around "
                 << describeOp(&op) << ": one dlc_attention call\n";
        continue;
      }
      if (isContraction(&op)) {
        Group group;
        group.contraction = &op;
        group.ops.push_back(&op);
        group.tail = &op;
        group.adds = isa<ConvOp, GemmOp>(op) && op.getNumOperands() > 2;
        groupOf[&op] = groups.size();
        groups.push_back(std::move(group));
        continue;
      }
      bool elementwise = isElementwise(&op), reshape = isReshape(&op),
           reduction = isReduction(&op);
      // The producers' groups this op may join, contractions first.
      llvm::SetVector<size_t> joinable;
      // Contraction groups `op` joins as a loop nest, with the reason.
      DenseMap<size_t, std::string> loopNests;
      llvm::SmallPtrSet<Operation *, 4> seen;
      for (Value operand : op.getOperands()) {
        Operation *producer = operand.getDefiningOp();
        auto it = producer ? groupOf.find(producer) : groupOf.end();
        if (it == groupOf.end() || !seen.insert(producer).second)
          continue;
        if (op.hasTrait<OpTrait::IsTerminator>())
          continue;
        Group &group = groups[it->second];
        if (!elementwise && !reshape && !reduction) {
          leaveOut(producer, &op,
                   nameOf(&op) +
                       " is neither elementwise, a reshape nor a reduction");
          continue;
        }
        if ((reshape || reduction) && operand != op.getOperand(0))
          continue; // a shape or axes operand
        std::string loopNest;
        if (std::string why =
                edgeBlocker(group, producer, operand, &op, loopNest);
            !why.empty()) {
          leaveOut(producer, &op, why);
          continue;
        }
        if (!loopNest.empty())
          loopNests[it->second] = loopNest;
        joinable.insert(it->second);
      }
      if (joinable.empty()) {
        if (elementwise) {
          Group group;
          group.ops.push_back(&op);
          group.tail = &op;
          groupOf[&op] = groups.size();
          groups.push_back(std::move(group));
        }
        continue;
      }
      // A contraction's epilogue first, the latest contraction's if several
      // (an add of a residual block's conv and its downsample: the later
      // kernel reads the earlier's result as its addend); then a loop nest
      // after a contraction (which takes the contraction's bias along).
      auto rank = [&](size_t g) {
        return !groups[g].contraction                     ? 0
               : groups[g].loopNest || loopNests.count(g) ? 1
                                                          : 2;
      };
      size_t into = joinable.front();
      for (size_t g : joinable) {
        if (rank(g) > rank(into) ||
            (rank(g) == 2 && rank(into) == 2 &&
             groups[into].contraction->isBeforeInBlock(groups[g].contraction)))
          into = g;
      }
      Group &target = groups[into];
      bool epilogue = rank(into) == 2;
      if (epilogue) {
        target.adds += isa<AddOp>(op);
        target.clamped |= isa<ReluOp, ClipOp>(op);
      } else if (auto it = loopNests.find(into); it != loopNests.end()) {
        target.loopNest = true;
        LLVM_DEBUG(llvm::dbgs()
                   << "dl-fuse: " << nameOf(&op) << " is a loop nest after "
                   << nameOf(target.contraction) << ": " << it->second << "\n");
        if (remarks)
          op.emitRemark("dl-fuse: a loop nest after ")
              << nameOf(target.contraction)
              << ", not its epilogue: " << it->second;
        if (apart)
          *apart << "dl-fuse: @" << funcName
                 << ": loop nest: " << describeOp(&op) << " after "
                 << describeOp(target.contraction) << ": " << it->second
                 << "\n";
      }
      // Elementwise groups read by the same op merge into its group; a
      // contraction's epilogue takes them as addends instead, and two
      // contractions are two kernels.
      for (size_t other : joinable) {
        if (other == into)
          continue;
        Group &from = groups[other];
        if (epilogue || from.contraction) {
          leaveOut(from.tail, &op,
                   epilogue ? "it joined the epilogue of " +
                                  nameOf(target.contraction) +
                                  ", which takes this operand as an addend"
                            : "it joined another group, and " +
                                  nameOf(from.contraction) +
                                  "'s product is stored for it");
          continue;
        }
        for (Operation *moved : from.ops) {
          groupOf[moved] = into;
          target.ops.push_back(moved);
        }
        from.ops.clear();
      }
      target.ops.push_back(&op);
      target.tail = &op;
      // (A reduction joins a contraction's group only as a loop nest:
      // epilogueBlocker refuses it as an epilogue.)
      target.closed = reduction;
      groupOf[&op] = into;
    }
    for (Group &group : groups) {
      // A reshape no op of its group reads is no part of the kernel, and
      // kept it would part the group from what reads the reshape.
      for (bool trimmed = true; trimmed;) {
        trimmed = false;
        llvm::SmallPtrSet<Operation *, 8> members(group.ops.begin(),
                                                  group.ops.end());
        for (Operation *&op : group.ops)
          if (isReshape(op) && llvm::none_of(op->getUsers(), [&](Operation *u) {
                return members.contains(u);
              })) {
            groupOf.erase(op);
            op = nullptr;
            trimmed = true;
          }
        llvm::erase(group.ops, nullptr);
      }
      llvm::sort(group.ops, [](Operation *a, Operation *b) {
        return a->isBeforeInBlock(b);
      });
    }
  }

  /// Prints "group N: ops: nodes".
  void describe(func::FuncOp func, int64_t index, const Group &group,
                llvm::raw_ostream &os) {
    os << "dl-fuse: @" << func.getName() << ": group " << index << ": ";
    llvm::interleaveComma(group.ops, os,
                          [&](Operation *op) { os << nameOf(op); });
    SmallVector<std::string> names;
    for (Operation *op : group.ops)
      appendNodeNames(op->getLoc(), names);
    llvm::StringSet<> seen;
    SmallVector<std::string> nodes;
    for (std::string &name : names)
      if (seen.insert(name).second)
        nodes.push_back(name);
    os << ": ";
    if (nodes.empty())
      os << "(no ONNX node)";
    llvm::interleaveComma(nodes, os);
    os << "\n";
  }

  /// Moves `group` (ops in block order) into a dl.fusion: values from
  /// outside are the inputs, values used outside the results.
  void outline(const Group &group) {
    llvm::SmallPtrSet<Operation *, 8> members(group.ops.begin(),
                                              group.ops.end());
    llvm::SetVector<Value> inputs, outputs;
    SmallVector<Location> locs;
    for (Operation *op : group.ops) {
      locs.push_back(op->getLoc());
      for (Value operand : op->getOperands())
        if (!members.contains(operand.getDefiningOp()))
          inputs.insert(operand);
      for (Value result : op->getResults())
        if (llvm::any_of(result.getUsers(), [&](Operation *user) {
              return !members.contains(user);
            }))
          outputs.insert(result);
    }
    // As early as the inputs allow, but not before the group's first op:
    // its ops then run where the first one ran (a weight gradient's GEMM
    // right after the gradient it reads, not at the optimizer update that
    // reads its result), and no input is held longer than before.
    Operation *anchor = group.ops.front();
    bool afterAnchor = false;
    for (Value input : inputs) {
      Operation *def = input.getDefiningOp();
      if (def && def->getBlock() == anchor->getBlock() &&
          (anchor->isBeforeInBlock(def) || (def == anchor && !afterAnchor))) {
        anchor = def;
        afterAnchor = true;
      }
    }
    OpBuilder b(anchor->getContext());
    if (afterAnchor)
      b.setInsertionPointAfter(anchor);
    else
      b.setInsertionPoint(anchor);
    auto fusion = FusionOp::create(b, b.getFusedLoc(locs),
                                   ValueRange(outputs.getArrayRef()).getTypes(),
                                   inputs.getArrayRef());
    Block &body = fusion.getBody().front();
    IRMapping map;
    map.map(inputs.getArrayRef(), body.getArguments());
    b.setInsertionPointToEnd(&body);
    for (Operation *op : group.ops)
      b.clone(*op, map);
    SmallVector<Value> yielded;
    for (Value output : outputs)
      yielded.push_back(map.lookup(output));
    YieldOp::create(b, fusion.getLoc(), yielded);
    for (auto [output, result] : llvm::zip(outputs, fusion.getResults()))
      Value(output).replaceUsesWithIf(result, [&](OpOperand &use) {
        return !members.contains(use.getOwner()) &&
               use.getOwner() != fusion.getOperation();
      });
    for (Operation *op : llvm::reverse(group.ops))
      op->erase();
  }
};

} // namespace
