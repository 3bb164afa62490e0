#!/usr/bin/env python3
"""Robustness under attack: memory that upstream data can grow, idle connections, and their cost.

One run, everything on 127.0.0.1, strata against strata_fault_upstream:
  1. Memory attacks, each on a fresh strata with its configured budget; peak RSS is sampled and
     printed beside budget + baseline (the RSS of an idle strata) + 64 MiB (target: within it):
       - tokens: 300 repositories, each getting a 16 KB bearer token (bigger ones are refused);
       - manifests: 60 manifests of 3.9 MiB pulled by tag;
       - tag lists: 25 repositories of 150,000 tags;
       - deep JSON: four parallel 8 MB nested arrays served as tag lists, and 3.9 MB ones as
         manifests.
  2. 10,000 idle client connections held open, then 200 normal pulls: the share that succeed
     (target 100 %).
  3. Hot manifest requests/s (wrk) with 5,000 idle connections open, as a ratio to none
     (target >= 0.9).
"""
import argparse
import concurrent.futures
import json
import resource
import socket
import sys

from bench_common import RssSampler, wrk

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, Strata, TempDir, http, sha256

MIB = 1 << 20
SLACK_MIB = 64


def manifest_of(size, seed):
    """An OCI manifest of about `size` bytes (padded with an annotation), with no real layers."""
    config = "sha256:" + ("%064x" % seed)
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config, "size": 2},
           "layers": [], "annotations": {"pad": "x" * max(0, size - 300)}}
    return json.dumps(doc).encode()


def parallel(jobs, fn, workers=16):
    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(fn, jobs))


class Attack:
    def __init__(self, name, budget_mib, config, upstream_args=None):
        self.name, self.budget_mib, self.config, self.upstream_args = name, budget_mib, config, upstream_args or {}

    def run(self, prepare, attack):
        with TempDir() as d:
            up = FaultUpstream(d, **self.upstream_args).start()
            strata = Strata(d, {"fault.test": up.url}, config=self.config).start()
            try:
                prepare(up)
                http("GET", strata.url + "/v2/")
                with RssSampler(strata.proc.pid) as idle:
                    pass
                baseline = idle.peak_mib
                with RssSampler(strata.proc.pid) as rss:
                    attack(strata)
                limit = self.budget_mib + baseline + SLACK_MIB
                verdict = "ok" if rss.peak_mib <= limit else "OVER"
                print("%-10s peak RSS %6.1f MiB  budget %4d MiB  idle %5.1f MiB  limit %6.1f MiB  %s"
                      % (self.name, rss.peak_mib, self.budget_mib, baseline, limit, verdict))
                return rss.peak_mib <= limit
            finally:
                strata.stop()
                up.stop()


def token_attack():
    attack = Attack("tokens", 4, {"client": {"token_cache_bytes": 4 * MIB}},
                    {"auth": "bearer", "token_bytes": 16_000})

    def prepare(up):
        for i in range(300):
            up.add_manifest("t/r%d" % i, "v1", manifest_of(400, i))

    def run(strata):
        parallel(range(300), lambda i: http("GET", strata.url + "/v2/fault.test/t/r%d/manifests/v1" % i,
                                            headers={"Accept": OCI_MANIFEST}))
    return attack.run(prepare, run)


def manifest_attack():
    attack = Attack("manifests", 64, {"cache": {"manifest_memory_bytes": 64 * MIB}})
    bodies = [manifest_of(3_900_000, i) for i in range(60)]

    def prepare(up):
        for i, body in enumerate(bodies):
            up.add_manifest("m/r%d" % i, "v1", body)

    def run(strata):
        parallel(range(60), lambda i: http("GET", strata.url + "/v2/fault.test/m/r%d/manifests/v1" % i,
                                           headers={"Accept": OCI_MANIFEST}), workers=4)
    return attack.run(prepare, run)


def tag_list_attack():
    attack = Attack("tag lists", 32, {"cache": {"tag_list_memory_bytes": 32 * MIB}})
    body = json.dumps({"name": "x", "tags": ["v%d.%d" % (i // 1000, i % 1000) for i in range(150_000)]})

    def prepare(up):
        for i in range(25):
            up.add_fault("/l/r%d/tags/list" % i, "respond", status=200, body=body,
                         headers={"Content-Type": "application/json"})

    def run(strata):
        parallel(range(25), lambda i: http("GET", strata.url + "/v2/fault.test/l/r%d/tags/list" % i), workers=5)
    return attack.run(prepare, run)


def deep_json_attack():
    attack = Attack("deep JSON", 0, {})

    def prepare(up):
        for i in range(4):
            up.add_fault("/d/r%d/tags/list" % i, "respond", status=200, body="[" * (8 * MIB),
                         headers={"Content-Type": "application/json"})
            up.add_fault("/d/r%d/manifests/" % i, "respond", status=200, body="[" * 3_900_000,
                         headers={"Content-Type": OCI_MANIFEST})

    def run(strata):
        paths = ["/v2/fault.test/d/r%d/%s" % (i, kind) for i in range(4) for kind in ("tags/list", "manifests/v1")]
        statuses = parallel(paths, lambda p: http("GET", strata.url + p, headers={"Accept": OCI_MANIFEST}).status,
                            workers=8)
        if any(s == 200 for s in statuses):
            raise RuntimeError("a deeply nested document was served")
    return attack.run(prepare, run)


def open_idle(port, count):
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port))
        socks.append(s)
    return socks


def idle_connections(idle, pulls, seconds):
    """(share of pulls that succeed with `idle` connections open, hot manifest rps with and without)."""
    with TempDir() as d:
        up = FaultUpstream(d).start()
        layer = b"idle-bench" * 1000
        digest = up.add_blob(layer)
        up.add_manifest("team/app", "v1", manifest_of(2000, 7))
        strata = Strata(d, {"fault.test": up.url}).start()
        try:
            url = strata.url + "/v2/fault.test/team/app/manifests/v1"
            http("GET", url, headers={"Accept": OCI_MANIFEST})
            base_rps, _, _ = wrk(url, 16, seconds, headers=["Accept: " + OCI_MANIFEST])
            socks = open_idle(strata.port, idle)
            try:
                ok = sum(parallel(range(pulls), lambda i: sha256(
                    http("GET", strata.url + "/v2/fault.test/team/app/blobs/" + digest).body) == digest))
                idle_rps, _, _ = wrk(url, 16, seconds, headers=["Accept: " + OCI_MANIFEST])
            finally:
                for s in socks:
                    s.close()
            return ok / pulls, base_rps, idle_rps
        finally:
            strata.stop()
            up.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < 10_500:
        sys.exit("need a file-descriptor limit of at least 10,500 (ulimit -Hn is %d)" % hard)

    print("== memory attacks (target: peak RSS within budget + idle RSS + %d MiB)" % SLACK_MIB)
    ok = all([token_attack(), manifest_attack(), tag_list_attack(), deep_json_attack()])

    print("== idle connections")
    share, _, _ = idle_connections(10_000, 200, 2)
    print("pulls succeeding with 10,000 idle connections open: %.1f %% (target 100 %%)" % (100 * share))
    _, base, with_idle = idle_connections(5_000, 10, args.seconds)
    ratio = with_idle / base
    print("hot manifest req/s: %.0f with 5,000 idle connections, %.0f without: %.2fx (target >= 0.9)"
          % (with_idle, base, ratio))
    ok = ok and share == 1.0 and ratio >= 0.9
    print("robustness bench:", "all targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
