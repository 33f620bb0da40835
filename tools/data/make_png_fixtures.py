#!/usr/bin/python3
"""Writes the PNG fixtures of the data tests with independent encoders (pypng, PIL, ImageMagick).

Run from the repository root: /usr/bin/python3 tools/data/make_png_fixtures.py
Needs Debian's python3-png (pypng) and python3-pil. pypng writes every form (all bit depths, palettes
with tRNS, Adam7) but filters rows with None only; PIL writes adaptive filters but no Adam7; so some
pypng files are also re-filtered here with filters 0-4 in turn. Writes tests/Dendrite.Tests/Data/Fixtures/png/*.png and png-expected.json, which holds
for every file the decoded samples the C# decoder must produce: width, height, channels, maxValue and
the interleaved samples row-major (palettes expanded to RGB/RGBA; a tRNS colour key becomes an alpha
channel of 0 where the key matches and maxValue elsewhere).
"""
import io
import json
import os
import struct
import zlib

import numpy as np
import png  # pypng
from PIL import Image

OUT = os.path.join("tests", "Dendrite.Tests", "Data", "Fixtures", "png")
rng = np.random.default_rng(20261122)
expected = {}


def pattern(h, w, c, maxv):
    """Gradients plus noise: smooth enough that adaptive encoders use every filter, rough enough to test them."""
    y, x = np.mgrid[0:h, 0:w]
    planes = []
    for k in range(c):
        base = (x * (k + 1) * 7 + y * (3 + k) * 5) / (w * 8 + h * 8) * maxv
        noise = rng.integers(0, max(1, maxv // 8) + 1, size=(h, w))
        planes.append((base + noise).astype(np.int64) % (maxv + 1))
    return np.stack(planes, axis=-1)


def record(name, samples, maxv):
    h, w, c = samples.shape
    expected[name] = {"width": int(w), "height": int(h), "channels": int(c), "maxValue": int(maxv),
                      "samples": [int(v) for v in samples.reshape(-1)]}


def pypng(name, samples, bitdepth, greyscale, alpha, interlace=False, transparent=None):
    h, w, c = samples.shape
    writer = png.Writer(w, h, greyscale=greyscale, alpha=alpha, bitdepth=bitdepth, interlace=interlace,
                        transparent=transparent)
    with open(os.path.join(OUT, name), "wb") as f:
        writer.write(f, samples.reshape(h, w * c).tolist())
    maxv = (1 << bitdepth) - 1
    if transparent is not None:
        key = np.array(transparent if isinstance(transparent, tuple) else (transparent,))
        match = np.all(samples == key, axis=-1, keepdims=True)
        samples = np.concatenate([samples, np.where(match, 0, maxv)], axis=-1)
    record(name, samples, maxv)


def pypng_palette(name, h, w, bitdepth, entries, with_alpha, interlace=False):
    rgb = rng.integers(0, 256, size=(entries, 3))
    palette = [tuple(int(v) for v in rgb[i]) for i in range(entries)]
    alphas = None
    if with_alpha:  # tRNS shorter than the palette: the remaining entries are opaque
        count = max(1, entries - 1)
        alphas = rng.integers(0, 256, size=count)
        palette = [p + (int(alphas[i]),) if i < count else p + (255,) for i, p in enumerate(palette)]
    index = pattern(h, w, 1, entries - 1)[..., 0]
    writer = png.Writer(w, h, palette=palette, bitdepth=bitdepth, interlace=interlace)
    with open(os.path.join(OUT, name), "wb") as f:
        writer.write(f, index.tolist())
    table = np.array(palette)
    record(name, table[index], 255)


def pil(name, samples, mode, **options):
    h, w, c = samples.shape
    if mode == "I;16":
        image = Image.fromarray(samples[..., 0].astype(np.uint16), mode="I;16")
    else:
        image = Image.fromarray(samples.astype(np.uint8).squeeze(-1) if c == 1 else samples.astype(np.uint8), mode=mode)
    image.save(os.path.join(OUT, name), **options)
    record(name, samples, 65535 if mode == "I;16" else 255)


def refiltered(name, source):
    """Copies a pypng file (which filters every row with None) re-filtered with filters 0-4 in turn, row by
    row and pass by pass, so interlaced and sub-byte images meet every filter (PIL cannot write Adam7)."""
    data = open(os.path.join(OUT, source), "rb").read()
    parts = chunks(data)
    w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", parts[0][1])
    raw = zlib.decompress(b"".join(body for kind, body in parts if kind == "IDAT"))
    spp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bpp = max(1, spp * depth // 8)
    out, pos, k = bytearray(), 0, 0
    for pw, ph in passes(w, h, inter):
        if pw == 0 or ph == 0:
            continue
        stride = (pw * spp * depth + 7) // 8
        prev = bytes(stride)
        for _ in range(ph):
            assert raw[pos] == 0
            line = raw[pos + 1:pos + 1 + stride]
            f = k % 5
            k += 1
            enc = bytearray([f])
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = prev[i]
                c = prev[i - bpp] if i >= bpp else 0
                if f == 0:
                    pred = 0
                elif f == 1:
                    pred = a
                elif f == 2:
                    pred = b
                elif f == 3:
                    pred = (a + b) // 2
                else:
                    p_ = a + b - c
                    pa, pb, pc = abs(p_ - a), abs(p_ - b), abs(p_ - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                enc.append((line[i] - pred) & 0xFF)
            out += enc
            prev = line
            pos += 1 + stride
    idat = zlib.compress(bytes(out), 9)
    result = bytearray(data[:8])
    for kind, body in parts:
        if kind == "IDAT":
            if idat is None:
                continue  # all image data goes into the first IDAT
            body, idat = idat, None
        result += struct.pack(">I", len(body)) + kind.encode() + body + struct.pack(">I", zlib.crc32(kind.encode() + body))
    open(os.path.join(OUT, name), "wb").write(bytes(result))
    expected[name] = expected[source]


def passes(w, h, inter):
    if inter == 0:
        return [(w, h)]
    return [((w - x0 + dx - 1) // dx, (h - y0 + dy - 1) // dy)
            for x0, y0, dx, dy in [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]]


def chunks(data):
    pos, out = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        out.append((data[pos + 4:pos + 8].decode("ascii"), data[pos + 8:pos + 8 + length]))
        pos += 12 + length
    return out


def filters_used(path, info):
    """Filter bytes of every row (all passes), to show the fixtures exercise all five filters."""
    data = open(path, "rb").read()
    parts = chunks(data)
    ihdr = parts[0][1]
    w, h, depth, ctype, _, _, inter = struct.unpack(">IIBBBBB", ihdr)
    raw = zlib.decompress(b"".join(body for kind, body in parts if kind == "IDAT"))
    spp = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    used, pos = set(), 0
    for pw, ph in passes(w, h, inter):
        if pw == 0 or ph == 0:
            continue
        stride = (pw * spp * depth + 7) // 8
        for _ in range(ph):
            used.add(raw[pos])
            pos += 1 + stride
    assert pos == len(raw), path
    return used, inter == 1


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    H, W = 11, 13  # odd sizes: Adam7 passes of uneven sizes, sub-byte rows ending mid-byte

    for depth in (1, 2, 4, 8, 16):
        pypng(f"gray{depth}.png", pattern(H, W, 1, (1 << depth) - 1), depth, True, False)
    pypng("gray4-interlaced.png", pattern(H, W, 1, 15), 4, True, False, interlace=True)
    pypng("gray16-interlaced.png", pattern(H, W, 1, 65535), 16, True, False, interlace=True)
    g = pattern(H, W, 1, 255)
    pypng("gray8-trns.png", g, 8, True, False, transparent=int(g[2, 3, 0]))
    pypng("graya8.png", pattern(H, W, 2, 255), 8, True, True)
    pypng("graya16.png", pattern(H, W, 2, 65535), 16, True, True)
    pypng("rgb16.png", pattern(H, W, 3, 65535), 16, False, False)
    c = pattern(H, W, 3, 255)
    pypng("rgb8-trns.png", c, 8, False, False, transparent=tuple(int(v) for v in c[4, 5]))
    pypng("rgba16-interlaced.png", pattern(H, W, 4, 65535), 16, False, True, interlace=True)
    pypng("tiny1x1-interlaced.png", pattern(1, 1, 3, 255), 8, False, False, interlace=True)
    for depth, entries in ((1, 2), (2, 4), (4, 13), (8, 200)):
        pypng_palette(f"palette{depth}-trns.png", H, W, depth, entries, True)
    pypng_palette("palette8.png", H, W, 8, 40, False)
    pypng_palette("palette2-interlaced.png", H, W, 2, 3, True, interlace=True)

    # PIL (zlib with adaptive filters) for the common 8-bit forms and a larger image.
    pil("gray8-pil.png", pattern(H, W, 1, 255), "L")
    pil("rgb8-pil.png", pattern(40, 37, 3, 255), "RGB")
    pil("rgba8-pil.png", pattern(H, W, 4, 255), "RGBA")
    pil("gray16-pil.png", pattern(H, W, 1, 65535), "I;16")
    # Every filter on interlaced, sub-byte and 16-bit rows.
    pypng("rgb8-interlaced.png", pattern(23, 19, 3, 255), 8, False, False, interlace=True)
    refiltered("rgb8-interlaced-filters.png", "rgb8-interlaced.png")
    refiltered("gray16-interlaced-filters.png", "gray16-interlaced.png")
    refiltered("gray2-filters.png", "gray2.png")
    refiltered("palette4-trns-filters.png", "palette4-trns.png")
    refiltered("rgba16-interlaced-filters.png", "rgba16-interlaced.png")

    all_filters, interlaced = set(), 0
    for name, info in expected.items():
        used, inter = filters_used(os.path.join(OUT, name), info)
        all_filters |= used
        interlaced += inter
        # Cross-check the 8-bit, non-key files with PIL's decoder.
        with Image.open(os.path.join(OUT, name)) as im:
            if im.mode in ("L", "RGB", "RGBA", "LA") and "trns" not in name and info["maxValue"] == 255:
                a = np.asarray(im).reshape(-1)
                assert a.tolist() == info["samples"], name
    assert all_filters == {0, 1, 2, 3, 4}, all_filters
    assert interlaced >= 5, interlaced
    with open(os.path.join(OUT, "..", "png-expected.json"), "w") as f:
        json.dump(expected, f, separators=(",", ":"))
    print(f"{len(expected)} PNG fixtures, filters {sorted(all_filters)}, {interlaced} interlaced")


if __name__ == "__main__":
    main()
