"""A wrong or short blob from upstream is never served complete and never cached."""
import http.client
import os
import unittest

from fault_upstream import FaultUpstream
from harness import Strata, TempDir, random_layer, sha256, wait_for


class WrongBytesTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.upstream = FaultUpstream(self.dir).start()
        self.strata = Strata(self.dir, {"faulty.test": self.upstream.url}).start()

    def tearDown(self):
        self.strata.stop()
        self.upstream.stop()
        self.tmp.__exit__(None, None, None)

    def fetch_raw(self, digest):
        """GETs a blob and returns (status, announced length, bytes received, completed)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.strata.port, timeout=120)
        conn.request("GET", "/v2/faulty.test/team/app/blobs/" + digest)
        r = conn.getresponse()
        try:
            body = r.read()
            completed = True
        except http.client.IncompleteRead as e:
            body, completed = e.partial, False
        conn.close()
        return r.status, r.getheader("Content-Length"), body, completed

    def blob_path(self, digest):
        hexpart = digest.split(":")[1]
        return os.path.join(self.strata.data_dir, "blobs", "sha256", hexpart[:2], hexpart)

    def assert_aborted_and_not_cached(self, digest, size):
        status, length, body, completed = self.fetch_raw(digest)
        if status == 200:
            # The response started before the mismatch was known: it must be cut short.
            self.assertEqual(int(length), size)
            self.assertFalse(completed, "a body that does not match its digest was completed")
            self.assertLess(len(body), size)
        else:
            # The fetch had already failed when the response was due: a clean error instead.
            self.assertIn(status, (502, 503))
            self.assertRegex(body, rb"DIGEST_INVALID|UNAVAILABLE")
        self.assertFalse(os.path.exists(self.blob_path(digest)))
        self.assertEqual(os.listdir(os.path.join(self.strata.data_dir, "tmp")), [])
        # The failed fetch is forgotten just after its clients hear of it; a request before
        # then would join it instead of starting the next one.
        wait_for(lambda: self.strata.metric("strata_fetches_in_flight") == 0, what="the failed fetch to end")

    def test_mismatching_bytes_abort_the_response_and_are_refetched_next_time(self):
        layer = random_layer(3_000_000, "wrong")
        digest = self.upstream.add_blob(layer)
        self.upstream.add_fault(digest, "wrong_bytes")
        self.assert_aborted_and_not_cached(digest, len(layer))
        self.assertEqual(self.upstream.blob_gets(digest), 1)
        self.assertIn("blob digest mismatch", self.strata.read_log())

        # Nothing was kept, so the next request goes upstream again; once upstream is
        # fixed the right bytes are served and cached.
        self.assert_aborted_and_not_cached(digest, len(layer))
        self.assertEqual(self.upstream.blob_gets(digest), 2)
        self.upstream.clear_faults()
        status, _, body, completed = self.fetch_raw(digest)
        self.assertTrue(completed)
        self.assertEqual(sha256(body), digest)
        self.assertEqual(self.upstream.blob_gets(digest), 3)
        self.assertTrue(os.path.exists(self.blob_path(digest)))

    def test_slow_mismatching_body_reaches_the_client_as_an_aborted_transfer(self):
        layer = random_layer(2_000_000, "slow-wrong")
        digest = self.upstream.add_blob(layer)
        # The upstream sends 1 MiB of wrong bytes, then holds the rest until the client has
        # some of the body: bytes are streamed while the fetch runs, before the mismatch is known.
        self.upstream.add_fault(digest, "wrong_bytes", hold_after_bytes=1 << 20)
        conn = http.client.HTTPConnection("127.0.0.1", self.strata.port, timeout=120)
        conn.request("GET", "/v2/faulty.test/team/app/blobs/" + digest)
        r = conn.getresponse()
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.getheader("Content-Length")), len(layer))
        body = r.read(1)  # returns once strata has streamed a byte, with the upstream still held
        self.assertEqual(len(body), 1, "bytes were streamed while the fetch ran")
        wait_for(lambda: self.upstream.held() == 1, what="the upstream to hold mid-body")
        self.upstream.release()
        try:
            body += r.read()
            completed = True
        except http.client.IncompleteRead as e:
            body, completed = body + e.partial, False
        conn.close()
        self.assertFalse(completed)
        self.assertLess(len(body), len(layer))
        self.assertFalse(os.path.exists(self.blob_path(digest)))

    def test_truncated_upstream_body_aborts_and_caches_nothing(self):
        layer = random_layer(1_000_000, "short")
        digest = self.upstream.add_blob(layer)
        self.upstream.add_fault(digest, "reset", after_bytes=len(layer) // 2)
        self.assert_aborted_and_not_cached(digest, len(layer))
        self.assertIn("blob fetch truncated", self.strata.read_log())

    def test_tiny_blob_with_wrong_bytes_is_not_served(self):
        digest = self.upstream.add_blob(b"x")
        self.upstream.add_fault(digest, "wrong_bytes")
        self.assert_aborted_and_not_cached(digest, 1)

    def test_manifest_with_wrong_digest_is_refused(self):
        body = b'{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":' \
               b'{"digest":"sha256:' + b"1" * 64 + b'","size":1},"layers":[]}'
        self.upstream.add_manifest("team/app", "sha256:" + "2" * 64, body)
        r = self.strata.get("/v2/faulty.test/team/app/manifests/sha256:" + "2" * 64)
        self.assertEqual(r.status, 502)
        self.assertIn(b"DIGEST_INVALID", r.body)

    def test_invalid_manifest_from_upstream_is_refused_and_not_cached(self):
        self.upstream.add_manifest("team/app", "html", b"<html>not a manifest</html>", "text/html")
        r = self.strata.get("/v2/faulty.test/team/app/manifests/html")
        self.assertEqual(r.status, 502)
        self.assertIn(b"MANIFEST_INVALID", r.body)
        r = self.strata.get("/v2/faulty.test/team/app/manifests/html")
        self.assertEqual(r.status, 502)
        self.assertEqual(self.upstream.count("GET", "/v2/team/app/manifests/html"), 2)


if __name__ == "__main__":
    unittest.main()
