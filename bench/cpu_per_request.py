#!/usr/bin/env python3
"""CPU time per hot manifest request: strata against nginx serving the same bytes, same run.

req/s and p99 on a shared 2-core machine move with the scheduler (wrk shares the cores); the
CPU a server spends per request moves much less. For each server this sends `wrk -c32` for
--seconds, --rounds times in turn, and reads every thread's /proc schedstat and status around
each run: CPU time, time spent runnable but waiting for a core, and involuntary switches. It
prints CPU microseconds per request (all threads of the server), the share of each network
thread's time spent waiting for a core, and strata's CPU per request / nginx's (lower is
better). Both write an access log line per request, buffered.
"""
import argparse
import glob
import os
import subprocess
import sys

from bench_common import static_nginx, wrk

from harness import OCI_MANIFEST, Registry, Strata, TempDir, http, push_image, random_layer


def thread_times(pids):
    """{task path: (cpu ns, run-queue wait ns, involuntary switches)} for every thread of pids."""
    out = {}
    for pid in pids:
        for task in glob.glob("/proc/%d/task/*" % pid):
            try:
                cpu, wait, _ = map(int, open(task + "/schedstat").read().split())
                status = dict(line.split(":\t") for line in open(task + "/status").read().splitlines() if ":\t" in line)
                out[task] = (cpu, wait, int(status["nonvoluntary_ctxt_switches"]))
            except (OSError, ValueError, KeyError):
                pass  # a thread that ended between the listing and the read
    return out


def measure(url, pids, seconds):
    """(req/s, p99 text, CPU us per request, busiest threads' waiting share)."""
    before = thread_times(pids)
    rps, _, p99 = wrk(url, 32, seconds, ["Accept: " + OCI_MANIFEST], threads=2)
    after = thread_times(pids)
    deltas = [tuple(b - a for a, b in zip(before[t], after[t])) for t in after if t in before]
    requests = rps * seconds
    cpu_us = sum(d[0] for d in deltas) / 1e3 / requests
    busy = [d for d in deltas if d[0] > 0.2 * seconds * 1e9]  # the network threads (workers)
    waiting = sum(d[1] for d in busy) / max(1, sum(d[0] + d[1] for d in busy))
    return rps, p99, cpu_us, waiting


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with TempDir() as d:
        upstream = Registry(d).start()
        strata = nginx = None
        try:
            image = push_image(upstream, "bench/app", "v1", [random_layer(1000, "cpu")])
            strata = Strata(d, {"upstream.test": upstream.url}, extra_args=["--log-level", "info"]).start()
            strata_url = "%s/v2/upstream.test/bench/app/manifests/%s" % (strata.url, image.digest)
            body = http("GET", strata_url, headers={"Accept": OCI_MANIFEST}).body
            static = os.path.join(d, "static")
            os.makedirs(static)
            os.chmod(d, 0o755)  # nginx workers run as www-data
            with open(os.path.join(static, "manifest"), "wb") as f:
                f.write(body)
            nginx = static_nginx(d, static, access_log=True).start()
            workers = subprocess.run(["pgrep", "-P", str(nginx.proc.pid)], capture_output=True, text=True).stdout.split()
            servers = {"strata": (strata_url, [strata.proc.pid]), "nginx": (nginx.url + "/manifest", [int(w) for w in workers])}
            best = {}
            print("hot manifest by digest, wrk -c32 -t2, %d rounds of %ds in turn" % (args.rounds, args.seconds))
            for _ in range(args.rounds):
                for name, (url, pids) in servers.items():
                    rps, p99, cpu_us, waiting = measure(url, pids, args.seconds)
                    print("  %-7s %7.0f req/s  p99 %-8s  CPU %5.1f us/request  network threads waiting for a core %2.0f%%"
                          % (name, rps, p99, cpu_us, 100 * waiting))
                    best[name] = min(best.get(name, cpu_us), cpu_us)
            print("  strata / nginx CPU per request (least of each): %.2fx  (lower is better)" % (best["strata"] / best["nginx"]))
        finally:
            for server in (strata, nginx, upstream):
                if server:
                    server.stop()


if __name__ == "__main__":
    sys.exit(main())
