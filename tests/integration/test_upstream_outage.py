"""An upstream that refuses connections, blackholes them, or is slow: stale tags are served without
waiting for it, uncached content fails fast naming the upstream, and one probe finds it back."""
import json
import socket
import unittest

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, ProxyTestCase, Strata, random_layer, wait_for

# Short timeouts and backoffs so that a test sees the breaker trip and recover; the revalidation
# wait stays at its default.
CONFIG = {"timeouts": {"connect_ms": 1500, "headers_ms": 1500},
          "client": {"breaker_failures": 3, "breaker_backoff_ms": 300, "breaker_max_backoff_ms": 600}}


class UpstreamOutageTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.port = 0  # the first start picks one; a restart takes the same
        self.start_upstream()
        # Tags are revalidated on every request (TTL 0): each one asks the upstream.
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, extra_args=["--tag-ttl", "0"],
                             config=CONFIG).start()
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual((r.status, r.header("X-Strata-Cache")), (200, "miss"))
        self.assertEqual(self.strata.get("/v2/fault.test/team/app/blobs/" + self.layer_digest).status, 200)

    def start_upstream(self):
        self.upstream = FaultUpstream(self.dir, port=self.port).start()
        self.port = self.upstream.port
        self.layer = random_layer(10_000, "outage")
        self.layer_digest = self.upstream.add_blob(self.layer)
        self.uncached = self.upstream.add_blob(random_layer(10_000, "never pulled"))
        self.manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                               "digest": self.layer_digest, "size": len(self.layer)},
                                    "layers": []}).encode()
        self.upstream.add_manifest("team/app", "v1", self.manifest)

    def upstream_state(self):
        return json.loads(self.strata.get("/api/v1/stats").body)["upstreams"]["fault.test"]

    def assert_stale(self):
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual((r.status, r.header("X-Strata-Cache"), r.body), (200, "stale", self.manifest))

    def assert_fails_fast_naming_the_upstream(self):
        r = self.strata.get("/v2/fault.test/team/app/blobs/" + self.uncached)
        self.assertEqual(r.status, 503)
        error = json.loads(r.body)["errors"][0]
        self.assertEqual(error["code"], "UNAVAILABLE")
        self.assertIn("upstream fault.test is down", error["detail"])
        self.assertIn("next try in", error["detail"])
        self.assertGreaterEqual(int(r.header("Retry-After")), 1)

    def wait_until_down(self):
        # Each stale request's revalidation is one failed try; the third in a row trips the breaker.
        def down():
            self.assert_stale()
            return self.upstream_state()["down"]
        wait_for(down, what="the breaker to mark fault.test down")
        self.assertEqual(self.strata.metric("strata_upstream_down", upstream="fault.test"), 1)

    def test_refused_connections_serve_stale_fail_fast_and_one_probe_finds_the_upstream_back(self):
        self.upstream.stop()
        self.wait_until_down()
        self.assert_stale()
        self.assert_fails_fast_naming_the_upstream()
        # Cached content needs no upstream at all.
        r = self.strata.get("/v2/fault.test/team/app/blobs/" + self.layer_digest)
        self.assertEqual((r.status, r.body), (200, self.layer))

        # Back on the same address: once the backoff passes, a probe finds it and tags revalidate.
        self.start_upstream()

        def revalidated():
            return self.strata.get("/v2/fault.test/team/app/manifests/v1").header("X-Strata-Cache") == "revalidated"
        wait_for(revalidated, what="a revalidation once fault.test is back")
        self.assertFalse(self.upstream_state()["down"])
        self.assertEqual(self.strata.metric("strata_upstream_down", upstream="fault.test"), 0)
        r = self.strata.get("/v2/fault.test/team/app/blobs/" + self.uncached)
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(self.upstream_state()["times_down"], 1)

    def test_a_blackholed_upstream_serves_stale_tags_and_is_marked_down_by_its_timeouts(self):
        self.upstream.stop()
        # A listening socket that never accepts: connections hang in its backlog (or, once that is
        # full, never complete), and no answer ever comes.
        hole = socket.socket()
        hole.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hole.bind(("127.0.0.1", self.port))
        hole.listen(1)
        self.addCleanup(hole.close)
        # The first request waits cache.stale_wait_ms for its revalidation, then gets the cached
        # mapping; the revalidation runs on until the header timeout and counts as a failure.
        self.wait_until_down()
        self.assert_stale()
        self.assert_fails_fast_naming_the_upstream()
        self.assertIn("no answer within cache.stale_wait_ms", self.strata.read_log())

    def test_a_slow_revalidation_serves_stale_and_renews_the_tag_when_it_answers(self):
        self.upstream.add_fault("/manifests/v1", "serve", hold=True)
        self.assert_stale()  # the HEAD is held: after cache.stale_wait_ms the cached mapping goes out
        self.assert_stale()  # a second request joins the held revalidation instead of starting another
        wait_for(lambda: self.upstream.held() == 1, what="the revalidation HEAD to be held")
        self.assertEqual(self.upstream.count("HEAD", "/manifests/v1"), 1)
        self.upstream.clear_faults()
        self.upstream.release()
        # The background revalidation confirmed the digest and renewed the mapping: with TTL 0 the
        # next request revalidates again, now promptly.
        wait_for(lambda: self.upstream.held() == 0, what="the held HEAD to be answered")

        def revalidated():
            return self.strata.get("/v2/fault.test/team/app/manifests/v1").header("X-Strata-Cache") == "revalidated"
        wait_for(revalidated, what="a prompt revalidation")
        self.assertFalse(self.upstream_state()["down"])


if __name__ == "__main__":
    unittest.main()
