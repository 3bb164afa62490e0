#!/usr/bin/env python3
"""The layer-shape study: is it better to have fewer large layers or more small ones, and what
do a cache and pre-warming change, as more nodes pull at once?

Sweeps, with `strata bench`, against a loopback docker-registry on a shaped network:
  images of 1 GB and 5 GB in 1, 4, 16 and 64 layers;
  direct, proxy-cold and proxy-prewarmed (the bench's own strata);
  1, 16 and 64 nodes; containerd's 3 layers at a time; every digest verified.

The network at full scale: the registry sends at most 1 Gbit/s (125 MB/s) in all, with a 20 ms
round trip per request; each node's link is 1 Gbit/s with a 0.5 ms round trip inside the
cluster. A full-scale run would move terabytes over loopback, so the study runs at 1/SCALE
(default 100): image sizes and round trips divided by SCALE, bandwidths kept, which divides
every modelled time by SCALE. The tables print the measured times multiplied back by SCALE. What
does not scale: this machine's own work (strata and the bench on 2 cores, about 1.5 GB/s of
verified pulls), which at 64 nodes is what the proxy strategies wait on.

Prints Markdown tables and the verdicts, and writes bench-study.html (strata bench report).
"""
import argparse
import json
import os
import subprocess
import sys

import bench_common  # noqa: F401  (puts tests/integration on the path)
from harness import STRATA, Registry, TempDir

SIZES = [("1GB", 1_000_000_000), ("5GB", 5_000_000_000)]
LAYERS = [1, 4, 16, 64]
STRATEGIES = ["direct", "proxy-cold", "proxy-prewarmed"]
NODES = [1, 16, 64]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=int, default=100, help="divide sizes and round trips by this (default 100)")
    ap.add_argument("--out", default="bench-study.html")
    args = ap.parse_args()
    k = args.scale
    shapes = ",".join("%dB:%d" % (size // k, layers) for _, size in SIZES for layers in LAYERS)
    with TempDir() as d:
        registry = Registry(d).start()
        try:
            pushed = subprocess.run([STRATA, "bench", "images", "--registry", registry.url, "--shapes", shapes,
                                     "--compressibility", "0", "--format", "json"],
                                    capture_output=True, text=True, timeout=3600)
            if pushed.returncode:
                sys.exit(pushed.stderr)
            images = json.loads(pushed.stdout)
            data = os.path.join(d, "runs")
            cmd = [STRATA, "bench", "pull", "--registry", "lab=" + registry.url, "--data-dir", data, "--run-id", "study",
                   "--strategies", ",".join(STRATEGIES), "--nodes", ",".join(map(str, NODES)), "--concurrency", "3",
                   "--upstream-bandwidth", "125MB/s", "--upstream-rtt", "%gms" % (20 / k),
                   "--node-bandwidth", "125MB/s", "--node-rtt", "%gus" % (500 / k), "--format", "json"]
            for image in images:
                cmd += ["--image", image["ref"].split("/", 1)[1]]
            run = subprocess.run(cmd, capture_output=True, text=True, timeout=7200)
            if run.returncode:
                sys.exit(run.stderr + run.stdout[-3000:])
            result = json.loads(run.stdout)
            report = subprocess.run([STRATA, "bench", "report", "--data-dir", data, "--out", args.out],
                                    capture_output=True, text=True, timeout=600)
            if report.returncode:
                sys.exit(report.stderr)
        finally:
            registry.stop()
    print_tables(result, k)


def print_tables(result, k):
    by = {}
    for t in result["trials"]:
        by[(t["image"], t["strategy"], t["nodes"])] = t
    label = {img["image"]: img for img in result["trials"]}
    print("Pull time at full scale (measured x %d), p50 / max over the nodes, seconds:\n" % k)
    print("| image | layers | " + " | ".join("%s, %d nodes" % (s, n) for n in NODES for s in STRATEGIES) + " |")
    print("|---|---|" + "---|" * (len(NODES) * len(STRATEGIES)))
    for image in sorted(label, key=lambda i: (label[i]["image_bytes"], label[i]["layers"])):
        cells = []
        for n in NODES:
            for s in STRATEGIES:
                t = by.get((image, s, n))
                cells.append("%.1f / %.1f" % (t["p50_s"] * k, t["max_s"] * k) if t and not t["failed"] else "failed")
        size = label[image]["image_bytes"] * k / 1e9
        print("| %.0f GB | %d | %s |" % (size, label[image]["layers"], " | ".join(cells)))
    print("\nRegistry egress at full scale (GB), 64 nodes:\n")
    print("| image | layers | " + " | ".join(STRATEGIES) + " |")
    print("|---|---|" + "---|" * len(STRATEGIES))
    for image in sorted(label, key=lambda i: (label[i]["image_bytes"], label[i]["layers"])):
        cells = ["%.0f" % (by[(image, s, 64)]["upstream_bytes"] * k / 1e9) for s in STRATEGIES]
        print("| %.0f GB | %d | %s |" % (label[image]["image_bytes"] * k / 1e9, label[image]["layers"], " | ".join(cells)))
    print("\nVerdicts (sizes as measured, at 1/%d; times there too):\n" % k)
    for v in result["verdicts"]:
        print("- " + v)


if __name__ == "__main__":
    main()
