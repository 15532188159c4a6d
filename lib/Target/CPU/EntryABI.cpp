//===- EntryABI.cpp - the C entry point and header of a model -------------===//

#include "dlc/Target/CPU/EntryABI.h"
#include "dlc/Dialect/DL/IR/DLAttrNames.h"
#include "dlc/Target/CPU/DimConstraints.h"
#include "dlc/runtime.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace dlc::cpu {

/// The weights file: this magic, the payload size (u64), then each weight's
/// bytes at 64-byte aligned offsets.
static const char kWeightsMagic[16] = "DLC-WEIGHTS-v1\n";

/// The dlc_dtype and element size of `t`; `isUnsigned` for an argument or
/// result marked dl.unsigned (dl integers are signless).
static FailureOr<std::pair<int32_t, unsigned>> dtypeOf(Type t,
                                                       bool isUnsigned) {
  if (isUnsigned && t.isInteger(8))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_U8, 1};
  if (isUnsigned && t.isInteger(16))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_U16, 2};
  if (isUnsigned && t.isInteger(32))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_U32, 4};
  if (isUnsigned && t.isInteger(64))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_U64, 8};
  if (t.isInteger(16))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_I16, 2};
  if (t.isF32())
    return std::pair<int32_t, unsigned>{DLC_DTYPE_F32, 4};
  if (t.isF16())
    return std::pair<int32_t, unsigned>{DLC_DTYPE_F16, 2};
  if (t.isBF16())
    return std::pair<int32_t, unsigned>{DLC_DTYPE_BF16, 2};
  if (t.isF64())
    return std::pair<int32_t, unsigned>{DLC_DTYPE_F64, 8};
  if (t.isInteger(8))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_I8, 1};
  if (t.isInteger(32))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_I32, 4};
  if (t.isInteger(64))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_I64, 8};
  if (t.isInteger(1))
    return std::pair<int32_t, unsigned>{DLC_DTYPE_I1, 1};
  return failure();
}

static const char *dtypeName(int32_t d) {
  static const char *names[] = {"f32", "f16", "bf16", "f64", "i8",
                                "i32", "i64", "i1",   "u8",  "u16",
                                "u32", "u64", "i16"};
  return names[d];
}

static const char *cTypeName(int32_t d) {
  static const char *names[] = {"float",   "uint16_t", "uint16_t", "double",
                                "int8_t",  "int32_t",  "int64_t",  "uint8_t",
                                "uint8_t", "uint16_t", "uint32_t", "uint64_t",
                                "int16_t"};
  return names[d];
}

FailureOr<EntrySignature> readSignature(func::FuncOp func, StringRef prefix) {
  EntrySignature sig;
  sig.entry = func.getSymName().str();
  sig.prefix = prefix.str();
  sig.runSymbol = sig.prefix + "_run";
  sig.releaseSymbol = sig.prefix + "_release";
  auto read = [&](Type type, DictionaryAttr attrs,
                  std::vector<TensorSignature> &out) -> LogicalResult {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t)
      return func.emitError("entry point argument is not a ranked tensor");
    auto dt = dtypeOf(t.getElementType(),
                      attrs && attrs.get(dl::kUnsignedAttr) != nullptr);
    if (failed(dt))
      return func.emitError("no dlc_dtype for element type ")
             << t.getElementType();
    TensorSignature s;
    s.dtype = dt->first;
    s.elementBytes = dt->second;
    for (int64_t d : t.getShape())
      s.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    if (attrs) {
      if (auto n = attrs.getAs<StringAttr>(dl::kNameAttr))
        s.name = n.str();
      if (auto inplace = attrs.getAs<IntegerAttr>("dl.inplace"))
        s.inplace = inplace.getInt();
      if (auto names = attrs.getAs<ArrayAttr>(dl::kDimNamesAttr))
        for (Attribute a : names)
          s.dimNames.push_back(cast<StringAttr>(a).str());
    }
    s.dimNames.resize(s.shape.size());
    out.push_back(std::move(s));
    return success();
  };
  for (unsigned i = 0; i < func.getNumArguments(); ++i)
    if (failed(read(func.getArgumentTypes()[i], func.getArgAttrDict(i),
                    sig.inputs)))
      return failure();
  for (unsigned i = 0; i < func.getNumResults(); ++i)
    if (failed(read(func.getResultTypes()[i], func.getResultAttrDict(i),
                    sig.outputs)))
      return failure();
  if (!func.isExternal()) {
    DimConstraints c = analyzeDimConstraints(func);
    for (auto [in, classes] : llvm::zip(sig.inputs, c.argClass))
      in.dimClass = classes;
    sig.classSize = c.classSize;
  }
  for (TensorSignature &in : sig.inputs)
    in.dimClass.resize(in.shape.size(), -1);
  return sig;
}

