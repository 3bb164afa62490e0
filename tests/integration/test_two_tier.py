"""Two tiers: node-local stratas whose upstream is a cluster strata, itself in front of the
registry. A herd on two nodes fetches each blob from the registry once, and each node's second
pull is served from its own disk."""
import json
import threading

from harness import OCI_MANIFEST, ProxyTestCase, Registry, Strata, push_image, random_layer, sha256, wait_for

UPSTREAM = "registry.test"


class TwoTierTest(ProxyTestCase):
    def test_node_stratas_behind_a_cluster_strata_fetch_each_blob_upstream_once(self):
        self.upstream = Registry(self.dir).start()
        image = push_image(self.upstream, "team/app", "v1", [random_layer(400_000, "tier-%d" % i) for i in range(4)])
        # The cluster tier: the registry under its own name, and as the default for what the
        # node tier forwards (plain /v2/<repository>/... paths).
        cluster = Strata(self.dir, {UPSTREAM: self.upstream.url}, data_dir=self.dir + "/cluster",
                         extra_args=["--default-upstream", UPSTREAM]).start()
        self.addCleanup(cluster.stop)
        nodes = []
        for name in ("node-a", "node-b"):
            node = Strata(self.dir, {UPSTREAM: cluster.url}, data_dir=self.dir + "/" + name,
                          config={"events": {"flush_ms": 50}}).start()
            self.addCleanup(node.stop)
            nodes.append(node)

        def pull(node, results):
            r = node.get("/v2/%s/team/app/manifests/v1" % UPSTREAM, headers={"Accept": OCI_MANIFEST})
            ok = r.status == 200
            for digest in image.blobs:
                r = node.get("/v2/%s/team/app/blobs/%s" % (UPSTREAM, digest))
                ok = ok and r.status == 200 and sha256(r.body) == digest
            results.append(ok)

        results = []
        herd = [threading.Thread(target=pull, args=(node, results)) for node in nodes for _ in range(4)]
        for t in herd:
            t.start()
        for t in herd:
            t.join(300)
        self.assertEqual(results, [True] * len(herd))
        for digest in image.blobs:
            self.assertEqual(self.upstream.blob_gets(digest), 1, digest)
        # Each node holds the image; a second pull touches neither the cluster tier nor the registry.
        cluster_requests = cluster.metric("strata_requests_total")
        for node in nodes:
            again = []
            pull(node, again)
            self.assertEqual(again, [True])
        self.assertEqual(cluster.metric("strata_requests_total"), cluster_requests)
        for node in nodes:
            def blob_hits():
                lines = node.get("/api/v1/events").body.decode().splitlines()
                return [e for e in map(json.loads, lines) if e["kind"] == "blob" and e["cache_status"] == "hit"]
            wait_for(lambda: len(blob_hits()) >= len(image.blobs), what="the second pull's hits")

    def test_one_cluster_strata_serves_a_node_tier_several_registries(self):
        # The node tier names each registry's upstream after it, all at the cluster strata, with
        # send_ns: every request carries ?ns=<registry>, and the cluster tier picks its upstream by it.
        self.upstream = Registry(self.dir).start()
        other = Registry(self.dir + "/other").start()
        self.addCleanup(other.stop)
        images = {UPSTREAM: push_image(self.upstream, "team/app", "v1", [random_layer(300_000, "ns-a")]),
                  "other.test": push_image(other, "team/app", "v1", [random_layer(300_000, "ns-b")])}
        cluster = Strata(self.dir, {UPSTREAM: self.upstream.url, "other.test": other.url},
                         data_dir=self.dir + "/cluster").start()
        self.addCleanup(cluster.stop)
        node = Strata(self.dir, {}, data_dir=self.dir + "/node", config={"default_upstream": UPSTREAM, "upstreams": [
            {"name": name, "url": cluster.url, "send_ns": True} for name in images]}).start()
        self.addCleanup(node.stop)
        for name, image in images.items():
            r = node.get("/v2/%s/team/app/manifests/v1" % name, headers={"Accept": OCI_MANIFEST})
            self.assertEqual((r.status, r.body), (200, image.manifest), name)
            for digest in image.blobs:
                r = node.get("/v2/%s/team/app/blobs/%s" % (name, digest))
                self.assertEqual((r.status, sha256(r.body)), (200, digest), name)
        for registry, image in ((self.upstream, images[UPSTREAM]), (other, images["other.test"])):
            for digest in image.blobs:
                self.assertEqual(registry.blob_gets(digest), 1, digest)
