//===- TrainOptions.h - the choices of dl-train-step ------------*- C++ -*-===//
//
// Enums of dl-train-step's options and their command-line spellings. The
// spellings are written once, here: the pass options (Passes.td) and the
// dlc driver's flags both take them from the DL_*_VALUES macros.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_DIALECT_DL_TRANSFORMS_TRAINOPTIONS_H
#define DLC_DIALECT_DL_TRANSFORMS_TRAINOPTIONS_H

#include "llvm/Support/CommandLine.h"

namespace dlc::dl {

enum class Loss {
  CrossEntropy,
  Nll,
  Mse,
  Huber,
  BceWithLogits,
  Distillation,
  Output
};
enum class Reduction { Mean, Sum };
enum class Optimizer { Sgd, Momentum, Nesterov, Adam, AdamW, Adagrad };
enum class InitScheme { XavierUniform, XavierNormal, HeUniform, HeNormal };

} // namespace dlc::dl

#define DL_LOSS_VALUES                                                         \
  clEnumValN(::dlc::dl::Loss::CrossEntropy, "cross_entropy",                   \
             "Softmax cross-entropy of integer class labels"),                 \
      clEnumValN(::dlc::dl::Loss::Nll, "nll",                                  \
                 "Negative log-likelihood of log-probabilities"),              \
      clEnumValN(::dlc::dl::Loss::Mse, "mse", "Mean squared error"),           \
      clEnumValN(::dlc::dl::Loss::Huber, "huber", "Huber loss"),               \
      clEnumValN(::dlc::dl::Loss::BceWithLogits, "bce_with_logits",            \
                 "Binary cross-entropy of logits"),                            \
      clEnumValN(::dlc::dl::Loss::Distillation, "distillation",                \
                 "Knowledge distillation from teacher logits"),                \
      clEnumValN(::dlc::dl::Loss::Output, "output",                            \
                 "The model's first output is the loss (no labels)")

#define DL_REDUCTION_VALUES                                                    \
  clEnumValN(::dlc::dl::Reduction::Mean, "mean", "Mean over the batch"),       \
      clEnumValN(::dlc::dl::Reduction::Sum, "sum", "Sum over the batch")

#define DL_OPTIMIZER_VALUES                                                    \
  clEnumValN(::dlc::dl::Optimizer::Sgd, "sgd", "Plain SGD"),                   \
      clEnumValN(::dlc::dl::Optimizer::Momentum, "momentum",                   \
                 "SGD with momentum"),                                         \
      clEnumValN(::dlc::dl::Optimizer::Nesterov, "nesterov",                   \
                 "SGD with Nesterov momentum"),                                \
      clEnumValN(::dlc::dl::Optimizer::Adam, "adam", "Adam"),                  \
      clEnumValN(::dlc::dl::Optimizer::AdamW, "adamw",                         \
                 "Adam with decoupled weight decay"),                          \
      clEnumValN(::dlc::dl::Optimizer::Adagrad, "adagrad", "Adagrad")

#define DL_INIT_VALUES                                                         \
  clEnumValN(::dlc::dl::InitScheme::XavierUniform, "xavier_uniform",           \
             "Glorot uniform"),                                                \
      clEnumValN(::dlc::dl::InitScheme::XavierNormal, "xavier_normal",         \
                 "Glorot normal"),                                             \
      clEnumValN(::dlc::dl::InitScheme::HeUniform, "he_uniform",               \
                 "Kaiming uniform"),                                           \
      clEnumValN(::dlc::dl::InitScheme::HeNormal, "he_normal",                 \
                 "Kaiming normal")

#endif // DLC_DIALECT_DL_TRANSFORMS_TRAINOPTIONS_H
