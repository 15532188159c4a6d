//===- TrainStep.cpp - a whole training step from an inference graph ------===//
//
// dl-train-step turns `entry(data...) -> (prediction, ...)` into three
// functions over one list of state tensors (parameters, batch-norm running
// statistics, optimizer slots, the step counter):
//   PREFIX_train_init()                       -> (state...)
//   PREFIX_train_step(state..., data..., labels, [teacher,] lr)
//                                             -> (loss, prediction, state'...)
//   PREFIX_forward(state..., data...)         -> (results...)
// With --loss=output the model computes its own loss (its first output,
// reduced to a scalar; the second output is the prediction) and train_step
// takes no labels. The loss and optimizer formulas follow PyTorch's
// (torch.nn.*Loss, torch.optim.*) so a step can be checked against it.
//
//===----------------------------------------------------------------------===//

#include "dlc/Dialect/DL/IR/DLAttrNames.h"
#include "dlc/Dialect/DL/IR/GradientBuilder.h"
#include "dlc/Dialect/DL/IR/NodeLocation.h"
#include "dlc/Dialect/DL/Transforms/Autodiff.h"
#include "dlc/Dialect/DL/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/Support/xxhash.h"

#include <cmath>
#include <random>

namespace dlc::dl {
#define GEN_PASS_DEF_DLTRAINSTEP
#include "dlc/Dialect/DL/Transforms/Passes.h.inc"
} // namespace dlc::dl

using namespace mlir;
using namespace dlc::dl;

namespace {

RankedTensorType typeOf(Value v) { return cast<RankedTensorType>(v.getType()); }

Value reduceAll(OpBuilder &b, Location loc, Value v, bool mean) {
  auto axes = b.getDenseI64ArrayAttr({});
  auto keep = b.getBoolAttr(false);
  if (mean)
    return ReduceMeanOp::create(b, loc, v, axes, keep);
  return ReduceSumOp::create(b, loc, v, axes, keep);
}

/// One state tensor: where its initial value comes from and its name.
struct StateSlot {
  std::string name;
  RankedTensorType type;
  Operation *constant = nullptr; // cloned into train_init
  Attribute initValue;           // or this value
};

struct TrainStepPass : public dlc::dl::impl::DLTrainStepBase<TrainStepPass> {
  using DLTrainStepBase::DLTrainStepBase;

  void runOnOperation() override {
    if (failed(build()))
      signalPassFailure();
  }

  LogicalResult build();

  // Loss of `pred` against `labels` (and `teacher`), a scalar.
  FailureOr<Value> buildLoss(OpBuilder &b, Location loc, Value pred,
                             Value labels, Value teacher);
  // The negative log-likelihood of log-probabilities `logp` at integer
  // labels, per sample.
  Value nllPerSample(OpBuilder &b, Location loc, Value logp, Value labels);
  // Cross-entropy of softmax(logits) against integer labels, with the
  // pass's label smoothing, per sample: one dl.softmax_cross_entropy.
  Value softmaxCrossEntropy(OpBuilder &b, Location loc, Value logits,
                            Value labels) {
    return SoftmaxCrossEntropyOp::create(b, loc, logits, labels,
                                         b.getF64FloatAttr(labelSmoothing));
  }
  Value reduceBatch(OpBuilder &b, Location loc, Value perSample) {
    return reduceAll(b, loc, perSample, reduction == Reduction::Mean);
  }

  // Initial value of an uninitialized parameter argument.
  FailureOr<Attribute> initialize(BlockArgument arg, std::mt19937_64 &rng);

