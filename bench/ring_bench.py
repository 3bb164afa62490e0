#!/usr/bin/env python3
"""Replicas on a consistent-hash ring: 3 strata behind haproxy (deploy/ring/haproxy-front.sh)
against 1 strata, on the same cold herd.

Everything on 127.0.0.1. The upstream (strata_fault_upstream) paces every blob body at
--upstream-mib-s, as a registry across the internet does. The herd: --clients curl downloads at
once, client i asking for blob i mod --blobs (each --blob-mib MiB) under one of 4 repositories.
Printed:
  - upstream GETs of whole blobs for the herd through the ring and through one strata
    (target: exactly --blobs for both);
  - herd wall time through the ring as a ratio to one strata;
  - each replica's share of the blobs' bytes;
  - hot blob throughput (wrk, one cached blob) through the front as a ratio to one strata
    asked directly (target >= 0.8x): with every process sharing every CPU, and with haproxy on
    a CPU of its own (on a cluster the front runs on machines of its own; here, sharing the
    CPUs, every byte the front splices costs the replica and wrk their CPU time);
  - failover: a second cold herd through the ring, one replica killed with SIGKILL once every
    blob is mid-transfer; the share of pulls that complete with the right bytes (target 100 %).
    Clients resume a cut download with Range (curl -C -), as containerd does.
"""
import argparse
import hashlib
import os
import subprocess
import sys
import threading
import time

from bench_common import wrk

from fault_upstream import FaultUpstream
from harness import Strata, TempDir, wait_for
from ring import Ring

MIB = 2 ** 20
UPSTREAM = "registry.test"


def blob_path(client, digest):
    return "/v2/%s/team/app-%d/blobs/%s" % (UPSTREAM, client % 4, digest)


def herd(base_url, digests, clients, outdir):
    """clients curl downloads at once, each into a file, resuming on errors; returns (wall time,
    {client: file})."""
    os.makedirs(outdir, exist_ok=True)
    started = time.time()
    procs = {}
    for i in range(clients):
        path = os.path.join(outdir, "client-%d" % i)
        procs[i] = (path, subprocess.Popen(
            ["curl", "-sf", "--retry", "8", "--retry-all-errors", "--retry-delay", "0", "-C", "-", "-o", path,
             base_url + blob_path(i, digests[i % len(digests)])]))
    for _, p in procs.values():
        p.wait()
    return time.time() - started, {i: path for i, (path, _) in procs.items()}


def correct(files, digests):
    """How many of the downloaded files hold their blob; removes them."""
    good = 0
    for i, path in files.items():
        h = hashlib.sha256()
        if os.path.exists(path):
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(MIB), b""):
                    h.update(chunk)
            os.unlink(path)
        good += "sha256:" + h.hexdigest() == digests[i % len(digests)]
    return good


def whole_gets(upstream, digests):
    wanted = set("/blobs/" + d for d in digests)
    return sum(1 for r in upstream.requests()
               if r["method"] == "GET" and not r["range"] and any(r["target"].endswith(w) for w in wanted))


def add_blobs(upstream, count, size, seed, mib_s):
    digests = []
    chunk = 65536
    for i in range(count):
        digest = upstream.add_blob(hashlib.shake_256(b"%s-%d" % (seed.encode(), i)).digest(size))
        if mib_s:
            upstream.add_fault(digest, "trickle", chunk=chunk, delay_ms=max(1, int(1000 * chunk / (mib_s * MIB))))
        digests.append(digest)
    return digests


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--blobs", type=int, default=20)
    parser.add_argument("--blob-mib", type=int, default=64)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--upstream-mib-s", type=float, default=50.0, help="paced upstream bandwidth per blob")
    parser.add_argument("--seconds", type=int, default=10, help="length of each hot-blob wrk run")
    parser.add_argument("--shared-cpus", action="store_true",
                        help="measure the hot blob only with every process on every CPU")
    args = parser.parse_args()
    size = args.blob_mib * MIB
    with TempDir() as d:
        upstream = FaultUpstream(d).start()
        try:
            run(args, d, upstream, size)
        finally:
            upstream.stop()


