//===- Passes.td - dl passes -------------------------------*- tablegen -*-===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_PASSES_TD
#define DLC_DIALECT_DL_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Shape inference
//===----------------------------------------------------------------------===//

def DLShapeInference : Pass<"dl-shape-inference"> {
  let summary = "Refine dl result types from their operands";
  let description = [{
    Re-infers the result type of every dl op, in order, and replaces a result
    type by the inferred one where that is more precise (a dynamic dim becomes
    static). dl users re-infer from the refined type; any other user (a call,
    an op of another dialect) gets a `tensor.cast` back to the type it had,
    so the IR stays valid. With `refine-function-results`, a function that no
    call in the module uses gets the refined types as its results; otherwise
    `func.return` gets casts too.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect",
                           "::mlir::tensor::TensorDialect"];
  let options = [
    Option<"refineFunctionResults", "refine-function-results", "bool",
           /*default=*/"true",
           "Update func.func result types to the refined return types">,
  ];
  let statistics = [
    Statistic<"numRefined", "num-refined", "Number of results refined">,
  ];
}

//===----------------------------------------------------------------------===//
// Autodiff
//===----------------------------------------------------------------------===//

def DLAutodiff : Pass<"dl-autodiff", "::mlir::ModuleOp"> {
  let summary = "Build reverse-mode gradient functions";
  let description = [{
    For each function named in `functions`, adds `NAME_grad(args...,
    result cotangents...) -> (results..., gradient of each float argument)`:
    the forward ops, then a reverse sweep that calls each op's
    GradientOpInterface rule and sums the contributions of values used more
    than once. Only gradients that reach an argument are built. An op on the
    path without a rule is an error naming it.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let options = [
    ListOption<"functions", "functions", "std::string",
               "Functions to differentiate">,
  ];
}


//===----------------------------------------------------------------------===//
// Training
//===----------------------------------------------------------------------===//

def DLTrainStep : Pass<"dl-train-step", "::mlir::ModuleOp"> {
  let summary = "Build a whole training step from an inference function";
  let description = [{
    From `entry(data..., [uninitialized params...]) -> (prediction, ...)`
    whose parameters are named float constants (ONNX initializers), builds:

    - `PREFIX_train_init() -> (state...)`: the initial state: parameters
      (their values, or `init`-scheme random values for the float arguments
      after the data inputs), batch-norm running statistics, optimizer slots
      (zeros) and the step counter.
    - `PREFIX_train_step(state..., data..., labels, [teacher,] lr) ->
      (loss, prediction, new state...)`: the forward in training mode
      (batch norm on batch statistics, updating the running ones; dropout
      with a mask from `seed` and the step), the loss, its gradient by
      dl-autodiff's reverse sweep, optional global-norm clipping, and the
      optimizer update.
    - `PREFIX_forward(state..., data...) -> (results...)`: inference on the
      same state (batch norm on the running statistics, no dropout).

    With `loss=output` the entry's first result is the loss itself (reduced
    to a scalar by `reduction`), its second result (or the first) the
    prediction, and train_step takes no labels.

    The entry function is erased. The argument and result attributes
    `dl.name` name every state tensor; `dl.state` marks the state arguments
    and `dl.inplace = i` the results that replace state argument i.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let options = [
    Option<"entry", "entry", "std::string", /*default=*/"\"main\"",
           "The inference function to train">,
    Option<"prefix", "prefix", "std::string", /*default=*/"\"model\"",
           "Prefix of the functions built">,
    Option<"numData", "num-data", "unsigned", /*default=*/"1",
           "How many leading arguments are data inputs (the rest are "
           "parameters to initialize)">,
    Option<"loss", "loss", "::dlc::dl::Loss",
           /*default=*/"::dlc::dl::Loss::CrossEntropy", "The loss",
           [{::llvm::cl::values(DL_LOSS_VALUES)}]>,
    Option<"reduction", "reduction", "::dlc::dl::Reduction",
           /*default=*/"::dlc::dl::Reduction::Mean",
           "Reduction of the loss over the batch",
           [{::llvm::cl::values(DL_REDUCTION_VALUES)}]>,
    Option<"labelSmoothing", "label-smoothing", "double", /*default=*/"0.0",
           "Label smoothing epsilon (cross_entropy, distillation)">,
    Option<"huberDelta", "huber-delta", "double", /*default=*/"1.0",
           "Huber loss delta">,
    Option<"distillAlpha", "distill-alpha", "double", /*default=*/"0.5",
           "Weight of the hard-label cross-entropy in the distillation loss">,
    Option<"distillTemperature", "distill-temperature", "double",
           /*default=*/"1.0", "Distillation temperature T">,
    Option<"optimizer", "optimizer", "::dlc::dl::Optimizer",
           /*default=*/"::dlc::dl::Optimizer::Sgd", "The optimizer",
           [{::llvm::cl::values(DL_OPTIMIZER_VALUES)}]>,
    Option<"momentum", "momentum", "double", /*default=*/"0.9",
           "Momentum (momentum, nesterov)">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9", "Adam beta1">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999", "Adam beta2">,
    Option<"epsilon", "epsilon", "double", /*default=*/"-1.0",
           "Adam/Adagrad epsilon (default 1e-8 for Adam, 1e-10 for Adagrad)">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.0",
           "L2 weight decay (decoupled for adamw)">,
    Option<"clipNorm", "clip-norm", "double", /*default=*/"0.0",
           "Clip the gradients' global L2 norm to this (0: off)">,
    Option<"bnMomentum", "bn-momentum", "double", /*default=*/"0.1",
           "Running statistics: running = (1 - m) running + m batch">,
    Option<"seed", "seed", "int64_t", /*default=*/"0",
           "Seed of the dropout masks and of parameter initialization">,
    Option<"init", "init", "::dlc::dl::InitScheme",
           /*default=*/"::dlc::dl::InitScheme::HeUniform",
           "Initialization of parameters without values",
           [{::llvm::cl::values(DL_INIT_VALUES)}]>,
    ListOption<"freeze", "freeze", "std::string",
               "Initializers that are not trained">,
    Option<"checkpoint", "checkpoint", "std::string", /*default=*/"\"none\"",
           "Gradient checkpointing of the train step (dl-checkpoint's "
           "policy): none, sqrt, per-block or budget=SIZE">,
    Option<"checkpointAt", "checkpoint-at", "std::string", /*default=*/"",
           "Segment boundaries before the forward ops whose ONNX node name "
           "matches this regex (implies per-block)">,
    Option<"reportMemory", "report-memory", "bool", /*default=*/"false",
           "Print dl-checkpoint's memory estimate of the train step">,
    Option<"dataParallel", "data-parallel", "bool", /*default=*/"false",
           "Data-parallel over MPI ranks: all-reduce the gradients and the "
           "loss in buckets (dl.dist_start as the backward sweep completes "
           "each, dl.dist_wait before the update), check that the ranks run "
           "the same model and broadcast rank 0's initial state">,
    Option<"bucketMB", "bucket-mb", "double", /*default=*/"25.0",
           "Gradient bucket size in MB (--data-parallel)">,
    Option<"syncBatchNorm", "sync-batchnorm", "bool", /*default=*/"false",
           "With data-parallel: batch norm normalizes with the statistics "
           "of the whole global batch (dl.all_reduce of the per-rank mean "
           "and variance, differentiated through), and the running "
           "statistics see the global count">,
  ];
}

//===----------------------------------------------------------------------===//
// Gradient checkpointing
//===----------------------------------------------------------------------===//

def DLCheckpoint : Pass<"dl-checkpoint", "::mlir::func::FuncOp"> {
  let summary = "Recompute forward segments in the backward sweep to save "
                "memory";
  let description = [{
    Runs on a function whose block holds a forward computation followed by
    its reverse sweep: a train step from dl-train-step (which marks it with
    the `dl.checkpoint` attribute holding the policy) or a `NAME_grad` from
    dl-autodiff named in `functions`. The forward ops are those the first
    `forward-results` returned values depend on. They are cut into segments;
    only the values that cross a segment boundary (the segment inputs) and
    the results of ops that cannot be recomputed stay alive for the
    backward sweep. Before the first backward op that reads a value of
    segment k, the forward ops of the segment that value needs are cloned
    from its saved inputs, which pass through a `dl.recompute_barrier`
    (so CSE cannot merge the clones back, and the recomputation comes after
    the cotangent reaching it), and the backward ops read the clones.

    Policies: `sqrt` cuts the chain of articulation points (where a single
    tensor crosses) into about sqrt(n) segments of equal activation bytes;
    `per-block` cuts before each residual block / Transformer sublayer (a
    region with a skip connection) and before each contraction of a plain
    chain, or, with `at`, before every op whose ONNX node name matches the
    regex; `budget=SIZE` (bytes, or with K/M/G, KB/MB/GB or KiB/MiB/GiB,
    all binary) picks the segmentation and the segments to recompute so
    that the estimated peak stays within SIZE for the least recompute
    work, and fails naming the smallest feasible budget when it cannot.
    The estimate is a liveness walk over the op order with static sizes
    (dynamic dims count 1), buffers freed after their last use.

    Only ops without side effects or regions are cloned. dl's random ops
    are keyed (the seed attribute and the step counter), so a recomputed
    dropout draws the mask the forward drew; batch norm's running
    statistics are updated from the original op only.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let options = [
    Option<"policy", "policy", "std::string", /*default=*/"",
           "none, sqrt, per-block or budget=SIZE (default: the function's "
           "dl.checkpoint attribute)">,
    Option<"at", "at", "std::string", /*default=*/"",
           "per-block: cut before the ops whose node name matches this "
           "regex">,
    ListOption<"functions", "functions", "std::string",
               "Functions to checkpoint besides those marked dl.checkpoint">,
    Option<"forwardResults", "forward-results", "unsigned", /*default=*/"1",
           "How many leading results are the forward's (the rest of the "
           "function is its reverse sweep)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Print the memory estimate, the segments and the recompute "
           "cost to stderr">,
  ];
  let statistics = [
    Statistic<"numSegments", "num-segments", "Segments recomputed">,
    Statistic<"numCloned", "num-cloned", "Forward ops cloned">,
  ];
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def DLRewriteQDQ : Pass<"dl-rewrite-qdq"> {
  let summary = "Run QDQ-format contractions as integer kernels";
  let description = [{
    Rewrites `dl.quantize(act(C(dl.dequantize(x), dl.dequantize(w)
    [, dl.dequantize(bias)])))`, where C is dl.matmul, dl.gemm (alpha = beta
    = 1, A not transposed) or dl.conv and act an optional dl.relu or
    dl.clip, into `dl.requantize(dl.matmul_integer | dl.conv_integer)`:
    ONNX Runtime's QDQ format (DequantizeLinear -> op -> QuantizeLinear, the
    bias a DequantizeLinear of int32) run on 8-bit operands with an i32
    accumulator instead of in float. x and the result must be quantized per
    tensor, w per tensor or per output channel, the bias with zero point 0
    and scale x_scale * w_scale; the activation becomes requantize's clamp.
    A chain that breaks these rules is left in float with a remark naming
    its node.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let statistics = [
    Statistic<"numRewritten", "num-rewritten",
              "Contractions rewritten to integer kernels">,
  ];
}

//===----------------------------------------------------------------------===//
// Graph rewrites for inference
//===----------------------------------------------------------------------===//

def DLFoldIntoContractions : Pass<"dl-fold-into-contractions"> {
  let summary = "Fold batch norm, per-channel scales and biases into the "
                "preceding conv or gemm's constant weights";
  let description = [{
    For inference: `dl.batch_norm(C(x, W, b))`, `dl.mul(C(x, W, b), k)`,
    `dl.add(C(x, W, b), s)` and `dl.sub(C(x, W, b), s)`, where C is a
    dl.conv or dl.gemm (result channels on dim 1) whose only user is that
    op, W and b constants and k, s constants that vary along the channel
    dim only (or not at all), become one C with new constant weights and
    bias, computed at compile time in double precision:
    y = k * C(x, W, b) + s = C(x, W * k, b * k + s), with
    k = scale / sqrt(var + eps) and s = bias - mean * k for batch norm. A
    gemm's C becomes a per-channel bias with beta = 1. Chains fold one op
    at a time (conv, batch norm, then a scale). f32 only; the new weights
    are resource blobs named after the old ones with a `.folded` suffix.
    `dl.add(C1(x, W1, b1), C2(z, W2, b2))` of two such convs (a residual
    block and its downsample) becomes `dl.add(C1(x, W1, b1 + b2),
    C2(z, W2))`, and C2 moves before C1 where its operands allow, so C1's
    epilogue takes C2's result as its residual.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let statistics = [
    Statistic<"numFolded", "num-folded",
              "Ops folded into a contraction's weights">,
  ];
}

//===----------------------------------------------------------------------===//
// Layout
//===----------------------------------------------------------------------===//

def DLAttentionHeads : Pass<"dl-attention-heads"> {
  let summary = "Split multi-head attention's merged batch x heads dim into "
                "two, so the heads are views of the projection";
  let description = [{
    nn.MultiheadAttention's ONNX export splits the heads with a reshape
    that merges the batch and the heads: Q, K and V are
    `transpose(reshape(S, [L, B*H, D]))` of `S: [L, B, H*D]` (a slice of
    the input projection), and the attention (dl::matchAttention) runs over
    `B*H` groups. That merge is no view of S (the batch's stride is not H
    times the head's), so each of Q, K and V is copied before the
    attention. This pass rewrites such an attention over rank-4 operands
    `[B, H, L, D]`: `transpose(reshape(S, [L, B, H, D]), [1, 2, 0, 3])`
    (K^T `[B, H, D, L]` likewise), which dl-to-linalg reads as strided
    views for one `dlc_attention4` call. The result is reshaped back to
    `[B*H, L, D]`; a `[1, 0, 2]` transpose of it (the export's next op)
    becomes `reshape(transpose(O, [2, 0, 1, 3]), [L, B*H, D])`, which the
    call writes directly. The scale and a mask that broadcasts over the
    groups come along; anything else (a per-group mask, two dynamic dims
    where a reshape can find one) leaves the attention as it is.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let statistics = [
    Statistic<"numRewritten", "num-rewritten",
              "Attentions rewritten over [batch, heads, rows, dims]">,
  ];
}

def DLSinkTransposes : Pass<"dl-sink-transposes", "::mlir::func::FuncOp"> {
  let summary = "Move a transpose below the ops it feeds when every path "
                "from it ends in another transpose";
  let description = [{
    A `dl.transpose` with perm p is moved below its users, which then run
    on the untransposed tensor, when the whole cone of ops after it can
    take it and every path ends in a `dl.transpose` (which then composes
    with p, and vanishes where the two cancel). So no transpose is added,
    and contractions run in the input's order: `matmul(transpose(x, p), W)`
    with a 2-D W becomes `transpose(matmul(x, W), p)`, so a batch-first
    input (`[B, L, E]`, transposed to `[L, B, E]` by a Transformer's
    export) keeps the batch outermost in the product, whose bias is then
    the GEMM's epilogue (dl-fuse's static inner dims).

    The ops it moves through, each into the same op on the untransposed
    tensor:
    - `dl.matmul` with the transposed tensor as lhs, a rank-2 rhs and p
      keeping the last dim (the rows are permuted, each row's product is
      the same);
    - `dl.add`, `dl.sub`, `dl.mul`, `dl.div` whose other operand is a
      scalar or broadcasts along the last dim only, with p keeping it (a
      bias);
    - `dl.slice` (its axes permuted by p);
    - `dl.reshape` that splits the last dim only, with p keeping it;
    - `dl.shape_of` (kept on a transpose of the new tensor, which is never
      computed: only its dims are read).
    A transpose with any other user in its cone stays.

    Then the other way: `transpose(reshape(P, [L, B, N]), [1, 0, 2])` of a
    row-wise product P (a `dl.gemm` or `dl.matmul` with a 2-D weight and at
    most a bias per column) of `reshape(T, [L*B, K])` (through reshapes),
    where T (`[L, B,
    ...]`, used once) is itself a transpose, becomes the same product of
    T's rows in batch-first order: `reshape(P(reshape(transpose(T, [1, 0,
    ...]), [B*L, K])), [B, L, N])`. The new transpose composes with the one
    that made T. That is a Transformer's attention output projection: the
    attention call writes its result batch-first, and the residual add of
    the batch-first input becomes the projection GEMM's epilogue.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let statistics = [
    Statistic<"numSunk", "num-sunk",
              "Transposes moved below their cones or above a product">,
  ];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def DLFuse : Pass<"dl-fuse", "::mlir::func::FuncOp"> {
  let summary = "Group ops that become one kernel into dl.fusion regions";
  let description = [{
    Forms `dl.fusion` regions by producer-consumer analysis over each block
    of a function, in order:

    - a contraction (`dl.matmul`, `dl.gemm`, `dl.conv`, depthwise included)
      with its epilogue: the chain of ops that read the product, or the
      previous epilogue op, and nothing else of the group: a reshape of the
      product, up to two addends in all (the conv's or gemm's bias, then
      `dl.add`s of a tensor of the product's shape or one broadcast to it:
      a residual), then one `dl.relu` or `dl.clip` (ReLU, ReLU6). That is
      what the runtime's GEMM and conv kernels apply to each tile while it
      is in registers. An f32 product with static dims (the first, the
      batch, may be dynamic), since the epilogue walks the buffers with
      static strides; the add of two contractions' products is the later
      one's epilogue;
    - elementwise ops (`ElementwiseOpInterface`, `dl.cast`, `dl.select`),
      with the reshapes and broadcasts (`dl.expand`) between them, joined
      along single-use edges into one loop nest; a consumer of several such
      groups merges them. A producer whose other uses are the function's
      return (an optimizer's new state) joins too: the kernel yields it as
      well. A reduction (`dl.reduce_sum`, `_mean`, `_max`, `_min`,
      `_sum_square`, global pools) ends such a group: it takes the
      elementwise ops as its prologue. Uses by `dl.shape_of` do not count.

    First, a cheap elementwise op (a compare, select, ReLU, negation, add,
    sub or mul) read by two to four ops, each elementwise or a reduction,
    is copied before each reader (the compare under a select as well), so
    it joins each reader's group and is never stored: a ReLU's gradient and
    the centred input in batch norm's backward, read by the two
    per-channel sums and by dx. Each copy reads the op's inputs again, as
    the readers would have read the stored value. Only where those inputs
    are stored anyway (arguments, constants, values read elsewhere too,
    results of reductions and runtime kernels, reshapes of those, or cheap
    ops copied in turn): copying an op that would have ended an elementwise
    group, or read a contraction's product, would only move the buffer or
    cost the contraction its epilogue.

    A producer with other uses, an op that is none of these (a transpose, a
    pool, softmax), and an epilogue op the kernels do not take are left
    out; with `remarks`, each such edge gets a remark saying why (also
    under `-debug-only=dl-fuse` in a debug build). A reshape no op of its
    group reads is dropped from the group. A group of one op stays as it
    is, with its location marked as lowering marks a region's ops
    (FusionGroup.h): the linalg-level fusions never fuse ops of two groups,
    nor an op of a group with an op dl-fuse did not place unless that op
    only moves data (a transpose, a reshape); a contraction's epilogue must
    be of its group. With `report`, each edge left out or made a loop nest is
    printed to stderr with its reason, and each region with its ops and the
    ONNX nodes they came from (`dlc --report=fusion`);
    `dl-report-kernels` then says which groups became several kernels.
  }];
  let dependentDialects = ["::dlc::dl::DLDialect"];
  let options = [
    Option<"remarks", "remarks", "bool", /*default=*/"false",
           "Emit a remark for each edge left out, with the reason">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Print each function's groups to stderr">,
  ];
  let statistics = [
    Statistic<"numGroups", "num-groups", "dl.fusion regions formed">,
    Statistic<"numFused", "num-fused", "Ops placed in dl.fusion regions">,
  ];
}

#endif // DLC_DIALECT_DL_TRANSFORMS_PASSES_TD