  // --data-parallel: replaces `grads` and `loss` by their all-reduced
  // values, in buckets started as the backward sweep in `block` completes
  // them and waited for at the builder's point.
  LogicalResult allReduceGradients(OpBuilder &b, Location loc, Block *block,
                                   ArrayRef<std::string> names,
                                   SmallVectorImpl<Value> &grads, Value &loss);
};

/// --sync-batchnorm: training batch norm of `x` with the global batch's
/// statistics, as differentiable dl ops (autodiff then makes the backward
/// all-reduce the statistics' cotangents too): the mean of the per-rank
/// means, then the mean of the per-rank variances about it (equal batches
/// per rank). Returns the result, the batch mean and the biased variance.
FailureOr<std::array<Value, 3>> buildSyncedBatchNorm(OpBuilder &b,
                                                     BatchNormOp bn, Value x,
                                                     Value scale, Value bias) {
  auto t = typeOf(x);
  if (!t.hasStaticShape() || !t.getElementType().isF32())
    return emitError(bn.getLoc(),
                     "--sync-batchnorm all-reduces static f32 batch "
                     "statistics; this batch norm's input is ")
           << t;
  GradBuilder e{b, bn.getLoc()};
  SmallVector<int64_t> axes = {0};
  for (int64_t i = 2; i < t.getRank(); ++i)
    axes.push_back(i);
  auto allMean = [&](Value v) {
    return AllReduceOp::create(b, e.l, TypeRange{v.getType()}, ValueRange{v},
                               "mean")
        .getResult(0);
  };
  Value mean = allMean(e.mean(x, axes)); // [1, C, 1, ...]
  Value centered = e.sub(x, mean);
  Value var = allMean(e.mean(e.square(centered), axes));
  Value inv = e.rsqrt(e.add(var, e.c(var, bn.getEpsilon().convertToDouble())));
  Value y = e.add(e.mul(e.mul(centered, inv), e.unsqueeze(scale, axes)),
                  e.unsqueeze(bias, axes));
  return std::array<Value, 3>{y, e.squeeze(mean, axes), e.squeeze(var, axes)};
}

/// The first bucket of the train step; bucket 0 is train_init's broadcast.
constexpr int64_t kFirstGradientBucket = 1;

LogicalResult TrainStepPass::allReduceGradients(OpBuilder &b, Location loc,
                                                Block *block,
                                                ArrayRef<std::string> names,
                                                SmallVectorImpl<Value> &grads,
                                                Value &loss) {
  // Gradients in the order the backward sweep completes them (as PyTorch
  // DDP's reverse-order buckets approximate).
  SmallVector<Operation *> ops;
  llvm::DenseMap<Operation *, unsigned> position;
  for (Operation &op : *block) {
    position[&op] = ops.size() + 1;
    ops.push_back(&op);
  }
  auto positionOf = [&](Value v) -> unsigned {
    Operation *def = v.getDefiningOp();
    return def && def->getBlock() == block ? position[def] : 0;
  };
  SmallVector<unsigned> order(grads.size());
  for (unsigned i = 0; i < order.size(); ++i)
    order[i] = i;
  llvm::stable_sort(order, [&](unsigned x, unsigned y) {
    return positionOf(grads[x]) < positionOf(grads[y]);
  });
  double capBytes = bucketMB * 1024.0 * 1024.0;
  SmallVector<SmallVector<unsigned>> buckets;
  double bytes = 0;
  for (unsigned i : order) {
    auto t = typeOf(grads[i]);
    if (!t.getElementType().isF32() || !t.hasStaticShape())
      return emitError(loc, "--data-parallel all-reduces static f32 "
                            "gradients; parameter '")
             << names[i] << "' is " << t;
    double size = 4.0 * t.getNumElements();
    if (buckets.empty() || bytes + size > capBytes) {
      buckets.emplace_back();
      bytes = 0;
    }
    buckets.back().push_back(i);
    bytes += size;
  }
  StringRef kind = reduction == Reduction::Mean ? "mean" : "sum";
  OpBuilder::InsertionGuard guard(b);
  for (auto [k, members] : llvm::enumerate(buckets)) {
    SmallVector<Value> inputs;
    unsigned last = 0;
    for (unsigned i : members) {
      inputs.push_back(grads[i]);
      last = std::max(last, positionOf(grads[i]));
    }
    // The loss, averaged like the gradients, rides in the last bucket.
    if (k + 1 == buckets.size()) {
      inputs.push_back(loss);
      last = std::max(last, positionOf(loss));
    }
    if (last == 0)
      b.setInsertionPointToStart(block);
    else
      b.setInsertionPointAfter(ops[last - 1]);
    DistStartOp::create(b, loc, inputs, kFirstGradientBucket + k, kind);
  }
  b.setInsertionPointToEnd(block);
  for (auto [k, members] : llvm::enumerate(buckets)) {
    SmallVector<Type> types;
    for (unsigned i : members)
      types.push_back(grads[i].getType());
    bool withLoss = k + 1 == buckets.size();
    if (withLoss)
      types.push_back(loss.getType());
    auto wait = DistWaitOp::create(b, loc, types, kFirstGradientBucket + k);
    for (auto [j, i] : llvm::enumerate(members))
      grads[i] = wait.getResult(j);
    if (withLoss)
      loss = wait.getResults().back();
  }
  return success();
}

Value TrainStepPass::nllPerSample(OpBuilder &b, Location loc, Value logp,
                                  Value labels) {
  auto t = typeOf(logp);
  auto oneHot = OneHotOp::create(
      b, loc, labels, b.getI64IntegerAttr(t.getDimSize(1)),
      b.getI64IntegerAttr(-1), b.getF64FloatAttr(0.0), b.getF64FloatAttr(1.0),
      TypeAttr::get(t.getElementType()));
  // A label outside [0, classes) is a caller's error, not a loss.
  oneHot->setAttr(kCheckedLabelsAttr, b.getUnitAttr());
  Value prod = MulOp::create(b, loc, oneHot, logp);
  Value sum = ReduceSumOp::create(b, loc, prod, b.getDenseI64ArrayAttr({1}),
                                  b.getBoolAttr(false));
  return NegOp::create(b, loc, sum);
}

FailureOr<Value> TrainStepPass::buildLoss(OpBuilder &b, Location loc,
                                          Value pred, Value labels,
                                          Value teacher) {
  auto t = typeOf(pred);
  Type et = t.getElementType();
  auto axis1 = b.getI64IntegerAttr(1);
  if ((loss == Loss::CrossEntropy || loss == Loss::Distillation) &&
      !(labelSmoothing >= 0 && labelSmoothing <= 1))
    return emitError(loc, "--label-smoothing must be in [0, 1], got ")
           << labelSmoothing;
  if (loss == Loss::CrossEntropy || loss == Loss::Nll) {
    if (t.getRank() != 2)
      return emitError(loc, "--loss=")
             << (loss == Loss::Nll ? "nll" : "cross_entropy")
             << " expects a [batch, classes] prediction, got " << t;
    if (loss == Loss::Nll)
      return reduceBatch(b, loc, nllPerSample(b, loc, pred, labels));
    return reduceBatch(b, loc, softmaxCrossEntropy(b, loc, pred, labels));
  }
  if (loss == Loss::Mse || loss == Loss::Huber || loss == Loss::BceWithLogits) {
    Value d = SubOp::create(b, loc, pred, labels);
    Value elem;
    if (loss == Loss::Mse) {
      elem = MulOp::create(b, loc, d, d);
    } else if (loss == Loss::Huber) {
      // 0.5 q^2 + delta (|d| - q), q = min(|d|, delta).
      Value a = AbsOp::create(b, loc, d);
      Value delta = scalarTensor(b, loc, et, huberDelta);
      Value q = MinOp::create(b, loc, a, delta);
      Value quad = MulOp::create(b, loc, scalarTensor(b, loc, et, 0.5),
                                 MulOp::create(b, loc, q, q));
      elem = AddOp::create(
          b, loc, quad,
          MulOp::create(b, loc, delta, SubOp::create(b, loc, a, q)));
    } else {
      // max(x, 0) - x y + log(1 + exp(-|x|)), stable for any x.
      Value relu = ReluOp::create(b, loc, pred);
      Value xy = MulOp::create(b, loc, pred, labels);
      Value e = ExpOp::create(
          b, loc, NegOp::create(b, loc, AbsOp::create(b, loc, pred)));
      Value soft = LogOp::create(
          b, loc, AddOp::create(b, loc, scalarTensor(b, loc, et, 1), e));
      elem = AddOp::create(b, loc, SubOp::create(b, loc, relu, xy), soft);
    }
    // PyTorch's mean is over every element.
    return reduceAll(b, loc, elem, reduction == Reduction::Mean);
  }
  if (loss == Loss::Distillation) {
    if (t.getRank() != 2)
      return emitError(loc, "--loss=distillation expects a [batch, classes] "
                            "prediction, got ")
             << t;
    // alpha CE + (1 - alpha) T^2 KL(softmax(z_t / T) || softmax(z_s / T)),
    // the KL summed over classes and averaged over the batch.
    double temp = distillTemperature;
    Value ce = reduceBatch(b, loc, softmaxCrossEntropy(b, loc, pred, labels));
    Value invT = scalarTensor(b, loc, et, 1.0 / temp);
    Value logps =
        LogSoftmaxOp::create(b, loc, MulOp::create(b, loc, pred, invT), axis1);
    Value logpt = LogSoftmaxOp::create(
        b, loc, MulOp::create(b, loc, teacher, invT), axis1);
    Value pt = ExpOp::create(b, loc, logpt);
    Value kl = MulOp::create(b, loc, pt, SubOp::create(b, loc, logpt, logps));
    Value klPerSample = ReduceSumOp::create(
        b, loc, kl, b.getDenseI64ArrayAttr({1}), b.getBoolAttr(false));
    Value klLoss = reduceBatch(b, loc, klPerSample);
    Value hard =
        MulOp::create(b, loc, scalarTensor(b, loc, et, distillAlpha), ce);
    Value soft = MulOp::create(
        b, loc, scalarTensor(b, loc, et, (1 - distillAlpha) * temp * temp),
        klLoss);
    return Value(AddOp::create(b, loc, hard, soft));
  }
  if (loss == Loss::Output) // the model computed it: reduce it to a scalar
    return t.getRank() == 0
               ? pred
               : reduceAll(b, loc, pred, reduction == Reduction::Mean);
  llvm_unreachable("loss names are checked before the loss is built");
}

/// Fan-in and fan-out of a weight as PyTorch computes them, from how the
/// graph uses it: conv weights [out, in/groups, k...], matmul right-hand
/// sides [in, out], anything else 2-D [out, in].
std::pair<double, double> fans(BlockArgument arg) {
  auto t = typeOf(arg);
  ArrayRef<int64_t> s = t.getShape();
  double receptive = 1;
  for (int64_t i = 2; i < t.getRank(); ++i)
    receptive *= s[i];
  bool inFirst = false;
  for (Operation *user : arg.getUsers()) {
    if (auto mm = dyn_cast<MatMulOp>(user))
      inFirst = mm.getRhs() == arg;
    else if (auto gemm = dyn_cast<GemmOp>(user))
      inFirst = gemm.getB() == arg && !gemm.getTransB();
    break;
  }
  if (t.getRank() < 2)
    return {double(t.getNumElements()), double(t.getNumElements())};
  double in = inFirst ? s[0] : s[1] * receptive;
  double out = inFirst ? s[1] : s[0] * receptive;
  return {in, out};
}

FailureOr<Attribute> TrainStepPass::initialize(BlockArgument arg,
                                               std::mt19937_64 &rng) {
  auto t = dyn_cast<RankedTensorType>(arg.getType());
  if (!t || !t.hasStaticShape() || !isa<FloatType>(t.getElementType()))
    return emitError(arg.getLoc(), "parameter argument #")
           << arg.getArgNumber()
           << " needs a static float tensor type to be initialized, got "
           << arg.getType();
  Type et = t.getElementType();
  int64_t n = t.getNumElements();
  // Biases start at zero, normalization scales at one.
  if (t.getRank() < 2) {
    bool isScale = llvm::any_of(arg.getUses(), [](OpOperand &use) {
      Operation *user = use.getOwner();
      return (isa<BatchNormOp, InstanceNormOp>(user) &&
              use.getOperandNumber() == 1) ||
             (isa<LayerNormOp, GroupNormOp>(user) &&
              use.getOperandNumber() == 1);
    });
    return Attribute(
        DenseElementsAttr::get(t, FloatAttr::get(et, isScale ? 1.0 : 0.0)));
  }
  auto [fanIn, fanOut] = fans(arg);
  double bound = 0, stddev = 0;
  switch (init) {
  case InitScheme::XavierUniform:
    bound = std::sqrt(6.0 / (fanIn + fanOut));
    break;
  case InitScheme::XavierNormal:
    stddev = std::sqrt(2.0 / (fanIn + fanOut));
    break;
  case InitScheme::HeUniform:
    bound = std::sqrt(6.0 / fanIn);
    break;
  case InitScheme::HeNormal:
    stddev = std::sqrt(2.0 / fanIn);
    break;
  }
  // mt19937_64 is specified exactly, so the values are the same everywhere;
  // uniforms from its top 53 bits, normals by Box-Muller.
  auto uniform = [&] {
    return double(rng() >> 11) * (1.0 / 9007199254740992.0);
  };
  SmallVector<APFloat> values;
  values.reserve(n);
  const auto &sem = cast<FloatType>(et).getFloatSemantics();
  for (int64_t i = 0; i < n; ++i) {
    double v;
    if (bound > 0) {
      v = (2 * uniform() - 1) * bound;
    } else {
      double u1 = 1.0 - uniform(), u2 = uniform();
      v = stddev * std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
    }
    APFloat f(v);
    bool lost;
    f.convert(sem, APFloat::rmNearestTiesToEven, &lost);
    values.push_back(f);
  }
  return Attribute(DenseElementsAttr::get(t, values));
}

LogicalResult TrainStepPass::build() {
  ModuleOp module = getOperation();
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func || func.isExternal())
    return module.emitError("dl-train-step: no function '")
           << entry.getValue() << "' to train";
  Location loc = func.getLoc();
  MLIRContext *ctx = module.getContext();
  Block &body = func.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());
  if (ret.getNumOperands() == 0)
    return func.emitError("dl-train-step: the model has no output to train");
  if (numData > func.getNumArguments())
    return func.emitError("dl-train-step: ")
           << static_cast<unsigned>(numData)
           << " data inputs asked for, the model has " << func.getNumArguments()
           << " inputs";
  // --loss=output: the first output is the loss, the second (if any) the
  // prediction train_step returns.
  bool lossIsOutput = loss == Loss::Output;
  Value lossOutput = ret.getOperand(0);
  Value prediction = lossIsOutput && ret.getNumOperands() > 1
                         ? ret.getOperand(1)
                         : ret.getOperand(0);
  if (lossIsOutput) {
    auto lt = dyn_cast<RankedTensorType>(lossOutput.getType());
    if (!lt || !isa<FloatType>(lt.getElementType()))
      return func.emitError("dl-train-step: --loss=output needs a float first "
                            "output (the loss), got ")
             << lossOutput.getType();
  }
  auto predType = dyn_cast<RankedTensorType>(prediction.getType());
  if (!predType || !isa<FloatType>(predType.getElementType()))
    return func.emitError("dl-train-step: the first output must be a float "
                          "tensor, got ")
           << prediction.getType();
  Type et = predType.getElementType();

  // Classify the named float initializers: batch-norm running statistics,
  // frozen ones, and parameters.
  std::set<std::string> frozen(freeze.begin(), freeze.end());
  struct Trainable {
    std::string name;
    Value original;
    Attribute initValue; // for arguments; constants are cloned
  };
  // One initializer used by several nodes is trained as one shared (tied)
  // parameter: right for tied weights, a trap when an exporter merged equal
  // initializers of separate layers (torch deduplicates them).
  auto warnIfTied = [&](ConstantOp c, StringRef name) {
    SmallVector<Operation *> ops(c->getUsers());
    llvm::sort(ops, [](Operation *a, Operation *b) {
      return a->getBlock() == b->getBlock() && a->isBeforeInBlock(b);
    });
    SmallVector<std::string> users;
    for (Operation *user : ops) {
      std::string node = describeNode(user->getLoc());
      if (node.empty())
        node = user->getName().getStringRef().str();
      else
        node = node.substr(5, node.size() - 7); // 'NAME' (OpType)
      if (!llvm::is_contained(users, node))
        users.push_back(node);
    }
    if (users.size() < 2)
      return;
    auto diag = mlir::emitWarning(UnknownLoc::get(c.getContext()))
                << "initializer '" << name << "' is used by " << users.size()
                << " nodes (";
    llvm::interleaveComma(users, diag);
    diag << "): --train trains it as one shared (tied) parameter; if the "
            "exporter merged equal initializers of separate layers, re-export "
            "them as separate tensors";
  };
  SmallVector<Trainable> trainables;
  SmallVector<ConstantOp> stats;
  for (ConstantOp c : body.getOps<ConstantOp>()) {
    auto name = dyn_cast<NameLoc>(c.getLoc());
    auto t = dyn_cast<RankedTensorType>(c.getType());
    if (!name || !isa<UnknownLoc>(name.getChildLoc()) || !t ||
        t.getRank() == 0 || !isa<FloatType>(t.getElementType()))
      continue;
    // Anonymous initializers (PyTorch's "onnx::..."), are trained only when
    // they are the weight of a contraction: the exporter's pre-transposed
    // copies of Linear weights. Other ones (masks, scales) stay constant.
    if (name.getName().strref().starts_with("onnx::") &&
        !llvm::any_of(c->getUses(), [](OpOperand &use) {
          return isa<MatMulOp, GemmOp, ConvOp, ConvTransposeOp>(use.getOwner());
        }))
      continue;
    bool isStat =
        !c->use_empty() && llvm::all_of(c->getUses(), [](OpOperand &use) {
          return isa<BatchNormOp>(use.getOwner()) &&
                 use.getOperandNumber() >= 3;
        });
    if (isStat)
      stats.push_back(c);
    else if (!frozen.erase(name.getName().str())) {
      trainables.push_back({name.getName().str(), c.getResult(), {}});
      warnIfTied(c, name.getName().strref());
    }
  }
  if (!frozen.empty())
    return func.emitError("dl-train-step: --freeze names '")
           << *frozen.begin() << "', which is not a float initializer";
  std::mt19937_64 rng(static_cast<uint64_t>(seed.getValue()));
  for (unsigned i = numData; i < func.getNumArguments(); ++i) {
    BlockArgument arg = body.getArgument(i);
    auto value = initialize(arg, rng);
    if (failed(value))
      return failure();
    std::string name = "param" + std::to_string(i);
    if (auto n = func.getArgAttrOfType<StringAttr>(i, kNameAttr))
      name = n.str();
    trainables.push_back({name, arg, *value});
  }
  if (trainables.empty())
    return func.emitError("dl-train-step: the model has no parameters to train "
                          "(no float initializers, and no inputs after the "
                          "data inputs)");

  // Optimizer slots per parameter, named as torch.optim names them.
  SmallVector<std::string> slotNames;
  Optimizer opt = optimizer;
  if (opt == Optimizer::Momentum || opt == Optimizer::Nesterov)
    slotNames = {"momentum_buffer"};
  else if (opt == Optimizer::Adam || opt == Optimizer::AdamW)
    slotNames = {"exp_avg", "exp_avg_sq"};
  else if (opt == Optimizer::Adagrad)
    slotNames = {"sum"};
  double eps = epsilon >= 0 ? double(epsilon)
                            : (opt == Optimizer::Adagrad ? 1e-10 : 1e-8);

  // The state: parameters, statistics, slots (slot-major), step.
  SmallVector<Type> stateTypes;
  SmallVector<std::string> stateNames;
  for (const Trainable &t : trainables) {
    stateTypes.push_back(t.original.getType());
    stateNames.push_back(t.name);
  }
  for (ConstantOp c : stats) {
    stateTypes.push_back(c.getType());
    stateNames.push_back(cast<NameLoc>(c.getLoc()).getName().str());
  }
  for (const std::string &slot : slotNames)
    for (const Trainable &t : trainables) {
      stateTypes.push_back(t.original.getType());
      stateNames.push_back(t.name + "." + slot);
    }
  auto i64Scalar = RankedTensorType::get({}, IntegerType::get(ctx, 64));
  stateTypes.push_back(i64Scalar);
  stateNames.push_back("step");
  unsigned numState = stateTypes.size();
  unsigned numTrain = trainables.size();
  unsigned statsBegin = numTrain, slotsBegin = numTrain + stats.size();

  // --data-parallel: what every rank must agree on (the state's names and
  // types, hence the bucket layout, and how the buckets are reduced).
  int64_t checksum = 0, paramElements = 0;
  if (dataParallel) {
    std::string text;
    llvm::raw_string_ostream os(text);
    for (unsigned i = 0; i < numState; ++i)
      os << stateNames[i] << ':' << stateTypes[i] << ';';
    os << "bucket-mb=" << double(bucketMB)
       << ";reduction=" << (reduction == Reduction::Mean ? "mean" : "sum");
    checksum = static_cast<int64_t>(llvm::xxh3_64bits(StringRef(text)));
    for (const Trainable &t : trainables)
      paramElements += typeOf(t.original).getNumElements();
  }
  auto checkRanks = [&](OpBuilder &cb) {
    DistCheckOp::create(cb, loc, checksum, int64_t(numState), paramElements);
  };

  SmallVector<Type> dataTypes(func.getArgumentTypes().take_front(numData));
  bool classLabels = loss == Loss::CrossEntropy || loss == Loss::Nll ||
                     loss == Loss::Distillation;
  Type labelType = classLabels
                       ? Type(RankedTensorType::get({predType.getDimSize(0)},
                                                    IntegerType::get(ctx, 64)))
                       : Type(predType);
  auto lrType = RankedTensorType::get({}, et);

  OpBuilder b(ctx);
  b.setInsertionPointAfter(func);
  auto nameArgs = [&](func::FuncOp f, unsigned count) {
    for (unsigned i = 0; i < count; ++i)
      f.setArgAttr(i, kNameAttr, b.getStringAttr(stateNames[i]));
    for (unsigned i = 0; i < numData; ++i)
      if (auto n = func.getArgAttr(i, kNameAttr))
        f.setArgAttr(count + i, kNameAttr, n);
      else
        f.setArgAttr(count + i, kNameAttr,
                     b.getStringAttr("input" + std::to_string(i)));
  };

  // PREFIX_train_init() -> (state...)
  {
    auto init = func::FuncOp::create(b, loc, prefix + "_train_init",
                                     b.getFunctionType({}, stateTypes));
    OpBuilder ib(init.getContext());
    ib.setInsertionPointToStart(init.addEntryBlock());
    SmallVector<Value> values;
    for (const Trainable &t : trainables)
      values.push_back(
          t.initValue ? Value(ConstantOp::create(
                            ib, loc, cast<ElementsAttr>(t.initValue)))
                      : ib.clone(*t.original.getDefiningOp())->getResult(0));
    for (ConstantOp c : stats)
      values.push_back(ib.clone(*c)->getResult(0));
    for (unsigned s = 0; s < slotNames.size(); ++s)
      for (const Trainable &t : trainables) {
        auto type = cast<RankedTensorType>(t.original.getType());
        values.push_back(ConstantOp::create(
            ib, loc,
            DenseElementsAttr::get(type,
                                   FloatAttr::get(type.getElementType(), 0))));
      }
    values.push_back(ConstantOp::create(
        ib, loc, DenseElementsAttr::get(i64Scalar, ib.getI64IntegerAttr(0))));
    // Every replica starts from rank 0's parameters and statistics.
    if (dataParallel) {
      checkRanks(ib);
      SmallVector<unsigned> shared;
      SmallVector<Value> sent;
      for (unsigned i = 0; i < slotsBegin; ++i)
        if (typeOf(values[i]).getElementType().isF32()) {
          shared.push_back(i);
          sent.push_back(values[i]);
        }
      if (!sent.empty()) {
        DistStartOp::create(ib, loc, sent, 0, "broadcast");
        auto wait = DistWaitOp::create(ib, loc, ValueRange(sent).getTypes(), 0);
        for (auto [j, i] : llvm::enumerate(shared))
          values[i] = wait.getResult(j);
      }
    }
    func::ReturnOp::create(ib, loc, values);
    for (unsigned i = 0; i < numState; ++i)
      init.setResultAttr(i, kNameAttr, b.getStringAttr(stateNames[i]));
  }

  // Where each of the entry's parameters and statistics sits in the state.
  llvm::DenseMap<Value, unsigned> stateIndex;
  for (auto [i, t] : llvm::enumerate(trainables))
    stateIndex[t.original] = i;
  for (auto [i, c] : llvm::enumerate(stats))
    stateIndex[c.getResult()] = statsBegin + i;
  auto mapState = [&](IRMapping &map, Block *block) {
    for (auto [v, i] : stateIndex)
      map.map(v, block->getArgument(i));
    for (unsigned i = 0; i < numData; ++i)
      map.map(body.getArgument(i), block->getArgument(numState + i));
  };
  auto isState = [&](Operation &op) {
    return llvm::any_of(op.getResults(),
                        [&](Value r) { return stateIndex.contains(r); });
  };

  // PREFIX_forward(state..., data...) -> (results...)
  {
    SmallVector<Type> inputs(stateTypes);
    inputs.append(dataTypes);
    auto fwd =
        func::FuncOp::create(b, loc, prefix + "_forward",
                             b.getFunctionType(inputs, func.getResultTypes()));
    nameArgs(fwd, numState);
    for (unsigned i = 0; i < func.getNumResults(); ++i)
      if (auto n = func.getResultAttr(i, kNameAttr))
        fwd.setResultAttr(i, kNameAttr, n);
    Block *block = fwd.addEntryBlock();
    OpBuilder fb(ctx);
    fb.setInsertionPointToStart(block);
    IRMapping map;
    mapState(map, block);
    for (Operation &op : body)
      if (!isState(op))
        fb.clone(op, map);
  }

  // PREFIX_train_step(state..., data..., labels, [teacher,] lr)
  //   -> (loss, prediction, state'...)
  SmallVector<Type> inputs(stateTypes);
  inputs.append(dataTypes);
  if (!lossIsOutput)
    inputs.push_back(labelType);
  if (loss == Loss::Distillation)
    inputs.push_back(predType);
  inputs.push_back(lrType);
  SmallVector<Type> results = {lrType, predType};
  results.append(stateTypes);
  auto step = func::FuncOp::create(b, loc, prefix + "_train_step",
                                   b.getFunctionType(inputs, results));
  nameArgs(step, numState);
  unsigned labelsIndex = numState + numData;
  if (!lossIsOutput)
    step.setArgAttr(labelsIndex, kNameAttr, b.getStringAttr("labels"));
  if (loss == Loss::Distillation)
    step.setArgAttr(labelsIndex + 1, kNameAttr,
                    b.getStringAttr("teacher_logits"));
  step.setArgAttr(inputs.size() - 1, kNameAttr,
                  b.getStringAttr("learning_rate"));
  step.setResultAttr(0, kNameAttr, b.getStringAttr("loss"));
  step.setResultAttr(1, kNameAttr, b.getStringAttr("prediction"));
  for (unsigned i = 0; i < numState; ++i) {
    step.setResultAttr(2 + i, kNameAttr, b.getStringAttr(stateNames[i]));
    step.setResultAttr(2 + i, "dl.inplace", b.getI64IntegerAttr(i));
  }
  // dl-checkpoint's policy, for the train pipeline's dl-checkpoint.
  if (checkpoint != "none" || !checkpointAt.empty() || reportMemory) {
    SmallVector<NamedAttribute> policy = {
        b.getNamedAttr("policy", b.getStringAttr(checkpoint))};
    if (!checkpointAt.empty())
      policy.push_back(b.getNamedAttr("at", b.getStringAttr(checkpointAt)));
    if (reportMemory)
      policy.push_back(b.getNamedAttr("report", b.getUnitAttr()));
    step->setAttr("dl.checkpoint", b.getDictionaryAttr(policy));
  }
  Block *block = step.addEntryBlock();
  b.setInsertionPointToStart(block);
  IRMapping map;
  mapState(map, block);
  Value stepCount = block->getArgument(numState - 1);
  Value lr = block->getArgument(inputs.size() - 1);
  Value labels = lossIsOutput ? Value() : block->getArgument(labelsIndex);
  Value teacher = loss == Loss::Distillation
                      ? block->getArgument(labelsIndex + 1)
                      : Value();

  // Forward in training mode.
  SmallVector<Value> newState(block->getArguments().take_front(numState));
  unsigned dropoutIndex = 0;
  for (Operation &op : body.without_terminator()) {
    if (isState(op))
      continue;
    if (auto bn = dyn_cast<BatchNormOp>(op)) {
      Value result, batchMean, batchVariance;
      if (dataParallel && syncBatchNorm) {
        FailureOr<std::array<Value, 3>> synced = buildSyncedBatchNorm(
            b, bn, map.lookup(bn.getInput()), map.lookup(bn.getScale()),
            map.lookup(bn.getBias()));
        if (failed(synced))
          return failure();
        result = (*synced)[0];
        batchMean = (*synced)[1];
        batchVariance = (*synced)[2];
      } else {
        auto train = BatchNormTrainOp::create(
            b, bn.getLoc(), map.lookup(bn.getInput()),
            map.lookup(bn.getScale()), map.lookup(bn.getBias()),
            bn.getEpsilonAttr());
        result = train.getResult();
        batchMean = train.getBatchMean();
        batchVariance = train.getBatchVariance();
      }
      map.map(bn.getResult(), result);
      // running = (1 - m) running + m batch; the variance unbiased, as in
      // torch.nn.BatchNorm.
      auto xType = typeOf(bn.getInput());
      Type bt = xType.getElementType();
      Value count;
      if (xType.hasStaticShape()) {
        count = scalarTensor(
            b, loc, bt, double(xType.getNumElements() / xType.getDimSize(1)));
      } else {
        // Of the step's own input (the mapped value), not the forward's.
        Value shape = ShapeOfOp::create(b, loc, map.lookup(bn.getInput()));
        Value dims = CastOp::create(
            b, loc, RankedTensorType::get({xType.getRank()}, bt), shape);
        Value all = ReduceProdOp::create(
            b, loc, dims, b.getDenseI64ArrayAttr({}), b.getBoolAttr(false));
        count = DivOp::create(
            b, loc, all, scalarTensor(b, loc, bt, double(xType.getDimSize(1))));
      }
      Value m = scalarTensor(b, loc, bt, bnMomentum),
            keep = scalarTensor(b, loc, bt, 1 - bnMomentum);
      auto update = [&](Value running, Value batch) {
        auto it = stateIndex.find(running);
        if (it == stateIndex.end() || it->second < statsBegin)
          return;
        Value old = block->getArgument(it->second);
        newState[it->second] =
            AddOp::create(b, loc, MulOp::create(b, loc, keep, old),
                          MulOp::create(b, loc, m, batch));
      };
      // Synchronized: the global batch's element count.
      if (dataParallel && syncBatchNorm)
        count = AllReduceOp::create(b, loc, TypeRange{count.getType()},
                                    ValueRange{count}, "sum")
                    .getResult(0);
      update(bn.getMean(), batchMean);
      Value unbiased = MulOp::create(
          b, loc, batchVariance,
          DivOp::create(
              b, loc, count,
              SubOp::create(b, loc, count, scalarTensor(b, loc, bt, 1))));
      update(bn.getVariance(), unbiased);
      continue;
    }
    if (auto drop = dyn_cast<DropoutOp>(op);
        drop && !drop.getRatio().isZero()) {
      int64_t dropSeed =
          seed * 1000003 + drop.getSeed() * 7919 + dropoutIndex++;
      auto train = DropoutOp::create(
          b, drop.getLoc(), drop->getResultTypes(),
          ValueRange{map.lookup(drop.getInput()), stepCount},
          {b.getNamedAttr("ratio", drop.getRatioAttr()),
           b.getNamedAttr("seed", b.getI64IntegerAttr(dropSeed)),
           b.getNamedAttr("training", b.getBoolAttr(true))});
      map.map(drop.getResults(), train.getResults());
      continue;
    }
    b.clone(op, map);
  }
  Value pred = map.lookup(prediction);
  auto lossValue =
      lossIsOutput ? buildLoss(b, loc, map.lookup(lossOutput), labels, teacher)
                   : buildLoss(b, loc, pred, labels, teacher);
  if (failed(lossValue))
    return failure();
  SmallVector<Operation *> forward;
  for (Operation &op : *block)
    forward.push_back(&op);
  SmallVector<Value> params(block->getArguments().take_front(numTrain));
  auto grads = buildGradients(
      b, loc, forward, {{*lossValue, scalarTensor(b, loc, et, 1)}}, params);
  if (failed(grads))
    return failure();
  Value lossOut = *lossValue;
  if (dataParallel) {
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(block);
      checkRanks(b);
    }
    SmallVector<std::string> names;
    for (const Trainable &t : trainables)
      names.push_back(t.name);
    if (failed(allReduceGradients(b, loc, block, names, *grads, lossOut)))
      return failure();
  }

  // Global-norm clipping (of the all-reduced gradients), as
  // torch.nn.utils.clip_grad_norm_.
  if (clipNorm > 0) {
    Value total;
    for (Value g : *grads) {
      Value sq = reduceAll(b, loc, MulOp::create(b, loc, g, g), false);
      if (typeOf(sq).getElementType() != et)
        sq = CastOp::create(b, loc, RankedTensorType::get({}, et), sq);
      total = total ? Value(AddOp::create(b, loc, total, sq)) : sq;
    }
    Value norm = SqrtOp::create(b, loc, total);
    Value coef = DivOp::create(
        b, loc, scalarTensor(b, loc, et, clipNorm),
        AddOp::create(b, loc, norm, scalarTensor(b, loc, et, 1e-6)));
    coef = MinOp::create(b, loc, coef, scalarTensor(b, loc, et, 1));
    for (Value &g : *grads)
      g = MulOp::create(b, loc, g, coef);
  }

  // The optimizer update.
  GradBuilder e{b, loc};
  auto c = [&](double v) { return scalarTensor(b, loc, et, v); };
  Value one = c(1);
  Value nextStep = AddOp::create(
      b, loc, stepCount,
      ConstantOp::create(
          b, loc, DenseElementsAttr::get(i64Scalar, b.getI64IntegerAttr(1))));
  // Adam's bias corrections, shared by every parameter.
  Value bc1, sqrtBc2;
  if (opt == Optimizer::Adam || opt == Optimizer::AdamW) {
    Value t = CastOp::create(b, loc, RankedTensorType::get({}, et), nextStep);
    bc1 = e.sub(one, e.pow(c(beta1), t));
    sqrtBc2 = e.sqrt(e.sub(one, e.pow(c(beta2), t)));
  }
  for (unsigned i = 0; i < numTrain; ++i) {
    Value w = block->getArgument(i), g = (*grads)[i];
    auto slot = [&](unsigned s) {
      return block->getArgument(slotsBegin + s * numTrain + i);
    };
    auto setSlot = [&](unsigned s, Value v) {
      newState[slotsBegin + s * numTrain + i] = v;
    };
    if (weightDecay > 0 && opt != Optimizer::AdamW)
      g = e.add(g, e.mul(c(weightDecay), w));
    Value update;
    if (opt == Optimizer::Sgd) {
      update = g;
    } else if (opt == Optimizer::Momentum || opt == Optimizer::Nesterov) {
      Value v = e.add(e.mul(c(momentum), slot(0)), g);
      setSlot(0, v);
      update = opt == Optimizer::Nesterov ? e.add(g, e.mul(c(momentum), v)) : v;
    } else if (opt == Optimizer::Adam || opt == Optimizer::AdamW) {
      if (opt == Optimizer::AdamW && weightDecay > 0)
        w = e.mul(w, e.sub(one, e.mul(lr, c(weightDecay))));
      Value m = e.add(e.mul(c(beta1), slot(0)), e.mul(c(1 - beta1), g));
      Value v =
          e.add(e.mul(c(beta2), slot(1)), e.mul(c(1 - beta2), e.square(g)));
      setSlot(0, m);
      setSlot(1, v);
      Value denom = e.add(e.div(e.sqrt(v), sqrtBc2), c(eps));
      update = e.div(e.div(m, bc1), denom);
    } else { // adagrad
      Value s = e.add(slot(0), e.square(g));
      setSlot(0, s);
      update = e.div(g, e.add(e.sqrt(s), c(eps)));
    }
    newState[i] = e.sub(w, e.mul(lr, update));
  }
  newState[numState - 1] = nextStep;
  SmallVector<Value> outs = {lossOut, pred};
  outs.append(newState);
  func::ReturnOp::create(b, loc, outs);
  func.erase();
  return success();
}

} // namespace
