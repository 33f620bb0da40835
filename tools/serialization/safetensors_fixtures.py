"""Writes the safetensors interop fixtures for tests/Dendrite.Tests/Serialization.

PyTorch (Debian's python3-torch; run with /usr/bin/python3) builds LeNet-5, an MLP and a small
conv + batch-norm net as nn.Sequential, exactly as the Dendrite specs below describe them, and saves
  NAME.safetensors        the state dict under PyTorch's names (num_batches_tracked as I64, as PyTorch
                          writes it), with the spec in __metadata__["dendrite.spec"], so it is also a
                          Dendrite model file;
  NAME.io.safetensors     a fixed input and PyTorch's output for it (eval mode);
  dtypes.safetensors      one tensor stored as F32, F64, F16, BF16, I64 and I32.
There is no safetensors package here, so the format is written by hand (struct + json) — which is also
an independent implementation to test Dendrite's reader against.

Check that PyTorch reads a file Dendrite wrote:  /usr/bin/python3 safetensors_fixtures.py --check FILE SPEC_NAME
"""
import json
import os
import struct
import sys

import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Dendrite.Tests", "Serialization", "Fixtures")

DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32"}
SIZES = {"F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4}


def save(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        t = t.detach().contiguous()
        # Raw little-endian bytes without numpy dtype support questions (bfloat16): view as int16 when needed.
        data = (t.view(torch.int16) if t.dtype in (torch.float16, torch.bfloat16) else t).numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0, "header not padded to 8 bytes"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    buf = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, position = {}, 0
    kinds = {"F32": torch.float32, "I64": torch.int64}
    for name, e in sorted(header.items(), key=lambda item: item[1]["data_offsets"][0]):
        begin, end = e["data_offsets"]
        assert begin == position, f"{name}: gap or overlap at {begin}"
        position = end
        t = torch.frombuffer(bytearray(buf[begin:end]), dtype=kinds[e["dtype"]]) if end > begin else torch.zeros(0, dtype=kinds[e["dtype"]])
        tensors[name] = t.reshape(e["shape"])
    assert position == len(buf), "buffer not fully covered"
    return tensors, metadata


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


LENET5_SPEC = {"input": [1, 28, 28], "layers": [
    {"type": "conv2d", "out_channels": 6, "kernel_size": 5, "padding": 2}, {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2},
    {"type": "conv2d", "out_channels": 16, "kernel_size": 5}, {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2},
    {"type": "flatten"}, {"type": "linear", "out_features": 120}, {"type": "relu"},
    {"type": "linear", "out_features": 84}, {"type": "relu"}, {"type": "linear", "out_features": 10}]}


def mlp():
    return nn.Sequential(nn.Linear(784, 32), nn.Tanh(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 10))


MLP_SPEC = {"input": [784], "layers": [
    {"type": "linear", "out_features": 32}, {"type": "tanh"}, {"type": "linear", "out_features": 16}, {"type": "tanh"},
    {"type": "linear", "out_features": 10}]}


def bnnet():
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.LeakyReLU(0.1), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(64, 8), nn.BatchNorm1d(8), nn.Sigmoid(), nn.Linear(8, 3), nn.LogSoftmax(dim=1))


BNNET_SPEC = {"input": [3, 8, 8], "layers": [
    {"type": "conv2d", "out_channels": 4, "kernel_size": 3, "padding": 1, "bias": False}, {"type": "batchnorm2d"},
    {"type": "leakyrelu", "negative_slope": 0.1}, {"type": "avgpool2d", "kernel_size": 2}, {"type": "flatten"},
    {"type": "linear", "out_features": 8}, {"type": "batchnorm1d"}, {"type": "sigmoid"},
    {"type": "linear", "out_features": 3}, {"type": "logsoftmax", "dim": 1}]}

MODELS = {"lenet5": (lenet5, LENET5_SPEC, [3, 1, 28, 28]), "mlp": (mlp, MLP_SPEC, [4, 784]), "bnnet": (bnnet, BNNET_SPEC, [5, 3, 8, 8])}


def write_fixtures():
    os.makedirs(OUT, exist_ok=True)
    for name, (make, spec, input_shape) in MODELS.items():
        torch.manual_seed(1234)
        model = make()
        if name == "bnnet":
            # A few training-mode passes so the running statistics and num_batches_tracked are not their defaults.
            model.train()
            with torch.no_grad():
                for _ in range(3):
                    model(torch.randn(16, *input_shape[1:]) * 2 + 0.5)
        model.eval()
        x = torch.randn(*input_shape)
        with torch.no_grad():
            y = model(x)
        meta = {"format": "dendrite-model", "dendrite.spec": json.dumps(spec), "epochs": "0", "written_by": "torch " + torch.__version__}
        save(os.path.join(OUT, name + ".safetensors"), model.state_dict(), meta)
        save(os.path.join(OUT, name + ".io.safetensors"), {"input": x, "output": y})
    t = torch.tensor([[1.0, -2.5, 0.15625], [3.0e4, -0.0, 1.0 / 3.0]])
    save(os.path.join(OUT, "dtypes.safetensors"), {
        "f32": t, "f64": t.double(), "f16": t.half(), "bf16": t.bfloat16(),
        "i64": torch.tensor([0, -7, 123456789], dtype=torch.int64), "i32": torch.tensor([[5], [-9]], dtype=torch.int32),
        "scalar_i64": torch.tensor(42, dtype=torch.int64), "empty": torch.zeros(0, 3)}, {"note": "dtype conversions"})


def check(path, name):
    """Loads a Dendrite-written file into the PyTorch model of the same architecture and runs it."""
    tensors, metadata = load(path)
    print("metadata keys:", sorted(metadata))
    model = MODELS[name][0]()
    model.load_state_dict(tensors, strict=True)
    model.eval()
    print("loaded", len(tensors), "tensors into", type(model).__name__, "OK")
    return model


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "--check":
        check(sys.argv[2], sys.argv[3])
    else:
        write_fixtures()
