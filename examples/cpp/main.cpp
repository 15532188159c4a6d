// Embeds a model compiled by dlc in a C++ program, with RAII around the
// outputs.
//
//   dlc examples/tiny_cnn.onnxtxt --emit=lib -o build/libtiny_cnn.a
//   c++ -Ibuild -Iruntime/include examples/cpp/main.cpp build/libtiny_cnn.a
//   build/runtime/libdlcrt.a -lm -lpthread
#include <cstdio>
#include <stdexcept>
#include <vector>

#include "tiny_cnn.h"

namespace {

/// The model's outputs, released when they go out of scope.
class Outputs {
public:
  Outputs()
      : tensor_{nullptr, DLC_DTYPE_F32, TINY_CNN_OUTPUT0_RANK, shape_,
                nullptr} {}
  ~Outputs() {
    if (tensor_.data)
      tiny_cnn_release(&tensor_);
  }
  Outputs(const Outputs &) = delete;
  Outputs &operator=(const Outputs &) = delete;
  dlc_tensor *get() { return &tensor_; }
  const float *data() const { return static_cast<const float *>(tensor_.data); }
  int64_t dim(int i) const { return shape_[i]; }

private:
  int64_t shape_[TINY_CNN_OUTPUT0_RANK] = {};
  dlc_tensor tensor_;
};

std::vector<float> classify(const std::vector<float> &images, int64_t batch) {
  int64_t shape[4] = {batch, 1, 8, 8};
  dlc_tensor input = {const_cast<float *>(images.data()), DLC_DTYPE_F32, 4,
                      shape, nullptr};
  Outputs out;
  if (int32_t status = tiny_cnn_run(&input, out.get()))
    throw std::runtime_error("tiny_cnn_run failed with status " +
                             std::to_string(status));
  return std::vector<float>(out.data(), out.data() + out.dim(0) * out.dim(1));
}

} // namespace

int main() {
  // Three images: all zeros, all ones, a checkerboard.
  const int64_t batch = 3;
  std::vector<float> images(batch * 64);
  for (int i = 0; i < 64; ++i) {
    images[64 + i] = 1.0f;
    images[128 + i] = ((i / 8 + i % 8) % 2) ? 1.0f : 0.0f;
  }
  std::vector<float> probs = classify(images, batch);
  for (int64_t n = 0; n < batch; ++n) {
    float sum = 0;
    std::printf("image %lld:", static_cast<long long>(n));
    for (int c = 0; c < 3; ++c) {
      std::printf(" %.4f", probs[n * 3 + c]);
      sum += probs[n * 3 + c];
    }
    std::printf(" (sum %.4f)\n", sum);
  }
  return 0;
}
