"""strata replicas on a consistent-hash ring: R strata processes behind the real haproxy, configured
by deploy/ring/haproxy-front.sh, and a resuming blob client (as containerd's fetcher resumes a cut
download with Range)."""
import hashlib
import http.client as http_client
import os
import subprocess

from harness import REPO_ROOT, Strata, check_running, http, on_free_ports, wait_for

FRONT_SCRIPT = os.path.join(REPO_ROOT, "deploy", "ring", "haproxy-front.sh")


class HaproxyFront:
    """haproxy in the foreground, its config generated from the replicas' addresses. conf is
    where the config is written and command how haproxy is run (default: the host's haproxy on
    workdir/front/haproxy.cfg; an image's haproxy in its rootfs, say)."""

    def __init__(self, workdir, replicas, conf=None, command=None):
        self.dir = os.path.join(workdir, "front")
        os.makedirs(self.dir, exist_ok=True)
        self.port = self.health_port = None
        self.conf = conf or os.path.join(self.dir, "haproxy.cfg")
        os.makedirs(os.path.dirname(self.conf), exist_ok=True)
        self.command = command or ["haproxy", "-db", "-f", self.conf]
        self.replicas = list(replicas)
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def configure(self, ports):
        self.port, self.health_port = ports
        text = subprocess.run(["bash", FRONT_SCRIPT, "--listen", "127.0.0.1:%d" % self.port,
                               "--health", "127.0.0.1:%d" % self.health_port] + self.replicas,
                              check=True, capture_output=True, text=True).stdout
        with open(self.conf, "w") as f:
            f.write(text)

    def start(self):
        """Starts haproxy on the ports it had, or on fresh ones the first time."""
        if self.port:
            return self._start_on([self.port, self.health_port])
        return on_free_ports(2, self._start_on)

    def _start_on(self, ports):
        self.configure(ports)
        log_path = os.path.join(self.dir, "haproxy.log")
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)

        def healthy():
            check_running(self.proc, log_path, "haproxy")
            return http("GET", "http://127.0.0.1:%d/healthz" % self.health_port, timeout=2).status == 200
        wait_for(healthy, what="haproxy")
        return self

    def restart(self, replicas):
        self.stop()
        self.replicas = list(replicas)
        return self.start()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)

    def replica_of(self, path, method="HEAD"):
        """Which replica the front sends path to (its X-Strata-Replica answer)."""
        return http(method, self.url + path, timeout=30).header("X-Strata-Replica")


class Ring:
    """R strata replicas with their own data directories, and the front."""

    def __init__(self, workdir, upstreams, replicas=3, extra_args=()):
        self.workdir, self.upstreams, self.extra_args = workdir, upstreams, list(extra_args)
        self.replicas = [self._replica(i) for i in range(replicas)]
        self.front = None

    def _replica(self, i):
        d = os.path.join(self.workdir, "replica-%d" % i)
        os.makedirs(d, exist_ok=True)
        return Strata(d, self.upstreams, extra_args=self.extra_args)

    def start(self):
        for r in self.replicas:
            r.start()
        self.front = HaproxyFront(self.workdir, [r.host for r in self.replicas]).start()
        return self

    def add_replica(self):
        """Starts one more replica and restarts the front with it at the end of the list."""
        replica = self._replica(len(self.replicas)).start()
        self.replicas.append(replica)
        self.front.restart([r.host for r in self.replicas])
        return replica

    def stop(self):
        if self.front:
            self.front.stop()
        for r in self.replicas:
            r.stop()

    def holds(self, digest):
        """The replicas (by index) whose store holds the blob."""
        algorithm, hex_digest = digest.split(":")
        return [i for i, r in enumerate(self.replicas)
                if os.path.exists(os.path.join(r.data_dir, "blobs", algorithm, hex_digest[:2], hex_digest))]


def fetch_blob(base_url, path, digest, attempts=6, timeout=120, on_first_bytes=None):
    """GETs a blob, resuming with Range after a cut connection, and checks its digest. Returns
    (bytes, attempts used); raises when the bytes never arrive whole and correct. on_first_bytes()
    is called once, when the first body bytes have arrived."""
    host, port = base_url.split("//")[1].split(":")
    body = bytearray()
    for attempt in range(1, attempts + 1):
        conn = http_client.HTTPConnection(host, int(port), timeout=timeout)
        try:
            headers = {"Range": "bytes=%d-" % len(body)} if body else {}
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            if r.status == 200:
                body.clear()
            elif r.status != 206:
                r.read()
                continue
            while True:
                chunk = r.read1(65536)
                if not chunk:
                    break
                if not body and on_first_bytes:
                    on_first_bytes()
                    on_first_bytes = None
                body += chunk
            if r.length is None or r.length == 0:
                break
        except (OSError, http_client.HTTPException):
            continue
        finally:
            conn.close()
    if "sha256:" + hashlib.sha256(body).hexdigest() != digest:
        raise AssertionError("%s: %d bytes that are not %s after %d attempts" % (path, len(body), digest, attempt))
    return bytes(body), attempt
