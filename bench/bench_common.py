"""Shared pieces of strata's benchmarks: peers on loopback, wrk runs and RSS sampling.

Every benchmark measures strata against a peer in the same run on the same machine and
prints ratios, because absolute numbers on a shared 2-core machine mean little.
"""
import os
import re
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "integration"))
from harness import Nginx, free_port, http, wait_for  # noqa: E402,F401


def parse_rate(text):
    """wrk's value with a k/M/G suffix as a float."""
    m = re.match(r"([\d.]+)([kMG]?)", text)
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
    return float(m.group(1)) * scale


def parse_bytes(text):
    m = re.match(r"([\d.]+)([KMGT]?B)", text)
    scale = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}[m.group(2)]
    return float(m.group(1)) * scale


class CpuSplit:
    """Load generator and servers on CPUs of their own. On a small machine a closed-loop wrk
    sharing cores with the server measures the scheduler: when the server is faster than wrk, wrk
    becomes the bottleneck and its own threads, time-sliced with each other and with the server,
    leave responses unread for a slice (a few ms) and that is what p99 shows. So wrk gets the
    first `load` CPUs (one thread each) and every server started after apply() (the calling
    process's affinity, which children inherit) gets the rest. pin=False leaves all CPUs shared."""

    def __init__(self, pin=True, load=None):
        cpus = sorted(os.sched_getaffinity(0))
        self.pinned = pin and len(cpus) >= 2
        if not self.pinned:
            self.load_cpus, self.server_cpus = None, cpus
            return
        n = load or max(1, len(cpus) // 2)
        self.load_cpus, self.server_cpus = cpus[:n], cpus[n:]

    def apply(self):
        if self.pinned:
            os.sched_setaffinity(0, self.server_cpus)
        return self

    @property
    def wrk_threads(self):
        return len(self.load_cpus) if self.pinned else 2

    def describe(self):
        if not self.pinned:
            return "wrk -t2 and the servers sharing every CPU"
        return "wrk -t%d on CPU %s, the servers on CPU %s" % (
            self.wrk_threads, ",".join(map(str, self.load_cpus)), ",".join(map(str, self.server_cpus)))


def wrk(url, connections, seconds, headers=(), threads=1, cpus=None):
    """Runs wrk (on the given CPUs, if any) and returns (requests/s, bytes/s, p99 latency text)."""
    cmd = (["taskset", "--cpu-list", ",".join(map(str, sorted(cpus)))] if cpus else []) + ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency"]
    for h in headers:
        cmd += ["-H", h]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 60).stdout
    rps = parse_rate(re.search(r"Requests/sec:\s+(\S+)", out).group(1))
    bps = parse_bytes(re.search(r"Transfer/sec:\s+(\S+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError("wrk saw %s error responses from %s" % (non2xx.group(1), url))
    return rps, bps, p99


class RssSampler:
    """Samples a process's resident set size every 50 ms; .peak_mib after stop()."""

    def __init__(self, pid):
        self.pid, self.peak_kib, self.running = pid, 0, True
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while self.running:
            try:
                with open("/proc/%d/status" % self.pid) as f:
                    for line in f:
                        if line.startswith("VmRSS:"):
                            self.peak_kib = max(self.peak_kib, int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()

    @property
    def peak_mib(self):
        return self.peak_kib / 1024


def static_nginx(workdir, root, access_log=False, workers=2):
    """nginx serving a directory as static files with sendfile (not started); with access_log, a
    line per request in nginx's combined format, buffered (64k, flushed every second) as strata's is."""
    log = "access_log %s/nginx-access.log combined buffer=64k flush=1s;" % workdir if access_log else ""
    return Nginx(workdir, """listen 127.0.0.1:%%(port)d; root %s; sendfile on; tcp_nopush on;
                    keepalive_requests 1000000; %s""" % (root, log), workers=workers)
