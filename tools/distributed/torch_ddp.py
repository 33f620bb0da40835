#!/usr/bin/python3
"""PyTorch's side of docs/distributed.md: the benchmark MLP or LeNet-5 (shared/BENCHMARKS.md) trained on
data/mnist-sample alone or with DistributedDataParallel over Gloo, as dendrite train does it: a global batch
of 64 from one seeded shuffle per epoch, each of N processes taking its contiguous share, SGD lr 0.05 momentum
0.9. Prints one JSON line: median epoch samples/s (of the global batch) and test accuracy after the run.

  /usr/bin/python3 tools/distributed/torch_ddp.py --model mlp --procs 2 --threads 1 --epochs 5
"""
import argparse, gzip, json, os, statistics, struct, sys, time

# OpenBLAS and OpenMP read their thread counts when they load: set them before torch is imported (and so for
# the processes mp.spawn starts, which inherit the environment), as shared/bench/torch_bench.py does.
for i, a in enumerate(sys.argv):
    if a == "--threads" and i + 1 < len(sys.argv):
        os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = sys.argv[i + 1]

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    return torch.frombuffer(bytearray(data[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)


def load(root):
    x = idx(os.path.join(root, "train-images-idx3-ubyte.gz")).float().div(255).unsqueeze(1)
    y = idx(os.path.join(root, "train-labels-idx1-ubyte.gz")).long()
    tx = idx(os.path.join(root, "t10k-images-idx3-ubyte.gz")).float().div(255).unsqueeze(1)
    ty = idx(os.path.join(root, "t10k-labels-idx1-ubyte.gz")).long()
    return x, y, tx, ty


def model_of(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def run(rank, args, port):
    torch.set_num_threads(args.threads)
    n = args.procs
    if n > 1:
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=n)
    x, y, tx, ty = load(args.data)
    torch.manual_seed(0)
    net = model_of(args.model)
    model = nn.parallel.DistributedDataParallel(net) if n > 1 else net
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(1)
    times = []
    for epoch in range(args.epochs):
        order = torch.randperm(len(x), generator=shuffle)
        if n > 1:
            dist.barrier()
        start = time.perf_counter()
        for b in range(0, len(x), 64):
            rows = order[b:b + 64]
            lo, hi = len(rows) * rank // n, len(rows) * (rank + 1) // n
            mine = rows[lo:hi]
            opt.zero_grad()
            # DDP averages over ranks; the shares are equal here (8,000 = 125 batches of 64), as in Dendrite.
            loss_fn(model(x[mine]), y[mine]).backward()
            opt.step()
        if n > 1:
            dist.barrier()
        times.append(time.perf_counter() - start)
    if rank == 0:
        with torch.no_grad():
            net.eval()
            acc = (net(tx).argmax(1) == ty).float().mean().item()
        print(json.dumps({"engine": "torch", "model": args.model, "procs": n, "threads": args.threads,
                          "samples_per_s": round(len(x) / statistics.median(times)), "test_acc": round(acc, 4),
                          "epochs": args.epochs}), flush=True)
    if n > 1:
        dist.destroy_process_group()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--model", choices=["mlp", "lenet"], default="mlp")
    p.add_argument("--procs", type=int, default=1)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "..", "..", "data", "mnist-sample"))
    p.add_argument("--port", type=int, default=29517)
    args = p.parse_args()
    if args.procs == 1:
        run(0, args, args.port)
    else:
        mp.spawn(run, args=(args, args.port), nprocs=args.procs, join=True)


if __name__ == "__main__":
    main()
