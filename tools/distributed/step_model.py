#!/usr/bin/python3
"""The on-paper model of docs/distributed.md: step time of data-parallel training on N machines with a ring
all-reduce, t = compute + 2(N-1)·alpha + 2(N-1)/N · S / bandwidth, for the benchmark MLP and LeNet-5.

  /usr/bin/python3 tools/distributed/step_model.py
"""
PARAMS = {"mlp": 235_146, "lenet": 61_706}
# One training step of 64 samples on one core, from shared/BENCHMARKS.md's quiet single-thread figures
# (MLP 112,700 and LeNet-5 25,700 samples/s).
COMPUTE_MS = {"mlp": 64 / 112_700 * 1e3, "lenet": 64 / 25_700 * 1e3}
# Backward's share of a step (about 2/3: two products per layer against forward's one), and the share of the
# gradient bytes backward produces before the first layer's (the layers after the first in the MLP: 15%;
# in LeNet-5 everything but conv1's 156 parameters).
BACKWARD = 2 / 3
EARLY = {"mlp": (235_146 - (784 * 256 + 256)) / 235_146, "lenet": (61_706 - 156) / 61_706}
LINKS = {"1 Gbit/s": 1e9 / 8, "10 Gbit/s": 10e9 / 8, "100 Gbit/s": 100e9 / 8}
ALPHA_MS = 0.025  # per message over TCP (25 µs); RDMA is nearer 2 µs


def allreduce_ms(model, n, bandwidth):
    size = PARAMS[model] * 4
    return 2 * (n - 1) * ALPHA_MS + 2 * (n - 1) / n * size / bandwidth * 1e3


def overlapped_ms(model, n, bandwidth):
    """The step when each bucket's all-reduce starts as soon as backward has produced it (DDP's bucketing): the
    early buckets' share of the exchange hides behind the rest of backward, as far as that lasts."""
    c, ar = COMPUTE_MS[model], allreduce_ms(model, n, bandwidth)
    return c + ar - min(EARLY[model] * ar, BACKWARD * c)


def main():
    print("| model | link | N = 2 | N = 10 | N = 100 | all-reduce > compute from |")
    print("|---|---|---|---|---|---|")
    for model in PARAMS:
        c = COMPUTE_MS[model]
        for link, bw in LINKS.items():
            cells = [f"{allreduce_ms(model, n, bw):.2f} / {c + allreduce_ms(model, n, bw):.2f} / {overlapped_ms(model, n, bw):.2f}"
                     for n in (2, 10, 100)]
            first = next(n for n in range(2, 10_000) if allreduce_ms(model, n, bw) > c)
            print(f"| {model} ({PARAMS[model] * 4 / 1e6:.2f} MB, {c:.2f} ms) | {link} | " + " | ".join(cells) + f" | N = {first} |")


if __name__ == "__main__":
    main()