size_t numReturnedOutputs(const EntrySignature &sig) {
  return llvm::count_if(sig.outputs,
                        [](const TensorSignature &t) { return t.inplace < 0; });
}

/// The OpenMP shim (runtime/src/cpu/openmp_shim.c) passes at most this many
/// captured values to a parallel region.
static constexpr unsigned kMaxParallelArgs = 32;

/// Checks what the generated code asks of the runtime's OpenMP shim.
static LogicalResult checkRuntimeLimits(llvm::Module &module,
                                        std::string &error) {
  llvm::Function *fork = module.getFunction("__kmpc_fork_call");
  if (!fork)
    return success();
  for (llvm::User *user : fork->users()) {
    auto *call = llvm::dyn_cast<llvm::CallBase>(user);
    if (!call || call->arg_size() < 2)
      continue;
    auto *argc = llvm::dyn_cast<llvm::ConstantInt>(call->getArgOperand(1));
    if (!argc || argc->getZExtValue() > kMaxParallelArgs) {
      error = llvm::formatv("a parallel loop in '{0}' captures {1} values; "
                            "the runtime passes at most {2}",
                            call->getFunction()->getName(),
                            argc ? std::to_string(argc->getZExtValue())
                                 : std::string("a variable number of"),
                            kMaxParallelArgs)
                  .str();
      return failure();
    }
  }
  return success();
}

/// NAME for NAME_run, else the run symbol: the prefix of the entry's
/// constants and of STEM_workspace_bytes.
static std::string entryStem(const EntrySignature &sig) {
  llvm::StringRef stem = sig.runSymbol;
  if (stem.ends_with("_run"))
    stem = stem.drop_back(4);
  return stem.str();
}

