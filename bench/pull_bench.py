#!/usr/bin/env python3
"""strata bench pull, measured: the harness must never be the bottleneck.

Pushes one image with `strata bench images` into a loopback docker-registry, warms a strata
with it, then prints from one run on this machine:
  - unshaped loopback pulls of the warm image through strata by N simulated nodes (`--unpack
    none`, every digest verified): GB/s the one bench process drives and its CPU seconds per GB
    pulled (target >= 2 GB/s), against curl fetching the same blobs with the same number of
    connections and verifying nothing (the peer: what the machine gives a plain HTTP client);
  - 256 simulated nodes pulling a small image at once: the bench's peak RSS (target < 512 MiB),
    and the same with gzip and with zstd layers decompressed as they stream.
The bench talks to a strata it did not start (--proxy), so its CPU time and RSS are its own.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import bench_common  # noqa: F401  (puts tests/integration on the path)
from harness import STRATA, Registry, Strata, TempDir as Tmp, http

UPSTREAM = "upstream.test"


def run(cmd, **kw):
    out = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if out.returncode != 0:
        sys.exit("%s failed:\n%s" % (" ".join(cmd[:3]), out.stderr[-2000:]))
    return out


def push(registry, shapes, compression="gzip"):
    out = run([STRATA, "bench", "images", "--registry", registry.url, "--shapes", shapes, "--compression", compression,
               "--format", "json"], timeout=1800)
    return {i["shape"]: i for i in json.loads(out.stdout)}


def bench_pull(strata, registry, image, nodes, concurrency="3", unpack="none"):
    """One proxy-warm trial by the bench process alone; (trial, CPU seconds, peak RSS MiB)."""
    cmd = [STRATA, "bench", "pull", "--registry", UPSTREAM + "=" + registry.url, "--proxy", strata.url, "--image", image,
           "--strategies", "proxy-warm", "--nodes", str(nodes), "--concurrency", concurrency, "--unpack", unpack,
           "--format", "json"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own CPU time and peak RSS
        out.seek(0), err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit("strata bench pull failed:\n%s" % err.read()[-2000:])
        trial = json.loads(out.read())["trials"][0]
    if trial["failed"]:
        sys.exit("the trial failed: %s" % trial["error"])
    return trial, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def curl_peer(strata, image, nodes):
    """Every node's blobs fetched by curl at once (no verification): bytes/s."""
    repo, tag = image.rsplit(":", 1)
    accept = "application/vnd.oci.image.manifest.v1+json"
    manifest = http("GET", "%s/v2/%s/%s/manifests/%s" % (strata.url, UPSTREAM, repo, tag), headers={"Accept": accept}).json()
    urls = ["%s/v2/%s/%s/blobs/%s" % (strata.url, UPSTREAM, repo, l["digest"]) for l in manifest["layers"]]
    size = sum(l["size"] for l in manifest["layers"])
    start = time.monotonic()
    outputs = [arg for url in urls for arg in ("-o", "/dev/null", url)]
    procs = [subprocess.Popen(["curl", "-s", "--parallel", "--parallel-max", "3"] + outputs, stderr=subprocess.DEVNULL)
             for _ in range(nodes)]
    for p in procs:
        p.wait()
    return nodes * size / (time.monotonic() - start)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shape", default="1GB:8", help="the image pulled for throughput (default 1GB:8)")
    ap.add_argument("--nodes", type=int, default=4, help="nodes pulling it at once (default 4)")
    ap.add_argument("--rounds", type=int, default=3, help="throughput runs; the best is kept (default 3)")
    args = ap.parse_args()
    with Tmp() as d:
        registry = Registry(d).start()
        strata = Strata(d, {UPSTREAM: registry.url}, extra_args=["--log-level", "info"]).start()
        try:
            images = push(registry, args.shape + ",16MB:4")
            big = images[args.shape]["ref"].split("/", 1)[1]
            small = images["16MB:4"]["ref"].split("/", 1)[1]
            bench_pull(strata, registry, big, 1)  # warms strata's cache and page cache
            best = None
            for _ in range(args.rounds):
                trial, cpu, _ = bench_pull(strata, registry, big, args.nodes)
                rate = trial["received_bytes"] / trial["wall_s"]
                # The process pulled the image once more before the timed pulls, to warm strata.
                pulled = trial["received_bytes"] + trial["image_bytes"]
                if not best or rate > best[0]:
                    best = (rate, cpu / (pulled / 1e9))
            peer = max(curl_peer(strata, big, args.nodes) for _ in range(args.rounds))
            print("harness: %d nodes pulling %s (%s) through strata, unshaped, every digest verified" %
                  (args.nodes, args.shape, big))
            print("  bench %.2f GB/s, %.2f CPU s per GB pulled; curl (no verification) %.2f GB/s: %.2fx curl"
                  " (target >= 2 GB/s)" % (best[0] / 1e9, best[1], peer / 1e9, best[0] / peer))
            bench_pull(strata, registry, small, 1)
            trial, cpu, rss = bench_pull(strata, registry, small, 256, concurrency="3")
            print("256 nodes pulling 16MB:4 at once: peak RSS of the bench %.0f MiB (target < 512 MiB),"
                  " p50 %.2f s, max %.2f s" % (rss, trial["p50_s"], trial["max_s"]))
            zstd = push(registry, "16MB:4", "zstd")["16MB:4"]["ref"].split("/", 1)[1]
            for compression, image in (("gzip", small), ("zstd", zstd)):
                bench_pull(strata, registry, image, 1)
                trial, cpu, rss = bench_pull(strata, registry, image, 256, unpack="decompress")
                print("  the same, %s layers decompressed as they stream: peak RSS %.0f MiB" % (compression, rss))
        finally:
            strata.stop()
            registry.stop()


if __name__ == "__main__":
    main()
