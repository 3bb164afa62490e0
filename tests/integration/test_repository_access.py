"""Who may read cached content: per-repository links, the "public" and "confirm" access modes,
and downloads queued per upstream.

The fault upstream serves any blob under any repository, so a repository that "does not hold" a
digest is scripted with a 404 "respond" fault on its path.
"""
import threading

from fault_upstream import FaultUpstream
from harness import (OCI_MANIFEST, ProxyTestCase, Strata, counter, metric_samples, random_layer, sha256,
                     wait_for)


class RepositoryAccessTest(ProxyTestCase):
    def start(self, upstream_entry, **config):
        self.upstream.start()
        entry = {"name": "fault.test", "url": self.upstream.url}
        entry.update(upstream_entry)
        config.update({"upstreams": [entry], "default_upstream": "fault.test"})
        self.strata = Strata(self.dir, {}, config=config).start()

    def blob(self, repo, digest, method="GET"):
        return self.strata.get("/v2/fault.test/%s/blobs/%s" % (repo, digest), method=method)

    def heads(self, repo, digest):
        return self.upstream.count("HEAD", "/%s/blobs/%s" % (repo, digest))

    def test_confirm_mode_asks_the_upstream_once_and_refuses_what_it_denies(self):
        self.upstream = FaultUpstream(self.dir, auth="basic", user="robot:s3cret")
        self.start({"username": "robot", "password": "s3cret"})  # credentials: "confirm" by default
        layer = random_layer(50_000, "private")
        digest = self.upstream.add_blob(layer)
        self.assertEqual(sha256(self.blob("team/private", digest).body), digest)
        downloads = self.upstream.blob_gets(digest)  # the first answer was a 401 challenge

        # Another repository, which the registry says does not hold the layer: refused, once asked.
        self.upstream.add_fault("/team/other/blobs/", "respond", status=404, body="{}")
        for _ in range(2):
            r = self.blob("team/other", digest)
            self.assertEqual(r.status, 404)
            self.assertIn(b"BLOB_UNKNOWN", r.body)
            self.assertEqual(self.blob("team/other", digest, method="HEAD").status, 404)
        self.assertEqual(self.heads("team/other", digest), 1, "the refusal was not recorded")
        self.assertEqual(self.upstream.count("GET", "/team/other/blobs/"), 0)

        # A repository the registry confirms: served from cache after one HEAD, recorded.
        for _ in range(2):
            r = self.blob("team/shared", digest)
            self.assertEqual(r.status, 200)
            self.assertEqual(sha256(r.body), digest)
        self.assertEqual(self.heads("team/shared", digest), 1)
        self.assertEqual(self.upstream.blob_gets(digest), downloads, "the blob was downloaded again")

        # The repository it was downloaded through never needs asking.
        self.assertEqual(self.blob("team/private", digest).status, 200)
        self.assertEqual(self.heads("team/private", digest), 0)

    def test_confirm_mode_covers_manifests_by_digest(self):
        self.upstream = FaultUpstream(self.dir, auth="basic", user="robot:s3cret")
        self.start({"username": "robot", "password": "s3cret"})
        manifest = ('{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":'
                    '"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},"layers":[]}'
                    % (OCI_MANIFEST, "cd" * 32)).encode()
        digest = self.upstream.add_manifest("team/private", "v1", manifest)
        r = self.strata.get("/v2/fault.test/team/private/manifests/v1", {"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 200)
        self.upstream.add_fault("/team/other/manifests/", "respond", status=404, body="{}")
        r = self.strata.get("/v2/fault.test/team/other/manifests/" + digest, {"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 404)
        self.assertIn(b"MANIFEST_UNKNOWN", r.body)
        r = self.strata.get("/v2/fault.test/team/private/manifests/" + digest, {"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, manifest)

    def test_public_mode_serves_cached_content_under_any_repository_without_asking(self):
        self.upstream = FaultUpstream(self.dir)
        self.start({})  # no credentials: "public" by default
        layer = random_layer(50_000, "public")
        digest = self.upstream.add_blob(layer)
        self.assertEqual(self.blob("library/a", digest).status, 200)
        self.upstream.add_fault("/library/b/blobs/", "respond", status=404, body="{}")
        r = self.blob("library/b", digest)
        self.assertEqual(r.status, 200)
        self.assertEqual(sha256(r.body), digest)
        self.assertEqual(self.heads("library/b", digest), 0)
        self.assertEqual(self.upstream.blob_gets(digest), 1)

    def test_downloads_beyond_the_per_upstream_limit_wait_their_turn(self):
        self.upstream = FaultUpstream(self.dir)
        self.start({}, client={"max_downloads_per_upstream": 1})
        first, second = (self.upstream.add_blob(random_layer(30_000, "queue-%d" % i)) for i in range(2))
        self.upstream.add_fault(first, "delay", delay_ms=0, hold=True, times=1)
        results = {}

        def pull(digest):
            results[digest] = self.blob("team/app", digest)
        threads = [threading.Thread(target=pull, args=(d,)) for d in (first, second)]
        threads[0].start()
        wait_for(lambda: self.upstream.held() == 1, what="the first download to reach the upstream")
        threads[1].start()
        # Both downloads are in flight inside strata, but the second must not reach the upstream
        # while the first holds the only slot.
        wait_for(lambda: counter(metric_samples(self.strata.get("/metrics").body.decode()),
                                 "strata_fetches_in_flight") == 2, what="the second download to be queued")
        self.assertEqual(self.upstream.blob_gets(second), 0, "the second download did not wait for a slot")
        self.upstream.release()
        for t in threads:
            t.join(120)
        self.assertEqual(results[first].status, 200)
        self.assertEqual(results[second].status, 200)
        gets = [q["target"] for q in self.upstream.requests() if q["method"] == "GET" and "/blobs/" in q["target"]]
        self.assertEqual(len(gets), 2)
        self.assertIn(first, gets[0])
        self.assertIn(second, gets[1])
