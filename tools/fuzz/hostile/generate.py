#!/usr/bin/env python3
"""Writes the hostile inputs of issue 17 into a directory (default: tools/fuzz/hostile/out).

Each is small on disk and declares sizes that would take gigabytes if a reader trusted them. Pure
standard library (struct, zlib, gzip, json), deterministic: running it twice gives the same bytes.
run.sh runs the dendrite CLI against every one and checks each is refused quickly in little memory.
"""
import gzip
import json
import os
import struct
import sys
import zlib


def safetensors(path, tensors, metadata):
    """tensors: list of (name, shape, float32 bytes). Writes a valid safetensors file."""
    header, offset = {"__metadata__": metadata}, 0
    for name, shape, data in tensors:
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for _, _, data in tensors:
            f.write(data)


def zeros(n):
    return bytes(4 * n)


def model_file(path, spec, tensors):
    safetensors(path, tensors, {"format": "dendrite-model", "dendrite.spec": json.dumps(spec), "dendrite.version": "hostile"})


def idx(path, dims, payload_bytes, compressed):
    """An IDX file of unsigned bytes with the given dimensions and payload_bytes zero bytes of payload."""
    head = struct.pack(">BBBB", 0, 0, 8, len(dims)) + b"".join(struct.pack(">I", d) for d in dims)
    if not compressed:
        with open(path, "wb") as f:
            f.write(head + bytes(payload_bytes))
        return
    # Streamed through a compressor so that gigabytes of zeros never sit in memory.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as f:
        f.write(head)
        chunk = bytes(1 << 24)
        left = payload_bytes
        while left > 0:
            f.write(chunk[:min(left, len(chunk))])
            left -= len(chunk)


