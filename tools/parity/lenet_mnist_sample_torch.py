#!/usr/bin/python3
"""PyTorch's LeNet-5 (Dendrite's layers: ReLU, max-pooling) on data/mnist-sample with dendrite train's
defaults: pixels standardised with the training mean and std, Adam lr 1e-3, batch 32, 10 epochs, no
augmentation. Prints the test accuracy after each epoch, the reference for the figure in docs/training.md.

    /usr/bin/python3 tools/parity/lenet_mnist_sample_torch.py [--seeds 0 1 2]
"""
import argparse
import gzip
import os

import numpy as np
import torch
from torch import nn

DATA = "data/mnist-sample"


def idx(name):
    with gzip.open(os.path.join(DATA, name)) as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(2)
    x = torch.tensor(idx("train-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    y = torch.tensor(idx("train-labels-idx1-ubyte.gz"), dtype=torch.long)
    tx = torch.tensor(idx("t10k-images-idx3-ubyte.gz"), dtype=torch.float32).unsqueeze(1) / 255
    ty = torch.tensor(idx("t10k-labels-idx1-ubyte.gz"), dtype=torch.long)
    mean, std = x.mean(), x.std(unbiased=False)
    x, tx = (x - mean) / std, (tx - mean) / std
    for seed in args.seeds:
        torch.manual_seed(seed)
        model = lenet5()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        figures = []
        for _ in range(args.epochs):
            model.train()
            for batch in torch.randperm(len(x)).split(32):
                optimizer.zero_grad()
                nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                figures.append((model(tx).argmax(1) == ty).float().mean().item())
        print(f"seed {seed}: test accuracy per epoch " + " ".join(f"{a:.4f}" for a in figures))


if __name__ == "__main__":
    main()
