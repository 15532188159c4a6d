//===- DeviceMemory.cpp - buffers on the device ---------------------------===//
//
// dl-gpu-device-memory: on the host side of `dlc --target=cuda`, every buffer
// a kernel touches is a device buffer; the entry point's inputs, the weights
// and the results are copied across (see GPUPasses.td).
//
//===----------------------------------------------------------------------===//

#include "dlc/Conversion/GPUPasses.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace dlc {
#define GEN_PASS_DEF_DLGPUDEVICEMEMORY
#include "dlc/Conversion/GPUPasses.h.inc"
} // namespace dlc

using namespace mlir;

namespace {

/// The dynamic sizes of `v` (a memref), as memref.dim ops at `b`.
static SmallVector<Value> dynamicSizes(OpBuilder &b, Location loc, Value v) {
  auto type = cast<MemRefType>(v.getType());
  SmallVector<Value> sizes;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (type.isDynamicDim(d))
      sizes.push_back(memref::DimOp::create(b, loc, v, d));
  return sizes;
}

/// The allocation a view (subview, reshape, cast ...) is of.
static Value rootOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    v = view.getViewSource();
  }
  return v;
}

/// Whether `buffer` is bookkeeping of the buffer deallocation pipeline (the
/// pointer and ownership lists its `dealloc_helper` reads): host memory.
static bool feedsDeallocHelper(Value buffer) {
  while (auto cast = buffer.getDefiningOp<memref::CastOp>())
    buffer = cast.getSource();
  SmallVector<Value> work{buffer};
  while (!work.empty()) {
    Value v = work.pop_back_val();
    for (Operation *user : v.getUsers()) {
      if (auto call = dyn_cast<func::CallOp>(user);
          call && call.getCallee().starts_with("dealloc_helper"))
        return true;
      if (auto cast = dyn_cast<memref::CastOp>(user))
        work.push_back(cast.getResult());
    }
  }
  return false;
}

/// A device copy of the host buffer `host` (identity layout), made at `b`.
static Value copyToDevice(OpBuilder &b, Location loc, Value host) {
  auto type = cast<MemRefType>(host.getType());
  auto deviceType = MemRefType::get(type.getShape(), type.getElementType());
  auto alloc = gpu::AllocOp::create(b, loc, deviceType, /*asyncToken=*/Type(),
                                    ValueRange{}, dynamicSizes(b, loc, host),
                                    ValueRange{});
  gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, alloc.getMemref(),
                        host);
  return alloc.getMemref();
}

/// The runtime's cache of weights on the device (runtime/src/cuda/mgpu.c).
static constexpr llvm::StringLiteral kConstantFn = "dlcCudaConstant";

/// A memref of `type` (static, identity layout) over the device address
/// `ptr` (i64): its LLVM descriptor, cast back to the memref; the casts
/// cancel when the host is lowered to the LLVM dialect.
static Value memrefAt(OpBuilder &b, Location loc, MemRefType type, Value ptr) {
  MLIRContext *ctx = b.getContext();
  Type i64 = b.getI64Type();
  auto ptrType = LLVM::LLVMPointerType::get(ctx);
  int64_t rank = type.getRank();
  SmallVector<Type> fields = {ptrType, ptrType, i64};
  if (rank) {
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
    fields.push_back(LLVM::LLVMArrayType::get(i64, rank));
  }
  auto structType = LLVM::LLVMStructType::getLiteral(ctx, fields);
  Value p = LLVM::IntToPtrOp::create(b, loc, ptrType, ptr);
  Value desc = LLVM::PoisonOp::create(b, loc, structType);
  auto constant = [&](int64_t v) -> Value {
    return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
  };
  desc = LLVM::InsertValueOp::create(b, loc, desc, p, ArrayRef<int64_t>{0});
  desc = LLVM::InsertValueOp::create(b, loc, desc, p, ArrayRef<int64_t>{1});
  desc = LLVM::InsertValueOp::create(b, loc, desc, constant(0),
                                     ArrayRef<int64_t>{2});
  int64_t stride = 1;
  for (int64_t d = rank - 1; d >= 0; --d) {
    desc = LLVM::InsertValueOp::create(
        b, loc, desc, constant(type.getDimSize(d)), ArrayRef<int64_t>{3, d});
    desc = LLVM::InsertValueOp::create(b, loc, desc, constant(stride),
                                       ArrayRef<int64_t>{4, d});
    stride *= type.getDimSize(d);
  }
  return UnrealizedConversionCastOp::create(b, loc, type, desc).getResult(0);
}

