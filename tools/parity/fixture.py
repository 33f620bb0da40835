"""Shared helpers for the PyTorch parity fixture scripts.

A fixture file is JSON: {"generator": "...", "torch": "<version>", "cases": [case, ...]} where a case is
{"name": str, "attrs": {str: number|str|list}, "tensors": {str: {"shape": [...], "data": [...]}}}.
Tensors are float32 flattened in row-major order. The C# side reads them with ParityFixture.
Run the scripts with Debian's python3-torch: /usr/bin/python3 tools/parity/<script>.py
"""
import json
import math
import os

import torch

FIXTURE_DIR = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Dendrite.Tests", "Parity", "Fixtures")


def number(v):
    """A float as JSON allows it: non-finite values become the strings "NaN", "Infinity", "-Infinity"."""
    v = float(v)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def tensor(t):
    """A tensor as the fixture's {"shape", "data"} object (float32, row-major)."""
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [number(v) for v in t.reshape(-1).tolist()]}


def case(name, tensors, **attrs):
    return {"name": name, "attrs": attrs, "tensors": {k: tensor(v) for k, v in tensors.items()}}


def write(file_name, generator, cases):
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    path = os.path.normpath(os.path.join(FIXTURE_DIR, file_name))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump({"generator": generator, "torch": torch.__version__, "cases": cases}, f, indent=None,
                  separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"wrote {len(cases)} cases to {path}")
