"""Medians over rounds, and now/base, from the JSON lines tools/bench/before_after.sh wrote.

usage: python3 tools/bench/before_after_table.py OUT.jsonl
Higher is better for samples/s and GFLOP/s; lower is better for latency and memory (the ratio is still now/base).
"""
import json
import statistics
import sys

rows = {}
for line in open(sys.argv[1]):
    if not line.startswith("{"):
        continue
    r = json.loads(line)
    # peak_rss lines have no shape: tell them apart by the workload whose process they measured
    shape = "x".join(str(r[k]) for k in ("m", "k", "n") if k in r) or r.get("workload", "")
    if r["bench"] != "peak_rss" and "m" not in r and "n" in r:
        shape = str(r["n"])
    for metric in ("gflops", "samples_per_s", "latency_us_median", "max_rss_mb", "peak_rss_mb"):
        if metric in r:
            key = (r["bench"], shape, r.get("threads"), metric)
            rows.setdefault(key, {}).setdefault(r["build"], []).append(r[metric])

print(f"{'bench':<16} {'shape':<13} {'thr':>3} {'metric':<18} {'base':>11} {'now':>11} {'now/base':>8}  rounds base | now")
for (bench, shape, threads, metric), builds in sorted(rows.items(), key=lambda kv: tuple(str(x) for x in kv[0])):
    b, n = builds.get("base", []), builds.get("now", [])
    mb = statistics.median(b) if b else None
    mn = statistics.median(n) if n else None
    ratio = f"{mn / mb:8.3f}" if mb and mn else f"{'-':>8}"
    fmt = lambda v: f"{v:11.1f}" if v is not None else f"{'-':>11}"
    print(f"{bench:<16} {shape:<13} {threads!s:>3} {metric:<18} {fmt(mb)} {fmt(mn)} {ratio}  "
          f"{', '.join(f'{x:g}' for x in b)} | {', '.join(f'{x:g}' for x in n)}")