struct DeviceMemoryPass
    : public dlc::impl::DLGPUDeviceMemoryBase<DeviceMemoryPass> {
  /// The device copy of the constant global `global` (its host buffer
  /// `host`), kept by the runtime across calls; made at `b`.
  Value residentWeight(OpBuilder &b, Location loc, memref::GlobalOp global,
                       Value host) {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    Type i64 = b.getI64Type();
    if (!symbols.lookup(kConstantFn)) {
      OpBuilder mb = OpBuilder::atBlockEnd(module.getBody());
      auto decl =
          func::FuncOp::create(mb, module.getLoc(), kConstantFn,
                               mb.getFunctionType({i64, i64, i64}, {i64}));
      decl.setPrivate();
    }
    // The library's slot for it: {device pointer, driver generation}.
    std::string slotName = ("__dlc_device_" + global.getSymName()).str();
    auto slotType = MemRefType::get({2}, i64);
    if (!symbols.lookup(slotName)) {
      OpBuilder mb(global);
      mb.setInsertionPointAfter(global);
      auto slot = memref::GlobalOp::create(
          mb, global.getLoc(), slotName, mb.getStringAttr("private"), slotType,
          DenseElementsAttr::get(RankedTensorType::get({2}, i64),
                                 ArrayRef<int64_t>{0, 0}),
          /*constant=*/false, /*alignment=*/IntegerAttr());
      (void)slot;
    }
    auto type = cast<MemRefType>(host.getType());
    auto address = [&](Value m) -> Value {
      Value index = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, m);
      return arith::IndexCastOp::create(b, loc, i64, index);
    };
    Value slot = memref::GetGlobalOp::create(b, loc, slotType, slotName);
    int64_t bytes = type.getNumElements() *
                    llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    Value size = arith::ConstantIntOp::create(b, loc, i64, bytes);
    auto call =
        func::CallOp::create(b, loc, kConstantFn, TypeRange{i64},
                             ValueRange{address(slot), address(host), size});
    return memrefAt(b, loc,
                    MemRefType::get(type.getShape(), type.getElementType()),
                    call.getResult(0));
  }

  void runOnOperation() override {
    for (auto func : llvm::to_vector(getOperation().getOps<func::FuncOp>()))
      if (failed(runOnFunction(func)))
        return signalPassFailure();
  }

  LogicalResult runOnFunction(func::FuncOp func) {
    // The deallocation pipeline's helper works on host bookkeeping only.
    if (func.isExternal() || func.getName().starts_with("dealloc_helper"))
      return success();

    // Buffers of `index` hold shapes (memref.reshape's operand) that the
    // host builds and reads, and the deallocation pipeline's bookkeeping is
    // the host's: they stay in host memory.
    auto isShapeBuffer = [](Value v) {
      return cast<MemRefType>(v.getType()).getElementType().isIndex() ||
             feedsDeallocHelper(v);
    };
    // What the host cannot do with a device buffer.
    bool failedCheck = false;
    func.walk([&](Operation *op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return WalkResult::skip();
      if (isa<gpu::LaunchOp>(op))
        return WalkResult::skip();
      // Loads are read through host copies (below).
      if (isa<memref::LoadOp>(op))
        return WalkResult::advance();
      if (auto store = dyn_cast<memref::StoreOp>(op);
          store && isShapeBuffer(store.getMemRef()))
        return WalkResult::advance();
      if (auto call = dyn_cast<func::CallOp>(op);
          call && call.getCallee().starts_with("dealloc_helper"))
        return WalkResult::advance();
      if (isa<memref::LoadOp, memref::StoreOp, linalg::LinalgOp>(op) ||
          (isa<func::CallOp>(op) &&
           llvm::any_of(op->getOperandTypes(), llvm::IsaPred<MemRefType>))) {
        op->emitError("for --target=cuda this op would run on the host on a "
                      "device buffer: '")
            << op->getName() << "' is not inside a GPU kernel";
        failedCheck = true;
      }
      return WalkResult::advance();
    });
    if (failedCheck)
      return failure();

    // Allocations.
    SmallVector<Operation *> toErase;
    func.walk([&](Operation *op) {
      if (op->getParentOfType<gpu::LaunchOp>())
        return;
      OpBuilder b(op);
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        auto type = alloc.getType();
        if (isShapeBuffer(alloc))
          return;
        if (!type.getLayout().isIdentity() || type.getMemorySpace()) {
          alloc.emitError("cannot place a buffer of type ")
              << type << " on the device";
          failedCheck = true;
          return;
        }
        auto device = gpu::AllocOp::create(
            b, alloc.getLoc(), type, Type(), ValueRange{},
            alloc.getDynamicSizes(), alloc.getSymbolOperands());
        alloc.getResult().replaceAllUsesWith(device.getMemref());
        toErase.push_back(op);
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op);
                 dealloc && !isShapeBuffer(dealloc.getMemref())) {
        gpu::DeallocOp::create(b, dealloc.getLoc(), TypeRange{}, ValueRange{},
                               dealloc.getMemref());
        toErase.push_back(op);
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        gpu::MemcpyOp::create(b, copy.getLoc(), TypeRange{}, ValueRange{},
                              copy.getTarget(), copy.getSource());
        toErase.push_back(op);
      }
    });
    for (Operation *op : toErase)
      op->erase();
    if (failedCheck)
      return failure();

    // Scalars the host reads from a device buffer (a dynamic Reshape's
    // target shape computed by kernels): each load reads a host copy made
    // just before it, after the kernels that wrote the buffer.
    SmallVector<memref::LoadOp> hostLoads;
    func.walk([&](memref::LoadOp load) {
      if (!load->getParentOfType<gpu::LaunchOp>() &&
          !isShapeBuffer(load.getMemRef()))
        hostLoads.push_back(load);
    });
    for (memref::LoadOp load : hostLoads) {
      MemRefType type = load.getMemRefType();
      if (!type.getLayout().isIdentity()) {
        load.emitError("for --target=cuda the host reads a strided view of "
                       "a device buffer, which it cannot copy");
        return failure();
      }
      OpBuilder b(load);
      Location loc = load.getLoc();
      auto host = memref::AllocOp::create(
          b, loc, MemRefType::get(type.getShape(), type.getElementType()),
          dynamicSizes(b, loc, load.getMemRef()));
      gpu::MemcpyOp::create(b, loc, TypeRange{}, ValueRange{}, host,
                            load.getMemRef());
      load.getMemrefMutable().set(host);
      b.setInsertionPointAfter(load);
      memref::DeallocOp::create(b, loc, host);
    }

    Block &entry = func.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    Location loc = func.getLoc();
    // Device buffers this pass made, freed before each return.
    SmallVector<Value> copies;
    llvm::SmallPtrSet<Value, 8> ours;
    // Weights: one device copy per global, first, so that the runtime
    // calls for the resident ones come before any asynchronous copy (a
    // host call after one would make gpu-async-region wait for it).
    llvm::MapVector<StringAttr, SmallVector<memref::GetGlobalOp>> globals;
    func.walk([&](memref::GetGlobalOp g) {
      if (!g->getParentOfType<gpu::LaunchOp>() && !isShapeBuffer(g))
        globals[g.getNameAttr().getAttr()].push_back(g);
    });
    SymbolTable symbols(getOperation());
    for (auto &[name, uses] : globals) {
      auto host = memref::GetGlobalOp::create(b, loc, uses.front().getType(),
                                              uses.front().getNameAttr());
      auto global = symbols.lookup<memref::GlobalOp>(name);
      // Weights are uploaded once and kept; a mutable global at each call.
      bool resident = global && global.getConstant() &&
                      host.getType().hasStaticShape() &&
                      host.getType().getLayout().isIdentity();
      Value device = resident ? residentWeight(b, loc, global, host)
                              : copyToDevice(b, loc, host);
      for (memref::GetGlobalOp g : uses) {
        g.getResult().replaceAllUsesWith(device);
        g.erase();
      }
      if (!resident)
        copies.push_back(device);
      ours.insert(device);
    }

    for (BlockArgument arg : entry.getArguments()) {
      // Only its dims, or only host copies of it, are used: no device copy.
      if (!isa<MemRefType>(arg.getType()) ||
          llvm::all_of(arg.getUsers(),
                       llvm::IsaPred<memref::DimOp, gpu::MemcpyOp>))
        continue;
      if (!cast<MemRefType>(arg.getType()).getLayout().isIdentity()) {
        func.emitError("argument ") << arg.getArgNumber()
                                    << " has a strided layout; the GPU entry "
                                       "points take contiguous buffers";
        return failure();
      }
      Value device = copyToDevice(b, loc, arg);
      arg.replaceUsesWithIf(device, [&](OpOperand &use) {
        return !isa<gpu::MemcpyOp, memref::DimOp>(use.getOwner());
      });
      copies.push_back(device);
      ours.insert(device);
    }
    // Results back to host buffers.
    func.walk([&](func::ReturnOp ret) {
      OpBuilder rb(ret);
      llvm::SmallPtrSet<Value, 8> freed;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value device = operand.get();
        if (!isa<MemRefType>(device.getType()))
          continue;
        auto type = cast<MemRefType>(device.getType());
        auto hostType = MemRefType::get(type.getShape(), type.getElementType());
        auto host = memref::AllocOp::create(
            rb, ret.getLoc(), hostType, dynamicSizes(rb, ret.getLoc(), device));
        gpu::MemcpyOp::create(rb, ret.getLoc(), TypeRange{}, ValueRange{}, host,
                              device);
        operand.set(host);
        // The buffer deallocation pipeline leaves returned buffers alive.
        Value root = rootOf(device);
        bool freedElsewhere =
            ours.contains(root) ||
            llvm::any_of(root.getUsers(), llvm::IsaPred<gpu::DeallocOp>);
        if (root.getDefiningOp<gpu::AllocOp>() && !freedElsewhere &&
            freed.insert(root).second)
          gpu::DeallocOp::create(rb, ret.getLoc(), TypeRange{}, ValueRange{},
                                 root);
      }
      for (Value device : copies)
        gpu::DeallocOp::create(rb, ret.getLoc(), TypeRange{}, ValueRange{},
                               device);
    });
    return success();
  }
};

} // namespace