LogicalResult emitEntryPoints(llvm::Module &module, const EntrySignature &sig,
                              std::string &error) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Function *ciface = module.getFunction("_mlir_ciface_" + sig.entry);
  if (!ciface) {
    error = "no C interface for entry point '" + sig.entry + "'";
    return failure();
  }
  if (failed(checkRuntimeLimits(module, error)))
    return failure();
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *voidTy = llvm::Type::getVoidTy(ctx);
  llvm::Constant *null = llvm::ConstantPointerNull::get(ptr);
  const std::string &run = sig.runSymbol;

  // The tables dlc_entry_run reads (dlc_entry and dlc_entry_tensor in
  // runtime/include/dlc/runtime.h).
  auto privateGlobal = [&](llvm::Constant *init, const Twine &name) {
    return new llvm::GlobalVariable(
        module, init->getType(), /*isConstant=*/true,
        llvm::GlobalValue::PrivateLinkage, init, name);
  };
  auto string = [&](StringRef text) {
    return privateGlobal(llvm::ConstantDataArray::getString(ctx, text),
                         run + ".str");
  };
  auto *tensorDescTy =
      llvm::StructType::get(ctx, {ptr, i32, i32, ptr, ptr, ptr, i32, i32});
  auto describe = [&](const TensorSignature &t) -> llvm::Constant * {
    size_t rank = t.shape.size();
    llvm::Constant *shape = null, *classes = null, *names = null;
    if (rank) {
      shape = privateGlobal(
          llvm::ConstantDataArray::get(ctx, ArrayRef<int64_t>(t.shape)),
          run + ".shape");
      if (llvm::any_of(t.dimClass, [](int32_t c) { return c >= 0; }))
        classes = privateGlobal(
            llvm::ConstantDataArray::get(ctx, ArrayRef<int32_t>(t.dimClass)),
            run + ".classes");
      if (llvm::any_of(t.dimNames,
                       [](const std::string &n) { return !n.empty(); })) {
        std::vector<llvm::Constant *> strings;
        for (const std::string &n : t.dimNames)
          strings.push_back(string(n));
        auto *arrTy = llvm::ArrayType::get(ptr, rank);
        names = privateGlobal(llvm::ConstantArray::get(arrTy, strings),
                              run + ".dim_names");
      }
    }
    return llvm::ConstantStruct::get(
        tensorDescTy, {string(t.name), llvm::ConstantInt::get(i32, t.dtype),
                       llvm::ConstantInt::get(i32, rank), shape, classes, names,
                       llvm::ConstantInt::get(i32, t.inplace),
                       llvm::ConstantInt::get(i32, 0)});
  };
  auto table = [&](ArrayRef<TensorSignature> ts,
                   const char *what) -> llvm::Constant * {
    if (ts.empty())
      return null;
    std::vector<llvm::Constant *> entries;
    for (const TensorSignature &t : ts)
      entries.push_back(describe(t));
    auto *arrTy = llvm::ArrayType::get(tensorDescTy, entries.size());
    return privateGlobal(llvm::ConstantArray::get(arrTy, entries),
                         run + "." + what);
  };
  llvm::Constant *classSize =
      sig.classSize.empty()
          ? null
          : privateGlobal(llvm::ConstantDataArray::get(
                              ctx, ArrayRef<int64_t>(sig.classSize)),
                          run + ".class_size");
  llvm::Constant *ready = null;
  if (sig.externalWeights)
    ready = module.getNamedGlobal(sig.prefix + "_weights_loaded");
  auto *entryDescTy =
      llvm::StructType::get(ctx, {i32, i32, i32, i32, ptr, ptr, ptr, ptr, ptr});
  llvm::Constant *entryDesc = privateGlobal(
      llvm::ConstantStruct::get(
          entryDescTy, {llvm::ConstantInt::get(i32, sig.inputs.size()),
                        llvm::ConstantInt::get(i32, sig.outputs.size()),
                        llvm::ConstantInt::get(i32, sig.classSize.size()),
                        llvm::ConstantInt::get(i32, 0), string(run),
                        table(sig.inputs, "inputs"),
                        table(sig.outputs, "outputs"), classSize, ready}),
      run + ".entry");

  // RUN.invoke(results, inputs): the model's C interface with the input
  // descriptors dlc_entry_run built.
  auto *invoke = llvm::Function::Create(
      llvm::FunctionType::get(voidTy, {ptr, ptr}, false),
      llvm::Function::InternalLinkage, run + ".invoke", module);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", invoke));
    std::vector<llvm::Value *> args{invoke->getArg(0)};
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      args.push_back(
          b.CreateLoad(ptr, b.CreateConstGEP1_64(ptr, invoke->getArg(1), i)));
    b.CreateCall(ciface, args);
    b.CreateRetVoid();
  }
  llvm::FunctionCallee entryRun = module.getOrInsertFunction(
      "dlc_entry_run",
      llvm::FunctionType::get(i32, {ptr, ptr, ptr, ptr}, false));
  auto *runFn =
      llvm::Function::Create(llvm::FunctionType::get(i32, {ptr, ptr}, false),
                             llvm::Function::ExternalLinkage, run, module);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", runFn));
    b.CreateRet(b.CreateCall(
        entryRun, {entryDesc, runFn->getArg(0), runFn->getArg(1), invoke}));
  }
  // RUN_with_workspace(inputs, outputs, workspace, bytes): the planned
  // arenas in the caller's memory (dlc_arena_acquire takes them from it).
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::FunctionCallee entryRunWorkspace = module.getOrInsertFunction(
      "dlc_entry_run_workspace",
      llvm::FunctionType::get(i32, {ptr, ptr, ptr, ptr, ptr, i64}, false));
  auto *runWorkspaceFn = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr, ptr, ptr, i64}, false),
      llvm::Function::ExternalLinkage, run + "_with_workspace", module);
  {
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", runWorkspaceFn));
    b.CreateRet(b.CreateCall(
        entryRunWorkspace,
        {entryDesc, runWorkspaceFn->getArg(0), runWorkspaceFn->getArg(1),
         invoke, runWorkspaceFn->getArg(2), runWorkspaceFn->getArg(3)}));
  }
  // STEM_workspace_bytes(inputs): the static arenas plus, for the inputs'
  // shapes, those sized by a dynamic dim (dlc_entry_workspace_bytes).
  std::vector<int64_t> terms;
  for (const std::array<int64_t, 3> &term : sig.workspaceInputDims)
    terms.insert(terms.end(), term.begin(), term.end());
  llvm::Constant *termTable =
      terms.empty() ? null
                    : privateGlobal(llvm::ConstantDataArray::get(ctx, terms),
                                    run + ".workspace_dims");
  llvm::FunctionCallee entryWorkspaceBytes = module.getOrInsertFunction(
      "dlc_entry_workspace_bytes",
      llvm::FunctionType::get(i64, {ptr, i32, i64, ptr, i32}, false));
  auto *workspaceBytesFn =
      llvm::Function::Create(llvm::FunctionType::get(i64, {ptr}, false),
                             llvm::Function::ExternalLinkage,
                             entryStem(sig) + "_workspace_bytes", module);
  {
    llvm::IRBuilder<> b(
        llvm::BasicBlock::Create(ctx, "entry", workspaceBytesFn));
    b.CreateRet(b.CreateCall(
        entryWorkspaceBytes,
        {workspaceBytesFn->getArg(0),
         llvm::ConstantInt::get(i32, sig.inputs.size()),
         llvm::ConstantInt::get(i64, sig.workspaceBytes), termTable,
         llvm::ConstantInt::get(i32, sig.workspaceInputDims.size())}));
  }

  // Metadata for callers that discover the signature at run time (the
  // Python loader): RUN_num_inputs, RUN_num_outputs, RUN_input_names and
  // RUN_output_names (the returned outputs only), and dlc_entry_for_ENTRY,
  // the names of RUN and RELEASE.
  auto constantI32 = [&](const std::string &name, uint64_t v) {
    new llvm::GlobalVariable(module, i32, /*isConstant=*/true,
                             llvm::GlobalValue::ExternalLinkage,
                             llvm::ConstantInt::get(i32, v), name);
  };
  constantI32(run + "_num_inputs", sig.inputs.size());
  constantI32(run + "_num_outputs", numReturnedOutputs(sig));
  auto names = [&](const std::string &name, ArrayRef<StringRef> strings) {
    std::vector<llvm::Constant *> values;
    for (StringRef text : strings)
      values.push_back(string(text));
    auto *arrTy = llvm::ArrayType::get(ptr, values.size());
    new llvm::GlobalVariable(module, arrTy, true,
                             llvm::GlobalValue::ExternalLinkage,
                             llvm::ConstantArray::get(arrTy, values), name);
  };
  {
    std::vector<StringRef> ins, outs;
    for (const auto &t : sig.inputs)
      ins.push_back(t.name);
    for (const auto &t : sig.outputs)
      if (t.inplace < 0)
        outs.push_back(t.name);
    names(run + "_input_names", ins);
    names(run + "_output_names", outs);
    names("dlc_entry_for_" + sig.entry, {run, sig.releaseSymbol});
    // RUN_output_ranks: the rank of each returned output, so a caller that
    // discovers the signature sizes the shape arrays the entry point fills.
    std::vector<llvm::Constant *> ranks;
    for (const auto &t : sig.outputs)
      if (t.inplace < 0)
        ranks.push_back(llvm::ConstantInt::get(i32, t.shape.size()));
    auto *ranksTy = llvm::ArrayType::get(i32, ranks.size());
    new llvm::GlobalVariable(
        module, ranksTy, true, llvm::GlobalValue::ExternalLinkage,
        llvm::ConstantArray::get(ranksTy, ranks), run + "_output_ranks");
    // RUN_input_dtypes: the dlc_dtype of each input, so a caller can tell
    // dtypes of one width apart (numpy's uint16 is both bf16 and u16).
    std::vector<llvm::Constant *> dtypes;
    for (const auto &t : sig.inputs)
      dtypes.push_back(llvm::ConstantInt::get(i32, t.dtype));
    auto *dtypesTy = llvm::ArrayType::get(i32, dtypes.size());
    new llvm::GlobalVariable(
        module, dtypesTy, true, llvm::GlobalValue::ExternalLinkage,
        llvm::ConstantArray::get(dtypesTy, dtypes), run + "_input_dtypes");
  }

  // NAME_release(outputs): frees what NAME_run allocated.
  llvm::FunctionCallee freeFn = module.getOrInsertFunction(
      "free", llvm::FunctionType::get(voidTy, {ptr}, false));
  auto *tensorTy = llvm::StructType::get(ctx, {ptr, i32, i32, ptr, ptr});
  auto *release = llvm::Function::Create(
      llvm::FunctionType::get(voidTy, {ptr}, false),
      llvm::Function::ExternalLinkage, sig.releaseSymbol, module);
  llvm::IRBuilder<> rb(llvm::BasicBlock::Create(ctx, "entry", release));
  size_t returned = numReturnedOutputs(sig);
  if (returned) {
    // NULL outputs: nothing to free.
    auto *body = llvm::BasicBlock::Create(ctx, "body", release);
    auto *done = llvm::BasicBlock::Create(ctx, "done", release);
    rb.CreateCondBr(rb.CreateIsNull(release->getArg(0)), done, body);
    rb.SetInsertPoint(body);
    for (size_t i = 0; i < returned; ++i) {
      llvm::Value *t = rb.CreateConstGEP1_64(tensorTy, release->getArg(0), i);
      llvm::Value *slot = rb.CreateStructGEP(tensorTy, t, 0);
      rb.CreateCall(freeFn, {rb.CreateLoad(ptr, slot)});
      rb.CreateStore(null, slot);
    }
    rb.CreateBr(done);
    rb.SetInsertPoint(done);
  }
  rb.CreateRetVoid();

  // --target=cuda: NAME_run_device and NAME_release_device, the runtime's
  // device-memory variant around NAME_run (runtime/src/cuda/mgpu.c).
  if (sig.deviceEntry) {
    auto *runDevice = llvm::Function::Create(
        llvm::FunctionType::get(i32, {ptr, ptr}, false),
        llvm::Function::ExternalLinkage, run + "_device", module);
    llvm::FunctionCallee runDeviceFn = module.getOrInsertFunction(
        "dlc_cuda_run_device",
        llvm::FunctionType::get(i32, {ptr, i32, ptr, ptr}, false));
    llvm::IRBuilder<> db(llvm::BasicBlock::Create(ctx, "entry", runDevice));
    db.CreateRet(db.CreateCall(runDeviceFn,
                               {runFn, llvm::ConstantInt::get(i32, returned),
                                runDevice->getArg(0), runDevice->getArg(1)}));
    auto *releaseDevice = llvm::Function::Create(
        llvm::FunctionType::get(voidTy, {ptr}, false),
        llvm::Function::ExternalLinkage, sig.releaseSymbol + "_device", module);
    llvm::FunctionCallee releaseDeviceFn = module.getOrInsertFunction(
        "dlc_cuda_release_device",
        llvm::FunctionType::get(voidTy, {i32, ptr}, false));
    llvm::IRBuilder<> rdb(
        llvm::BasicBlock::Create(ctx, "entry", releaseDevice));
    rdb.CreateCall(releaseDeviceFn, {llvm::ConstantInt::get(i32, returned),
                                     releaseDevice->getArg(0)});
    rdb.CreateRetVoid();
  }
  return success();
}

