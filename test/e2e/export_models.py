#!/usr/bin/python3
"""Exports the reference networks to ONNX with torch.onnx.export: torchvision
resnet18 and mobilenet_v2, and a TransformerEncoder (2 layers, d_model 128,
4 heads, batch_first), each at opsets 13 and 17 with a dynamic batch dim.
Weights are random (no download).

usage: export_models.py OUTDIR [--opsets 13,17] [--models resnet18,...]
Writes OUTDIR/<model>_op<N>.onnx and prints one line per file.
"""
import argparse
import os
import sys
import warnings

import torch
import torchvision

warnings.filterwarnings("ignore")


class Encoder(torch.nn.Module):
    def __init__(self):
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(
            d_model=128, nhead=4, dim_feedforward=256, dropout=0.0,
            batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, num_layers=2,
                                                   enable_nested_tensor=False)
        # TransformerEncoder deep-copies `layer`, so its layers start equal,
        # and the exporter merges equal initializers: trained from that
        # file the layers would share their weights. Make them differ, as in
        # a trained model.
        with torch.no_grad():
            for p in self.encoder.parameters():
                p.add_(torch.randn_like(p) * 0.01)

    def forward(self, x):
        return self.encoder(x)


MODELS = {
    # name: (constructor, example input shape, input name)
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), (1, 3, 224, 224)),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), (1, 3, 224, 224)),
    "transformer": (Encoder, (1, 64, 128)),
}


def export(name, opset, outdir):
    torch.manual_seed(0)
    ctor, shape = MODELS[name]
    model = ctor().eval()
    path = os.path.join(outdir, f"{name}_op{opset}.onnx")
    # Gradients stay enabled: with them off, PyTorch runs the Transformer's
    # fused inference kernel, which has no ONNX export.
    torch.onnx.export(model, torch.randn(*shape), path, opset_version=opset,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"},
                                    "output": {0: "batch"}})
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--opsets", default="13,17")
    ap.add_argument("--models", default=",".join(MODELS))
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)
    for name in args.models.split(","):
        for opset in (int(o) for o in args.opsets.split(",")):
            print(export(name, opset, args.outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
