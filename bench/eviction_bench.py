#!/usr/bin/env python3
"""Cost of eviction on the hot path: p99 of hot manifest requests while 10k new blobs are
inserted into a full store of 100k small blobs, with eviction on vs a run without a budget.

Both runs start from copies of the same store (--blobs files adopted into the index at start,
as after a crash) and the same upstream (strata_fault_upstream holding --inserts new blobs).
During each run a loader pulls the new blobs through strata while wrk measures hot manifest
by digest. With eviction, the budget sits just above the store so every ~1% of inserts
triggers a run that evicts ~1% of the store. Target (issue "a cache that stays within its
disk"): p99 with eviction <= 2x p99 without.
"""
import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import threading

from bench_common import wrk

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, Strata, TempDir, counter, http, metric_samples

BLOB_BYTES = 1024


def build_store(data_dir, blobs):
    for i in range(blobs):
        data = hashlib.shake_256(b"evict-store-%d" % i).digest(BLOB_BYTES)
        hexdigest = hashlib.sha256(data).hexdigest()
        path = os.path.join(data_dir, "blobs", "sha256", hexdigest[:2], hexdigest)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return blobs * BLOB_BYTES


def seconds(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0}[unit]


def measure(workdir, name, template, upstream, digests, storage, seconds_):
    data_dir = os.path.join(workdir, name)
    shutil.copytree(template, data_dir)
    strata = Strata(workdir, {"fault.test": upstream.url}, data_dir=data_dir, config={"storage": storage},
                    extra_args=["--log-level", "info", "--no-events"]).start()
    manifest = "%s/v2/fault.test/bench/app/manifests/v1" % strata.url
    digest = http("GET", manifest, headers={"Accept": OCI_MANIFEST}).header("Docker-Content-Digest")
    url = "%s/v2/fault.test/bench/app/manifests/%s" % (strata.url, digest)
    pending = list(digests)
    inserted = []
    lock = threading.Lock()

    def load():  # 8 of these: each insert waits on an fsync, so one loader alone is slow
        while True:
            with lock:
                if not pending:
                    return
                d = pending.pop()
            assert http("GET", "%s/v2/fault.test/bench/app/blobs/%s" % (strata.url, d)).status == 200
            with lock:
                inserted.append(d)
    loaders = [threading.Thread(target=load) for _ in range(8)]
    for t in loaders:
        t.start()
    rps, _, p99 = wrk(url, 8, seconds_, ["Accept: " + OCI_MANIFEST], threads=1)
    during = len(inserted)
    for t in loaders:
        t.join()
    samples = metric_samples(http("GET", strata.url + "/metrics").body.decode())
    strata.stop()
    return seconds(p99), rps, during, counter(samples, "strata_evictions_total")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blobs", type=int, default=100_000)
    parser.add_argument("--inserts", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=30, help="wrk's run; inserts go on meanwhile")
    args = parser.parse_args()
    with TempDir() as d:
        template = os.path.join(d, "template")
        store_bytes = build_store(template, args.blobs)
        Strata(d, {}, data_dir=template, extra_args=["--log-level", "info"]).start().stop()  # adopt into the index
        upstream = FaultUpstream(d).start()
        digests = [upstream.add_blob(hashlib.shake_256(b"evict-new-%d" % i).digest(BLOB_BYTES))
                   for i in range(args.inserts)]
        upstream.add_manifest("bench/app", "v1", b'{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":'
                              b'"application/vnd.oci.image.config.v1+json","digest":"%s","size":1024},"layers":[]}'
                              % (OCI_MANIFEST.encode(), digests[0].encode()))
        budget = {"max_bytes": int(store_bytes / 0.99), "high_watermark": 0.99, "low_watermark": 0.98}
        runs = {}
        for name, storage in (("no eviction", {}), ("eviction", budget)):
            runs[name] = measure(d, name.replace(" ", "-"), template, upstream, digests, storage, args.seconds)
        upstream.stop()
        print("store of %d blobs (%d MiB), %d blobs inserted during the run, hot manifest by digest wrk -c8"
              % (args.blobs, store_bytes >> 20, args.inserts))
        for name, (p99, rps, during, evictions) in runs.items():
            print("  %-12s p99 %7.2f ms  %8.0f req/s  inserts during wrk %6d  evictions %d"
                  % (name, p99 * 1e3, rps, during, evictions))
        print("  p99 eviction / no eviction: %.2f (target <= 2)" % (runs["eviction"][0] / runs["no eviction"][0]))


if __name__ == "__main__":
    sys.exit(main())
