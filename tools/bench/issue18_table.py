"""Medians over rounds and issue 18's ratios from the JSON lines tools/bench/issue18.sh wrote.

usage: python3 tools/bench/issue18_table.py OUT.jsonl
Training bounds (BENCHMARKS.md): samples/s at the FMA peak = peak GFLOP/s / (MLP 1.41, LeNet 2.5, cnn 231 MFLOP a sample).
"""
import json
import statistics
import sys

FLOP_PER_SAMPLE = {"mlp": 1.41e6, "lenet": 2.5e6, "cnn": 231e6}
rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    key = (r["bench"], r["engine"], r.get("threads"))
    value = r.get("samples_per_s", r.get("latency_us_median", r.get("gflops", r.get("max_rss_mb"))))
    if value is None and "max_rss_kb" in r:
        value = r["max_rss_kb"] / 1024
    if value is not None:
        rows.setdefault(key, []).append(value)

med = {k: statistics.median(v) for k, v in rows.items()}


def get(bench, engine, threads):
    return med.get((bench, engine, threads))


print(f"{'bench':<18} {'engine':<22} {'threads':>7} {'median':>10}  rounds")
for (bench, engine, threads), v in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)):
    print(f"{bench:<18} {engine:<22} {threads!s:>7} {statistics.median(v):>10.1f}  {', '.join(f'{x:g}' for x in v)}")

peak1, peak2 = get("fma_peak", "avx512", 1), get("fma_peak", "avx512", 2)


def ratio(name, value, target, higher=True):
    if value is None:
        print(f"{name:<78} {'(missing)':>10}")
        return
    ok = value >= target if higher else value <= target
    print(f"{name:<78} {value:>10.2f}  target {'≥' if higher else '≤'} {target:g}: {'met' if ok else 'MISSED'}")


def best(bench, engines):
    values = [get(bench, e, t) for e in engines for t in (1, 2)]
    values = [v for v in values if v is not None]
    return max(values) if values else None


def div(a, b):
    return a / b if a is not None and b else None


print()
print("issue 18 ratios (medians over rounds)")
d = lambda bench, t: get(bench, "dendrite", t)
ratio("MLP train: 2 threads / 1 thread", div(d("mlp_train", 2), d("mlp_train", 1)), 1.6)
if peak2:
    ratio("MLP train, 2 threads / two-core FMA bound", div(d("mlp_train", 2), peak2 * 1e9 / FLOP_PER_SAMPLE["mlp"]), 0.65)
if peak1:
    ratio("LeNet train, 1 thread / one-core FMA bound", div(d("lenet_train", 1), peak1 * 1e9 / FLOP_PER_SAMPLE["lenet"]), 0.5)
ratio("LeNet train, 1 thread / TorchSharp 1 thread", div(d("lenet_train", 1), get("lenet_train", "torchsharp", 1)), 2)
ratio("cnn train, 1 thread / TorchSharp's best (threads, malloc)", div(d("cnn_train", 1), best("cnn_train", ["torchsharp", "torchsharp+malloc"])), 1.5)
ratio("cnn train, Dendrite's best / TorchSharp's best (threads, malloc)", div(best("cnn_train", ["dendrite"]), best("cnn_train", ["torchsharp", "torchsharp+malloc"])), 1.5)
if peak1:
    ratio("cnn train, 1 thread / one-core FMA bound", div(d("cnn_train", 1), peak1 * 1e9 / FLOP_PER_SAMPLE["cnn"]), 0.5)
ratio("cnn batch-256 inference, 2 threads / ONNX Runtime C# 2 threads", div(d("cnn_infer_b256", 2), get("cnn_infer_b256", "onnxruntime-cs", 2)), 1.2)
ratio("cnn batch-1 latency, 1 thread / ONNX Runtime C# 1 thread", div(d("cnn_infer_b1", 1), get("cnn_infer_b1", "onnxruntime-cs", 1)), 1, higher=False)
ratio("cnn batch-1 latency, 2 threads / ONNX Runtime C# 2 threads", div(d("cnn_infer_b1", 2), get("cnn_infer_b1", "onnxruntime-cs", 2)), 1, higher=False)
if get("cnn_train_peak_rss", "torchsharp", 1) is not None:
    # Both engines measured alike (issue18.sh since 2026-12-03 afternoon): at the end of training, and the whole process.
    for t in (1, 2):
        ratio(f"cnn peak memory in training, {t} thread(s): Dendrite / TorchSharp",
              div(get("cnn_train_peak_rss", "dendrite", t), get("cnn_train_peak_rss", "torchsharp", t)), 0.5, higher=False)
        ratio(f"cnn peak memory, whole process, {t} thread(s): Dendrite / TorchSharp + ORT",
              div(get("cnn_process_peak_rss", "dendrite", t), get("cnn_process_peak_rss", "torchsharp", t)), 0.5, higher=False)
else:
    # Older files: Dendrite's own line against the anchors' whole process.
    ratio("cnn peak memory, 1 thread: Dendrite / TorchSharp", div(d("cnn_peak_rss", 1), get("cnn_peak_rss", "torchsharp", 1)), 0.5, higher=False)
ratio("cnn train, 1 thread / PyTorch 1.13's best (threads, malloc)", div(d("cnn_train", 1), best("cnn_train", ["torch", "torch+malloc"])), 1)
