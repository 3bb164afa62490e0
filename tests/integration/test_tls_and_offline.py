"""TLS upstreams (verified against a CA, refused without it) and life without an upstream (stale tags, offline)."""
import json
import os
import time
import unittest

from fault_upstream import FaultUpstream
from harness import (OCI_MANIFEST, Registry, Strata, TempDir, make_tls_files, push_image, random_layer, sha256,
                     wait_for)


class TlsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.cert, self.key, self.ca = make_tls_files(self.dir)
        self.registry = Registry(self.dir, tls=(self.cert, self.key, self.ca)).start()
        self.image = push_image(self.registry, "team/app", "v1", [random_layer(200_000, "tls")])
        self.strata = None

    def tearDown(self):
        if self.strata:
            self.strata.stop()
        self.registry.stop()
        self.tmp.__exit__(None, None, None)

    def start_strata(self, name, **fields):
        entry = {"name": "tls.test", "url": self.registry.url}
        entry.update(fields)
        workdir = os.path.join(self.dir, name)
        os.makedirs(workdir)
        self.strata = Strata(workdir, {}, config={"upstreams": [entry], "default_upstream": "tls.test",
                                                  "client": {"max_retries": 0}}).start()
        return self.strata

    def pull(self, strata):
        r = strata.get("/v2/tls.test/team/app/manifests/v1", {"Accept": OCI_MANIFEST})
        if r.status != 200:
            return r
        for digest in self.image.blobs:
            b = strata.get("/v2/tls.test/team/app/blobs/" + digest)
            self.assertEqual(sha256(b.body), digest)
        return r

    def test_pulls_through_tls_with_the_configured_ca(self):
        r = self.pull(self.start_strata("with-ca", ca_file=self.ca))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Docker-Content-Digest"), self.image.digest)

    def test_refuses_an_upstream_whose_certificate_it_cannot_verify(self):
        strata = self.start_strata("system-cas")
        r = strata.get("/v2/tls.test/team/app/manifests/v1", {"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 503)
        self.assertIn(b"UNAVAILABLE", r.body)
        self.assertIn("certificate verify failed", strata.read_log())

    def test_verification_can_be_disabled_explicitly_per_upstream(self):
        r = self.pull(self.start_strata("no-verify", tls_verify=False))
        self.assertEqual(r.status, 200)


class WithoutUpstreamTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.upstream = FaultUpstream(self.dir).start()
        self.layer = random_layer(20_000, "stale")
        self.layer_digest = self.upstream.add_blob(self.layer)
        self.manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                               "digest": self.layer_digest, "size": len(self.layer)},
                                    "layers": []}).encode()
        self.digest = self.upstream.add_manifest("team/app", "v1", self.manifest)
        self.upstream.add_manifest("team/app", "v2", self.manifest)

    def tearDown(self):
        self.strata.stop()
        self.upstream.stop()
        self.tmp.__exit__(None, None, None)

    def wait_until_expired(self, stored_by):
        """Waits until a tag mapping stored before the wall-clock time stored_by is past the 1 s
        tag TTL (strata measures the TTL in wall time too)."""
        wait_for(lambda: time.time() > stored_by + 1, what="the 1 s tag TTL to pass")

    def test_expired_tag_is_served_stale_when_upstream_is_down(self):
        # Within its TTL a tag is a hit: 1024 s (the most --tag-ttl takes), which no slow machine
        # outlasts between two requests.
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, extra_args=["--tag-ttl", "1024"]).start()
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.header("X-Strata-Cache"), "miss")
        stored_by = time.time()
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.header("X-Strata-Cache"), "hit")
        # The same store with a 1 s TTL: past it the tag is revalidated.
        self.strata.stop()
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, extra_args=["--tag-ttl", "1"]).start()
        self.wait_until_expired(stored_by)
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.header("X-Strata-Cache"), "revalidated")
        stored_by = time.time()
        self.assertEqual(self.upstream.count("HEAD", "/manifests/v1"), 1)

        self.upstream.add_fault("/manifests/", "status", status=503)
        self.wait_until_expired(stored_by)
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, self.manifest)
        self.assertEqual(r.header("X-Strata-Cache"), "stale")
        self.assertIn("110", r.header("Warning"))
        # Serving stale keeps the mapping expired.
        self.upstream.stop()
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.header("X-Strata-Cache"), "stale")
        # Digests never expire; an uncached tag fails cleanly.
        self.assertEqual(self.strata.get("/v2/fault.test/team/app/manifests/" + self.digest).status, 200)
        r = self.strata.get("/v2/fault.test/team/app/manifests/v2")
        self.assertEqual(r.status, 503)
        self.assertEqual(json.loads(r.body)["errors"][0]["code"], "UNAVAILABLE")

    def test_pull_quota_is_read_spared_at_the_floor_and_a_429_never_fails_a_cached_pull(self):
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, extra_args=["--tag-ttl", "1"]).start()
        quota = {"RateLimit-Limit": "100;w=21600", "RateLimit-Remaining": "76;w=21600"}
        self.upstream.add_fault("/manifests/", "serve", headers=quota)
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual((r.status, r.header("X-Strata-Cache")), (200, "miss"))
        stored_by = time.time()
        self.assertEqual(self.strata.metric("strata_upstream_ratelimit_limit", upstream="fault.test"), 100)
        self.assertEqual(self.strata.metric("strata_upstream_ratelimit_remaining", upstream="fault.test"), 76)
        stats = json.loads(self.strata.get("/api/v1/stats").body)["upstreams"]["fault.test"]
        self.assertEqual(stats, {"limit": 100, "remaining": 76, "window_seconds": 21600, "sparing": False,
                                 "sparing_for_seconds": 0, "down": False, "retry_in_seconds": 0,
                                 "consecutive_failures": 0, "times_down": 0})

        # The tag moves upstream while the quota is at the floor (10): the HEAD that says so also
        # says 5 pulls remain, so the cached mapping is served stale instead of a pull of v1.
        moved = self.manifest.replace(b'"layers": []', b'"layers": [], "annotations": {"moved": "yes"}')
        self.assertNotEqual(moved, self.manifest)
        self.upstream.add_manifest("team/app", "v1", moved)
        self.upstream.clear_faults()
        self.upstream.add_fault("/manifests/", "serve", headers={"RateLimit-Remaining": "5;w=21600"})
        self.wait_until_expired(stored_by)
        gets = self.upstream.count("GET", "/manifests/v1")
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual((r.status, r.header("X-Strata-Cache"), r.body), (200, "stale", self.manifest))
        self.assertEqual(self.upstream.count("GET", "/manifests/v1"), gets)
        stats = json.loads(self.strata.get("/api/v1/stats").body)["upstreams"]["fault.test"]
        self.assertEqual((stats["remaining"], stats["sparing"]), (5, True))
        self.assertGreater(stats["sparing_for_seconds"], 21000)
        self.assertIn('reason="quota"', self.strata.read_log())

        # Out of pulls: every manifest request gets 429. A cached tag is still served, stale, after
        # one HEAD (a 429 that says none remain is not retried); an uncached one gets the 429.
        self.upstream.clear_faults()
        self.upstream.add_fault("/manifests/", "status", status=429, headers={"RateLimit-Remaining": "0;w=21600"})
        heads = self.upstream.count("HEAD", "/manifests/v1")
        r = self.strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual((r.status, r.header("X-Strata-Cache"), r.body), (200, "stale", self.manifest))
        self.assertEqual(self.upstream.count("HEAD", "/manifests/v1"), heads + 1)
        self.assertEqual(self.strata.metric("strata_upstream_ratelimit_remaining", upstream="fault.test"), 0)
        r = self.strata.get("/v2/fault.test/team/app/manifests/v2")
        self.assertEqual(r.status, 429)
        self.assertEqual(json.loads(r.body)["errors"][0]["code"], "TOOMANYREQUESTS")

    def test_offline_mode_serves_the_cache_and_never_contacts_upstream(self):
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}).start()
        self.assertEqual(self.strata.get("/v2/fault.test/team/app/manifests/v1").status, 200)
        self.assertEqual(sha256(self.strata.get("/v2/fault.test/team/app/blobs/" + self.layer_digest).body),
                         self.layer_digest)
        self.strata.stop()
        seen = len(self.upstream.requests())
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, data_dir=self.strata.data_dir,
                             extra_args=["--offline", "--tag-ttl", "0"]).start()
        self.assertEqual(self.strata.get("/v2/fault.test/team/app/manifests/v1").status, 200)
        self.assertEqual(self.strata.get("/v2/fault.test/team/app/blobs/" + self.layer_digest).status, 200)
        for path in ["/v2/fault.test/team/app/manifests/v2", "/v2/fault.test/team/app/blobs/sha256:" + "3" * 64,
                     "/v2/fault.test/team/app/tags/list"]:
            r = self.strata.get(path)
            self.assertEqual(r.status, 503, path)
            self.assertIn(b"offline", r.body)
        self.assertEqual(len(self.upstream.requests()), seen)


if __name__ == "__main__":
    unittest.main()
