"""Many nodes at once: one upstream fetch per blob, shared by every client, whatever happens to them.

No test here relies on timing. The fault upstream holds its answer (hold_after_bytes: the
headers and part of the body, then nothing until release()), and a client proves it joined the
fetch by receiving response headers while the upstream is still held, since before the blob is
complete and verified strata can only answer from the fetch in flight."""
import hashlib
import json
import os
import random
import socket
import threading
import unittest

from fault_upstream import FaultUpstream
from harness import ProxyTestCase, Strata, http, sha256, wait_for

HERD_BLOB_MIB = 64
BLOB_MIB = 16
MIB = 1 << 20
HANG = 300  # seconds; only bounds a hang


def read_blob(port, path, abort_after=None, range_header=None, headers_in=None, progress=None, small_window=False):
    """Raw HTTP GET; returns (status line, sha256 hex of body, bytes read, completed). Sets the
    event headers_in once the response headers are in, calls progress(bytes read) as the body
    comes, and closes the connection once abort_after body bytes are read. small_window: a
    16 KiB receive buffer, so strata cannot push much more than was read into the socket."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if small_window:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)  # before connect: a small window
    sock.settimeout(HANG)
    sock.connect(("127.0.0.1", port))
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
    if headers_in:
        headers_in.set()
    h = hashlib.sha256(body)
    got = len(body)
    while got < length:
        if progress:
            progress(got)
        if abort_after is not None and got >= abort_after:
            sock.close()
            return head.split(b"\r\n")[0], None, got, False
        chunk = sock.recv(MIB)
        if not chunk:
            break
        h.update(chunk)
        got += len(chunk)
    sock.close()
    return head.split(b"\r\n")[0], h.hexdigest(), got, got == length


class Progress:
    """A byte count one thread advances and others wait on."""

    def __init__(self):
        self.cond = threading.Condition()
        self.value = 0

    def advance(self, value):
        with self.cond:
            self.value = value
            self.cond.notify_all()

    def wait_past(self, target):
        with self.cond:
            if not self.cond.wait_for(lambda: self.value >= target, timeout=HANG):
                raise TimeoutError("progress stuck at %d, waiting for %d" % (self.value, target))


class CoalescingTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.use_blob(BLOB_MIB)

    def use_blob(self, mib):
        self.blob = hashlib.shake_256(b"coalescing-%d" % mib).digest(mib << 20)
        self.digest = self.upstream.add_blob(self.blob)
        self.path = "/v2/fault.test/team/app/blobs/" + self.digest

    def start_strata(self, config=None):
        # A held upstream is silent for as long as the test needs: no strata timeout may end it.
        cfg = {"timeouts": {"headers_ms": HANG * 1000, "idle_body_ms": HANG * 1000, "client_idle_ms": HANG * 1000}}
        cfg.update(config or {})
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url},
                             extra_args=["--config", self.write_config(cfg)]).start()

    def blob_file(self):
        hexpart = self.digest.split(":")[1]
        return os.path.join(self.strata.data_dir, "blobs", "sha256", hexpart[:2], hexpart)

    def clients_gone(self):
        """True once strata has closed every client connection but this scrape's own."""
        return self.strata.metric("strata_client_connections") == 1

    def test_64_staggered_clients_share_one_upstream_get_and_killed_clients_do_not_disturb(self):
        self.start_strata()
        self.use_blob(HERD_BLOB_MIB)
        # The upstream trickles the first 48 MiB (64 KiB every 3 ms), then holds the rest until
        # every client has joined: client 0 leads, and client i starts once client 0 has read
        # (i - 1) * step bytes, so the herd joins all along the download. Killed clients leave
        # after a random number of bytes, all while the upstream is still held.
        hold_at = 48 * MIB
        self.upstream.add_fault(self.digest, "trickle", chunk=65536, delay_ms=3, hold_after_bytes=hold_at)
        step = (hold_at - 2 * MIB) // 63  # client 0 can read past 62 steps before the hold
        results, killed = [None] * 64, set(range(7, 64, 8))
        joined = [threading.Event() for _ in range(64)]
        leader = Progress()

        def client(i):
            if i > 0:
                leader.wait_past((i - 1) * step)
            abort_after = random.randint(1, HERD_BLOB_MIB << 19) if i in killed else None
            results[i] = read_blob(self.strata.port, self.path, abort_after=abort_after,
                                   headers_in=None if i in killed else joined[i],
                                   progress=leader.advance if i == 0 else None)
            joined[i].set()  # a killed client has left by now
        threads = [threading.Thread(target=client, args=(i,)) for i in range(64)]
        for t in threads:
            t.start()
        wait_for(lambda: all(e.is_set() for e in joined), timeout=HANG, what="every client to join the fetch")
        wait_for(lambda: self.upstream.held() == 1, timeout=HANG, what="the one upstream GET to be held")
        self.assertEqual(self.strata.metric("strata_fetches_in_flight"), 1)
        self.upstream.release()
        for t in threads:
            t.join(timeout=HANG)
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
        # The upstream sends 4 MiB and holds until all 8 clients have their headers (so all
        # follow the one fetch); released, it resets the connection at 10 MiB. (Not times=1: the
        # HEAD strata may send to confirm the repository holds the blob matches the fault too.)
        self.upstream.add_fault(self.digest, "reset", after_bytes=10 * MIB, hold_after_bytes=4 * MIB)
        results = [None] * 8
        joined = [threading.Event() for _ in range(8)]

        def client(i):
            results[i] = read_blob(self.strata.port, self.path, headers_in=joined[i])
        threads = [threading.Thread(target=client, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        wait_for(lambda: all(e.is_set() for e in joined), timeout=HANG, what="every client to join the fetch")
        wait_for(lambda: self.upstream.held() == 1, timeout=HANG, what="the upstream to hold mid-body")
        self.upstream.release()
        for t in threads:
            t.join(timeout=HANG)
        self.assertEqual(self.upstream.blob_gets(self.digest), 1)
        for status, digest, got, completed in results:
            self.assertEqual(status, b"HTTP/1.1 200 OK")
            self.assertFalse(completed)
            self.assertLess(got, len(self.blob))
        self.assertFalse(os.path.exists(self.blob_file()))
        self.assertEqual(os.listdir(os.path.join(self.strata.data_dir, "tmp")), [])
        # The next request starts a fresh fetch, which succeeds (once the failed one is gone:
        # until then a request would join it and fail too).
        wait_for(lambda: self.strata.metric("strata_fetches_in_flight") == 0, what="the failed fetch to end")
        self.upstream.clear_faults()
        status, digest, got, completed = read_blob(self.strata.port, self.path)
        self.assertTrue(completed)
        self.assertEqual("sha256:" + digest, self.digest)
        self.assertEqual(self.upstream.blob_gets(self.digest), 2)

    def test_range_of_a_blob_being_fetched_is_served_before_the_fetch_ends(self):
        self.start_strata()
        # The upstream sends 4 MiB and holds the rest: the fetch cannot end before release().
        self.upstream.add_fault(self.digest, "serve", hold_after_bytes=4 * MIB)
        first_result, first_in = [], threading.Event()
        first = threading.Thread(target=lambda: first_result.append(
            read_blob(self.strata.port, self.path, headers_in=first_in)))
        first.start()
        wait_for(first_in.is_set, timeout=HANG, what="the first client's headers")
        status, digest, got, completed = read_blob(self.strata.port, self.path, range_header="bytes=1024-2047")
        self.assertEqual(status, b"HTTP/1.1 206 Partial Content")
        self.assertTrue(completed)
        self.assertEqual(digest, hashlib.sha256(self.blob[1024:2048]).hexdigest())
        # Served with the rest of the blob still held upstream.
        self.assertEqual(self.strata.metric("strata_fetches_in_flight"), 1, "range waited for the whole download")
        self.assertFalse(os.path.exists(self.blob_file()), "download finished before the range was served")
        wait_for(lambda: self.upstream.held() == 1, timeout=HANG, what="the upstream to hold mid-body")
        self.upstream.release()
        first.join(timeout=HANG)
        self.assertEqual(first_result[0][1:], (self.digest.split(":")[1], len(self.blob), True))
        self.assertEqual(self.upstream.blob_gets(self.digest), 1)

    def abandon_a_held_fetch(self):
        """A client reads 1 MiB of a blob whose upstream holds after 15 MiB (so the fetch cannot
        end before release()), then leaves; returns once strata has closed its connection."""
        self.upstream.add_fault(self.digest, "serve", hold_after_bytes=15 * MIB)
        status, _, got, completed = read_blob(self.strata.port, self.path, abort_after=MIB, small_window=True)
        self.assertEqual(status, b"HTTP/1.1 200 OK")
        self.assertFalse(completed)
        # strata gets far more to send than fits in the two sockets, so it finds the client gone.
        wait_for(self.clients_gone, timeout=HANG, what="strata to see its only client leave")
        self.assertFalse(os.path.exists(self.blob_file()))

    def test_fetch_completes_into_the_cache_after_its_only_client_left(self):
        self.start_strata()
        self.abandon_a_held_fetch()
        wait_for(lambda: self.upstream.held() == 1, timeout=HANG, what="the upstream to hold mid-body")
        self.assertEqual(self.strata.metric("strata_fetches_in_flight"), 1)
        self.upstream.release()
        wait_for(lambda: os.path.exists(self.blob_file()), timeout=HANG, what="abandoned fetch to complete")
        r = http("GET", self.strata.url + self.path)
        self.assertEqual(sha256(r.body), self.digest)
        self.assertEqual(self.upstream.blob_gets(self.digest), 1)

    def test_abandoned_fetch_stops_when_configured(self):
        self.start_strata({"cache": {"complete_abandoned_fetches": False}})
        self.abandon_a_held_fetch()
        # Either the upstream holds (and the fetch stops at the first bytes after release), or the
        # fetch already stopped while reading the first 15 MiB.
        wait_for(lambda: self.upstream.held() == 1 or self.strata.metric("strata_fetches_in_flight") == 0,
                 timeout=HANG, what="the upstream to hold or the fetch to stop")
        self.upstream.release()
        wait_for(lambda: "blob fetch abandoned" in self.strata.read_log(), timeout=HANG, what="fetch to stop")
        wait_for(lambda: self.strata.metric("strata_fetches_in_flight") == 0, what="the fetch to end")
        self.assertFalse(os.path.exists(self.blob_file()))
        self.assertEqual(os.listdir(os.path.join(self.strata.data_dir, "tmp")), [])

    def write_config(self, cfg):
        path = os.path.join(self.dir, "extra.json")
        with open(path, "w") as f:
            json.dump(cfg, f)
        return path


if __name__ == "__main__":
    unittest.main()
