"""Graceful shutdown: SIGTERM stops accepting, closes idle connections, lets a response in flight
finish within server.shutdown_grace_ms, writes the pending pull events, and exits 0.

No test here relies on timing: the fault upstream holds a blob's body (hold_after_bytes) until
the test releases it, so the response is provably in flight when the signal arrives.
"""
import hashlib
import json
import signal
import socket
import subprocess
import threading
import unittest

from fault_upstream import FaultUpstream
from harness import STRATA, ProxyTestCase, Strata, http, wait_for
from test_coalescing import read_blob

MIB = 1 << 20
HANG_MS = 300_000  # only bounds a hang


class ShutdownTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.blob = hashlib.shake_256(b"shutdown").digest(4 * MIB)
        self.digest = self.upstream.add_blob(self.blob)
        self.path = "/v2/fault.test/team/app/blobs/" + self.digest
        # The blob's headers and first 256 KiB, then nothing until release().
        self.upstream.add_fault(self.digest, "serve", hold_after_bytes=256 * 1024)

    def start_strata(self, grace_ms):
        config = {"server": {"shutdown_grace_ms": grace_ms},
                  "timeouts": {"headers_ms": HANG_MS, "idle_body_ms": HANG_MS, "client_idle_ms": HANG_MS}}
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, config=config).start()

    def start_download(self):
        """A client GET of the held blob in a thread; returns (thread, result list)."""
        result = []
        headers_in = threading.Event()
        thread = threading.Thread(target=lambda: result.append(read_blob(self.strata.port, self.path,
                                                                         headers_in=headers_in)))
        thread.start()
        self.assertTrue(headers_in.wait(HANG_MS / 1000), "the response never started")
        wait_for(lambda: self.upstream.held() == 1, what="the upstream to hold the body")
        return thread, result

    def idle_connection(self):
        """A keep-alive connection that has finished one request and waits for the next."""
        sock = socket.create_connection(("127.0.0.1", self.strata.port))
        sock.sendall(b"GET /v2/ HTTP/1.1\r\nHost: strata\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            data += sock.recv(4096)
        return sock

    def refuses_connections(self):
        try:
            socket.create_connection(("127.0.0.1", self.strata.port), timeout=5).close()
            return False
        except ConnectionRefusedError:
            return True

    def test_sigterm_lets_the_response_in_flight_finish_then_exits_cleanly(self):
        self.start_strata(grace_ms=HANG_MS)
        idle = self.idle_connection()
        thread, result = self.start_download()
        self.strata.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: "strata stopping" in self.strata.read_log(), what="strata to begin stopping")
        wait_for(self.refuses_connections, what="the listener to close")
        idle.settimeout(HANG_MS / 1000)
        self.assertEqual(idle.recv(4096), b"", "an idle keep-alive connection stays open during shutdown")
        idle.close()
        self.assertIsNone(self.strata.proc.poll(), "strata exited with a response in flight")

        self.upstream.release()
        thread.join(HANG_MS / 1000)
        status, digest, got, complete = result[0]
        self.assertIn(b"200", status)
        self.assertTrue(complete, "the response in flight was cut off")
        self.assertEqual("sha256:" + digest, self.digest)
        self.assertEqual(self.strata.proc.wait(timeout=HANG_MS / 1000), 0)
        log = self.strata.read_log()
        self.assertIn("strata stopped", log)
        self.assertNotIn("shutdown grace over", log)

        # The pull finished during shutdown is in the event log.
        export = subprocess.run([STRATA, "events", "export", "--data-dir", self.strata.data_dir, "--format", "jsonl"],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(export.returncode, 0, export.stderr)
        events = [json.loads(line) for line in export.stdout.splitlines() if line.strip()]
        self.assertTrue(any(e.get("digest") == self.digest and e.get("http_status") == 200 for e in events),
                        export.stdout[:2000])

    def test_the_grace_period_bounds_shutdown_and_the_store_stays_sound(self):
        self.start_strata(grace_ms=200)
        thread, result = self.start_download()
        self.strata.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.strata.proc.wait(timeout=HANG_MS / 1000), 0)
        self.assertIn("shutdown grace over", self.strata.read_log())
        thread.join(HANG_MS / 1000)
        status, digest, got, complete = result[0]
        self.assertFalse(complete, "a held response cannot have completed")
        self.upstream.release()
        fsck = subprocess.run([STRATA, "fsck", "--data-dir", self.strata.data_dir], capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(fsck.returncode, 0, fsck.stdout + fsck.stderr)
        self.strata.start()  # the cut download left nothing that stops a restart
        self.assertEqual(http("GET", self.strata.url + "/v2/").status, 200)

    def test_a_second_signal_stops_at_once(self):
        self.start_strata(grace_ms=HANG_MS)
        thread, result = self.start_download()
        self.strata.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: "strata stopping" in self.strata.read_log(), what="strata to begin stopping")
        self.strata.proc.send_signal(signal.SIGINT)
        self.assertEqual(self.strata.proc.wait(timeout=HANG_MS / 1000), 0)
        self.assertIn("a second signal cut the shutdown grace short", self.strata.read_log())
        thread.join(HANG_MS / 1000)
        self.assertFalse(result[0][3])


if __name__ == "__main__":
    unittest.main()
