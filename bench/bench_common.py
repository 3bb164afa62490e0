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
from harness import free_port, http, wait_for  # noqa: E402,F401


def parse_rate(text):
    """wrk's value with a k/M/G suffix as a float."""
    m = re.match(r"([\d.]+)([kMG]?)", text)
    scale = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[m.group(2)]
    return float(m.group(1)) * scale


def parse_bytes(text):
    m = re.match(r"([\d.]+)([KMGT]?B)", text)
    scale = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}[m.group(2)]
    return float(m.group(1)) * scale


def wrk(url, connections, seconds, headers=(), threads=1):
    """Runs wrk and returns (requests/s, bytes/s, p99 latency text)."""
    cmd = ["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds, "--latency"]
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


class Nginx:
    """nginx serving a directory as static files with sendfile."""

    def __init__(self, workdir, root):
        self.port = free_port()
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(os.path.join(self.dir, "tmp"), exist_ok=True)
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write("""
daemon off;
worker_processes 2;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    client_body_temp_path %(dir)s/tmp; proxy_temp_path %(dir)s/tmp; fastcgi_temp_path %(dir)s/tmp;
    uwsgi_temp_path %(dir)s/tmp; scgi_temp_path %(dir)s/tmp;
    default_type application/octet-stream;
    server { listen 127.0.0.1:%(port)d; root %(root)s; }
}
""" % {"dir": self.dir, "port": self.port, "root": root})
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self.proc = subprocess.Popen(["nginx", "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: http("GET", self.url + "/nope", timeout=2).status == 404, what="nginx")
        return self

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
