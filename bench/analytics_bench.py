#!/usr/bin/env python3
"""strata analyze: the whole study in one pass, and similarity with clustering at scale.

1. Imports all of ../shared/data (event logs and manifest bundles) and computes every
   analysis by writing the HTML report, --runs times; prints the median. Target (issue
   "strata analytics"): under 2 s, and at least 3x faster than the peer. The peer is a plain Python pass over the same files doing
   only the pull totals and layer reuse (json.loads per line, as the study's scripts did),
   measured in the same run: the ratio says how much more strata does per second.
2. strata_similarity_bench: both Jaccard matrices and average-linkage clustering of 2,000
   seeded synthetic images over a 40,000-layer universe (published layer-count, layer-size
   and reuse distributions; mean Jaccard printed beside the published 0.0026). Target: under
   5 s and 1 GiB RSS. Then 20,000 images over 400,000 layers, time printed.
3. Survey scale (issue "survey scale"): the top-k method (each image's 20 most similar
   through an inverted index, average linkage on that graph) on 300,000 synthetic images
   with the survey's ratio of distinct layers to images (about 2 per image) and the empty
   layer in 26 % of them. Target: under 60 s and 4 GiB. Beside it, 20,000 such images by
   both methods, for the ratio. And sizes, trends, reuse and hygiene over 300,000 such images
   in 1,521 repositories (the survey's), each layer with a build step. Target: under 30 s, 4 GiB.
"""
import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import bench_common  # noqa: F401 (puts tests/integration on the path)
from harness import REPO_ROOT, STRATA

PATTERN = "{cloud}/{env}/{node_type}/size{size}/times/*"
SIMILARITY_BENCH = os.environ.get("STRATA_SIMILARITY_BENCH",
                                  os.path.join(os.path.dirname(STRATA), "bench", "strata_similarity_bench"))


def python_peer(data):
    """Pull totals per path group and layer reuse, the straightforward way."""
    seen, totals = set(), {}
    for d, _, files in os.walk(os.path.join(data, "k8s-events")):
        for name in sorted(files):
            with gzip.open(os.path.join(d, name), "rt", errors="replace") as f:
                for line in f:
                    try:
                        e = json.loads(line)
                    except ValueError:
                        continue
                    uid = isinstance(e, dict) and e.get("metadata", {}).get("uid")
                    if not uid or uid in seen:
                        continue
                    seen.add(uid)
                    if e.get("reason") == "Pulled":
                        totals[d] = totals.get(d, 0) + 1
    users = {}
    for d, _, files in os.walk(os.path.join(data, "manifests")):
        if "manifests-config-layers.json" in files:
            with open(os.path.join(d, "manifests-config-layers.json")) as f:
                for m in json.load(f)["manifests"].values():
                    for digest in {l["digest"] for l in m.get("layers", [])}:
                        users[digest] = users.get(digest, 0) + 1
    return totals, users


