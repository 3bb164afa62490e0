#!/usr/bin/env python3
"""Instructions per hot manifest request, counted by callgrind (not timed: this machine is noisy).

Starts an upstream docker-registry and strata under `valgrind --tool=callgrind`, warms the
manifest into strata's memory, zeroes the counters, sends --requests GETs of the manifest by
digest on one keep-alive connection, and divides the instructions strata executed, and the heap
allocations it made (calls to malloc, calloc, realloc and the aligned allocators), by the count. Allocations of the
background tasks (the event writer, the access-log flush) fall in the measured window too.
The access log is on (`--log-level info`, one line per request), as in proxy_bench.py.
"""
import argparse
import glob
import http.client
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "integration"))
from harness import OCI_MANIFEST, STRATA, Registry, TempDir, free_port, push_image, wait_for  # noqa: E402


def get_many(port, path, count):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(count):
        conn.request("GET", path, headers={"Accept": OCI_MANIFEST})
        res = conn.getresponse()
        res.read()
        if res.status != 200:
            raise RuntimeError("strata answered %d for %s" % (res.status, path))
    conn.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--strata-arg", action="append", default=[], help="one more argument for strata serve")
    parser.add_argument("--save", help="copy the measured callgrind profile here, for callgrind_annotate")
    args = parser.parse_args()
    with TempDir() as d:
        upstream = Registry(d).start()
        image = push_image(upstream, "bench/app", "v1", [b"layer"])
        port = free_port()
        out_dir = os.path.join(d, "callgrind")
        os.makedirs(out_dir)
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=%s/callgrind.out.%%p" % out_dir,
               STRATA, "serve", "--listen", "127.0.0.1:%d" % port, "--data-dir", os.path.join(d, "data"),
               "--log-level", "info", "--upstream", "upstream.test=" + upstream.url] + args.strata_arg
        log = open(os.path.join(d, "strata.log"), "wb")
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        path = "/v2/upstream.test/bench/app/manifests/" + image.digest

        def answers():
            try:
                get_many(port, path, 1)
                return True
            except OSError:
                return False
        wait_for(answers, timeout=120, what="strata under callgrind")
        get_many(port, path, 200)  # warm: allocator pools, connection, caches
        subprocess.run(["callgrind_control", "--zero", str(proc.pid)], check=True, capture_output=True)
        get_many(port, path, args.requests)
        subprocess.run(["callgrind_control", "--dump=measured", str(proc.pid)], check=True, capture_output=True)
        proc.terminate()
        proc.wait(timeout=120)
        measured = [p for p in glob.glob(os.path.join(out_dir, "callgrind.out.*"))
                    if open(p).read(4096).find("measured") >= 0]
        total = sum(total_instructions_of(p) for p in measured)
        allocations = sum(heap_allocations_of(p) for p in measured)
        if args.save and measured:
            shutil.copy(measured[0], args.save)
        print("hot manifest by digest: %d instructions and %.2f heap allocations per request "
              "(%d requests, access log on)" % (total // args.requests, allocations / args.requests, args.requests))
        upstream.stop()


def total_instructions_of(path):
    with open(path) as f:
        for line in f:
            m = re.match(r"(?:summary|totals): (\d+)", line)
            if m:
                return int(m.group(1))
    return 0


ALLOCATORS = {"malloc", "calloc", "realloc", "memalign", "aligned_alloc", "posix_memalign"}


def heap_allocations_of(path):
    """Calls into the C allocator, from callgrind's call lines (names are given once, then by id)."""
    names, calls, callee = {}, 0, None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"cfn=\((\d+)\)(?: (.*))?", line)
            if m:
                if m.group(2):
                    names[m.group(1)] = m.group(2).strip()
                callee = names.get(m.group(1))
                continue
            m = re.match(r"fn=\((\d+)\)(?: (.*))?", line)
            if m and m.group(2):
                names[m.group(1)] = m.group(2).strip()
            m = re.match(r"calls=(\d+)", line)
            if m and callee in ALLOCATORS:
                calls += int(m.group(1))
    return calls


if __name__ == "__main__":
    sys.exit(main())
