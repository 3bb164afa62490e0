#!/usr/bin/env python3
"""Cost of recording every pull: hot manifest by digest with the event log and metrics on vs off.

Two strata processes over the same upstream, measured alternately (on, off, on, off, ...)
with wrk -c32 so that machine noise hits both alike; prints the best run of each and the
ratio. Target (issue "every pull recorded"): on / off >= 0.95. wrk and strata on CPUs of their
own, as in proxy_bench.py (--shared-cpus: all on every CPU).
"""
import argparse
import os
import sys

from bench_common import CpuSplit, wrk

from harness import OCI_MANIFEST, Registry, Strata, TempDir, http, push_image, random_layer


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--shared-cpus", action="store_true", help="wrk and strata on every CPU")
    args = parser.parse_args()
    cpus = CpuSplit(pin=not args.shared_cpus).apply()
    with TempDir() as d:
        upstream = Registry(d).start()
        image = push_image(upstream, "bench/app", "v1", [random_layer(1000, "obs")])
        runs = {}
        servers = {}
        for name, extra in (("on", []), ("off", ["--no-events", "--no-metrics"])):
            workdir = os.path.join(d, name)
            os.makedirs(workdir)
            servers[name] = Strata(workdir, {"upstream.test": upstream.url},
                                   extra_args=["--log-level", "info"] + extra).start()
            url = "%s/v2/upstream.test/bench/app/manifests/%s" % (servers[name].url, image.digest)
            assert http("GET", url, headers={"Accept": OCI_MANIFEST}).status == 200
            runs[name] = (url, [])
        for _ in range(args.rounds):
            for name, (url, results) in runs.items():
                results.append(wrk(url, 32, args.seconds, ["Accept: " + OCI_MANIFEST],
                                   threads=cpus.wrk_threads, cpus=cpus.load_cpus)[0])
        best = {name: max(results) for name, (url, results) in runs.items()}
        print(cpus.describe())
        print("hot manifest by digest, wrk -c32, %d rounds of %ds, best of each" % (args.rounds, args.seconds))
        print("  events + metrics on   %10.0f req/s" % best["on"])
        print("  events + metrics off  %10.0f req/s" % best["off"])
        print("  on / off: %.3f (target >= 0.95)" % (best["on"] / best["off"]))
        events = http("GET", servers["on"].url + "/metrics").body.decode()
        dropped = [l for l in events.splitlines() if l.startswith("strata_events_dropped_total")]
        print("  events dropped during the run: %s" % (dropped[0].split()[-1] if dropped else "?"))
        for s in servers.values():
            s.stop()
        upstream.stop()


if __name__ == "__main__":
    sys.exit(main())
