"""Shared helpers for strata's integration tests: real processes on 127.0.0.1, temp dirs, images.

Every test starts its own upstream (Debian's docker-registry), its own strata and its own
clients, on ports picked at run time, under a fresh temporary directory.
"""
import gzip
import hashlib
from html import unescape as html_unescape
import io
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tarfile
import tempfile
import time
import unittest
import urllib.error
import urllib.request

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STRATA = os.environ.get("STRATA_BIN", os.path.join(REPO_ROOT, "build", "strata"))

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
ALL_MANIFEST_TYPES = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST]


def shared_data():
    """The performance study's data beside this checkout (../shared/data), or None."""
    for candidate in (os.environ.get("STRATA_SHARED_DATA", ""), os.path.join(REPO_ROOT, "..", "shared", "data"),
                      "/work/shared/data"):
        if candidate and os.path.isdir(os.path.join(candidate, "k8s-events")):
            return candidate
    return None


def distinct_events(root):
    """(path, event) for each Kubernetes event under root (*.json.gz exporter logs, files in
    path order), each once by metadata.uid, the plain way: json.loads per line."""
    seen = set()
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith(".json.gz"))
    for path in files:
        with gzip.open(path, "rt", errors="replace") as f:
            for line in f:
                try:
                    event = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(event, dict) or not event.get("reason"):
                    continue
                uid = event.get("metadata", {}).get("uid")
                if uid:
                    if uid in seen:
                        continue
                    seen.add(uid)
                yield path, event


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def sha512(data):
    return "sha512:" + hashlib.sha512(data).hexdigest()


def free_port():
    """A port free now. A server that cannot listen on port 0 and report its port (haproxy,
    nginx) is given one of these; another process may take it before the server binds, so such
    servers start through on_free_ports."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PortTaken(Exception):
    """A server exited because another process took the port picked for it."""


def check_running(proc, log_path, what):
    """Raises PortTaken when proc's log says an address was in use (nginx retries its bind for
    a while before it exits, and meanwhile whoever holds the port answers; so proc is stopped),
    or an error carrying the log if proc has exited otherwise."""
    with open(log_path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    if "Address already in use" in text:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        raise PortTaken(what)
    if proc.poll() is not None:
        raise RuntimeError("%s exited with %s:\n%s" % (what, proc.returncode, text))


def on_free_ports(count, start, attempts=5):
    """start(ports) with count ports picked just before, again with fresh ones while it raises
    PortTaken; returns what start returns."""
    for attempt in range(attempts):
        try:
            return start([free_port() for _ in range(count)])
        except PortTaken:
            if attempt == attempts - 1:
                raise


def wait_for(predicate, timeout=120.0, what="condition"):
    """Polls predicate until it is true. The timeout only bounds a hang: generous, so that a
    loaded machine never reaches it."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if predicate():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise TimeoutError("timed out waiting for " + what)


def start_and_read_port(args, log_path, pattern, what):
    """Starts args with output appended to log_path and waits until a line it writes after
    starting matches pattern (a bytes regex whose group 1 is the port). Returns (process, port);
    raises if the process exits first."""
    with open(log_path, "ab") as log:
        offset = log.tell()
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    found = []

    def listening():
        with open(log_path, "rb") as f:
            f.seek(offset)
            text = f.read()
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s:\n%s" % (what, proc.returncode, text.decode("utf-8", "replace")))
        m = re.search(pattern, text)
        if m:
            found.append(int(m.group(1)))
        return m is not None
    wait_for(listening, what=what)
    return proc, found[0]


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name)

    def json(self):
        return json.loads(self.body)


def http(method, url, headers=None, data=None, timeout=60, cafile=None):
    """One HTTP request; returns Response for any status (never raises on 4xx/5xx)."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    context = ssl.create_default_context(cafile=cafile) if url.startswith("https://") else None
    try:
        with urllib.request.urlopen(req, timeout=timeout, context=context) as r:
            return Response(r.status, r.headers, r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, e.headers, e.read())


def layer_tar(files):
    """A gzipped tar holding {path: bytes}; deterministic so equal inputs give equal digests."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path, content in sorted(files.items()):
            info = tarfile.TarInfo(path)
            info.size = len(content)
            info.mtime = 0
            tar.addfile(info, io.BytesIO(content))
    return gzip.compress(raw.getvalue(), mtime=0)


def random_layer(size, seed):
    """A layer with one file of size pseudo-random (incompressible) bytes."""
    data = hashlib.shake_256(("strata-%s" % seed).encode()).digest(size)
    return layer_tar({"data/%s.bin" % seed: data})


