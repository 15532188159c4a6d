//===- GPUPasses.td - linalg to the GPU (NVVM) -------------*- tablegen -*-===//
//
// The dl passes of `dlc --target=cuda` (lib/Conversion/LinalgToGPU), in the
// order lib/Pipelines/GPUPipelines.cpp runs them. Kept apart from Passes.td so
// the CPU side does not rebuild when these change.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_CONVERSION_GPUPASSES_TD
#define DLC_CONVERSION_GPUPASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

def DLGPUTileContractions : Pass<"dl-gpu-tile-contractions",
                                 "::mlir::func::FuncOp"> {
  let summary = "Matmul-like contractions in 32 x 32 output tiles per block, "
                "operand tiles staged through shared memory, 2 x 2 register "
                "tiles per thread";
  let description = [{
    On bufferized linalg ops at the top of a function, before
    convert-linalg-to-parallel-loops: a contraction with one m, one n, one k
    and at most one batch dim (linalg.inferContractionDims: matmul,
    batch_matmul, their transposed forms, a Gemm's generic), static sizes
    of at least `min-size`, whose body is `out + f(lhs, rhs)`, becomes one
    block (256 threads) per 32 x 32 tile of the output:

      scf.parallel %block (mapped to block_x) {
        %a, %b = memref.alloca() : memref<32x32xT, #gpu.address_space<workgroup>>
        %acc = memref.alloca() {dl.gpu.private} : memref<256x2x2xT>
        scf.for %t {dl.gpu.threads}: %acc[%t] = 0
        scf.for %k0 = 0 to K step 32 {
          scf.for %t {dl.gpu.threads}: stage the lhs and rhs tiles
          scf.for %t {dl.gpu.threads}: %acc[%t, i, j] += %a[row_i, kk] * %b[kk, col_j]
        }
        scf.for %t {dl.gpu.threads}: out[row_i, col_j] += %acc[%t, i, j]
      }

    Thread t owns rows t / 16 + 16 i and columns t % 16 + 16 j: consecutive
    threads load and store consecutive columns (coalesced), and the tiles
    are staged row by row. dl-gpu-launch-phases makes the phases one
    gpu.launch with barriers, the tiles workgroup attributions and `%acc`
    a private attribution of 2 x 2 per thread (registers once unrolled);
    the host (--gpu-emulate, `workgroup-memory=false`) runs the phases in
    order.
  }];
  let options = [
    Option<"minSize", "min-size", "int64_t", /*default=*/"16",
           "Smallest m, n and k to tile (smaller: the other schedules)">,
    Option<"workgroupMemory", "workgroup-memory", "bool", /*default=*/"true",
           "Tiles in GPU shared memory (false: plain memory, for the "
           "host)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def DLGPUBlockReductions : Pass<"dl-gpu-block-reductions",
                                "::mlir::func::FuncOp"> {
  let summary = "Reductions over many elements as block reductions: one "
                "block per output element, its threads striding the "
                "reduction, combined through shared memory";
  let description = [{
    On bufferized linalg ops at the top of a function, before
    convert-linalg-to-parallel-loops: a reduction (one output, one
    combiner op: add, mul, max, min, and, or, xor) of static shape whose
    reduction dims hold at least `min-reduction` elements and whose
    parallel dims at most `max-parallel` (softmax and layer norm rows,
    ReduceX, global pools, a matrix-vector product) becomes

      scf.parallel %block (one per output element, mapped to block_x) {
        %partials = memref.alloca() : memref<T x E, #gpu.address_space<workgroup>>
        scf.for %t = 0 to T {dl.gpu.threads}     // each thread strides the
          ... %partials[%t] = its partial         // reduction by T
        scf.for %t = 0 to T/2 {dl.gpu.threads}    // a tree: T/2, T/4 ... 1
          ... %partials[%t] = %partials[%t] + %partials[%t + T/2]
        ...
        scf.for %t = 0 to 1 {dl.gpu.threads}      // out = out + %partials[0]
      }

    with T the largest power of two not above the reduction size nor
    `block-size`. Each `dl.gpu.threads` loop is one phase of the block's
    threads: dl-gpu-launch-phases makes it a guarded region of a
    gpu.launch with barriers between phases; run on the host (dlc
    --gpu-emulate, `workgroup-memory=false`) the phases are serial loops in
    order, which is what the barriers guarantee, so the indexing is checked
    without a GPU.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Most threads per block (a power of two, at least 32)">,
    Option<"minReduction", "min-reduction", "int64_t", /*default=*/"32",
           "Fewest reduced elements per output element">,
    Option<"maxParallel", "max-parallel", "int64_t", /*default=*/"65536",
           "Most output elements (one block each)">,
    Option<"workgroupMemory", "workgroup-memory", "bool", /*default=*/"true",
           "Partials in GPU shared memory (false: plain memory, for the "
           "host)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::affine::AffineDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def DLGPUMapParallelLoops : Pass<"dl-gpu-map-parallel-loops",
                                 "::mlir::func::FuncOp"> {
  let summary = "The generic GPU schedule: every kernel's parallel loops "
                "as one grid of blocks of threads, innermost dim on "
                "threadIdx.x";
  let description = [{
    Each outermost `scf.parallel` (one linalg op's parallel dims, after
    convert-linalg-to-parallel-loops; nested ones must already be serial) is
    collapsed into one linear iteration space of N points, which becomes a
    `block_x` loop over ceil(N / block-size) blocks around a `thread_x` loop
    of block-size threads, guarded by `idx < N`. The original indices are
    recovered from `idx = block * block-size + thread` with the innermost
    dim varying fastest, so consecutive threads of a warp touch consecutive
    elements (coalesced loads and stores). Reduction dims stay serial loops
    in each thread.

    Serial host code that touches buffers (a reduction to a scalar, a 0-d
    op: an `scf.for`/`scf.if` or a `memref.store` at the top of the function)
    is wrapped in a one-point parallel loop, so it runs on the device as one
    thread of one block.

    The loops carry `gpu.loop_dim_map` mapping attributes for
    convert-parallel-loops-to-gpu; lowered for the host instead (dlc
    --gpu-emulate), the block loop stays parallel and the thread loop becomes
    serial, which checks the indexing without a GPU.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block (a multiple of 32, at most 1024)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::gpu::GPUDialect",
                           "::mlir::scf::SCFDialect"];
}

def DLGPULaunchPhases : Pass<"dl-gpu-launch-phases", "::mlir::func::FuncOp"> {
  let summary = "Block loops made of thread phases (dl-gpu-block-reductions) "
                "as gpu.launch with barriers";
  let description = [{
    Before convert-parallel-loops-to-gpu (which takes one thread loop per
    block): each top-level `scf.parallel` mapped to block_x whose body
    holds `scf.for {dl.gpu.threads}` phases becomes a `gpu.launch` of as
    many blocks, with as many threads as the largest phase; each phase runs
    on the threads below its trip count (`scf.if %tid < n`), followed by a
    `gpu.barrier`; the block's `memref.alloca`s in workgroup memory become
    the launch's workgroup attributions, and those marked `dl.gpu.private`
    (indexed by the thread first) private attributions without that index.
    A block-scope `scf.for` of phases (a tiled matmul's k loop) stays a
    loop of guarded phases and barriers.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect", "::mlir::scf::SCFDialect"];
}

//===----------------------------------------------------------------------===//
// Host side
//===----------------------------------------------------------------------===//

def DLGPUDeviceMemory : Pass<"dl-gpu-device-memory", "::mlir::ModuleOp"> {
  let summary = "Buffers on the device: allocations, inputs, weights, "
                "results";
  let description = [{
    After convert-parallel-loops-to-gpu, on host functions: `memref.alloc`
    and `memref.dealloc` become `gpu.alloc` and `gpu.dealloc` (the runtime's
    device pool), `memref.copy` a `gpu.memcpy`; each memref argument is
    copied to a device buffer at entry, and each result is copied back into
    a host buffer before the return, so the entry point takes and returns
    host memory. Host code that would still read or write a buffer's
    contents is an error at its op (naming the model's node), since on the
    device target the buffer lives in device memory.

    Weights (constant globals) cross once: each gets a slot, a private
    global `__dlc_device_NAME` of two i64 (device pointer, driver
    generation), and the function asks the runtime for its device copy
    (`dlcCudaConstant(slot, host, bytes)`), which uploads it at the first
    call and returns the kept copy afterwards. A mutable global is still
    copied at each call.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect"];
}

//===----------------------------------------------------------------------===//
// Kernels
//===----------------------------------------------------------------------===//

def DLGPUExpandMath : Pass<"dl-gpu-expand-math"> {
  let summary = "Math ops a kernel has no instruction for, as arithmetic "
                "(no libdevice)";
  let description = [{
    Before dl-math-approximation and convert-gpu-to-nvvm, which would make
    the rest calls of libdevice (a CUDA toolkit file dlc does not link):
    `math.powf`, `fpowi`, `sinh`, `cosh`, `tan`, `asinh`, `acosh` and
    `atanh` become exp, log, sqrt, sin and cos (MLIR's expansions); f32
    `sin` and `cos` get their argument reduced by Cody-Waite (three-part
    pi/2 with fmas) to below 2 pi and then MLIR's polynomial
    approximations, as do `asin`, `acos`, `atan` and `atan2`. Run on the
    host too under --gpu-emulate, so the emulated numerics are the
    kernels'. f64 sin, cos, exp and log have no such expansion and stay an
    error naming the node (dl-gpu-native-math).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def DLGPUContractFMA : Pass<"dl-gpu-contract-fma", "::mlir::gpu::GPUModuleOp"> {
  let summary = "Let a kernel's multiply-adds become FMAs";
  let description = [{
    Adds `contract` to the fast-math flags of every floating-point arith op
    in the GPU module, so the NVPTX back end fuses `a * b + c` into one
    `fma.rn` (faster, and rounded once). Without it each multiply and add is
    emitted as `mul.rn`/`add.rn`, which the back end may not fuse.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def DLGPUNativeMath : Pass<"dl-gpu-native-math", "::mlir::gpu::GPUModuleOp"> {
  let summary = "libdevice calls NVPTX has instructions for back to LLVM "
                "intrinsics; any other is an error";
  let description = [{
    After convert-gpu-to-nvvm, which turns some math ops into calls of
    libdevice (`__nv_floorf`, `__nv_fmaf`, ...): libdevice is a CUDA toolkit
    file dlc does not link, so those with a PTX instruction (fma, floor,
    ceil, trunc, rint, sqrt, rsqrt as 1 / sqrt, fabs, fmin, fmax, copysign,
    fmod as frem;
    f32 and f64) become the LLVM intrinsics again, and a call of any other `__nv_` function is
    an error at its op (the model's node).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // DLC_CONVERSION_GPUPASSES_TD
