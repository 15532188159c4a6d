// RUN: dlc-opt %s --dl-to-linalg="row-kernels=true" --split-input-file | FileCheck %s
// RUN: dlc-opt %s --dl-to-linalg --split-input-file | FileCheck %s --check-prefix=SPLIT

// The loss with row kernels: the labels checked by a scalar loop (and the
// batches compared, both dynamic), then one scf.forall over the rows. A row's
// max, then in one loop its sum of exp(x - m) and the target-weighted
// sum of x - m (0.91 at the label, 0.01 elsewhere: smoothing 0.1 over 10
// classes, the label compared with the class index); the loss log(s) - t is
// stored into the row's element of the output.
// CHECK-LABEL: func.func @loss
// CHECK-DAG: %[[ON:.*]] = arith.constant 9.100000e-01 : f32
// CHECK-DAG: %[[OFF:.*]] = arith.constant 0.00999999977 : f32
// CHECK: cf.assert %{{.*}}, "softmax cross-entropy: the logits and the labels (or the per-sample gradient) differ in batch size"
// CHECK: %[[BAD:.*]] = scf.for {{.*}} -> (i1)
// CHECK: arith.cmpi slt
// CHECK: arith.cmpi sge
// CHECK: %[[OK:.*]] = arith.xori %[[BAD]]
// CHECK: cf.assert %[[OK]], "a class label is outside [0, 10)"
// CHECK: scf.forall (%[[N:.*]]) in (%{{.*}}) shared_outs(%[[OUT:.*]] = %{{.*}}) -> (tensor<?xf32>)
// CHECK: %[[ROW:.*]] = tensor.extract_slice %arg0[%[[N]], 0] [1, 10] [1, 1]
// CHECK: %[[LABEL:.*]] = arith.index_cast
// CHECK: %[[M:.*]] = scf.for {{.*}} -> (f32)
// CHECK: arith.maximumf
// CHECK: %[[ST:.*]]:2 = scf.for %[[C:[^ ]*]] = {{.*}} -> (f32, f32)
// CHECK: %[[D:.*]] = arith.subf %{{.*}}, %[[M]]
// CHECK: math.exp %[[D]]
// CHECK: arith.addf {{.*}} fastmath<reassoc>
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %[[C]], %[[LABEL]]
// CHECK: %[[W:.*]] = arith.select %[[HIT]], %[[ON]], %[[OFF]]
// CHECK: arith.mulf %[[W]], %[[D]]
// CHECK: %[[LOG:.*]] = math.log %[[ST]]#0
// CHECK: %[[LOSS:.*]] = arith.subf %[[LOG]], %[[ST]]#1
// CHECK: %[[SLOT:.*]] = tensor.extract_slice %[[OUT]][%[[N]]] [1] [1]
// CHECK: tensor.insert %[[LOSS]] into %[[SLOT]]
// CHECK: tensor.parallel_insert_slice
// CHECK-NOT: linalg.
// CHECK: return

// Without row kernels it is the ops it stands for, one_hot's checked labels
// included: log-softmax, one-hot target, product, sum over the classes.
// SPLIT-LABEL: func.func @loss
// SPLIT-NOT: scf.forall
// SPLIT-DAG: cf.assert %{{.*}}, "a class label is outside [0, 10)"
// SPLIT-DAG: math.log
// SPLIT-DAG: arith.negf
// SPLIT-NOT: scf.forall
// SPLIT: return
func.func @loss(%x: tensor<?x10xf32>, %y: tensor<?xi64>) -> tensor<?xf32> {
  %l = dl.softmax_cross_entropy %x, %y {label_smoothing = 1.000000e-01 : f64} : (tensor<?x10xf32>, tensor<?xi64>) -> tensor<?xf32>
  return %l : tensor<?xf32>
}

// -----

// The gradient: one row kernel; the row's max and sum of exp, then one
// linalg.generic over the row writes g * (exp(x - m) / s - target), the
// target from the class index (linalg.index) against the label. Static
// batches need no run-time check.
// CHECK-LABEL: func.func @grad
// CHECK-NOT: cf.assert
// CHECK: scf.forall (%[[N:.*]]) in (4)
// CHECK: %[[LABEL:.*]] = arith.index_cast
// CHECK: %[[G:.*]] = tensor.extract %arg2[%[[N]]]
// CHECK: %[[M:.*]] = scf.for
// CHECK: arith.maximumf
// CHECK: %[[S:.*]] = scf.for
// CHECK: math.exp
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel"]
// CHECK: %[[E:.*]] = math.exp
// CHECK: %[[P:.*]] = arith.divf %[[E]], %[[S]]
// CHECK: %[[C:.*]] = linalg.index 0
// CHECK: %[[HIT:.*]] = arith.cmpi eq, %[[C]], %[[LABEL]]
// CHECK: %[[W:.*]] = arith.select %[[HIT]]
// CHECK: %[[D:.*]] = arith.subf %[[P]], %[[W]]
// CHECK: arith.mulf %[[D]], %[[G]]
// CHECK: tensor.parallel_insert_slice

// SPLIT-LABEL: func.func @grad
// SPLIT-NOT: scf.forall
// SPLIT: linalg.generic
// SPLIT: return
func.func @grad(%x: tensor<4x10xf32>, %y: tensor<4xi64>, %g: tensor<4xf32>) -> tensor<4x10xf32> {
  %d = dl.softmax_cross_entropy_grad %x, %y, %g : (tensor<4x10xf32>, tensor<4xi64>, tensor<4xf32>) -> tensor<4x10xf32>
  return %d : tensor<4x10xf32>
}
