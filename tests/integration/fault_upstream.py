"""Python handle on strata_fault_upstream (tests/fault_upstream/), the misbehaving upstream.

Starts the binary on a loopback port, puts content into it and scripts its faults through
its control API, and reads back the requests it saw.
"""
import json
import os

from harness import OCI_MANIFEST, REPO_ROOT, http, sha256, sha512, start_and_read_port

FAULT_UPSTREAM = os.environ.get("STRATA_FAULT_UPSTREAM_BIN",
                                os.path.join(REPO_ROOT, "build", "tests", "strata_fault_upstream"))


class FaultUpstream:
    def __init__(self, workdir, auth="none", user=None, token_ttl=300, name="fault", realm=None, token_bytes=0,
                 port=0, referrers="api", referrers_page_size=0):
        self.log_path = os.path.join(workdir, "%s.log" % name)
        self.args = [FAULT_UPSTREAM, "--auth", auth, "--token-ttl", str(token_ttl)]
        if user:
            self.args += ["--user", user]
        if realm:
            self.args += ["--realm", realm]
        if token_bytes:
            self.args += ["--token-bytes", str(token_bytes)]
        if port:
            self.args += ["--port", str(port)]
        self.args += ["--referrers", referrers]
        if referrers_page_size:
            self.args += ["--referrers-page-size", str(referrers_page_size)]
        self.proc = None
        self.port = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self.proc, self.port = start_and_read_port(self.args, self.log_path, rb"listening port=(\d+)",
                                                   "fault upstream")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def control(self, method, path, data=b"", headers=None):
        r = http(method, self.url + "/_control/" + path, data=data, headers=headers or {})
        assert r.status in (200, 201), (path, r.status, r.body)
        return r.body

    def add_blob(self, data, algorithm="sha256"):
        """Stores a blob under both digests; answers the one in algorithm (sha256 or sha512)."""
        digest = self.control("PUT", "blobs" + self._asking(algorithm), data).decode()
        assert digest == (sha512(data) if algorithm == "sha512" else sha256(data))
        return digest

    def add_manifest(self, repo, tag, body, media_type=OCI_MANIFEST, algorithm="sha256"):
        return self.control("PUT", "manifests/%s/%s%s" % (repo, tag, self._asking(algorithm)), body,
                            {"Content-Type": media_type}).decode()

    @staticmethod
    def _asking(algorithm):
        return "?digest=sha512" if algorithm == "sha512" else ""

    def add_fault(self, match, action, **params):
        """Scripts a fault for requests whose target contains match (see fault_upstream.cpp).
        hold=True holds the response until release(); hold_after_bytes=n sends a blob's headers
        and first n body bytes, then holds the rest until release(); action "serve" answers
        normally, for use with hold_after_bytes."""
        params.update({"match": match, "action": action})
        self.control("POST", "faults", json.dumps(params).encode(), {"Content-Type": "application/json"})

    def clear_faults(self):
        self.control("DELETE", "faults")

    def held(self):
        """How many responses a "hold" fault is holding right now."""
        return int(self.control("GET", "held"))

    def release(self):
        """Lets every held response go."""
        self.control("POST", "release")

    def expire_tokens(self):
        self.control("POST", "expire-tokens")

    def token_ttl(self, expires_in, valid_for=None):
        """Tokens issued from now on announce expires_in seconds and are accepted for valid_for."""
        body = {"expires_in": expires_in, "valid_for": expires_in if valid_for is None else valid_for}
        self.control("POST", "token-ttl", json.dumps(body).encode(), {"Content-Type": "application/json"})

    def requests(self):
        return json.loads(self.control("GET", "requests"))

    def count(self, method, contains):
        return sum(1 for r in self.requests() if r["method"] == method and contains in r["target"])

    def blob_gets(self, digest):
        return self.count("GET", "/blobs/" + digest)
