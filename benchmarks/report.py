#!/usr/bin/env python3
"""Turns benchmarks/target/jmh-t1.json and jmh-t2.json into the Markdown tables of
docs/benchmarks.md: scores with their JMH error, bytes per operation, and the ratios the targets
are stated in (picker / floor from the same run; growth from 10 to 1,000 nodes)."""
import json
import sys
from pathlib import Path

target = Path(__file__).parent / "target"


def load(name):
    path = target / name
    if not path.exists():
        return []
    rows = []
    for b in json.loads(path.read_text()):
        m = b["primaryMetric"]
        alloc = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score")
        rows.append({
            "bench": b["benchmark"].split(".")[-2] + "." + b["benchmark"].split(".")[-1],
            "params": b.get("params", {}),
            "score": m["score"], "error": m["scoreError"], "unit": m["scoreUnit"],
            "alloc": alloc, "threads": b["threads"],
        })
    return rows


def find(rows, bench, **params):
    for r in rows:
        if r["bench"] == bench and all(r["params"].get(k) == str(v) for k, v in params.items()):
            return r
    return None


def fmt(r):
    if r is None:
        return "-"
    err = r["error"]
    err_s = "" if err != err else f" ± {err:.1f}"  # NaN check
    return f"{r['score']:.1f}{err_s}"


def alloc(r):
    if r is None or r["alloc"] is None:
        return "-"
    return f"{r['alloc']:.0f}" if r["alloc"] >= 0.5 else "0"


def pickers(rows, title):
    out = [f"### {title}", "",
           "| strategy | nodes | ns/op | B/op | floor | floor ns/op | ratio |",
           "|---|---|---|---|---|---|---|"]
    floors = {"round-robin": "atomicRoundRobin", "weighted-round-robin": "atomicRoundRobin",
              "random": "threadLocalRandomIndex", "least-requests": "twoRandomChoices",
              "peak-ewma": "twoRandomChoices"}
    for s in floors:
        for n in (10, 100, 1000):
            r = find(rows, "PickerBenchmark.pick", strategy=s, nodes=n)
            f = find(rows, "PickFloorBenchmark." + floors[s], nodes=n)
            ratio = f"{r['score'] / f['score']:.2f}" if r and f else "-"
            out.append(f"| {s} | {n} | {fmt(r)} | {alloc(r)} | {floors[s]} | {fmt(f)} | {ratio} |")
    out.append("")
    out.append("| strategy | growth 10 → 1,000 nodes |")
    out.append("|---|---|")
    for s in floors:
        a = find(rows, "PickerBenchmark.pick", strategy=s, nodes=10)
        b = find(rows, "PickerBenchmark.pick", strategy=s, nodes=1000)
        out.append(f"| {s} | {b['score'] / a['score']:.2f}× |" if a and b else f"| {s} | - |")
    return out


def simple(rows, bench_prefix, title, keys):
    out = [f"### {title}", "", "| " + " | ".join(keys) + " | score | unit | B/op |",
           "|" + "---|" * (len(keys) + 3)]
    for r in rows:
        if r["bench"].startswith(bench_prefix):
            vals = [r["params"].get(k, r["bench"].split(".")[-1]) if k != "benchmark"
                    else r["bench"].split(".")[-1] for k in keys]
            out.append("| " + " | ".join(vals) + f" | {fmt(r)} | {r['unit']} | {alloc(r)} |")
    return out


t1 = load("jmh-t1.json")
t2 = load("jmh-t2.json")
lines = []
lines += pickers(t1, "Picker alone, 1 thread")
lines += [""] + pickers(t2, "Picker alone, 2 threads")
lines += [""] + simple(t1, "LeaseBenchmark", "lb.pick + lease close, 1 thread",
                       ["benchmark", "strategy", "nodes"])
lines += [""] + simple(t2, "LeaseBenchmark", "lb.pick + lease close, 2 threads",
                       ["benchmark", "strategy", "nodes"])
lines += [""] + simple(t1, "MembershipUpdateBenchmark", "Membership update, 10,000 nodes",
                       ["benchmark", "strategy"])
lines += [""] + simple(t1, "HashPickBenchmark", "Pick by key, hashing included", ["strategy", "nodes"])
lines += [""] + simple(t1, "HashBuildBenchmark", "Ring / table build", ["strategy", "nodes"])
lines += [""] + simple(t1, "InterceptorIsolationBenchmark", "Interceptor in isolation (fake chain)",
                       ["benchmark"])
lines += [""] + simple(t1, "InterceptorOverheadBenchmark",
                       "Interceptor in a whole OkHttp call (no I/O)", ["benchmark"])
lines += [""] + simple(t1, "LoopbackCallBenchmark", "End to end on loopback", ["benchmark"])
print("\n".join(lines))