/// Appends the bytes of a constant initializer; false if it has a part
/// that is not plain data.
static bool appendBytes(const llvm::Constant *c, const llvm::DataLayout &dl,
                        std::string &out) {
  if (auto *seq = llvm::dyn_cast<llvm::ConstantDataSequential>(c)) {
    out += seq->getRawDataValues().str();
    return true;
  }
  if (llvm::isa<llvm::ConstantAggregateZero>(c)) {
    out.append(dl.getTypeAllocSize(c->getType()), '\0');
    return true;
  }
  if (auto *arr = llvm::dyn_cast<llvm::ConstantArray>(c)) {
    for (const llvm::Use &op : arr->operands())
      if (!appendBytes(llvm::cast<llvm::Constant>(op.get()), dl, out))
        return false;
    return true;
  }
  return false;
}

LogicalResult externalizeWeights(llvm::Module &module, EntrySignature &sig,
                                 const std::string &path, uint64_t minBytes,
                                 std::string &error) {
  llvm::LLVMContext &ctx = module.getContext();
  const llvm::DataLayout &dl = module.getDataLayout();
  std::string payload;
  std::vector<std::pair<llvm::GlobalVariable *, uint64_t>> moved;
  for (llvm::GlobalVariable &g : module.globals()) {
    if (!g.isConstant() || !g.hasInitializer() ||
        !g.getValueType()->isArrayTy() ||
        dl.getTypeAllocSize(g.getValueType()) < minBytes)
      continue;
    std::string bytes;
    if (!appendBytes(g.getInitializer(), dl, bytes))
      continue;
    payload.resize((payload.size() + 63) / 64 * 64, '\0');
    moved.push_back({&g, payload.size()});
    payload += bytes;
  }
  std::error_code ec;
  llvm::raw_fd_ostream out(path, ec, llvm::sys::fs::OF_None);
  if (ec) {
    error = "cannot write " + path + ": " + ec.message();
    return failure();
  }
  uint64_t size = payload.size();
  out.write(kWeightsMagic, sizeof kWeightsMagic);
  out.write(reinterpret_cast<const char *>(&size), sizeof size);
  out << payload;
  out.close();
  if (out.has_error()) {
    error = "cannot write " + path;
    return failure();
  }
  // The globals become zero-filled, writable buffers that NAME_init fills.
  for (auto &[g, offset] : moved) {
    g->setInitializer(llvm::Constant::getNullValue(g->getValueType()));
    g->setConstant(false);
  }
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto *loaded = new llvm::GlobalVariable(
      module, i32, false, llvm::GlobalValue::InternalLinkage,
      llvm::ConstantInt::get(i32, 0), sig.prefix + "_weights_loaded");
  llvm::FunctionCallee fopenFn = module.getOrInsertFunction(
      "fopen", llvm::FunctionType::get(ptr, {ptr, ptr}, false));
  llvm::FunctionCallee freadFn = module.getOrInsertFunction(
      "fread", llvm::FunctionType::get(i64, {ptr, i64, i64, ptr}, false));
  llvm::FunctionCallee fcloseFn = module.getOrInsertFunction(
      "fclose", llvm::FunctionType::get(i32, {ptr}, false));
  llvm::FunctionCallee memcmpFn = module.getOrInsertFunction(
      "memcmp", llvm::FunctionType::get(i32, {ptr, ptr, i64}, false));

  auto *init = llvm::Function::Create(
      llvm::FunctionType::get(i32, {ptr}, false),
      llvm::Function::ExternalLinkage, sig.prefix + "_init", module);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", init);
  auto *fail = llvm::BasicBlock::Create(ctx, "fail", init);
  auto *closeFail = llvm::BasicBlock::Create(ctx, "close_fail", init);
  llvm::IRBuilder<> b(entry);
  llvm::Value *file = b.CreateCall(
      fopenFn, {init->getArg(0), b.CreateGlobalString("rb", "dlc_rb")});
  auto *opened = llvm::BasicBlock::Create(ctx, "opened", init);
  b.CreateCondBr(b.CreateIsNull(file), fail, opened);
  b.SetInsertPoint(opened);
  // Header: magic and payload size must match what this code was built with.
  auto *header = b.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), 24));
  llvm::Value *got =
      b.CreateCall(freadFn, {header, b.getInt64(1), b.getInt64(24), file});
  llvm::Value *magic = llvm::ConstantDataArray::getRaw(
      llvm::StringRef(kWeightsMagic, sizeof kWeightsMagic),
      sizeof kWeightsMagic, b.getInt8Ty());
  auto *magicGlobal = new llvm::GlobalVariable(
      module, magic->getType(), true, llvm::GlobalValue::PrivateLinkage,
      llvm::cast<llvm::Constant>(magic), "dlc_weights_magic");
  llvm::Value *sameMagic = b.CreateICmpEQ(
      b.CreateCall(memcmpFn, {header, magicGlobal, b.getInt64(16)}),
      b.getInt32(0));
  llvm::Value *fileSize =
      b.CreateLoad(i64, b.CreateConstGEP1_64(b.getInt8Ty(), header, 16));
  llvm::Value *ok =
      b.CreateAnd(b.CreateAnd(b.CreateICmpEQ(got, b.getInt64(24)), sameMagic),
                  b.CreateICmpEQ(fileSize, b.getInt64(size)));
  auto *readWeights = llvm::BasicBlock::Create(ctx, "read", init);
  b.CreateCondBr(ok, readWeights, closeFail);
  b.SetInsertPoint(readWeights);
  // Skip the padding between weights by reading it into the next buffer's
  // place first: read each weight at its offset, in order.
  uint64_t position = 0;
  auto *scratch = b.CreateAlloca(b.getInt8Ty(), b.getInt64(64));
  for (auto &[g, offset] : moved) {
    if (offset > position) {
      llvm::Value *n =
          b.CreateCall(freadFn, {scratch, b.getInt64(1),
                                 b.getInt64(offset - position), file});
      auto *next = llvm::BasicBlock::Create(ctx, "pad_ok", init);
      b.CreateCondBr(b.CreateICmpEQ(n, b.getInt64(offset - position)), next,
                     closeFail);
      b.SetInsertPoint(next);
    }
    uint64_t bytes = dl.getTypeAllocSize(g->getValueType());
    llvm::Value *n =
        b.CreateCall(freadFn, {g, b.getInt64(1), b.getInt64(bytes), file});
    auto *next = llvm::BasicBlock::Create(ctx, "read_ok", init);
    b.CreateCondBr(b.CreateICmpEQ(n, b.getInt64(bytes)), next, closeFail);
    b.SetInsertPoint(next);
    position = offset + bytes;
  }
  b.CreateCall(fcloseFn, {file});
  b.CreateStore(b.getInt32(1), loaded);
  b.CreateRet(b.getInt32(DLC_STATUS_OK));
  b.SetInsertPoint(closeFail);
  b.CreateCall(fcloseFn, {file});
  b.CreateBr(fail);
  b.SetInsertPoint(fail);
  b.CreateRet(b.getInt32(DLC_STATUS_IO_ERROR));
  sig.externalWeights = true;
  sig.weightsFile = llvm::sys::path::filename(path).str();
  return success();
}