class Registry:
    """Debian's docker-registry (the CNCF distribution registry) on a loopback port."""

    def __init__(self, workdir, proxy_remote=None, port=None, tls=None):
        """tls: (certificate path, key path, CA path) to serve HTTPS. Without a port it listens on
        port 0 and reads the port it got from its log: a port picked beforehand could be taken
        by another test's outgoing connection on a loaded machine."""
        self.port = port
        self.tls = tls
        os.makedirs(workdir, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="registry-", dir=workdir)
        self.log_path = os.path.join(self.dir, "registry.log")
        self.config = {
            "version": 0.1,
            "log": {"level": "info", "accesslog": {"disabled": False}},
            "storage": {"filesystem": {"rootdirectory": os.path.join(self.dir, "data")},
                        "delete": {"enabled": True}},
            "http": {},
        }
        if proxy_remote:
            self.config["proxy"] = {"remoteurl": proxy_remote}
        if tls:
            self.config["http"]["tls"] = {"certificate": tls[0], "key": tls[1]}
        self.config_path = os.path.join(self.dir, "config.yml")
        self.proc = None

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def get(self, path, **kwargs):
        return http("GET", self.url + path, cafile=self.tls[2] if self.tls else None, **kwargs)

    def start(self):
        """Starts it; a restart keeps the port it had."""
        self.config["http"]["addr"] = "127.0.0.1:%d" % (self.port or 0)
        with open(self.config_path, "w") as f:
            json.dump(self.config, f)  # YAML is a superset of JSON
        self.proc, self.port = start_and_read_port(["docker-registry", "serve", self.config_path], self.log_path,
                                                   rb"listening on 127\.0\.0\.1:(\d+)", "docker-registry")
        wait_for(lambda: self.get("/v2/", timeout=2).status == 200, what="docker-registry")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None

    def blob_gets(self, digest=None):
        """How many GET requests for blobs (optionally one digest) the registry has served."""
        with open(self.log_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        pattern = r'"GET /v2/[^ ]*/blobs/%s' % (re.escape(digest) if digest else "sha256:[0-9a-f]{64}")
        return len(re.findall(pattern, text))

    # Pushing, through the registry's own HTTP API.
    def request(self, method, url, **kwargs):
        return http(method, url, cafile=self.tls[2] if self.tls else None, **kwargs)

    def push_blob(self, repo, data, digest_of=sha256):
        digest = digest_of(data)
        r = self.request("POST", "%s/v2/%s/blobs/uploads/" % (self.url, repo), data=b"")
        assert r.status == 202, (r.status, r.body)
        location = r.header("Location")
        if location.startswith("/"):
            location = self.url + location
        sep = "&" if "?" in location else "?"
        r = self.request("PUT", location + sep + "digest=" + digest, data=data,
                 headers={"Content-Type": "application/octet-stream"})
        assert r.status == 201, (r.status, r.body)
        return digest

    def push_manifest(self, repo, reference, body, media_type):
        r = self.request("PUT", "%s/v2/%s/manifests/%s" % (self.url, repo, reference), data=body,
                 headers={"Content-Type": media_type})
        assert r.status == 201, (r.status, r.body)
        return sha256(body)


class Image:
    """An image pushed to a registry: its manifest bytes, digest and blobs."""

    def __init__(self, repo, tag, manifest, media_type, blobs):
        self.repo, self.tag, self.manifest, self.media_type, self.blobs = repo, tag, manifest, media_type, blobs
        self.digest = sha256(manifest)


def diff_id(layer):
    """The digest of a layer's uncompressed bytes (benchmarks push raw, ungzipped blobs)."""
    return sha256(gzip.decompress(layer) if layer[:2] == b"\x1f\x8b" else layer)


def push_image(registry, repo, tag, layers, oci=True, arch="amd64"):
    """Pushes config + layers and a manifest (OCI or Docker schema 2). Returns Image."""
    config = json.dumps({
        "architecture": arch, "os": "linux", "created": "2024-08-22T00:00:00Z",
        "rootfs": {"type": "layers", "diff_ids": [diff_id(l) for l in layers]},
        "history": [{"created_by": "RUN layer %d" % i} for i in range(len(layers))],
    }, sort_keys=True).encode()
    blobs = {registry.push_blob(repo, config): config}
    for layer in layers:
        blobs[registry.push_blob(repo, layer)] = layer
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST if oci else DOCKER_MANIFEST,
        "config": {"mediaType": OCI_CONFIG if oci else DOCKER_CONFIG, "digest": sha256(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER if oci else DOCKER_LAYER, "digest": sha256(l), "size": len(l)}
                   for l in layers],
    }, indent=3).encode()
    media_type = OCI_MANIFEST if oci else DOCKER_MANIFEST
    registry.push_manifest(repo, tag, manifest, media_type)
    return Image(repo, tag, manifest, media_type, blobs)


