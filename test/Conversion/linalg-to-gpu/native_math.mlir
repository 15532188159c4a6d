// RUN: dlc-opt %s --split-input-file --verify-diagnostics --pass-pipeline="builtin.module(gpu.module(dl-gpu-native-math))" | FileCheck %s

// libdevice calls with a PTX instruction become LLVM intrinsics, and their
// declarations go.
// CHECK-LABEL: gpu.module @kernels
// CHECK-NOT: llvm.func @__nv_
// CHECK: llvm.intr.fma(%{{.*}}, %{{.*}}, %{{.*}}) : (f32, f32, f32) -> f32
// CHECK: llvm.intr.floor(%{{.*}}) : (f32) -> f32
// CHECK: llvm.intr.sqrt(%{{.*}}) : (f64) -> f64
// CHECK-NOT: llvm.call
gpu.module @kernels {
  llvm.func @__nv_fmaf(f32, f32, f32) -> f32
  llvm.func @__nv_floorf(f32) -> f32
  llvm.func @__nv_sqrt(f64) -> f64
  llvm.func @k(%a: f32, %d: f64) -> f32 {
    %0 = llvm.call @__nv_fmaf(%a, %a, %a) : (f32, f32, f32) -> f32
    %1 = llvm.call @__nv_floorf(%0) : (f32) -> f32
    %2 = llvm.call @__nv_sqrt(%d) : (f64) -> f64
    llvm.return %1 : f32
  }
}

// -----

// Any other libdevice function is an error: dlc links no CUDA toolkit file.
gpu.module @kernels {
  llvm.func @__nv_powf(f32, f32) -> f32
  llvm.func @k(%a: f32) -> f32 {
    // expected-error @+1 {{for --target=cuda this needs __nv_powf from libdevice, a CUDA toolkit file dlc does not link}}
    %0 = llvm.call @__nv_powf(%a, %a) : (f32, f32) -> f32
    llvm.return %0 : f32
  }
}
