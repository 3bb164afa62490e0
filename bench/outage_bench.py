#!/usr/bin/env python3
"""Stale tags while the upstream is down: how long a pull of a cached tag waits.

One run, everything on 127.0.0.1. An image's tag is pulled once through each proxy while the
upstream (strata_fault_upstream) is up; then the upstream goes down, and --clients closed-loop
clients ask for the tag's manifest for --seconds each (every request a revalidation: strata's tag
TTL is 0, and docker-registry in proxy mode asks its remote for every tag). Two outages:
  - refused: nothing listens on the upstream's port (connection refused at once);
  - blackhole: a socket listens there and never accepts (connections hang, answers never come).
Measured side by side: strata; strata with its circuit breaker off (breaker_failures 0, refused
only: every revalidation then tries the upstream once and falls back to the cached mapping);
docker-registry in proxy mode. Printed per proxy: requests, the share answered 200, p50/p99/max latency, and strata's p99
as a ratio to docker-registry's.
Target: strata's p99 <= 50 ms in both outages, every request answered 200 with the cached manifest.
"""
import argparse
import http.client
import json
import socket
import sys
import threading
import time

import bench_common  # noqa: F401  (puts tests/integration on the path)
from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, Registry, Strata, TempDir, free_port, random_layer

TAG_PATH = "/v2/%s/team/app/manifests/v1"


def closed_loop(host, port, path, clients, seconds, timeout):
    """clients threads each sending GET path on a keep-alive connection until seconds have
    passed; returns [(latency_s, status)], a request that times out counting as status 0."""
    results, lock = [], threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        conn, mine = None, []
        while time.monotonic() < deadline:
            conn = conn or http.client.HTTPConnection(host, port, timeout=timeout)
            started = time.monotonic()
            try:
                conn.request("GET", path, headers={"Accept": OCI_MANIFEST})
                r = conn.getresponse()
                r.read()
                mine.append((time.monotonic() - started, r.status))
            except (OSError, http.client.HTTPException):
                mine.append((time.monotonic() - started, 0))
                conn.close()
                conn = None
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def summary(name, results):
    latencies = [lat for lat, _ in results]
    ok = sum(1 for _, status in results if status == 200)
    p99 = percentile(latencies, 99)
    print("  %-34s %7d requests  %6.2f %% 200  p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms" %
          (name, len(results), 100.0 * ok / len(results), 1000 * percentile(latencies, 50), 1000 * p99,
           1000 * max(latencies)))
    return p99, ok == len(results)


class Outage:
    """The upstream on a fixed port, taken down by stopping it and, for a blackhole, by a socket
    that listens there and never accepts."""

    def __init__(self, workdir, port):
        self.workdir, self.port, self.hole = workdir, port, None
        self.up = FaultUpstream(workdir, port=port).start()
        layer = random_layer(4096, "outage bench")
        digest = self.up.add_blob(layer)
        self.up.add_manifest("team/app", "v1", json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest,
                       "size": len(layer)},
            "layers": []}).encode())

    def down(self, kind):
        self.up.stop()
        if kind == "blackhole":
            self.hole = socket.socket()
            self.hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.hole.bind(("127.0.0.1", self.port))
            self.hole.listen(1)

    def close(self):
        if self.hole:
            self.hole.close()
        self.up.stop()


def measure(kind, proxy_kind, args):
    with TempDir() as d:
        port = free_port()
        outage = Outage(d, port)
        upstream_url = "http://127.0.0.1:%d" % port
        if proxy_kind == "docker-registry proxy":
            proxy = Registry(d, proxy_remote=upstream_url).start()
            path = "/v2/team/app/manifests/v1"
        else:
            config = None
            if proxy_kind == "strata, circuit breaker off":
                config = {"client": {"breaker_failures": 0}}
            proxy = Strata(d, {"fault.test": upstream_url}, extra_args=["--tag-ttl", "0", "--log-level", "info"],
                           config=config).start()
            path = TAG_PATH % "fault.test"
        try:
            warm = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=30)
            warm.request("GET", path, headers={"Accept": OCI_MANIFEST})
            if warm.getresponse().status != 200:
                raise RuntimeError("%s could not pull the tag while the upstream was up" % proxy_kind)
            outage.down(kind)
            results = closed_loop("127.0.0.1", proxy.port, path, args.clients, args.seconds, args.timeout)
            return summary(proxy_kind, results)
        finally:
            proxy.stop()
            outage.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--timeout", type=float, default=15.0, help="a client gives up on a request after this")
    args = parser.parse_args()
    met = True
    for kind in ("refused", "blackhole"):
        print("upstream %s: %d clients for %.0f s each, one cached tag" % (kind, args.clients, args.seconds))
        strata_p99, strata_ok = measure(kind, "strata", args)
        if kind == "refused":
            measure(kind, "strata, circuit breaker off", args)
        peer_p99, _ = measure(kind, "docker-registry proxy", args)
        print("  strata p99 %.1f ms (target <= 50 ms), %.3fx docker-registry's; all answered 200: %s" %
              (1000 * strata_p99, strata_p99 / peer_p99, strata_ok))
        met = met and strata_p99 <= 0.050 and strata_ok
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
