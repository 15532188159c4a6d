//===- Passes.td - dl conversion passes --------------------*- tablegen -*-===//

#ifndef DLC_CONVERSION_PASSES_TD
#define DLC_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Backend contract
//===----------------------------------------------------------------------===//

def DLVerifyBackendContract : Pass<"dl-verify-backend-contract",
                                   "::mlir::ModuleOp"> {
  let summary = "Check that every dl op can be lowered, before lowering";
  let description = [{
    Fails on the first dl op that `dl-to-linalg` has no lowering for (or whose
    operands it cannot take), naming the op and its location (the ONNX node),
    so a model fails with a clear message instead of deep in code generation.
  }];
}

//===----------------------------------------------------------------------===//
// dl to linalg
//===----------------------------------------------------------------------===//

def DLLowerDistributed : Pass<"dl-lower-distributed", "::mlir::ModuleOp"> {
  let summary = "Lower the data-parallel ops to calls of libdlcrt_mpi";
  let description = [{
    `dl.dist_check` becomes a call of `dlc_dist_check`; `dl.dist_start`
    copies each input (as a 1-D buffer) into its bucket with
    `dlc_dist_put` and calls `dlc_dist_start`; `dl.dist_wait` calls
    `dlc_dist_wait` and `dlc_dist_get` into a new buffer per result
    (runtime/include/dlc/dist.h). The bucket offsets are fixed here.
  }];
  let dependentDialects = [
    "::mlir::func::FuncDialect", "::mlir::memref::MemRefDialect",
    "::mlir::tensor::TensorDialect", "::mlir::arith::ArithDialect",
    "::mlir::bufferization::BufferizationDialect",
  ];
}