def push_index(registry, repo, tag, images):
    """Pushes an OCI index over already pushed per-platform images {"amd64": Image, ...}."""
    index = json.dumps({
        "schemaVersion": 2, "mediaType": OCI_INDEX,
        "manifests": [{"mediaType": img.media_type, "digest": img.digest, "size": len(img.manifest),
                       "platform": {"architecture": arch, "os": "linux"}} for arch, img in images.items()],
    }).encode()
    registry.push_manifest(repo, tag, index, OCI_INDEX)
    blobs = {}
    for img in images.values():
        blobs.update(img.blobs)
    return Image(repo, tag, index, OCI_INDEX, blobs)


class Strata:
    """strata serve as a child process, listening on a port it picks itself."""

    def __init__(self, workdir, upstreams, extra_args=(), data_dir=None, config=None):
        self.workdir = workdir
        self.data_dir = data_dir or os.path.join(workdir, "strata-data")
        self.log_path = os.path.join(workdir, "strata.log")
        self.upstreams = upstreams
        self.extra_args = list(extra_args)
        self.config = config
        self.proc = None
        self.port = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    def command(self, listen="127.0.0.1:0"):
        cmd = [STRATA, "serve", "--listen", listen, "--data-dir", self.data_dir, "--log-level", "debug"]
        if self.config:
            path = os.path.join(self.workdir, "strata.json")
            with open(path, "w") as f:
                json.dump(self.config, f)
            cmd += ["--config", path]
        for name, url in self.upstreams.items():
            cmd += ["--upstream", "%s=%s" % (name, url)]
        return cmd + self.extra_args

    def start(self):
        listen = "127.0.0.1:%d" % self.port if self.port else "127.0.0.1:0"
        self.proc, self.port = start_and_read_port(self.command(listen), self.log_path,
                                                   rb"strata listening address=127\.0\.0\.1:(\d+)", "strata")
        return self

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=20)
        self.proc = None

    def get(self, path, headers=None, method="GET"):
        return http(method, self.url + path, headers=headers)

    def metric(self, name, **labels):
        """The sum of a metric's samples (with these labels) on /metrics right now. Gauges
        such as strata_client_connections count the connection of this scrape too."""
        return counter(metric_samples(self.get("/metrics").body.decode()), name, **labels)