def timed(fn, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def study(data, runs):
    with tempfile.TemporaryDirectory() as d:
        prices = os.path.join(d, "prices.json")
        with open(prices, "w") as f:
            json.dump({"nodes": [{"match": {"cloud": "aws"}, "per_hour": 2.88}, {"match": {"cloud": "google"}, "per_hour": 11.27}]}, f)
        cmd = [STRATA, "analyze", "report", "--out", os.path.join(d, "report.html"), "--images",
               os.path.join(data, "manifests"), "--events", os.path.join(data, "k8s-events"), "--labels", PATTERN,
               "--group-by", "cloud,env,node_type", "--prices", prices]

        def run():
            subprocess.run(cmd, check=True, capture_output=True)

        strata_s = timed(run, runs)
        peer_s = timed(lambda: python_peer(data), runs)
    print("study: every analysis over %s" % data)
    print("  strata analyze report  median %.3f s over %d runs (target < 2 s): %s"
          % (strata_s, runs, "met" if strata_s < 2 else "NOT met"))
    print("  python pull totals + reuse only  median %.3f s; strata does all of it in %.2fx the time"
          % (peer_s, strata_s / peer_s))


def similarity(images, layers, *extra):
    out = subprocess.run([SIMILARITY_BENCH, "--images", str(images), "--layers", str(layers), *extra], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def timed_analysis(*args):
    """(seconds, peak RSS bytes) of one `strata analyze` run, from wait4's rusage."""
    start = time.perf_counter()
    proc = subprocess.Popen([STRATA, "analyze", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("strata analyze %s failed: %s" % (" ".join(args), proc.stderr.read().decode()))
    return seconds, usage.ru_maxrss * 1024


def saved_survey(survey):
    """300k images saved into a data directory, then each summary analysis streamed from it."""
    with tempfile.TemporaryDirectory(prefix="strata-bench-") as tmp:
        data = os.path.join(tmp, "data")
        similarity(300000, 620000, *survey, "--repositories", "1521", "--method", "save", "--data-dir", data)
        runs = {name: timed_analysis(name, "--data-dir", data)
                for name in ("sizes", "trends", "reuse", "hygiene")}
        total = sum(s for s, _ in runs.values())
        peak = max(r for _, r in runs.values())
        index_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(data) for f in fs)
        ok = total < 30 and peak < 4 * 2 ** 30
        print("300,000 survey-like images saved in a data directory (index %.0f MiB), read back one at a time by "
              "`strata analyze --data-dir`: %s; together %.1f s, peak RSS %.0f MiB (target < 30 s and < 4096 MiB): %s"
              % (index_bytes / 2 ** 20, ", ".join("%s %.1f s %.0f MiB" % (n, s, r / 2 ** 20) for n, (s, r) in runs.items()),
                 total, peak / 2 ** 20, "met" if ok else "NOT met"))


def survey_scale(skip_300k):
    survey = ("--empty-layer-percent", "26")
    dense = similarity(20000, 41000, *survey, "--method", "dense")
    topk = similarity(20000, 41000, *survey, "--method", "topk")
    print("20,000 survey-like images: dense %.2f s, %.0f MiB; top-20 %.2f s, %.0f MiB: top-k %.1fx faster, %.1fx less memory"
          % (dense["seconds"], dense["peak_rss_bytes"] / 2 ** 20, topk["seconds"], topk["peak_rss_bytes"] / 2 ** 20,
             dense["seconds"] / topk["seconds"], dense["peak_rss_bytes"] / topk["peak_rss_bytes"]))
    if skip_300k:
        return
    summary = similarity(300000, 620000, *survey, "--repositories", "1521", "--method", "summary")
    ok = summary["seconds"] < 30 and summary["peak_rss_bytes"] < 4 * 2 ** 30
    print("300,000 survey-like images in 1,521 repositories: sizes, trends, reuse and hygiene %.1f s, peak RSS %.0f MiB "
          "(target < 30 s and < 4096 MiB): %s" % (summary["seconds"], summary["peak_rss_bytes"] / 2 ** 20,
                                                  "met" if ok else "NOT met"))
    saved_survey(survey)
    big = similarity(300000, 620000, *survey, "--method", "topk")
    ok = big["seconds"] < 60 and big["peak_rss_bytes"] < 4 * 2 ** 30
    print("300,000 survey-like images (%(distinct_layers)d distinct layers, %(layer_references)d references): " % big +
          "top-20 and clustering %.1f s, peak RSS %.0f MiB, %d pairs verified (target < 60 s and < 4096 MiB): %s"
          % (big["seconds"], big["peak_rss_bytes"] / 2 ** 20, big["verified_pairs"], "met" if ok else "NOT met"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(REPO_ROOT, "..", "shared", "data"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-20k", action="store_true", help="skip the 20,000-image dense runs (~20 s, ~2.5 GB each)")
    parser.add_argument("--skip-300k", action="store_true", help="skip the 300,000-image top-k run (~50 s, ~2 GB)")
    args = parser.parse_args()
    if os.path.isdir(args.data):
        study(args.data, args.runs)
    else:
        print("study: %s not found; skipped (--data DIR)" % args.data)
    small = similarity(2000, 40000)
    print("similarity: %(images)d images, %(distinct_layers)d distinct layers of a %(layer_universe)d-layer universe, "
          "mean Jaccard %(mean_jaccard).4f (published 0.0026), %(clusters)d clusters" % small)
    ok = small["seconds"] < 5 and small["peak_rss_bytes"] < 2 ** 30
    print("  %.3f s, peak RSS %.0f MiB (target < 5 s and < 1024 MiB): %s"
          % (small["seconds"], small["peak_rss_bytes"] / 2 ** 20, "met" if ok else "NOT met"))
    if not args.skip_20k:
        big = similarity(20000, 400000)
        print("similarity: %(images)d images, %(distinct_layers)d distinct layers: " % big +
              "%.2f s, peak RSS %.0f MiB" % (big["seconds"], big["peak_rss_bytes"] / 2 ** 20))
        survey_scale(args.skip_300k)
    return 0


if __name__ == "__main__":
    sys.exit(main())
