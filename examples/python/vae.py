#!/usr/bin/python3
"""A variational autoencoder on Fashion-MNIST with dlc.nn.

The encoder gives the mean and log-variance of q(z|x); z = mu + exp(logvar/2)
* eps (the reparameterization: eps is an input, fresh normal noise each
step, so gradients flow through mu and logvar); the decoder gives the
logits of p(x|z). The loss is the negative ELBO, reconstruction + KL,
written with dlc.nn.functional and traced into the compiled training step
(dlc --train --loss=output). After training the decoder, compiled on its
own and reading the trained weights, turns prior samples z ~ N(0, I) into
images (a PNG grid), beside reconstructions of test images.

usage: vae.py [--epochs N] [--limit N] [--out DIR]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
import dlc  # noqa: E402
import dlc.nn as nn  # noqa: E402
import dlc.nn.functional as F  # noqa: E402
from dlc.datasets import fashion_mnist, image_grid  # noqa: E402

LATENT = 16


class VAE(nn.Module):
    def __init__(self, hidden=400, latent=LATENT):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(784, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent)
        self.logvar = nn.Linear(hidden, latent)
        self.decoder = nn.Sequential(nn.Linear(latent, hidden), nn.ReLU(),
                                     nn.Linear(hidden, 784))

    def forward(self, x, eps):
        h = self.encoder(x)
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + F.exp(logvar * 0.5) * eps
        return self.decoder(z), mu, logvar


def neg_elbo(outputs, x):
    """Per image: Bernoulli reconstruction (binary cross-entropy of the
    logits, summed over pixels) + KL(q(z|x) || N(0, I)); the step averages
    it over the batch."""
    logits, mu, logvar = outputs
    recon = F.sum(F.binary_cross_entropy_with_logits(logits, x, reduction="none"), 1)
    kl = -0.5 * F.sum(1 + logvar - mu * mu - F.exp(logvar), 1)
    return recon + kl


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--out", default="vae_out")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    (x, _), (xt, _) = fashion_mnist(flatten=True, normalize="unit", limit=args.limit)
    dlc.manual_seed(0)
    vae = VAE()
    trainer = dlc.train.Trainer(vae, loss=neg_elbo, optimizer="adam", lr=1e-3)
    rng = np.random.default_rng(0)
    history = dlc.train.History()
    for epoch in range(1, args.epochs + 1):
        start, total = time.time(), 0.0
        order = rng.permutation(len(x))
        for i in range(0, len(x), args.batch_size):
            xb = x[order[i:i + args.batch_size]]
            eps = rng.standard_normal((len(xb), LATENT)).astype(np.float32)
            loss, _ = trainer.step([xb, eps], xb)
            total += loss * len(xb)
            history["step_loss"].append(loss)
        eps = np.zeros((len(xt), LATENT), np.float32)  # the posterior mean
        val = trainer.evaluate([xt, eps], xt)["loss"]
        for k, v in (("loss", total / len(x)), ("val_loss", val), ("accuracy", None),
                     ("val_accuracy", None), ("lr", 1e-3), ("time", time.time() - start)):
            history[k].append(v)
        print(f"epoch {epoch}: -ELBO train {total / len(x):.2f}, test {val:.2f} "
              f"({time.time() - start:.1f} s)", flush=True)
    history.plot(os.path.join(args.out, "vae_loss.png"), "VAE on Fashion-MNIST: -ELBO per image")
    # The decoder alone, reading the trained weights, on prior samples.
    decoder = dlc.compile(vae.decoder, [np.zeros((1, LATENT), np.float32)], live=[vae.decoder])
    z = np.random.default_rng(1).standard_normal((64, LATENT)).astype(np.float32)
    samples = 1 / (1 + np.exp(-decoder(z)))
    png = image_grid(samples, os.path.join(args.out, "vae_samples.png"), nrow=8,
                     title="VAE samples: decoder(z), z ~ N(0, I)")
    recon = 1 / (1 + np.exp(-trainer.predict([xt[:32], np.zeros((32, LATENT), np.float32)])))
    pairs = np.stack([xt[:32], recon], 1).reshape(64, 784)
    image_grid(pairs, os.path.join(args.out, "vae_reconstructions.png"), nrow=8,
               title="test images and their reconstructions")
    print(f"vae: -ELBO {history['loss'][0]:.2f} -> {history['loss'][-1]:.2f} (test "
          f"{history['val_loss'][-1]:.2f}); samples: {png}")
    return history


if __name__ == "__main__":
    main()