def png(path, width, height, rows=None, extra=0):
    """A greyscale 8-bit PNG of zeros; `rows` limits how many rows the image data holds, `extra` adds bytes past its end."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    z = zlib.compressobj(9)
    data = bytearray()
    line = bytes(1 + width)
    for _ in range(height if rows is None else rows):
        data += z.compress(line)
    data += z.compress(bytes(extra)) + z.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", bytes(data)) + chunk(b"IEND", b""))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "out")
    os.makedirs(out, exist_ok=True)
    p = lambda name: os.path.join(out, name)

    # Valid small inputs the hostile ones are used with.
    with open(p("tiny.csv"), "w") as f:
        f.write("a,b,c,d,label\n")
        for i in range(40):
            f.write(f"{i % 7 * 0.1:.1f},{i % 5 * 0.2:.1f},{i % 3 * 0.3:.1f},{i % 2:.1f},{'yes' if i % 2 else 'no'}\n")
    os.makedirs(p("mnist-tiny"), exist_ok=True)
    for split, n in (("train", 64), ("t10k", 16)):
        idx(os.path.join(p("mnist-tiny"), f"{split}-images-idx3-ubyte"), [n, 28, 28], n * 784, False)
        with open(os.path.join(p("mnist-tiny"), f"{split}-labels-idx1-ubyte"), "wb") as f:
            f.write(struct.pack(">BBBBI", 0, 0, 8, 1, n) + bytes(i % 10 for i in range(n)))
    model_file(p("ok-model.safetensors"), {"input": [784], "layers": [{"type": "linear", "out_features": 10}]},
               [("0.weight", [10, 784], zeros(7840)), ("0.bias", [10], zeros(10))])
    png(p("ok-digit.png"), 28, 28)

    # A 248 KB model file whose stored spec claims a 784 -> 320,000 linear layer (250 million weights).
    model_file(p("spec-320k.safetensors"), {"input": [784], "layers": [{"type": "linear", "out_features": 320000}]},
               [("0.weight", [79, 784], zeros(79 * 784)), ("0.bias", [79], zeros(79))])
    # The same with a 40,000 -> 40,000 layer (1.6 billion weights), as a model file and as a spec.
    spec40k = {"input": [40000], "layers": [{"type": "linear", "out_features": 40000}]}
    model_file(p("spec-40k.safetensors"), spec40k, [("0.weight", [4, 40000], zeros(160000)), ("0.bias", [4], zeros(4))])
    with open(p("spec-40k.json"), "w") as f:
        json.dump(spec40k, f)
    # 20,000 ReLU layers on an MNIST-sized input: 63 MB of activations per sample, 4 GB for a batch of 32.
    with open(p("relu-20k.json"), "w") as f:
        json.dump({"input": [784], "layers": [{"type": "relu"}] * 20000 + [{"type": "linear", "out_features": 10}]}, f)
    # Convolution padding 10^9: an output of [6, 2e9, 2e9] whose multiply-adds overflow 64 bits.
    with open(p("conv-pad-1e9.json"), "w") as f:
        json.dump({"input": [1, 28, 28], "layers": [{"type": "conv2d", "out_channels": 6, "kernel_size": 5, "padding": 1000000000},
                                                  {"type": "flatten"}, {"type": "linear", "out_features": 10}]}, f)
    # An input of [2e9, 2e9, 2e9]: 8e27 values per sample.
    with open(p("input-2e9.json"), "w") as f:
        json.dump({"input": [2000000000] * 3, "layers": [{"type": "flatten"}, {"type": "linear", "out_features": 10}]}, f)
    # A safetensors header whose tensor claims 40 GB at offsets past the end of the file.
    text = json.dumps({"x": {"dtype": "F32", "shape": [100000, 100000], "data_offsets": [0, 40000000000]}}).encode()
    text += b" " * (-len(text) % 8)
    with open(p("tensor-past-end.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + zeros(16))
    # A safetensors header length of 2^63.
    with open(p("header-2e63.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", 1 << 63) + b"{}      ")
    # A checkpoint whose stored spec claims the 784 -> 320,000 layer, holding a tiny model.
    state = {"epoch": 1, "batch": 0, "generators": {}, "history": [], "partial": {}, "metrics": {}, "callbacks": {}, "options": {}}
    safetensors(p("spec-320k.ckpt"), [("model.0.weight", [79, 784], zeros(79 * 784)), ("model.0.bias", [79], zeros(79))],
                {"format": "dendrite-checkpoint", "dendrite.spec": json.dumps({"input": [784], "layers": [{"type": "linear", "out_features": 320000}]}),
                 "dendrite.version": "hostile", "dendrite.checkpoint": json.dumps(state)})
    # A gzip'd IDX set whose image file declares (and inflates to) 2,000,000 images: 1.5 MB on disk, 1.5 GB inflated.
    os.makedirs(p("mnist-2m"), exist_ok=True)
    idx(os.path.join(p("mnist-2m"), "train-images-idx3-ubyte.gz"), [2000000, 28, 28], 2000000 * 784, True)
    with open(os.path.join(p("mnist-2m"), "train-labels-idx1-ubyte.gz"), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(struct.pack(">BBBBI", 0, 0, 8, 1, 2000000) + bytes(2000000))
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with open(os.path.join(p("mnist-tiny"), name), "rb") as src, open(os.path.join(p("mnist-2m"), name), "wb") as dst:
            dst.write(src.read())
    # A plain IDX file declaring 2,000,000 images but holding 64.
    os.makedirs(p("mnist-claims-2m"), exist_ok=True)
    with open(os.path.join(p("mnist-claims-2m"), "train-images-idx3-ubyte"), "wb") as f:
        f.write(struct.pack(">BBBBIII", 0, 0, 8, 3, 2000000, 28, 28) + bytes(64 * 784))
    for name in ("train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with open(os.path.join(p("mnist-tiny"), name), "rb") as src, open(os.path.join(p("mnist-claims-2m"), name), "wb") as dst:
            dst.write(src.read())
    # A 20,000 x 20,000 PNG (a few hundred KB of zlib'd zeros; 400 MB of pixels).
    png(p("png-20000x20000.png"), 20000, 20000)
    # A 28 x 28 PNG whose image data inflates to twice the size the header allows.
    png(p("png-inflates-twice.png"), 28, 28, extra=28 * 29)
    # A CSV feature cell holding a ten-million-digit number.
    with open(p("csv-10m-digits.csv"), "w") as f:
        f.write("a,label\n1,x\n" + "9" * 10_000_000 + ",y\n2,x\n")


if __name__ == "__main__":
    main()
