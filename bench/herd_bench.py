#!/usr/bin/env python3
"""Cold thundering herd: 64 clients ask for one uncached 256 MiB blob at the same moment.

Two runs, each measured side by side with docker-registry in proxy mode:
  1. paced: the loopback upstream (strata_fault_upstream) sends at --upstream-mib-s, as a
     registry or CDN across the internet does. Here the herd/single ratio target applies.
  2. raw: Debian's docker-registry as the upstream at full loopback speed. The herd then has
     to move 64 x 256 MiB = 16 GiB through two shared cores, so its wall time is bounded by
     that fan-out, not by the upstream; the run prints the fan-out rate.
Printed: upstream blob GETs and bytes (strata vs docker-registry proxy), herd wall time as a
ratio to one client's cold pull through strata, and strata's peak RSS.
Targets: exactly 1 upstream GET; herd <= 1.5x the single cold pull; RSS < 150 MiB.
"""
import argparse
import hashlib
import re
import subprocess
import sys
import time

from bench_common import RssSampler

from fault_upstream import FaultUpstream
from harness import Registry, Strata, TempDir, push_image, sha256

MIB = 2 ** 20


def herd(url, clients):
    """Starts `clients` curl downloads at once; returns the wall time until the last finishes."""
    started = time.time()
    procs = [subprocess.Popen(["curl", "-sf", "-o", "/dev/null", url]) for _ in range(clients)]
    failures = sum(p.wait() != 0 for p in procs)
    if failures:
        raise RuntimeError("%d of %d herd downloads failed from %s" % (failures, clients, url))
    return time.time() - started


class PacedUpstream:
    """strata_fault_upstream pacing every blob body."""

    def __init__(self, workdir, mib_per_s):
        self.up = FaultUpstream(workdir).start()
        self.url = self.up.url
        self.chunk = 65536
        self.delay_ms = max(1, int(1000 * self.chunk / (mib_per_s * MIB)))

    def add(self, blob):
        digest = self.up.add_blob(blob)
        self.up.add_fault(digest, "trickle", chunk=self.chunk, delay_ms=self.delay_ms)
        return digest

    def gets(self, digest):
        return self.up.blob_gets(digest), None

    def stop(self):
        self.up.stop()


class RawUpstream:
    """Debian's docker-registry at full loopback speed."""

    def __init__(self, workdir):
        self.reg = Registry(workdir).start()
        self.url = self.reg.url

    def add(self, blob):
        push_image(self.reg, "bench/herd", sha256(blob)[7:19], [blob])
        return sha256(blob)

    def gets(self, digest):
        with open(self.reg.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        lines = re.findall(r'"GET /v2/[^ ]*/blobs/%s HTTP/1.1" (\d+) (\d+)' % re.escape(digest), text)
        return len(lines), sum(int(b) for status, b in lines if status == "200")

    def stop(self):
        self.reg.stop()


def run(name, workdir, upstream, clients, blob_mib):
    single = hashlib.shake_256(b"single-" + name.encode()).digest(blob_mib * MIB)
    crowd = hashlib.shake_256(b"crowd-" + name.encode()).digest(blob_mib * MIB)
    single_digest, crowd_digest = upstream.add(single), upstream.add(crowd)
    strata = Strata(workdir, {"upstream.test": upstream.url}, extra_args=["--log-level", "info"]).start()
    single_time = herd("%s/v2/upstream.test/bench/herd/blobs/%s" % (strata.url, single_digest), 1)
    with RssSampler(strata.proc.pid) as rss:
        herd_time = herd("%s/v2/upstream.test/bench/herd/blobs/%s" % (strata.url, crowd_digest), clients)
    strata_gets, strata_bytes = upstream.gets(crowd_digest)
    strata.stop()

    proxy = Registry(workdir, proxy_remote=upstream.url).start()
    proxy_time = herd("%s/v2/bench/herd/blobs/%s" % (proxy.url, crowd_digest), clients)
    total_gets, total_bytes = upstream.gets(crowd_digest)
    proxy.stop()

    def fmt_bytes(b, gets):
        return "%8.0f MiB" % ((b if b is not None else gets * blob_mib * MIB) / MIB)
    print("%s: %d clients, one uncached %d MiB blob" % (name, clients, blob_mib))
    print("  %-22s %4d upstream GETs %s from upstream   herd %6.2f s" %
          ("strata", strata_gets, fmt_bytes(strata_bytes, strata_gets), herd_time))
    proxy_bytes = None if total_bytes is None else total_bytes - strata_bytes
    print("  %-22s %4d upstream GETs %s from upstream   herd %6.2f s" %
          ("docker-registry proxy", total_gets - strata_gets, fmt_bytes(proxy_bytes, total_gets - strata_gets), proxy_time))
    print("  strata single cold pull %.2f s; herd / single %.2fx (target <= 1.5x); fan-out %.0f MiB/s" %
          (single_time, herd_time / single_time, clients * blob_mib / herd_time))
    print("  strata upstream GETs %d (target exactly 1); peak RSS %.1f MiB (target < 150 MiB)" % (strata_gets, rss.peak_mib))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--blob-mib", type=int, default=256)
    parser.add_argument("--upstream-mib-s", type=float, default=20.0, help="paced upstream bandwidth")
    args = parser.parse_args()
    with TempDir() as d:
        paced = PacedUpstream(d, args.upstream_mib_s)
        run("paced upstream (%.0f MiB/s)" % args.upstream_mib_s, d, paced, args.clients, args.blob_mib)
        paced.stop()
    with TempDir() as d:
        raw = RawUpstream(d)
        run("raw loopback docker-registry upstream", d, raw, args.clients, args.blob_mib)
        raw.stop()


if __name__ == "__main__":
    sys.exit(main())
