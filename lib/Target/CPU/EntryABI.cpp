//===- EntryABI.cpp - the C entry point and header of a model -------------===//

#include "dlc/Target/CPU/EntryABI.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace dlc::cpu {

// Mirrors runtime/include/dlc/runtime.h.
enum : int32_t {
  kF32 = 0, kF16 = 1, kBF16 = 2, kF64 = 3, kI8 = 4, kI32 = 5, kI64 = 6, kI1 = 7
};
enum : int32_t {
  kStatusOk = 0, kStatusOutOfMemory = 2, kStatusShape = 3, kStatusDtype = 4,
  kStatusIO = 5, kStatusRuntime = 7
};

/// The weights file: this magic, the payload size (u64), then each weight's
/// bytes at 64-byte aligned offsets.
static const char kWeightsMagic[16] = "DLC-WEIGHTS-v1\n";

static FailureOr<std::pair<int32_t, unsigned>> dtypeOf(Type t) {
  if (t.isF32())
    return std::pair<int32_t, unsigned>{kF32, 4};
  if (t.isF16())
    return std::pair<int32_t, unsigned>{kF16, 2};
  if (t.isBF16())
    return std::pair<int32_t, unsigned>{kBF16, 2};
  if (t.isF64())
    return std::pair<int32_t, unsigned>{kF64, 8};
  if (t.isInteger(8))
    return std::pair<int32_t, unsigned>{kI8, 1};
  if (t.isInteger(32))
    return std::pair<int32_t, unsigned>{kI32, 4};
  if (t.isInteger(64))
    return std::pair<int32_t, unsigned>{kI64, 8};
  if (t.isInteger(1))
    return std::pair<int32_t, unsigned>{kI1, 1};
  return failure();
}

static const char *dtypeName(int32_t d) {
  static const char *names[] = {"f32", "f16", "bf16", "f64", "i8", "i32", "i64", "i1"};
  return names[d];
}

