"""Referrers (OCI 1.1) through strata: the upstream's API or its tag-schema fallback, artifactType
filtering, the empty index, caching with stale and offline answers, and hostile answers."""
import json
import unittest

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, ProxyTestCase, Registry, Strata, random_layer, sha256, wait_for

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
SIG_TYPE = "application/vnd.dev.cosign.artifact.sig.v1+json"
SBOM_TYPE = "application/spdx+json"
EMPTY_CONFIG = b"{}"


def manifest(config_digest, config_size, config_type="application/vnd.oci.image.config.v1+json", subject=None,
             artifact_type=None, annotations=None):
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
           "config": {"mediaType": config_type, "digest": config_digest, "size": config_size}, "layers": []}
    if subject:
        doc["subject"] = {"mediaType": OCI_MANIFEST, "digest": subject[0], "size": subject[1]}
    if artifact_type:
        doc["artifactType"] = artifact_type
    if annotations:
        doc["annotations"] = annotations
    return json.dumps(doc).encode()


class ReferrersTest(ProxyTestCase):
    def start(self, extra_args=(), **upstream_args):
        self.upstream = FaultUpstream(self.dir, **upstream_args).start()
        self.config = self.upstream.add_blob(EMPTY_CONFIG)
        self.image = manifest(self.config, len(EMPTY_CONFIG))
        self.subject = self.upstream.add_manifest("team/app", "v1", self.image)
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, extra_args=list(extra_args)).start()

    def add_artifacts(self):
        """A cosign-style signature (artifactType set) and an SBOM typed by its config only."""
        subject = (self.subject, len(self.image))
        self.sig = manifest(self.config, len(EMPTY_CONFIG), subject=subject, artifact_type=SIG_TYPE,
                            annotations={"dev.cosignproject.cosign/signature": "MEUCIQ..."})
        self.sbom = manifest(self.config, len(EMPTY_CONFIG), config_type=SBOM_TYPE, subject=subject)
        self.sig_digest = self.upstream.add_manifest("team/app", sha256(self.sig), self.sig)
        self.sbom_digest = self.upstream.add_manifest("team/app", sha256(self.sbom), self.sbom)

    def referrers(self, subject=None, query=""):
        return self.strata.get("/v2/fault.test/team/app/referrers/%s%s" % (subject or self.subject, query))

    def listed(self, r):
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("Content-Type"), OCI_INDEX)
        index = json.loads(r.body)
        self.assertEqual((index["schemaVersion"], index["mediaType"]), (2, OCI_INDEX))
        return {d["digest"]: d for d in index["manifests"]}

    def test_the_upstream_api_is_proxied_filtered_and_cached(self):
        self.start()
        self.add_artifacts()
        r = self.referrers()
        self.assertEqual(r.header("X-Strata-Cache"), "miss")
        listed = self.listed(r)
        self.assertEqual(set(listed), {self.sig_digest, self.sbom_digest})
        self.assertEqual(listed[self.sig_digest]["artifactType"], SIG_TYPE)
        self.assertEqual(listed[self.sbom_digest]["artifactType"], SBOM_TYPE)
        self.assertEqual(listed[self.sig_digest]["size"], len(self.sig))
        self.assertIn("dev.cosignproject.cosign/signature", listed[self.sig_digest]["annotations"])
        self.assertIsNone(r.header("OCI-Filters-Applied"))

        r = self.referrers(query="?artifactType=" + SIG_TYPE.replace("+", "%2B"))
        self.assertEqual(r.header("OCI-Filters-Applied"), "artifactType")
        self.assertEqual(set(self.listed(r)), {self.sig_digest})
        self.assertEqual(r.header("X-Strata-Cache"), "hit")
        self.assertEqual(self.listed(self.referrers(query="?artifactType=text/plain")), {})
        self.assertEqual(self.upstream.count("GET", "/referrers/"), 1)

        # The artifacts themselves are manifests like any other: cached once pulled.
        for digest, body in ((self.sig_digest, self.sig), (self.sbom_digest, self.sbom)):
            r = self.strata.get("/v2/fault.test/team/app/manifests/" + digest, headers={"Accept": OCI_MANIFEST})
            self.assertEqual((r.status, r.body), (200, body))
        r = self.strata.get("/v2/fault.test/team/app/manifests/" + self.sig_digest, headers={"Accept": OCI_MANIFEST})
        self.assertEqual(r.header("X-Strata-Cache"), "hit")

        # No referrers is an empty index, not a 404.
        other = sha256(b"no artifact refers to this")
        self.assertEqual(self.listed(self.referrers(subject=other)), {})
        # A malformed subject is the client's error.
        self.assertEqual(self.referrers(subject="sha256:nothex").status, 400)

        # The pull events name them.
        def recorded():
            lines = self.strata.get("/api/v1/events").body.decode().splitlines()
            return any(json.loads(line).get("kind") == "referrers" for line in lines if line)
        wait_for(recorded, what="a referrers pull event")

    def test_pages_of_the_upstream_api_are_gathered(self):
        self.start(referrers_page_size=1)
        self.add_artifacts()
        self.assertEqual(set(self.listed(self.referrers())), {self.sig_digest, self.sbom_digest})
        self.assertEqual(self.upstream.count("GET", "/referrers/"), 2)

    def test_without_the_api_the_tag_schema_is_read(self):
        self.start(referrers="none")
        self.add_artifacts()
        # What a client that pushes to a registry without the API writes: an index under the tag
        # sha256-<hex>, whose descriptors carry the artifactType (the SBOM's none).
        schema_index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": self.sig_digest, "size": len(self.sig), "artifactType": SIG_TYPE},
            {"mediaType": OCI_MANIFEST, "digest": self.sbom_digest, "size": len(self.sbom)}]}).encode()
        self.upstream.add_manifest("team/app", "sha256-" + self.subject[7:], schema_index, OCI_INDEX)
        listed = self.listed(self.referrers())
        self.assertEqual(set(listed), {self.sig_digest, self.sbom_digest})
        self.assertNotIn("artifactType", listed[self.sbom_digest])
        self.assertEqual(set(self.listed(self.referrers(query="?artifactType=" + SIG_TYPE))), {self.sig_digest})
        # No tag: no referrers.
        self.assertEqual(self.listed(self.referrers(subject=sha256(b"unsigned"))), {})

    def test_a_cached_list_is_served_stale_when_the_upstream_is_down_and_offline(self):
        self.start(extra_args=["--tag-ttl", "0"])
        self.add_artifacts()
        self.assertEqual(len(self.listed(self.referrers())), 2)
        self.upstream.stop()
        r = self.referrers()
        self.assertEqual(r.header("X-Strata-Cache"), "stale")
        self.assertIn("110", r.header("Warning"))
        self.assertEqual(len(self.listed(r)), 2)
        # Never fetched: nothing to fall back on.
        self.assertEqual(self.referrers(subject=sha256(b"never asked")).status, 503)
        # Offline, from the index after a restart.
        self.strata.stop()
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, extra_args=["--offline"]).start()
        r = self.referrers()
        self.assertEqual((r.header("X-Strata-Cache"), len(self.listed(r))), ("hit", 2))
        self.assertEqual(self.referrers(subject=sha256(b"never asked")).status, 503)

    def test_hostile_descriptors_are_dropped_and_a_broken_answer_is_refused(self):
        self.start()
        good = {"mediaType": OCI_MANIFEST, "digest": sha256(b"good"), "size": 10}
        body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            good,
            {"mediaType": OCI_MANIFEST, "digest": "sha256:00", "size": 1},
            {"mediaType": OCI_MANIFEST, "digest": sha256(b"x"), "size": 1, "artifactType": "a/b\r\nX-Evil: 1"},
            {"mediaType": "text/html\r\nSet-Cookie: x", "digest": sha256(b"y"), "size": 1},
            {"mediaType": OCI_MANIFEST, "digest": sha256(b"z"), "size": 1, "annotations": {"k": ["not", "text"]}},
        ]})
        self.upstream.add_fault("/referrers/", "respond", status=200, body=body,
                                headers={"Content-Type": OCI_INDEX})
        r = self.referrers()
        self.assertEqual(set(self.listed(r)), {good["digest"]})
        self.assertNotIn(b"X-Evil", r.body)
        self.assertEqual(self.strata.metric("strata_upstream_rejected_values_total", upstream="fault.test"), 4)

        self.upstream.clear_faults()
        self.upstream.add_fault("/referrers/", "respond", status=200, body="<html>not an index</html>")
        r = self.referrers(subject=sha256(b"another"))
        self.assertEqual(r.status, 502)
        self.assertEqual(json.loads(r.body)["errors"][0]["code"], "UNAVAILABLE")


