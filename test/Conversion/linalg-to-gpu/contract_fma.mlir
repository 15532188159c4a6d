// RUN: dlc-opt %s --pass-pipeline="builtin.module(gpu.module(dl-gpu-contract-fma))" | FileCheck %s

// Every float arith op of a kernel may contract (a * b + c becomes one
// fma.rn), keeping the flags it had; math ops (math.fma would become a
// libdevice call) and host code are left alone.
// CHECK-LABEL: gpu.module @kernels
// CHECK: arith.mulf %{{.*}}, %{{.*}} fastmath<contract> : f32
// CHECK: arith.addf %{{.*}}, %{{.*}} fastmath<nnan,contract> : f32
// CHECK: math.fma %{{.*}}, %{{.*}}, %{{.*}} : f32
// CHECK-LABEL: func.func @host
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f32
gpu.module @kernels {
  gpu.func @k(%a: f32, %b: f32, %c: f32, %out: memref<f32>) kernel {
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %m, %c fastmath<nnan> : f32
    %f = math.fma %s, %a, %b : f32
    memref.store %f, %out[] : memref<f32>
    gpu.return
  }
}
func.func @host(%a: f32, %b: f32) -> f32 {
  %m = arith.mulf %a, %b : f32
  return %m : f32
}