void emitExecutableAliases(llvm::Module &module, const EntrySignature &sig) {
  llvm::LLVMContext &ctx = module.getContext();
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *ptr = llvm::PointerType::get(ctx, 0);
  auto constant = [&](const char *name, llvm::Constant *value) {
    new llvm::GlobalVariable(module, value->getType(), /*isConstant=*/true,
                             llvm::GlobalValue::ExternalLinkage, value, name);
  };
  constant("dlc_model_name",
           llvm::ConstantDataArray::getString(ctx, sig.prefix));
  constant("dlc_model_num_inputs",
           llvm::ConstantInt::get(i32, sig.inputs.size()));
  constant("dlc_model_num_outputs",
           llvm::ConstantInt::get(i32, sig.outputs.size()));
  auto forward = [&](const char *name, const std::string &target,
                     llvm::Type *ret, llvm::ArrayRef<llvm::Type *> params) {
    auto *fnTy = llvm::FunctionType::get(ret, params, false);
    auto *fn = llvm::Function::Create(fnTy, llvm::Function::ExternalLinkage,
                                      name, module);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", fn));
    std::vector<llvm::Value *> args;
    for (llvm::Argument &a : fn->args())
      args.push_back(&a);
    llvm::Value *r = b.CreateCall(module.getFunction(target), args);
    if (ret->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(r);
  };
  forward("dlc_model_run", sig.prefix + "_run", i32, {ptr, ptr});
  if (sig.externalWeights) {
    forward("dlc_model_init", sig.prefix + "_init", i32, {ptr});
    constant("dlc_model_weights_file",
             llvm::ConstantDataArray::getString(ctx, sig.weightsFile));
  }
  forward("dlc_model_release", sig.prefix + "_release",
          llvm::Type::getVoidTy(ctx), {ptr});
}

static std::string shapeText(const TensorSignature &t) {
  std::string s = "[";
  for (size_t i = 0; i < t.shape.size(); ++i) {
    if (i)
      s += ", ";
    if (t.shape[i] >= 0)
      s += std::to_string(t.shape[i]);
    else
      s += t.dimNames[i].empty() ? "?" : t.dimNames[i];
  }
  return s + "]";
}

static std::string upper(llvm::StringRef s) {
  std::string u = s.str();
  for (char &c : u)
    c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
  return u;
}

void writeHeader(llvm::raw_ostream &os, llvm::ArrayRef<EntrySignature> sigs) {
  const EntrySignature &main = sigs.front();
  std::string guard = upper(main.prefix);
  const std::string &p = main.prefix;
  os << "/* " << p << ".h: generated by dlc; do not edit.\n"
     << " *\n"
     << " * " << main.runSymbol
     << "(inputs, outputs) runs the model. Inputs are\n"
     << " * tensors with the dtypes, ranks and static dims below (strided "
        "ones\n"
     << " * are copied to contiguous temporaries first).\n"
     << " * For each output the caller sets `shape` to an int64_t[rank] "
        "array;\n"
     << " * the entry point fills data (malloc'd), dtype, rank, shape and\n"
     << " * strides (NULL: contiguous).\n"
     << " * Free outputs with " << main.releaseSymbol
     << "(outputs) (or free(data)).\n"
     << " * Returns a dlc_status: 0, or DLC_STATUS_SHAPE_MISMATCH /\n"
     << " * DLC_STATUS_DTYPE_MISMATCH / DLC_STATUS_INVALID_ARGUMENT for a bad\n"
     << " * call, DLC_STATUS_OUT_OF_MEMORY, DLC_STATUS_RUNTIME_ERROR; then\n"
     << " * dlc_last_error() says which input, dim and values, and the "
        "outputs\n"
     << " * are untouched.\n"
     << " *\n"
     << " * Target: " << main.target << "\n";
  if (main.deviceEntry)
    os << " * Kernels run on the GPU (the CUDA driver, loaded at run time;\n"
       << " * link libdlcrt_cuda.a). Without a driver or device the entry\n"
       << " * points return DLC_STATUS_RUNTIME_ERROR saying so. NAME_run "
          "takes\n"
       << " * and returns host memory; NAME_run_device takes inputs in device\n"
       << " * memory and returns outputs in device memory (free them with\n"
       << " * NAME_release_device).\n";
  os << " */\n"
     << "#ifndef " << guard << "_H\n#define " << guard << "_H\n\n"
     << "#include <stdint.h>\n#include <dlc/runtime.h>\n"
     << (main.deviceEntry ? "#include <dlc/cuda.h>\n" : "") << "\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#define " << guard << "_TARGET \"" << main.target << "\"\n\n";
  for (const EntrySignature &sig : sigs) {
    std::string stem = entryStem(sig);
    std::string id = upper(stem);
    if (!sig.summary.empty())
      os << "/* " << sig.runSymbol << ": " << sig.summary << " */\n";
    os << "#define " << id << "_NUM_INPUTS " << sig.inputs.size() << "\n"
       << "#define " << id << "_NUM_OUTPUTS " << numReturnedOutputs(sig)
       << "\n\n";
    auto describe = [&](const char *kind, size_t i, const TensorSignature &t) {
      std::string name = llvm::formatv("{0}_{1}{2}", id, upper(kind), i).str();
      os << "/* " << kind << " " << i
         << (t.name.empty() ? "" : " '" + t.name + "'") << ": "
         << dtypeName(t.dtype) << " " << shapeText(t) << " (-1: dynamic) */\n"
         << "#define " << name << "_DTYPE " << t.dtype << "\n"
         << "#define " << name << "_RANK " << t.shape.size() << "\n";
      if (!t.shape.empty()) {
        os << "static const int64_t " << stem << "_" << kind << i << "_shape["
           << t.shape.size() << "] = {";
        for (size_t d = 0; d < t.shape.size(); ++d)
          os << (d ? ", " : "") << t.shape[d];
        os << "};\n";
      }
      os << "typedef " << cTypeName(t.dtype) << " " << stem << "_" << kind << i
         << "_t;\n\n";
    };
    for (size_t i = 0; i < sig.inputs.size(); ++i)
      describe("input", i, sig.inputs[i]);
    for (size_t c = 0; c < sig.classSize.size(); ++c) {
      os << "/* Dims that must agree:";
      for (auto [i, in] : llvm::enumerate(sig.inputs))
        for (auto [d, k] : llvm::enumerate(in.dimClass))
          if (k == (int32_t)c)
            os << " input " << i << " dim " << d;
      if (sig.classSize[c] >= 0)
        os << " (size " << sig.classSize[c] << ")";
      os << " */\n";
    }
    if (!sig.classSize.empty())
      os << "\n";
    size_t returned = 0;
    for (const TensorSignature &out : sig.outputs) {
      if (out.inplace >= 0)
        continue;
      describe("output", returned++, out);
    }
    if (returned != sig.outputs.size())
      os << "/* " << sig.runSymbol
         << " also writes the new value of each of the\n"
         << " * first " << id
         << "_NUM_STATE inputs (the state) back into that\n"
         << " * input's buffer. */\n"
         << "#define " << id << "_NUM_STATE " << sig.outputs.size() - returned
         << "\n";
    if (sig.externalWeights)
      os << "/* The weights are in " << sig.weightsFile
         << ": load them once with\n"
         << " * " << sig.prefix << "_init(path) before " << sig.runSymbol
         << " (which returns\n"
         << " * DLC_STATUS_RUNTIME_ERROR until then). */\n"
         << "int32_t " << sig.prefix << "_init(const char *weights_path);\n";
    os << "int32_t " << sig.runSymbol
       << "(const dlc_tensor *inputs, dlc_tensor *outputs);\n"
       << "void " << sig.releaseSymbol << "(dlc_tensor *outputs);\n"
       << "/* " << sig.runSymbol << " with the call's planned intermediates in"
       << " `workspace`\n * (64-byte aligned; what does not fit comes from the"
       << " allocator).\n * " << stem
       << "_workspace_bytes(inputs) is the size that holds them all for\n"
       << " * these inputs' shapes (NULL: the part no dynamic dim sizes; 0 if\n"
       << " * nothing is planned); a workspace serves one call at a time. */\n"
       << "int32_t " << sig.runSymbol
       << "_with_workspace(const dlc_tensor *inputs, dlc_tensor *outputs,\n"
       << "    void *workspace, size_t workspace_bytes);\n"
       << "size_t " << stem << "_workspace_bytes(const dlc_tensor *inputs);\n";
    if (sig.deviceEntry)
      os << "int32_t " << sig.runSymbol
         << "_device(const dlc_tensor *inputs, dlc_tensor *outputs);\n"
         << "void " << sig.releaseSymbol << "_device(dlc_tensor *outputs);\n";
    os << "\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << "_H */\n";
}

} // namespace dlc::cpu
