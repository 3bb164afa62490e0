"""Soak with faults: 200 clients pull a mix of images while the upstream misbehaves at random.

For STRATA_SOAK_SECONDS (default 60) the fault upstream resets connections, answers 5xx and
429, trickles bodies and sends wrong bytes, each on a share of requests drawn at random. The
test passes when every complete blob or manifest a client received verifies, strata's memory
stays within its budget, no request hangs past its socket timeout, `strata fsck` finds the
store clean afterwards, and every image pulls correctly once the faults stop.
"""
import hashlib
import http.client
import os
import random
import subprocess
import threading
import time

from fault_upstream import FaultUpstream
from harness import OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, STRATA, ProxyTestCase, Strata, sha256

CLIENTS = 200
SOAK_SECONDS = float(os.environ.get("STRATA_SOAK_SECONDS", "60"))
REQUEST_TIMEOUT = 120  # seconds a request may take before it counts as hung
MEMORY_BUDGET = 256 << 20  # the caches' budgets below plus the process's own working set
IMAGES = 8


def vm_hwm(pid):
    """Peak resident set size of a process, in bytes."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.wrong = []

    def add(self, what, detail=None):
        with self.lock:
            self.counts[what] = self.counts.get(what, 0) + 1
            if what == "wrong" and len(self.wrong) < 10:
                self.wrong.append(detail)


class SoakTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.images = [self.push_image(i) for i in range(IMAGES)]
        for match, action, chance, extra in [
            ("/blobs/", "reset", 0.08, {"after_bytes": 50_000}),
            ("/blobs/", "wrong_bytes", 0.05, {}),
            ("/blobs/", "trickle", 0.05, {"chunk": 65536, "delay_ms": 2}),
            ("/v2/", "status", 0.05, {"status": 503}),
            ("/v2/", "status", 0.05, {"status": 429, "retry_after": "0"}),
        ]:
            self.upstream.add_fault(match, action, chance=chance, **extra)
        config = {"cache": {"manifest_memory_bytes": 8 << 20, "tag_list_memory_bytes": 4 << 20},
                  "storage": {"max_bytes": 64 << 20},
                  "client": {"max_retries": 2, "base_backoff_ms": 10, "max_backoff_ms": 50,
                             "max_downloads_per_upstream": 8},
                  "timeouts": {"idle_body_ms": 10000, "headers_ms": 10000}}
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, config=config).start()

    def push_image(self, i):
        rng = random.Random(i)
        layers = [hashlib.shake_256(b"soak-%d-%d" % (i, j)).digest(rng.randint(20_000, 1_500_000))
                  for j in range(rng.randint(2, 4))]
        config = ('{"architecture":"amd64","os":"linux","n":%d}' % i).encode()
        blobs = {self.upstream.add_blob(b): b for b in [config] + layers}
        manifest = ('{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":"%s","digest":"%s","size":%d},'
                    '"layers":[%s]}' % (OCI_MANIFEST, OCI_CONFIG, sha256(config), len(config),
                                        ",".join('{"mediaType":"%s","digest":"%s","size":%d}'
                                                 % (OCI_LAYER, sha256(l), len(l)) for l in layers))).encode()
        self.upstream.add_manifest("soak/app%d" % i, "v1", manifest)
        return "soak/app%d" % i, manifest, blobs

    def get(self, path, tally, headers=None):
        """One request on a fresh connection: (the body, if it arrived whole with 200/206, else None;
        whether it was a range passed through from the upstream: 206 and miss)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.strata.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request("GET", path, headers=dict({"Accept": OCI_MANIFEST}, **(headers or {})))
            r = conn.getresponse()
            body = r.read()
            if r.status not in (200, 206):
                tally.add("status %d" % r.status)
                return None, False
            return body, r.status == 206 and r.getheader("X-Strata-Cache") == "miss"
        except TimeoutError:
            tally.add("hung", path)
            return None, False
        except (http.client.HTTPException, ConnectionError):
            tally.add("aborted")  # an aborted transfer is how strata refuses to finish a bad body
            return None, False
        finally:
            conn.close()

    def client(self, seed, deadline, tally):
        rng = random.Random(seed)
        while time.monotonic() < deadline:
            repo, manifest, blobs = rng.choice(self.images)
            body, _ = self.get("/v2/fault.test/%s/manifests/v1" % repo, tally)
            if body is not None:
                tally.add("ok" if body == manifest else "wrong", (repo, "manifest"))
            digest, data = rng.choice(list(blobs.items()))
            path = "/v2/fault.test/%s/blobs/%s" % (repo, digest)
            if rng.random() < 0.2:
                start = rng.randrange(len(data))
                body, passed_through = self.get(path, tally, {"Range": "bytes=%d-" % start})
                expected = data[start:]
            else:
                body, passed_through = self.get(path, tally)
                expected = data
            if body is None:
                continue
            if body == expected:
                tally.add("ok")
            elif passed_through:
                # A range strata did not hold yet comes straight from the upstream, whose bytes a
                # range alone cannot be checked against (README: lazy pulling); the soak's
                # upstream corrupts 5 % of its answers. Whole blobs and ranges from the cache
                # must always be right.
                tally.add("unverified range passed through")
            else:
                tally.add("wrong", (path, len(body), len(expected)))

    def test_many_clients_through_random_faults_get_only_correct_bytes(self):
        tally = Tally()
        deadline = time.monotonic() + SOAK_SECONDS
        threads = [threading.Thread(target=self.client, args=(i, deadline, tally)) for i in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(SOAK_SECONDS + 4 * REQUEST_TIMEOUT)
        self.assertFalse(any(t.is_alive() for t in threads), "a client is stuck")
        print("soak:", sorted(tally.counts.items()))
        self.assertEqual(tally.wrong, [], "a client received a complete response with the wrong bytes")
        self.assertNotIn("hung", tally.counts, "a request hung past its timeout")
        self.assertGreater(tally.counts.get("ok", 0), CLIENTS, "too few pulls completed to prove anything")
        # Under AddressSanitizer the allocator's quarantine alone holds 256 MiB, so the budget is
        # checked on the plain build only (setup.sh sets ASAN_OPTIONS for the sanitizer run).
        if "ASAN_OPTIONS" not in os.environ:
            peak = vm_hwm(self.strata.proc.pid)
            self.assertLess(peak, MEMORY_BUDGET, "strata's peak RSS %d MiB is over its budget" % (peak >> 20))

        # Once the faults stop, every image pulls correctly.
        self.upstream.clear_faults()
        for repo, manifest, blobs in self.images:
            self.assertEqual(self.get("/v2/fault.test/%s/manifests/v1" % repo, tally)[0], manifest)
            for digest, data in blobs.items():
                self.assertEqual(self.get("/v2/fault.test/%s/blobs/%s" % (repo, digest), tally)[0], data)

        self.strata.stop()
        check = subprocess.run([STRATA, "fsck", "--data-dir", self.strata.data_dir], capture_output=True, text=True,
                               timeout=300)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