def DLToLinalg : Pass<"dl-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lower dl ops to linalg, tensor, arith and math";
  let description = [{
    Named linalg ops where they exist (matmul, batch_matmul, transpose,
    reduce, fill), linalg.generic otherwise. Elementwise ops broadcast with
    indexing maps; a dynamic dim is taken to be the same on every operand that
    has it (never broadcast from 1 at run time), which a cf.assert checks.

    An ungrouped conv is an im2col copy and one contraction per sample. With
    `im2col-bytes`, an im2col matrix larger than that is built and consumed
    in chunks of whole output rows (an scf.for writing the result's columns
    in place), so it stays in cache and never takes the whole matrix's
    memory.

    With `row-kernels`, softmax and log-softmax over the last axis, layer norm
    and instance norm are one kernel per row: an scf.forall over the leading
    dims whose body computes the row's statistics as scalars (scf.for
    reductions, sums reassociable so they vectorize) and writes the row's
    result in place, so the row stays in cache and no statistics tensor
    exists. Without it (the GPU's schedules want them apart), they are
    separate reductions and maps.

    With `reshape-views`, a reshape between static shapes is a
    tensor.collapse_shape then a tensor.expand_shape over the smallest
    groups of dims whose sizes agree, and a transpose that only moves size-1
    dims is such a reshape: views of the buffer after bufferization, also of
    a strided one such as a slice (tensor.reshape copies those). The GPU
    pipeline keeps tensor.reshape: its kernels take each view as one more
    memref descriptor in a bounded parameter space.

    With `direct-convs` (the CPU pipeline sets it where the runtime's
    kernels run), an ungrouped f32 2-D conv with static spatial dims that
    is not pointwise is one linalg.generic over (n, m, oh, ow, c, kh, kw) on
    the zero-padded input, which dl-convs-to-microkernels turns into the
    runtime's implicit-GEMM dlc_sconv2d (padding and epilogue folded in).

    With `runtime-calls` (set with `direct-convs`), the train step's
    dl.max_pool_grad of a 2-D f32 pool and dl.conv_weight_grad of an
    ungrouped 2-D f32 conv (static weight shape) are each one call of the
    runtime's dlc_maxpool2d_grad / dlc_sconv2d_wgrad: the operands cross as
    rank-4 memrefs (bufferization.to_buffer, read-only) and the result is a
    fresh buffer the call fills (bufferization.to_tensor, restrict). Their
    linalg forms are gathers over every input position. Attention too:
    matmul(softmax(S [+ M]), V), S = matmul(Q', K^T) (Q' = Q / c, Q * c or
    Q) or matmul(Q, K^T) / c or * c, over f32 tensors of rank 3 [groups,
    rows, dims] or 4 [batch, heads, rows, dims] (groups, batch and lengths
    may be dynamic, checked by the call when it runs; static head sizes up
    to 1024; M broadcastable to the scores, static unless of their rank;
    the
    scores and the softmax used only there) is one dlc_attention call with
    an online softmax, so the groups x queries x keys scores are never
    stored (dlc_attention, dlc_attention4 at rank 4); transposes feeding Q,
    K^T and V, and one of the result, become
    memref.transpose views. Not in functions with dl.recompute_barrier: a
    checkpointed forward is recomputed and must round as it did.

    With `int8-conv-calls`, dl.requantize of a single-use ungrouped 2-D
    dl.conv_integer with a uint8 input, a constant int8 weight whose zero
    points are 0 and constant parameters (one input and output zero point,
    scales per channel or one) is one dlc_qconv2d call: the weight packed at
    compile time for VNNI's 4-byte dot products ([M/4][K/4][4][4], K in
    (tap, channel) order padded to a multiple of 4), and the input zero
    point's share of each sum folded with the bias into one i32 offset per
    channel.
  }];
  let options = [
    Option<"im2colBytes", "im2col-bytes", "int64_t", /*default=*/"0",
           "Most bytes of one chunk of a conv's im2col matrix (0: one piece)">,
    Option<"rowKernels", "row-kernels", "bool", /*default=*/"false",
           "Softmax and layer/instance norm as one kernel per row">,
    Option<"reshapeViews", "reshape-views", "bool", /*default=*/"false",
           "Static reshapes, and transposes of size-1 dims, as "
           "collapse/expand views">,
    Option<"directConvs", "direct-convs", "bool", /*default=*/"false",
           "Ungrouped f32 2-D convs with a window as one direct generic "
           "(for dl-convs-to-microkernels), not im2col + a contraction">,
    Option<"runtimeCalls", "runtime-calls", "bool", /*default=*/"false",
           "2-D f32 max_pool_grad, ungrouped conv_weight_grad and static "
           "rank-3 attention as calls of the runtime's dlc_maxpool2d_grad, "
           "dlc_sconv2d_wgrad and dlc_attention">,
    Option<"int8ConvCalls", "int8-conv-calls", "bool", /*default=*/"false",
           "An ungrouped 2-D conv_integer (uint8 input, constant int8 "
           "weight with zero points 0) and its requantize as one call of "
           "the runtime's dlc_qconv2d, the weight packed at compile time "
           "(the CPU pipeline sets it for VNNI targets)">,
  ];
  let dependentDialects = [
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::bufferization::BufferizationDialect",
    "::mlir::memref::MemRefDialect", "::mlir::func::FuncDialect",
  ];
}

//===----------------------------------------------------------------------===//
// linalg for the CPU
//===----------------------------------------------------------------------===//

