"""Many nodes at once: one upstream fetch per blob, shared by every client, whatever happens to them."""
import hashlib
import os
import random
import socket
import threading
import time
import unittest

from fault_upstream import FaultUpstream
from harness import ProxyTestCase, Strata, http, sha256, wait_for

HERD_BLOB_MIB = 64
BLOB_MIB = 16


def read_blob(port, path, abort_after=None, range_header=None):
    """Raw HTTP GET; returns (status line, sha256 hex of body, bytes read, completed)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    extra = "Range: %s\r\n" % range_header if range_header else ""
    sock.sendall(("GET %s HTTP/1.1\r\nHost: strata\r\n%sConnection: close\r\n\r\n" % (path, extra)).encode())
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
    h = hashlib.sha256(body)
    got = len(body)
    while got < length:
        if abort_after is not None and got >= abort_after:
            sock.close()
            return head.split(b"\r\n")[0], None, got, False
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        h.update(chunk)
        got += len(chunk)
    sock.close()
    return head.split(b"\r\n")[0], h.hexdigest(), got, got == length


class CoalescingTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.use_blob(BLOB_MIB)

    def use_blob(self, mib):
        self.blob = hashlib.shake_256(b"coalescing-%d" % mib).digest(mib << 20)
        self.digest = self.upstream.add_blob(self.blob)
        self.path = "/v2/fault.test/team/app/blobs/" + self.digest

    def start_strata(self, *extra):
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, extra_args=list(extra)).start()

    def blob_file(self):
        hexpart = self.digest.split(":")[1]
        return os.path.join(self.strata.data_dir, "blobs", "sha256", hexpart[:2], hexpart)

    def test_64_staggered_clients_share_one_upstream_get_and_killed_clients_do_not_disturb(self):
        self.start_strata()
        self.use_blob(HERD_BLOB_MIB)
        # ~3 s download: 64 KiB every 3 ms.
        self.upstream.add_fault(self.digest, "trickle", chunk=65536, delay_ms=3)
        results, killed = [None] * 64, set(range(0, 64, 8))

        def client(i):
            time.sleep(random.uniform(0, 2.0))
            results[i] = read_blob(self.strata.port, self.path,
                                   abort_after=random.randint(1, HERD_BLOB_MIB << 19) if i in killed else None)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(self.upstream.blob_gets(self.digest), 1)
        expected = self.digest.split(":")[1]
        for i, (status, digest, got, completed) in enumerate(results):
            self.assertEqual(status, b"HTTP/1.1 200 OK")
            if i in killed:
                self.assertFalse(completed)
            else:
                self.assertTrue(completed, "client %d got %d bytes" % (i, got))
                self.assertEqual(digest, expected)
        self.assertTrue(os.path.exists(self.blob_file()))

    def test_failed_fetch_aborts_every_waiter_and_caches_nothing(self):
        self.start_strata()
        self.upstream.add_fault(self.digest, "reset", after_bytes=10 << 20, chunk=65536, delay_ms=4, times=1)
        results = [None] * 8

        def client(i):
            time.sleep(i * 0.1)
            results[i] = read_blob(self.strata.port, self.path)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        self.assertEqual(self.upstream.blob_gets(self.digest), 1)
        for status, digest, got, completed in results:
            self.assertFalse(completed)
            self.assertLess(got, len(self.blob))
        self.assertFalse(os.path.exists(self.blob_file()))
        self.assertEqual(os.listdir(os.path.join(self.strata.data_dir, "tmp")), [])
        # The next request starts a fresh fetch, which succeeds.
        status, digest, got, completed = read_blob(self.strata.port, self.path)
        self.assertTrue(completed)
        self.assertEqual("sha256:" + digest, self.digest)
        self.assertEqual(self.upstream.blob_gets(self.digest), 2)

    def test_range_of_a_blob_being_fetched_is_served_before_the_fetch_ends(self):
        self.start_strata()
        self.upstream.add_fault(self.digest, "trickle", chunk=65536, delay_ms=15)  # ~4 s
        first = threading.Thread(target=read_blob, args=(self.strata.port, self.path))
        first.start()
        time.sleep(0.5)
        started = time.time()
        status, digest, got, completed = read_blob(self.strata.port, self.path, range_header="bytes=1024-2047")
        elapsed = time.time() - started
        self.assertEqual(status, b"HTTP/1.1 206 Partial Content")
        self.assertTrue(completed)
        self.assertEqual(digest, hashlib.sha256(self.blob[1024:2048]).hexdigest())
        self.assertLess(elapsed, 2.0, "range waited for the whole download")
        self.assertFalse(os.path.exists(self.blob_file()), "download finished before the range was served")
        first.join(timeout=60)
        self.assertEqual(self.upstream.blob_gets(self.digest), 1)

    def test_fetch_completes_into_the_cache_after_its_only_client_left(self):
        self.start_strata()
        self.upstream.add_fault(self.digest, "trickle", chunk=65536, delay_ms=1)
        status, _, got, completed = read_blob(self.strata.port, self.path, abort_after=1 << 20)
        self.assertFalse(completed)
        wait_for(lambda: os.path.exists(self.blob_file()), timeout=60, what="abandoned fetch to complete")
        r = http("GET", self.strata.url + self.path)
        self.assertEqual(sha256(r.body), self.digest)
        self.assertEqual(self.upstream.blob_gets(self.digest), 1)

    def test_abandoned_fetch_stops_when_configured(self):
        self.start_strata("--config", self.write_config({"cache": {"complete_abandoned_fetches": False}}))
        self.upstream.add_fault(self.digest, "trickle", chunk=65536, delay_ms=8)
        read_blob(self.strata.port, self.path, abort_after=1 << 20)
        wait_for(lambda: "blob fetch abandoned" in self.strata.read_log(), timeout=30, what="fetch to stop")
        self.assertFalse(os.path.exists(self.blob_file()))

    def write_config(self, cfg):
        import json
        path = os.path.join(self.dir, "extra.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        return path


if __name__ == "__main__":
    unittest.main()