def make_tls_files(workdir):
    """A throwaway CA and a server certificate for localhost/127.0.0.1, made with the openssl CLI.
    Returns (certificate, key, CA certificate) paths."""
    d = os.path.join(workdir, "tls")
    os.makedirs(d, exist_ok=True)
    p = lambda name: os.path.join(d, name)

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p("ca.key"), "-out", p("ca.pem"),
        "-days", "2", "-subj", "/CN=strata test CA")
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p("server.key"), "-out", p("server.csr"),
        "-subj", "/CN=localhost")
    with open(p("ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    run("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
        "-out", p("server.pem"), "-days", "2", "-extfile", p("ext.cnf"))
    return p("server.pem"), p("server.key"), p("ca.pem")


def metric_samples(text):
    """{(name, frozenset(labels)): value} from Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$', line)
        assert m, line
        labels = frozenset(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out[(m.group(1), labels)] = float(m.group(3))
    return out


def counter(samples, name, **labels):
    want = set(labels.items())
    return sum(v for (n, l), v in samples.items() if n == name and want <= set(l))


class Nginx:
    """nginx on a loopback port with one server block; `server` is the block's body, with %(port)d
    standing for the port. Temp paths and logs live under workdir/nginx."""

    def __init__(self, workdir, server, scheme="http", workers=2):
        self.port = None
        self.scheme = scheme
        self.server, self.workers = server, workers
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(os.path.join(self.dir, "tmp"), exist_ok=True)
        self.conf = os.path.join(self.dir, "nginx.conf")
        self.proc = None

    def configure(self, port):
        self.port = port
        with open(self.conf, "w") as f:
            f.write("""
daemon off;
worker_processes %(workers)d;
pid %(dir)s/nginx.pid;
error_log %(dir)s/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(dir)s/tmp; proxy_temp_path %(dir)s/tmp; fastcgi_temp_path %(dir)s/tmp;
    uwsgi_temp_path %(dir)s/tmp; scgi_temp_path %(dir)s/tmp;
    default_type application/octet-stream;
    server { %(server)s }
}
""" % {"dir": self.dir, "workers": self.workers, "server": self.server % {"port": port}})

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.scheme, self.port)

    def start(self, ready_path="/nope", ready_status=404, cafile=None):
        def start_on(ports):
            self.configure(ports[0])
            log = os.path.join(self.dir, "error.log")
            with open(log, "w") as f:  # also where nginx writes before it reads error_log
                self.proc = subprocess.Popen(["nginx", "-c", self.conf], stdout=f, stderr=subprocess.STDOUT)

            def ready():
                check_running(self.proc, log, "nginx")
                return http("GET", self.url + ready_path, timeout=2, cafile=cafile).status == ready_status
            wait_for(ready, what="nginx")
            return self
        return on_free_ports(1, start_on)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="strata-test-")
        return self.path

    def __exit__(self, *exc):
        if not os.environ.get("STRATA_KEEP_TMP"):
            shutil.rmtree(self.path, ignore_errors=True)


class ProcessesTestCase(unittest.TestCase):
    """A temp dir per test (self.dir) and any number of processes started with started(); after
    the test, responses a fault upstream still holds are released (nothing stays held while
    strata shuts down), the processes are stopped newest first, and the dir is removed."""

    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.processes = []

    def tearDown(self):
        for p in self.processes:
            if hasattr(p, "release") and p.proc and p.proc.poll() is None:
                try:
                    p.release()
                except (AssertionError, OSError):
                    pass
        for p in reversed(self.processes):
            p.stop()
        self.tmp.__exit__(None, None, None)

    def started(self, process):
        self.processes.append(process.start())
        return process


class ProxyTestCase(unittest.TestCase):
    """A temp dir per test (self.dir); after the test (and after cleanups the test added, which
    run first), self.upstream and self.strata are stopped if set, then the dir is removed. The
    upstream goes first: a response it still holds ends, so strata's graceful shutdown has no
    transfer in flight to wait for."""

    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.strata = None
        self.upstream = None
        self.addCleanup(self.tmp.__exit__, None, None, None)
        self.addCleanup(self.stop_processes)

    def stop_processes(self):
        if self.upstream:
            self.upstream.stop()
        if self.strata:
            self.strata.stop()



# Measures, inside Chromium, every axis label (SVG text of class x or y) of each chart and
# reports the pairs whose boxes overlap; runs once the page is laid out, at the end of <body>.
LABEL_CHECK_SCRIPT = """<script>
(() => {
  const overlaps = [];
  let labels = 0;
  for (const svg of document.querySelectorAll('svg')) {
    const title = (svg.querySelector('title') || {}).textContent || '';
    const texts = [...svg.querySelectorAll('text.x, text.y')];
    const boxes = texts.map(t => t.getBoundingClientRect());
    labels += texts.length;
    for (let i = 0; i < boxes.length; ++i)
      for (let j = i + 1; j < boxes.length; ++j) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
          overlaps.push(title + ': "' + texts[i].textContent + '" / "' + texts[j].textContent + '"');
      }
  }
  const out = document.createElement('pre');
  out.id = 'label-check';
  out.textContent = JSON.stringify({labels: labels, overlaps: overlaps});
  document.body.appendChild(out);
})();
</script>"""


def axis_label_overlaps(html_path, width, workdir):
    """(labels measured, overlapping pairs) of the page at html_path laid out `width` px wide in
    headless Chromium, read back from the DOM it dumps."""
    with open(html_path) as f:
        html = f.read()
    checked = os.path.join(workdir, "checked-%d.html" % width)
    with open(checked, "w") as f:
        f.write(html.replace("</body>", LABEL_CHECK_SCRIPT + "</body>"))
    chromium = shutil.which("chromium")
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                          "--user-data-dir=" + os.path.join(workdir, "chromium-%d" % width),
                          "--window-size=%d,2000" % width, "--dump-dom", "file://" + checked],
                         capture_output=True, text=True, timeout=120)
    if dom.returncode != 0:
        raise AssertionError("chromium failed: " + dom.stderr[-2000:])
    found = re.search(r'<pre id="label-check">(.*?)</pre>', dom.stdout, re.S)
    if not found:
        raise AssertionError("the label check did not run")
    result = json.loads(html_unescape(found.group(1)))
    return result["labels"], result["overlaps"]
