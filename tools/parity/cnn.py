"""Parity fixture for the benchmarks' cnn network (Models.CifarCnn): forward and backward of the whole network.

Writes tests/Dendrite.Tests/Parity/Fixtures/cnn.json. Run: /usr/bin/python3 tools/parity/cnn.py

The network has 308,394 parameters, too many to store with their gradients, so both sides set every parameter
from a formula of its index (see `formula`), and the fixture holds the input (4 images, 3x32x32, in training
mode), the labels, the logits, the cross-entropy loss, the input gradient, the first layer's and every batch
norm's gradients and running statistics in full, and for each larger weight 64 of its gradient's entries
(every len/64-th) and its gradient's sum of squares.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from fixture import case, write

torch.manual_seed(2026)


def formula(count, fan_in, salt):
    """count values uniform in ±1/sqrt(fan_in) (PyTorch's default bound) from a 32-bit multiplicative hash."""
    i = np.arange(count, dtype=np.uint64)
    h = (i * np.uint64(2654435761) + np.uint64(salt * 40503 + 1)) % np.uint64(2 ** 32)
    u = h.astype(np.float64) / 2.0 ** 32 - 0.5
    return (u * 2.0 / np.sqrt(fan_in)).astype(np.float32)


layers, c = [], 3
for w in (32, 64, 128):
    for _ in range(2):
        layers += [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU()]
        c = w
    layers.append(nn.MaxPool2d(2))
model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(2048, 10))

names = []
with torch.no_grad():
    for salt, (name, p) in enumerate(model.named_parameters()):
        names.append(name)
        if ".weight" in name and p.dim() == 1:  # batch norm gamma: around 1
            p.copy_(torch.from_numpy(1.0 + formula(p.numel(), 4, salt)))
        elif p.dim() == 1 and isinstance(dict(model.named_modules())[name.rsplit(".", 1)[0]], nn.BatchNorm2d):
            p.copy_(torch.from_numpy(formula(p.numel(), 4, salt)))
        else:
            module = dict(model.named_modules())[name.rsplit(".", 1)[0]]
            fan_in = module.weight[0].numel()
            p.copy_(torch.from_numpy(formula(p.numel(), fan_in, salt)).reshape(p.shape))

model.train()
x = torch.randn(4, 3, 32, 32).requires_grad_(True)
labels = torch.tensor([3, 0, 7, 9])
logits = model(x)
loss = F.cross_entropy(logits, labels)
loss.backward()

t = {"input": x, "labels": labels.float(), "logits": logits, "loss": loss.reshape(1), "input_grad": x.grad}
for name, p in model.named_parameters():
    g = p.grad.reshape(-1)
    if p.numel() <= 2048:
        t[name + "_grad"] = p.grad
    else:
        step = p.numel() // 64
        t[name + "_grad_sampled"] = g[::step][:64]
        t[name + "_grad_sumsq"] = (g.double() ** 2).sum().float().reshape(1)
for name, b in model.named_buffers():
    if not name.endswith("num_batches_tracked"):
        t[name + "_after"] = b
write("cnn.json", "tools/parity/cnn.py", [case("cnn train step", t, parameters=names)])
