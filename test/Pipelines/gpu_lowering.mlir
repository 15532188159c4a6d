// RUN: dlc-opt %s --dlc-gpu-lowering | FileCheck %s
// RUN: dlc-opt %s --dlc-gpu-lowering="arch=sm_90 block-size=128" | FileCheck %s --check-prefix=SM90

// What dlc --target=cuda runs from dl IR to the LLVM dialect: the kernel as
// PTX text for the architecture (no toolkit needed), the entry point copying
// its input to a device buffer from the runtime's pool, launching the kernel
// in a grid of 256-thread blocks and copying the result back into a host
// buffer (the runtime's allocator), on a stream it synchronizes.
// CHECK-LABEL: llvm.func @main(
// CHECK: llvm.call @mgpuStreamCreate
// CHECK: llvm.call @mgpuMemAlloc
// CHECK: llvm.call @mgpuMemcpy
// CHECK: gpu.launch_func <%{{.*}} : !llvm.ptr> @main_kernel::@main_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}}) : i64
// CHECK: llvm.call @_mlir_memref_to_llvm_alloc
// CHECK: llvm.call @mgpuMemcpy
// CHECK: llvm.call @mgpuMemFree
// CHECK: llvm.call @mgpuStreamSynchronize
// CHECK-LABEL: llvm.func @_mlir_ciface_main(
// CHECK-NOT: memref.
// CHECK-NOT: dl.
// CHECK: gpu.binary @main_kernel [#gpu.object<#nvvm.target<chip = "sm_80", features = "+ptx70">, {{.*}}assembly = "{{.*}}.target sm_80{{.*}}.maxntid 256, 1, 1{{.*}}ld.global{{.*}}st.global

// SM90: #nvvm.target<chip = "sm_90", features = "+ptx78">
// SM90-SAME: .target sm_90{{.*}}.maxntid 128, 1, 1
func.func @main(%x: tensor<64x32xf32> {dl.name = "x"}) -> tensor<64x32xf32> {
  %r = dl.relu %x : tensor<64x32xf32>
  return %r : tensor<64x32xf32>
}