static const char *cTypeName(int32_t d) {
  static const char *names[] = {"float",   "uint16_t", "uint16_t", "double",
                                "int8_t",  "int32_t",  "int64_t",  "uint8_t"};
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
    auto dt = dtypeOf(t.getElementType());
    if (failed(dt))
      return func.emitError("no dlc_dtype for element type ")
             << t.getElementType();
    TensorSignature s;
    s.dtype = dt->first;
    s.elementBytes = dt->second;
    for (int64_t d : t.getShape())
      s.shape.push_back(ShapedType::isDynamic(d) ? -1 : d);
    if (attrs) {
      if (auto n = attrs.getAs<StringAttr>("dl.name"))
        s.name = n.str();
      if (auto inplace = attrs.getAs<IntegerAttr>("dl.inplace"))
        s.inplace = inplace.getInt();
      if (auto names = attrs.getAs<ArrayAttr>("dl.dim_names"))
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
  return sig;
}

size_t numReturnedOutputs(const EntrySignature &sig) {
  return llvm::count_if(sig.outputs,
                        [](const TensorSignature &t) { return t.inplace < 0; });
}

LogicalResult emitEntryPoints(llvm::Module &module, const EntrySignature &sig,
                              std::string &error) {
  llvm::LLVMContext &ctx = module.getContext();
  llvm::Function *ciface = module.getFunction("_mlir_ciface_" + sig.entry);
  if (!ciface) {
    error = "no C interface for entry point '" + sig.entry + "'";
    return failure();
  }
  auto *i32 = llvm::Type::getInt32Ty(ctx);
  auto *i64 = llvm::Type::getInt64Ty(ctx);
  auto *ptr = llvm::PointerType::get(ctx, 0);
  // dlc_tensor: {void *data; int32 dtype; int32 rank; int64 *shape; int64 *strides}
  auto *tensorTy = llvm::StructType::get(ctx, {ptr, i32, i32, ptr, ptr});
  auto descTy = [&](size_t rank) -> llvm::StructType * {
    if (rank == 0)
      return llvm::StructType::get(ctx, {ptr, ptr, i64});
    auto *arr = llvm::ArrayType::get(i64, rank);
    return llvm::StructType::get(ctx, {ptr, ptr, i64, arr, arr});
  };
  llvm::FunctionCallee mallocFn = module.getOrInsertFunction(
      "malloc", llvm::FunctionType::get(ptr, {i64}, false));
  llvm::FunctionCallee freeFn = module.getOrInsertFunction(
      "free", llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false));
  // What the generated code allocated goes back to the runtime's allocator.
  llvm::FunctionCallee memrefFreeFn = module.getOrInsertFunction(
      "_mlir_memref_to_llvm_free",
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false));

  auto *runTy = llvm::FunctionType::get(i32, {ptr, ptr}, false);
  auto *run = llvm::Function::Create(runTy, llvm::Function::ExternalLinkage,
                                     sig.runSymbol, module);
  llvm::Value *inputs = run->getArg(0), *outputs = run->getArg(1);
  auto *entry = llvm::BasicBlock::Create(ctx, "entry", run);
  auto *fail = llvm::BasicBlock::Create(ctx, "fail", run);
  llvm::IRBuilder<> b(fail);
  auto *status = b.CreatePHI(i32, 0, "status");
  b.CreateRet(status);
  b.SetInsertPoint(entry);
  // Checks `ok`; on failure returns `code`.
  auto check = [&](llvm::Value *ok, int32_t code) {
    auto *next = llvm::BasicBlock::Create(ctx, "ok", run);
    status->addIncoming(b.getInt32(code), b.GetInsertBlock());
    b.CreateCondBr(ok, next, fail);
    b.SetInsertPoint(next);
  };
  if (sig.externalWeights) {
    llvm::GlobalVariable *loaded =
        module.getNamedGlobal(sig.prefix + "_weights_loaded");
    check(b.CreateICmpNE(b.CreateLoad(i32, loaded), b.getInt32(0)),
          kStatusRuntime);
  }

  // Inputs: check dtype, rank and static dims; build contiguous descriptors.
  std::vector<llvm::Value *> args;
  auto *resultTy = sig.outputs.size() == 1
                       ? descTy(sig.outputs[0].shape.size())
                       : llvm::StructType::get(ctx, [&] {
                           std::vector<llvm::Type *> fields;
                           for (const auto &o : sig.outputs)
                             fields.push_back(descTy(o.shape.size()));
                           return fields;
                         }());
  auto *result = b.CreateAlloca(resultTy);
  args.push_back(result);
  for (auto [i, in] : llvm::enumerate(sig.inputs)) {
    llvm::Value *t = b.CreateConstGEP1_64(tensorTy, inputs, i);
    llvm::Value *data = b.CreateLoad(ptr, b.CreateStructGEP(tensorTy, t, 0));
    llvm::Value *dtype = b.CreateLoad(i32, b.CreateStructGEP(tensorTy, t, 1));
    llvm::Value *rank = b.CreateLoad(i32, b.CreateStructGEP(tensorTy, t, 2));
    check(b.CreateICmpEQ(dtype, b.getInt32(in.dtype)), kStatusDtype);
    check(b.CreateICmpEQ(rank, b.getInt32(in.shape.size())), kStatusShape);
    size_t r = in.shape.size();
    auto *dTy = descTy(r);
    auto *desc = b.CreateAlloca(dTy);
    b.CreateStore(data, b.CreateStructGEP(dTy, desc, 0));
    b.CreateStore(data, b.CreateStructGEP(dTy, desc, 1));
    b.CreateStore(b.getInt64(0), b.CreateStructGEP(dTy, desc, 2));
    if (r > 0) {
      llvm::Value *shape = b.CreateLoad(ptr, b.CreateStructGEP(tensorTy, t, 3));
      std::vector<llvm::Value *> dims;
      for (size_t d = 0; d < r; ++d) {
        llvm::Value *dim =
            b.CreateLoad(i64, b.CreateConstGEP1_64(i64, shape, d));
        if (in.shape[d] >= 0)
          check(b.CreateICmpEQ(dim, b.getInt64(in.shape[d])), kStatusShape);
        else
          check(b.CreateICmpSGE(dim, b.getInt64(0)), kStatusShape);
        dims.push_back(dim);
        b.CreateStore(dim, b.CreateInBoundsGEP(dTy, desc, {b.getInt32(0), b.getInt32(3), b.getInt64(d)}));
      }
      llvm::Value *stride = b.getInt64(1);
      for (size_t d = r; d-- > 0;) {
        b.CreateStore(stride, b.CreateInBoundsGEP(dTy, desc, {b.getInt32(0), b.getInt32(4), b.getInt64(d)}));
        stride = b.CreateMul(stride, dims[d]);
      }
    }
    args.push_back(desc);
  }
  b.CreateCall(ciface, args);

  // Outputs: copy each result into a fresh malloc'd contiguous buffer (the
  // returned buffer may be over-aligned), write data and shape, free it.
  // In-place outputs (updated state) are copied into their input's buffer.
  size_t returned = 0;
  for (auto [i, out] : llvm::enumerate(sig.outputs)) {
    size_t r = out.shape.size();
    auto *dTy = descTy(r);
    llvm::Value *desc = sig.outputs.size() == 1
                            ? result
                            : b.CreateStructGEP(resultTy, result, i);
    llvm::Value *allocated = b.CreateLoad(ptr, b.CreateStructGEP(dTy, desc, 0));
    llvm::Value *aligned = b.CreateLoad(ptr, b.CreateStructGEP(dTy, desc, 1));
    llvm::Value *offset = b.CreateLoad(i64, b.CreateStructGEP(dTy, desc, 2));
    bool inplace = out.inplace >= 0;
    llvm::Value *t =
        inplace ? b.CreateConstGEP1_64(tensorTy, inputs, out.inplace)
                : b.CreateConstGEP1_64(tensorTy, outputs, returned++);
    llvm::Value *count = b.getInt64(1);
    llvm::Value *shape =
        r && !inplace ? b.CreateLoad(ptr, b.CreateStructGEP(tensorTy, t, 3)) : nullptr;
    for (size_t d = 0; d < r; ++d) {
      llvm::Value *dim =
          b.CreateLoad(i64, b.CreateInBoundsGEP(dTy, desc, {b.getInt32(0), b.getInt32(3), b.getInt64(d)}));
      if (shape)
        b.CreateStore(dim, b.CreateConstGEP1_64(i64, shape, d));
      count = b.CreateMul(count, dim);
    }
    llvm::Value *bytes = b.CreateMul(count, b.getInt64(out.elementBytes));
    llvm::Value *src = b.CreateGEP(
        b.getInt8Ty(), aligned, b.CreateMul(offset, b.getInt64(out.elementBytes)));
    llvm::Value *buffer;
    if (inplace) {
      // The state input has this output's (static) shape, checked above.
      buffer = b.CreateLoad(ptr, b.CreateStructGEP(tensorTy, t, 0));
      b.CreateMemMove(buffer, llvm::MaybeAlign(1), src, llvm::MaybeAlign(1), bytes);
    } else {
      // malloc(0) may return NULL: ask for at least one byte.
      buffer = b.CreateCall(
          mallocFn, {b.CreateSelect(b.CreateICmpEQ(bytes, b.getInt64(0)),
                                    b.getInt64(1), bytes)});
      check(b.CreateIsNotNull(buffer), kStatusOutOfMemory);
      b.CreateMemCpy(buffer, llvm::MaybeAlign(1), src, llvm::MaybeAlign(1), bytes);
    }
    // Globals come back with MLIR's 0xdeadbeef marker and are not freed,
    // nor is an input's own buffer handed back.
    llvm::Value *isGlobal = b.CreateOr(
        b.CreateICmpEQ(b.CreatePtrToInt(allocated, i64), b.getInt64(0xdeadbeef)),
        b.CreateICmpEQ(allocated, buffer));
    auto *doFree = llvm::BasicBlock::Create(ctx, "free", run);
    auto *after = llvm::BasicBlock::Create(ctx, "freed", run);
    b.CreateCondBr(isGlobal, after, doFree);
    b.SetInsertPoint(doFree);
    b.CreateCall(memrefFreeFn, {allocated});
    b.CreateBr(after);
    b.SetInsertPoint(after);
    if (inplace)
      continue;
    b.CreateStore(buffer, b.CreateStructGEP(tensorTy, t, 0));
    b.CreateStore(b.getInt32(out.dtype), b.CreateStructGEP(tensorTy, t, 1));
    b.CreateStore(b.getInt32(r), b.CreateStructGEP(tensorTy, t, 2));
  }
  b.CreateRet(b.getInt32(kStatusOk));

  // Metadata for callers that discover the signature at run time (the
  // Python loader): RUN_num_inputs, RUN_num_outputs, RUN_input_names and
  // RUN_output_names (the returned outputs only).
  auto constantI32 = [&](const std::string &name, uint64_t v) {
    new llvm::GlobalVariable(module, i32, /*isConstant=*/true,
                             llvm::GlobalValue::ExternalLinkage,
                             llvm::ConstantInt::get(i32, v), name);
  };
  constantI32(sig.runSymbol + "_num_inputs", sig.inputs.size());
  constantI32(sig.runSymbol + "_num_outputs", numReturnedOutputs(sig));
  auto names = [&](const std::string &name, ArrayRef<const TensorSignature *> ts) {
    std::vector<llvm::Constant *> strings;
    for (const TensorSignature *t : ts) {
      auto *init = llvm::ConstantDataArray::getString(ctx, t->name);
      strings.push_back(new llvm::GlobalVariable(
          module, init->getType(), true, llvm::GlobalValue::PrivateLinkage,
          init, name + ".str"));
    }
    auto *arrTy = llvm::ArrayType::get(ptr, strings.size());
    new llvm::GlobalVariable(module, arrTy, true,
                             llvm::GlobalValue::ExternalLinkage,
                             llvm::ConstantArray::get(arrTy, strings), name);
  };
  {
    std::vector<const TensorSignature *> ins, outs;
    for (const auto &t : sig.inputs)
      ins.push_back(&t);
    for (const auto &t : sig.outputs)
      if (t.inplace < 0)
        outs.push_back(&t);
    names(sig.runSymbol + "_input_names", ins);
    names(sig.runSymbol + "_output_names", outs);
  }

  // NAME_release(outputs): frees what NAME_run allocated.
  auto *release = llvm::Function::Create(
      llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
      llvm::Function::ExternalLinkage, sig.releaseSymbol, module);
  llvm::IRBuilder<> rb(llvm::BasicBlock::Create(ctx, "entry", release));
  for (size_t i = 0; i < numReturnedOutputs(sig); ++i) {
    llvm::Value *t = rb.CreateConstGEP1_64(tensorTy, release->getArg(0), i);
    llvm::Value *slot = rb.CreateStructGEP(tensorTy, t, 0);
    rb.CreateCall(freeFn, {rb.CreateLoad(ptr, slot)});
    rb.CreateStore(llvm::ConstantPointerNull::get(ptr), slot);
  }
  rb.CreateRetVoid();
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
  llvm::Value *got = b.CreateCall(freadFn, {header, b.getInt64(1),
                                            b.getInt64(24), file});
  llvm::Value *magic = llvm::ConstantDataArray::getRaw(
      llvm::StringRef(kWeightsMagic, sizeof kWeightsMagic), sizeof kWeightsMagic,
      b.getInt8Ty());
  auto *magicGlobal = new llvm::GlobalVariable(
      module, magic->getType(), true, llvm::GlobalValue::PrivateLinkage,
      llvm::cast<llvm::Constant>(magic), "dlc_weights_magic");
  llvm::Value *sameMagic = b.CreateICmpEQ(
      b.CreateCall(memcmpFn, {header, magicGlobal, b.getInt64(16)}),
      b.getInt32(0));
  llvm::Value *fileSize = b.CreateLoad(
      i64, b.CreateConstGEP1_64(b.getInt8Ty(), header, 16));
  llvm::Value *ok = b.CreateAnd(
      b.CreateAnd(b.CreateICmpEQ(got, b.getInt64(24)), sameMagic),
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
      llvm::Value *n = b.CreateCall(
          freadFn, {scratch, b.getInt64(1), b.getInt64(offset - position), file});
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
  b.CreateRet(b.getInt32(kStatusOk));
  b.SetInsertPoint(closeFail);
  b.CreateCall(fcloseFn, {file});
  b.CreateBr(fail);
  b.SetInsertPoint(fail);
  b.CreateRet(b.getInt32(kStatusIO));
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
  constant("dlc_model_num_inputs", llvm::ConstantInt::get(i32, sig.inputs.size()));
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
     << " * " << main.runSymbol << "(inputs, outputs) runs the model. Inputs are\n"
     << " * contiguous tensors with the dtypes, ranks and static dims below.\n"
     << " * For each output the caller sets `shape` to an int64_t[rank] array;\n"
     << " * the entry point fills data (malloc'd), dtype, rank and shape.\n"
     << " * Free outputs with " << main.releaseSymbol
     << "(outputs) (or free(data)).\n"
     << " * Returns a dlc_status: 0, or DLC_STATUS_SHAPE_MISMATCH /\n"
     << " * DLC_STATUS_DTYPE_MISMATCH for bad inputs, DLC_STATUS_OUT_OF_MEMORY.\n"
     << " */\n"
     << "#ifndef " << guard << "_H\n#define " << guard << "_H\n\n"
     << "#include <stdint.h>\n#include <dlc/runtime.h>\n\n"
     << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  for (const EntrySignature &sig : sigs) {
    // Names of this entry's constants: NAME for NAME_run, else the symbol.
    llvm::StringRef stem = sig.runSymbol;
    if (stem.ends_with("_run"))
      stem = stem.drop_back(4);
    std::string id = upper(stem);
    if (!sig.summary.empty())
      os << "/* " << sig.runSymbol << ": " << sig.summary << " */\n";
    os << "#define " << id << "_NUM_INPUTS " << sig.inputs.size() << "\n"
       << "#define " << id << "_NUM_OUTPUTS " << numReturnedOutputs(sig)
       << "\n\n";
    auto describe = [&](const char *kind, size_t i, const TensorSignature &t) {
      std::string name = llvm::formatv("{0}_{1}{2}", id, upper(kind), i).str();
      os << "/* " << kind << " " << i << (t.name.empty() ? "" : " '" + t.name + "'")
         << ": " << dtypeName(t.dtype) << " " << shapeText(t)
         << " (-1: dynamic) */\n"
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
    size_t returned = 0;
    for (const TensorSignature &out : sig.outputs) {
      if (out.inplace >= 0)
        continue;
      describe("output", returned++, out);
    }
    if (returned != sig.outputs.size())
      os << "/* " << sig.runSymbol << " also writes the new value of each of the\n"
         << " * first " << id << "_NUM_STATE inputs (the state) back into that\n"
         << " * input's buffer. */\n"
         << "#define " << id << "_NUM_STATE " << sig.outputs.size() - returned
         << "\n";
    if (sig.externalWeights)
      os << "/* The weights are in " << sig.weightsFile << ": load them once with\n"
         << " * " << sig.prefix << "_init(path) before " << sig.runSymbol
         << " (which returns\n"
         << " * DLC_STATUS_RUNTIME_ERROR until then). */\n"
         << "int32_t " << sig.prefix << "_init(const char *weights_path);\n";
    os << "int32_t " << sig.runSymbol
       << "(const dlc_tensor *inputs, dlc_tensor *outputs);\n"
       << "void " << sig.releaseSymbol << "(dlc_tensor *outputs);\n\n";
  }
  os << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << "_H */\n";
}

} // namespace dlc::cpu
