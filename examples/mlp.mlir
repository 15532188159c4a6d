// A two-layer MLP for 28x28 images with a dynamic batch, written as it comes
// out of the importer: result shapes left dynamic where the importer did not
// know them, a zero bias, and a reshape whose shape is a constant.
func.func @mlp(%x: tensor<?x1x28x28xf32>) -> tensor<?x?xf32> {
  %w1 = dl.constant dense<0.01> : tensor<784x128xf32>
  %b1 = dl.constant dense<0.0> : tensor<128xf32>
  %w2 = dl.constant dense<0.02> : tensor<128x10xf32>
  %b2 = dl.constant dense<[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]> : tensor<10xf32>
  %flat = dl.flatten %x {axis = 1 : i64} : tensor<?x1x28x28xf32> -> tensor<?x784xf32>
  %h = dl.matmul %flat, %w1 : (tensor<?x784xf32>, tensor<784x128xf32>) -> tensor<?x?xf32>
  %hb = dl.add %h, %b1 : (tensor<?x?xf32>, tensor<128xf32>) -> tensor<?x?xf32>
  %r = dl.relu %hb : tensor<?x?xf32>
  %o = dl.matmul %r, %w2 : (tensor<?x?xf32>, tensor<128x10xf32>) -> tensor<?x?xf32>
  %ob = dl.add %o, %b2 : (tensor<?x?xf32>, tensor<10xf32>) -> tensor<?x?xf32>
  %p = dl.softmax %ob {axis = -1 : i64} : tensor<?x?xf32>
  return %p : tensor<?x?xf32>
}