def DLInterchangeReductions : Pass<"dl-interchange-reductions",
                                   "::mlir::ModuleOp"> {
  let summary = "Move reduction loops outside the innermost parallel loop";
  let description = [{
    For every linalg.generic whose innermost loop is a reduction: iterate the
    parallel loops but the last, then the reductions, then the last parallel
    loop. Matmul becomes (m, k, n) and conv puts the output width innermost,
    so the innermost loop walks contiguous rows that LLVM vectorizes.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DLFuseElementwise : Pass<"dl-fuse-elementwise", "::mlir::ModuleOp"> {
  let summary = "Elementwise fusion of linalg generics, minus data movement "
                "into contractions";
  let description = [{
    linalg-fuse-elementwise-ops (producer-into-consumer fusion of parallel
    generics, reshape propagation by expansion, constant folding), except
    that a producer which only moves data (a copy, transpose, broadcast or
    im2col generic, or a reshape) is not fused into a consumer with a
    reduction loop: inside a contraction it would turn the contiguous rows
    the vectorizer wants into strided gathers.

    A producer with several uses is fused only where its other uses are the
    function's `return` and its consumer is elementwise over the same loops:
    the fused generic yields the producer's result too (an optimizer's new
    moments, returned as state and read by the parameter update, so each
    parameter's update is one kernel).

    With `transposes-into-contractions` (the CPU pipeline sets it where
    `dl-contractions-to-microkernels` runs), an f32 transpose (a generic
    that yields its one input, read through a permutation) is fused into
    the operand map of an f32 contraction (`out + a * b`, one reduction
    loop) that reads it: the runtime's GEMM reads each operand through its
    strides when it packs it, so the transpose costs no pass over memory
    (an attention's head transposes, a batch-first switch). Likewise a
    transpose of such a contraction's result (its only user, the product
    accumulated into a zero fill) becomes the contraction's output map: the
    GEMM writes through the transposed strides.
  }];
  let options = [
    Option<"transposesIntoContractions", "transposes-into-contractions",
           "bool", /*default=*/"false",
           "Fuse f32 transposes into the operand maps of f32 contractions">,
  ];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::affine::AffineDialect"];
}

def DLContractionsToMicrokernels : Pass<"dl-contractions-to-microkernels",
                                        "::mlir::ModuleOp"> {
  let summary = "Lower f32 contractions on buffers to the runtime's blocked "
                "GEMM microkernel (dlc_sgemm)";
  let description = [{
    Every linalg op on memrefs whose body is `out + a * b` over f32, with one
    reduction dim indexing both inputs and operands indexed by loop dims or
    constants (matmul, batch_matmul, gemm with transposes, im2col'd
    convolutions, the train step's gradient contractions) becomes a call to
    `dlc_sgemm` (runtime/src/cpu/gemm.c): A and B packed into micro-panels per
    K block, a 12x32 (AVX-512) / 6x16 (AVX2) register-blocked microkernel,
    threads over output tiles. Roles come from the maps: the reduction is k;
    a parallel dim only in A and the output is m, only in B and the output is
    n, in both inputs (or neither) a batch dim. Strides along each role are
    read from the operands' strided layouts at run time, so transposes and
    broadcasts cost no copies; extra m, n or batch dims become scf.for loops
    around the call. A zero `linalg.fill` of the output right before the
    contraction is folded into the call.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def DLConvsToMicrokernels : Pass<"dl-convs-to-microkernels",
                                 "::mlir::ModuleOp"> {
  let summary = "Lower f32 2-D convs on buffers to the runtime's implicit "
                "GEMM (dlc_sconv2d) and depthwise kernel (dlc_dwconv2d), "
                "with their padding and epilogue";
  let description = [{
    A linalg op on memrefs computing `out + x * w` over f32 with out
    [n, m, oh, ow], w [m, c, kh, kw] and x indexed
    [n, ch, oh * sh + kh * dh, ow * sw + kw * dw] becomes one call:
      - ungrouped (ch is the reduction c; dl-to-linalg's direct-convs form):
        `dlc_sconv2d` (runtime/src/cpu/gemm.c), the blocked GEMM
        microkernel with the input's windows packed straight into its B
        panels, so no padded copy and no im2col matrix exist; a constant
        filter is packed once into a cache slot. Needs the filter dense in
        (c, kh, kw) and the output's pixels one stride apart;
      - depthwise (ch = m (+ a unit dim): one channel per group, channel
        multiplier 1): `dlc_dwconv2d` (runtime/src/cpu/dwconv.c), vectorized
        along output rows (AVX-512 masked loads straight from the input for
        3x3 at column stride 1 and 2; otherwise a zero-padded,
        stride-phase-split copy of each plane in cache), threaded over
        channels.
    A 2-D max pool (`maximumf(out, x)` over the same windows, the window's
    shape as a second input) whose output is filled with -inf right before
    it becomes `dlc_maxpool2d` (runtime/src/cpu/dwconv.c), with its -inf
    padding folded in the same way.
    Folded into the call:
      - the input's zero padding, when the input is a buffer that is
        zero-filled, gets the real input copied into its interior and is
        read by nothing else (the buffer, fill and copy are removed; the
        real input, if freed after the copy, now lives until the call);
      - a zero fill of the output right before the conv;
      - the elementwise epilogue that reads the result (per-channel bias,
        residual, ReLU/ReLU6/Clip), as in dl-contractions-to-microkernels.
    Channels and spatial dims must be static; the batch may be dynamic.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// CPU lowering steps (bufferization and loops; see lib/Pipelines)
//===----------------------------------------------------------------------===//

def DLInt8GemmToVNNI : Pass<"dl-int8-gemm-to-vnni", "::mlir::ModuleOp"> {
  let summary = "Run packed int8 GEMMs on AVX-512 VNNI (vpdpbusd)";
  let description = [{
    dl-to-linalg lowers a dl.matmul_integer with a constant 2-D rhs to a
    linalg.generic marked `dl.packed_u8s8_gemm`: u8 activations [M, Kp]
    times s8 weights packed at compile time as [N/16][K/4][16][4] (Kp and
    N rounded up to 4 and 16 with zeros), into an i32 [M, N/16, 16]. On
    buffers, this pass replaces each such generic with 8x32 register tiles
    (and 1-row / 16-column edges): per step of 4 k values, 4 activation
    bytes broadcast to all lanes and `llvm.x86.avx512.vpdpbusd.512`
    against 64 packed weight bytes. Only for targets with avx512vnni (dlc
    adds it when --mcpu/--mattr or the host has the feature); otherwise the
    generic stays, as loops that compute the same integers.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
  let statistics = [
    Statistic<"numKernels", "num-kernels", "GEMMs run on VNNI">,
  ];
}

def DLPrepareEntryPoints : Pass<"dl-prepare-entry-points", "::mlir::ModuleOp"> {
  let summary = "Give entry functions a C interface; drop the header's "
                "argument attributes";
  let description = [{
    Every public function with a body gets `llvm.emit_c_interface`, so the
    LLVM lowering adds `_mlir_ciface_NAME`, which the generated C entry points
    (NAME_run) call. The `dl.name` and `dl.dim_names` argument and result
    attributes (ONNX names) have served the C header by then and are removed.
    `rename` renames functions first: the driver names `main` after the
    model (`NAME_forward`) and moves the train step's functions aside
    (`NAME_train_step_impl`) for the C entry points that take their names.
  }];
  let options = [
    ListOption<"rename", "rename", "std::string",
               "Functions to rename, as OLD:NEW">,
  ];
}

def DLDeallocAtLastUse : Pass<"dl-dealloc-at-last-use"> {
  let summary = "Free each buffer right after its last use";
  let description = [{
    MLIR's ownership-based buffer deallocation frees the buffers of a block
    at its end, so a function's peak memory is the sum of all its
    temporaries. This pass moves each `memref.dealloc` up to just after the
    last operation of its block that uses the buffer or a view of it
    (any memref an op derives from it; uses in nested regions count at
    their ancestor in the block), so a train step holds only the tensors
    still needed (and gradient checkpointing can lower its peak). A buffer
    whose uses leave the block, reach a call, or whose address is taken
    keeps its dealloc where it is; a call of a runtime kernel that uses its
    buffers only while it runs (the same calls dl-report-kernels counts as
    kernels: `dlc_maxpool2d_grad`, `dlc_sconv2d_wgrad`, `dlc_attention`,
    `dlc_attention4`, `dlc_maxpool2d_i8`, `dlc_qconv2d`, the GEMMs and
    convs) is a use like any other (not `dlc_dist_start`, whose all-reduce
    runs on after it returns).
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
  let statistics = [
    Statistic<"numMoved", "num-moved", "Deallocations moved up">,
  ];
}

def DLCopyToLinalg : Pass<"dl-copy-to-linalg"> {
  let summary = "Rewrite memref.copy as linalg.copy";
  let description = [{
    The copies bufferization makes (and bufferization.clone, once
    convert-bufferization-to-memref lowered it) become `linalg.copy`, which
    the loop lowering expands with the other kernels: a `memref.copy` of a
    strided view would call MLIR's C runner library at run time.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def DLReportFailedAsserts : Pass<"dl-report-failed-asserts",
                                 "::mlir::ModuleOp"> {
  let summary = "Failed run-time checks return an error from the entry point "
                "instead of aborting";
  let description = [{
    Every `cf.assert` (a run-time shape check of a kernel) becomes a call to
    the runtime's `dlc_entry_fail(message)` when its condition is false, with
    the model node that made it named in the message. Inside an entry point
    (`dlc_entry_run`) that unwinds the call and returns
    `DLC_STATUS_RUNTIME_ERROR` with the message; an assert lowered by MLIR
    (`puts` + `abort`) would take the host process down.
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def DLSerializeNestedParallelLoops : Pass<"dl-serialize-nested-parallel-loops"> {
  let summary = "Keep threads on each kernel's outermost parallel loops only";
  let description = [{
    An `scf.parallel` nested in another `scf.parallel` or `scf.for` becomes a
    serial `scf.for` nest: a thread-pool region per outer iteration would
    cost more than it gains. Outermost parallel loops are kept for
    convert-scf-to-openmp.
  }];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def DLCollapseElementwiseDims
    : Pass<"dl-collapse-elementwise-dims", "::mlir::func::FuncOp"> {
  let summary = "Collapse the trailing dims of elementwise linalg.generic "
                "ops on contiguous buffers into one loop";
  let description = [{
    An all-parallel `linalg.generic` on buffers lowers to one loop per dim,
    and LLVM vectorizes only the innermost. When that dim is short (a 14 or
    7 pixel row) LLVM unrolls it fully and its SLP vectorizer often leaves
    the unrolled body scalar (a quantize's round and clamp). This pass
    merges the op's trailing dims into one loop (`memref.collapse_shape` of
    its operands), from the last dim leftwards while they stay in order in
    every indexing map, every operand is a static contiguous row-major
    memref, and the merged trip count is below `min-inner`, so the leading
    dims stay separate loops for threads. Ops with `linalg.index`, a
    reduction, a map that is not a projection (a broadcast through a unit
    dim's 0), a dynamic size or a strided view are left as they are.
  }];
  let options = [
    Option<"minInner", "min-inner", "int64_t", /*default=*/"64",
           "Trip count the merged trailing loop should reach before the "
           "dims in front of it stay separate">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::linalg::LinalgDialect"];
}

def DLMultiTensorKernels
    : Pass<"dl-multi-tensor-kernels", "::mlir::func::FuncOp"> {
  let summary = "Sibling elementwise kernels with the same body (an "
                "optimizer's per-parameter updates) as one kernel over all "
                "their elements";
  let description = [{
    A train step updates each parameter (and its optimizer slots) with the
    same elementwise body, one `linalg.generic` per parameter; each is a
    parallel region of its own, and a small one (a bias) costs its thread
    fork and join more than its work. This pass finds runs of such ops in a
    block and rewrites each run of two or more into one `scf.forall` over
    fixed-size chunks of all their elements, as PyTorch's multi-tensor
    optimizers do: a chunk finds its op by comparing its index with each
    op's first chunk, an `scf.index_switch` selects that op's operands
    (flattened to one dim), and one copy of the body runs over the chunk.

    An op joins a run when:
    - every iterator is parallel, no `linalg.index` is used, and its body
      has no memory effects;
    - each operand is either a rank-0 memref (a scalar such as the learning
      rate) or a static, identity-layout memref whose indexing map is the
      identity;
    - its body is equivalent to the run's first op (the same ops, the same
      values from above) and its operands have the same types up to shape;
    - it writes only buffers allocated in this function, none of which
      another op of the run reads or writes.

    Between the ops of a run there may be only allocations, deallocations,
    ops without memory effects or regions (views, constants), and other
    `linalg.generic`s whose bodies have no memory effects that write only
    buffers allocated here which the run's ops before them neither read nor
    write, and read none they write (a weight's update through a transposed
    gradient, which does not join). The allocations and views move before
    the run's first op, the deallocations after the new kernel, which takes
    the place of the run's last op; the kernels passed stay where they are.
  }];
  let options = [
    Option<"chunkElements", "chunk-elements", "int64_t", /*default=*/"16384",
           "Elements per chunk (per iteration of the forall)">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::arith::ArithDialect"];
}

def DLScalarizeSmallTensors : Pass<"dl-scalarize-small-tensors"> {
  let summary = "Linalg ops, insert_slices and reshapes on small static "
                "integer tensors (run-time shape arithmetic) and on scalars "
                "as scalar code";
  let description = [{
    A model with a dynamic batch computes its Reshape targets at run time
    (Shape, Gather, Mul, Unsqueeze, Concat on 1 to 3 i64s). Each lowers to
    a loop nest the CPU pipeline threads like a kernel. This pass rewrites
    every `linalg.generic` and `linalg.fill` whose operands are all static
    integer or index tensors of at most `max-elements` elements, or scalars
    (rank 0) of any type (and whose iteration space is no larger), and such `tensor.insert_slice` (unit
    strides, static offsets, same rank) and `tensor.reshape`, into
    `tensor.extract`s, the op's body once per element in loop order
    (reductions accumulate as the loops would) and `tensor.from_elements`;
    canonicalization then folds the extracts into index arithmetic.
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"16",
           "Largest tensor (and iteration space) rewritten">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::tensor::TensorDialect"];
}

def DLThreadOuterDims : Pass<"dl-thread-outer-dims"> {
  let summary = "Keep threads on the leading dims of each outermost "
                "parallel loop; the inner dims become a serial loop nest";
  let description = [{
    convert-scf-to-openmp makes an N-dim `scf.parallel` one collapsed
    worksharing loop over all its dims, which recomputes every index with a
    division and a remainder per element and leaves nothing for the loop
    vectorizer. This pass keeps parallel only the leading dims of each
    outermost `scf.parallel` (unit dims skipped) until their static trip
    counts multiply to `min-trip-count`, never the innermost dim unless it is
    the only one with more than one iteration; the other dims become an
    `scf.for` nest inside, in their order, so the innermost loop runs along
    contiguous memory. A dynamic dim is kept parallel and counts as one.
  }];
  let options = [
    Option<"minTripCount", "min-trip-count", "int64_t", /*default=*/"32",
           "Static iterations the parallel dims must reach together">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

def DLPlanMemory : Pass<"dl-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Static memory planning: a function's static-size "
                "intermediate buffers as views of one arena, by liveness";
  let description = [{
    In a function of one block, every `memref.alloc` of static shape in that
    block that is freed by a `memref.dealloc` in the same block and never
    leaves the function (returned, yielded, or aliased by an op result other
    than a view) is live from its alloc to its dealloc. The buffers are
    placed in one arena, largest first, each at the lowest 64-byte-aligned
    offset where it overlaps no placed buffer live at the same time; each
    alloc becomes a `memref.view` of the arena and its dealloc goes. The arena
    is allocated once at the function's start (after dl-arena-to-runtime, from
    the caller's workspace or the runtime's caching allocator) and freed
    before its return. Buffers whose
    size is a constant times one dynamic size (a batch dim) share an arena
    sized by that value, with offsets scaled by it. The arena's alloc is
    marked `dl.arena` for dl-arena-to-runtime. With `report`, each
    arena and the allocations left to the allocator (other dynamic sizes,
    escaping buffers, lone buffers) are printed to stderr.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Print each function's arena size and buffer count to stderr">
  ];
  let dependentDialects = ["::mlir::memref::MemRefDialect",
                           "::mlir::arith::ArithDialect"];
}

def DLArenaToRuntime : Pass<"dl-arena-to-runtime", "::mlir::ModuleOp"> {
  let summary = "dl-plan-memory's arenas from the runtime's workspace: "
                "dlc_arena_acquire / dlc_arena_release calls";
  let description = [{
    Right before the memref-to-LLVM conversion: each `memref.alloc` marked
    `dl.arena` (an arena dl-plan-memory made) becomes a call of the runtime's
    `dlc_arena_acquire(bytes)` and a memref descriptor built on the pointer
    it returns (through an `unrealized_conversion_cast` the conversion
    resolves); its `memref.dealloc` becomes `dlc_arena_release(pointer)`.
    The runtime hands out the caller's workspace when the entry point was
    called through NAME_run_with_workspace and the workspace has room, and
    its caching allocator otherwise (runtime/src/cpu/memref_alloc.c). The
    module gets `dl.workspace_bytes`, a dictionary from each function with a
    static-size arena to that arena's bytes; dlc exports it as
    NAME_workspace_bytes().
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect",
                           "::mlir::arith::ArithDialect"];
}

def DLReportKernels : Pass<"dl-report-kernels", "::mlir::func::FuncOp"> {
  let summary = "Print each kernel of a function with the ONNX nodes fused "
                "into it";
  let description = [{
    After the contractions became runtime calls and before the loops: every
    linalg op on buffers is one loop nest, every `scf.forall` (a row kernel:
    softmax, layer norm) one loop nest with what it holds, every call of a
    `dlc_` GEMM or of `dlc_dwconv2d` one library kernel. Prints, to stderr,
    one line per kernel with the ONNX
    nodes whose ops it computes (read from the locations of the op and of
    the ops in its body, which elementwise fusion keeps) and a summary:
    kernels, runtime kernel calls, loop nests, nodes, kernels that fuse several
    nodes. Kernels inside a loop (conv im2col chunks, recurrent steps) are
    marked. The IR is not changed. `dlc --report=fusion` adds it.
  }];
}

def DLMathApproximation : Pass<"dl-math-approximation"> {
  let summary = "Expand f32 math functions into MLIR's polynomial "
                "approximations";
  let description = [{
    `math.exp`, `expm1`, `log`, `log1p`, `log2`, `tanh`, `erf` and `erfc` on
    f32 (scalars or vectors) become arith/math polynomials
    (`populateMathPolynomialApproximationPatterns`), which LLVM's loop
    vectorizer vectorizes with the rest of a kernel. Left alone they become
    `llvm.intr.exp` and the like, which LLVM can only call as scalar libm
    functions (`expf`) one element at a time. The approximations stay within a
    few ulp of libm on the whole f32 range (infinities and NaN included).
    `sin`/`cos` are not expanded: the approximation's one-step range reduction
    loses all accuracy for large arguments.
  }];
  let options = [
    ListOption<"ops", "ops", "std::string",
               "The math ops to expand (default: exp, expm1, log, log1p, "
               "log2, tanh, erf, erfc)">,
  ];
  // The approximations broadcast their constants for vector operands.
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def DLInlineAllocaScopes : Pass<"dl-inline-alloca-scopes"> {
  let summary = "Inline memref.alloca_scope regions that allocate nothing "
                "on the stack";
  let description = [{
    convert-scf-to-openmp wraps each parallel loop body in a
    `memref.alloca_scope`, which must stay a single block; dl's loop bodies
    allocate on the heap, never with alloca, so a scope without an alloca is
    inlined into its parent before loops become branches.
  }];
}

#endif // DLC_CONVERSION_PASSES_TD