def run(args, d, upstream, size):
    print("%d clients over %d cold blobs of %d MiB, upstream paced at %.0f MiB/s per blob" %
          (args.clients, args.blobs, args.blob_mib, args.upstream_mib_s))
    single_digests = add_blobs(upstream, args.blobs, size, "single", args.upstream_mib_s)
    single = Strata(os.path.join(d, "single") + "/", {UPSTREAM: upstream.url}, extra_args=["--log-level", "info"])
    os.makedirs(single.workdir)
    single.start()
    single_time, files = herd(single.url, single_digests, args.clients, os.path.join(d, "out"))
    single_ok = correct(files, single_digests)
    single_gets = whole_gets(upstream, single_digests)

    ring_digests = add_blobs(upstream, args.blobs, size, "ring", args.upstream_mib_s)
    ring = Ring(d, {UPSTREAM: upstream.url}, args.replicas, extra_args=["--log-level", "info"]).start()
    try:
        ring_time, files = herd(ring.front.url, ring_digests, args.clients, os.path.join(d, "out"))
        ring_ok = correct(files, ring_digests)
        ring_gets = whole_gets(upstream, ring_digests)
        held = [sum(1 for digest in ring_digests if ring.holds(digest) == [i]) for i in range(args.replicas)]
        print("  %-28s upstream GETs %3d (target %d)  herd %6.2f s  %d/%d pulls correct" %
              ("1 strata", single_gets, args.blobs, single_time, single_ok, args.clients))
        print("  %-28s upstream GETs %3d (target %d)  herd %6.2f s  %d/%d pulls correct" %
              ("%d replicas behind haproxy" % args.replicas, ring_gets, args.blobs, ring_time, ring_ok, args.clients))
        print("  herd ring / single %.2fx; blobs held per replica %s (an even share is %.1f each)" %
              (ring_time / single_time, held, args.blobs / args.replicas))

        hot_blob(args, ring, ring_digests[0])
        failover(args, d, upstream, ring, size)
    finally:
        ring.stop()
        single.stop()


def hot_blob(args, ring, hot):
    """wrk on one cached blob, through the front and from its replica directly: first with every
    process on every CPU, then with the front on a CPU of its own (as on a cluster, where it runs
    on machines of its own) and wrk and the replicas on the others."""
    owner = ring.replicas[ring.holds(hot)[0]]
    cpus = sorted(os.sched_getaffinity(0))
    layouts = [("every process on every CPU", None)]
    if len(cpus) >= 2 and not args.shared_cpus:
        layouts.append(("haproxy on CPU %d, wrk and strata on CPU %s" % (cpus[-1], ",".join(map(str, cpus[:-1]))),
                        cpus[:-1]))
    for label, rest in layouts:
        pin(ring.front.proc.pid, [cpus[-1]] if rest else cpus)
        for r in ring.replicas:
            pin(r.proc.pid, rest or cpus)
        threads = len(rest) if rest else 2
        _, front_bps, _ = wrk(ring.front.url + blob_path(0, hot), 4, args.seconds, threads=threads, cpus=rest)
        _, direct_bps, _ = wrk(owner.url + blob_path(0, hot), 4, args.seconds, threads=threads, cpus=rest)
        print("  hot blob, %s: through the front %.0f MiB/s, one strata direct %.0f MiB/s: %.2fx (target >= 0.8x)" %
              (label, front_bps / MIB, direct_bps / MIB, front_bps / direct_bps))
    pin(ring.front.proc.pid, cpus)
    for r in ring.replicas:
        pin(r.proc.pid, cpus)


def pin(pid, cpus):
    """Every thread of process pid onto cpus."""
    for task in os.listdir("/proc/%d/task" % pid):
        os.sched_setaffinity(int(task), cpus)


def failover(args, d, upstream, ring, size):
    # Unpaced: every blob's upstream response stops after 1 MiB until replica-1 is dead.
    digests = add_blobs(upstream, args.blobs, size, "failover", None)
    upstream.add_fault("/blobs/", "serve", hold_after_bytes=MIB)
    result = {}

    def run_herd():
        result["time"], result["files"] = herd(ring.front.url, digests, args.clients, os.path.join(d, "failover"))
    t = threading.Thread(target=run_herd)
    t.start()
    wait_for(lambda: upstream.held() >= args.blobs, what="every blob mid-transfer")
    ring.replicas[1].stop(sig=9)
    upstream.clear_faults()
    upstream.release()
    t.join()
    ok = correct(result["files"], digests)
    print("  failover: replica-1 killed with SIGKILL mid-herd; %d/%d pulls complete and correct (%.0f %%, target 100 %%)"
          % (ok, args.clients, 100.0 * ok / args.clients))


if __name__ == "__main__":
    sys.exit(main())