class ReferrersFromDockerRegistryTest(ProxyTestCase):
    """docker-registry 2.8 has no referrers API: strata reads the tag schema a client pushed."""

    def test_tag_schema_index_pushed_to_docker_registry(self):
        registry = Registry(self.dir).start()
        self.addCleanup(registry.stop)
        config = registry.push_blob("team/app", EMPTY_CONFIG)
        image = manifest(config, len(EMPTY_CONFIG))
        subject = registry.push_manifest("team/app", "v1", image, OCI_MANIFEST)
        sig = manifest(config, len(EMPTY_CONFIG), subject=(subject, len(image)), artifact_type=SIG_TYPE)
        sig_digest = registry.push_manifest("team/app", sha256(sig), sig, OCI_MANIFEST)
        schema_index = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
            {"mediaType": OCI_MANIFEST, "digest": sig_digest, "size": len(sig), "artifactType": SIG_TYPE}]}).encode()
        registry.push_manifest("team/app", "sha256-" + subject[7:], schema_index, OCI_INDEX)
        self.strata = Strata(self.dir, {"local.test": registry.url}).start()
        r = self.strata.get("/v2/local.test/team/app/referrers/" + subject)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual([d["digest"] for d in json.loads(r.body)["manifests"]], [sig_digest])
        r = self.strata.get("/v2/local.test/team/app/manifests/" + sig_digest, headers={"Accept": OCI_MANIFEST})
        self.assertEqual((r.status, r.body), (200, sig))


if __name__ == "__main__":
    unittest.main()
