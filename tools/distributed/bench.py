#!/usr/bin/python3
"""The figures of docs/distributed.md in one sitting: dendrite train (1 process with 1 and 2 threads, and
mpirun -np 2 with one thread each) beside PyTorch (torch_ddp.py: the same three set-ups, DDP over Gloo) on the
benchmark MLP and LeNet-5 (pixels in [0, 1], not standardised, as shared/BENCHMARKS.md has them), 5 epochs on
data/mnist-sample, ROUNDS interleaved rounds. Prints a JSON line per run,
then a table of medians. Build first: dotnet build -c Release src/Dendrite.Cli

  /usr/bin/python3 tools/distributed/bench.py [ROUNDS]
  /usr/bin/python3 tools/distributed/bench.py --accuracy SEEDS   (Dendrite's test accuracy, 1 and 2 processes, seeds 0..SEEDS-1)
"""
import json, os, re, statistics, subprocess, sys, tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CLI = os.path.join(ROOT, "src", "Dendrite.Cli", "bin", "Release", "net10.0", "Dendrite.Cli.dll")
DATA = os.path.join(ROOT, "data", "mnist-sample")
MPIRUN = ["mpirun", "--oversubscribe", "--allow-run-as-root", "--mca", "btl_tcp_if_include", "lo"]
SETUPS = [(1, 1), (1, 2), (2, 1)]  # (processes, threads per process)
MODELS = {"mlp": "mlp:256,128", "lenet": "lenet5"}


def dendrite(model, procs, threads, seed=0):
    with tempfile.TemporaryDirectory() as out:
        train = ["dotnet", CLI, "train", "--model", MODELS[model], "--data", DATA, "--epochs", "5", "--optimizer", "momentum",
                 "--lr", "0.05", "--batch-size", "64", "--no-standardize", "--seed", str(seed), "--out", out]
        env = dict(os.environ, DENDRITE_NUM_THREADS=str(threads))
        cmd = MPIRUN + ["-np", str(procs), "-x", "DENDRITE_NUM_THREADS"] + train if procs > 1 else train
        text = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    rates = [float(m.replace(",", "")) for m in re.findall(r"^epoch \d+/5 .*?([\d,]+) samples/s", text, re.M)]
    acc = float(re.search(r"test accuracy: ([\d.]+)", text).group(1))
    return {"engine": "dendrite", "model": model, "procs": procs, "threads": threads,
            "samples_per_s": round(statistics.median(rates)), "test_acc": acc, "epochs": 5}


def torch(model, procs, threads):
    cmd = ["/usr/bin/python3", os.path.join(ROOT, "tools", "distributed", "torch_ddp.py"), "--model", model,
           "--procs", str(procs), "--threads", str(threads), "--epochs", "5", "--data", DATA]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])


def accuracy(seeds):
    """Rounding differs between one process and two (their sums run in another order), and over 625 steps of
    SGD with momentum the two runs drift apart like two seeds do: compare them over seeds, not one run."""
    print(f"load average at the start: {os.getloadavg()}", flush=True)
    table = {}
    for model in MODELS:
        for procs in (1, 2):
            accs = []
            for seed in range(seeds):
                r = dendrite(model, procs, 1, seed)
                r["seed"] = seed
                print(json.dumps(r), flush=True)
                accs.append(r["test_acc"])
            table[model, procs] = accs
    print("\n| model | 1 process: test accuracy by seed (mean) | 2 processes (mean) | difference of the means, points |")
    print("|---|---|---|---|")
    for model in MODELS:
        one, two = table[model, 1], table[model, 2]
        print(f"| {model} | {' '.join(f'{a:.4f}' for a in one)} ({statistics.mean(one):.4f}) "
              f"| {' '.join(f'{a:.4f}' for a in two)} ({statistics.mean(two):.4f}) "
              f"| {100 * (statistics.mean(two) - statistics.mean(one)):+.2f} |")


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--accuracy":
        return accuracy(int(sys.argv[2]))
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    results = []
    print(f"load average at the start: {os.getloadavg()}", flush=True)
    for _ in range(rounds):
        for model in MODELS:
            for procs, threads in SETUPS:
                for engine in (dendrite, torch):
                    r = engine(model, procs, threads)
                    r["load"] = round(os.getloadavg()[0], 1)
                    print(json.dumps(r), flush=True)
                    results.append(r)
    print(f"load average at the end: {os.getloadavg()}")
    print("\n| model | set-up | Dendrite samples/s | PyTorch samples/s | Dendrite test acc | PyTorch test acc |")
    print("|---|---|---|---|---|---|")
    for model in MODELS:
        for procs, threads in SETUPS:
            def pick(engine, key):
                return statistics.median(r[key] for r in results
                                         if r["engine"] == engine and r["model"] == model and r["procs"] == procs and r["threads"] == threads)
            setup = f"{procs} process{'es' if procs > 1 else ''} × {threads} thread{'s' if threads > 1 else ''}"
            print(f"| {model} | {setup} | {pick('dendrite', 'samples_per_s'):,.0f} | {pick('torch', 'samples_per_s'):,.0f} "
                  f"| {pick('dendrite', 'test_acc'):.4f} | {pick('torch', 'test_acc'):.4f} |")


if __name__ == "__main__":
    main()
