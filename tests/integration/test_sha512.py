"""sha512 content end to end: routes, verification, the blobs/sha512 store, manifests that mix
algorithms, Docker-Content-Digest in the algorithm addressed, pull events and fsck; against the
fault upstream (which serves sha512 manifests) and docker-registry 2.8 (which stores sha512 blobs
but announces them as sha256 and refuses sha512 manifests)."""
import http.client
import json
import os
import subprocess

from fault_upstream import FaultUpstream
from harness import (OCI_MANIFEST, STRATA, ProxyTestCase, Registry, Strata, random_layer, sha256, sha512,
                     wait_for)

OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def manifest(config, layers):
    """An OCI manifest over (digest, bytes) pairs, each descriptor in its own algorithm."""
    return json.dumps({
        "schemaVersion": 2, "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": config[0], "size": len(config[1])},
        "layers": [{"mediaType": OCI_LAYER, "digest": d, "size": len(b)} for d, b in layers],
    }).encode()


def blob_path(data_dir, digest):
    algorithm, hexa = digest.split(":")
    return os.path.join(data_dir, "blobs", algorithm, hexa[:2], hexa)


class Sha512Test(ProxyTestCase):
    def start_fault_upstream(self):
        self.upstream = FaultUpstream(self.dir).start()
        config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
        self.config = (self.upstream.add_blob(config, "sha512"), config)
        self.layers = [(self.upstream.add_blob(b, "sha512"), b) for b in (random_layer(300_000, "sha512-a"),)]
        mixed = random_layer(200_000, "sha256-b")
        self.layers.append((self.upstream.add_blob(mixed), mixed))  # one sha256 layer among sha512 ones
        self.manifest = manifest(self.config, self.layers)
        self.manifest_digest = self.upstream.add_manifest("team/app", "v1", self.manifest, algorithm="sha512")
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, config={"events": {"flush_ms": 50}}).start()

    def get(self, what, reference, method="GET", headers=None):
        return self.strata.get("/v2/fault.test/team/app/%s/%s" % (what, reference), method=method,
                               headers=dict(headers or {}, Accept=OCI_MANIFEST))

    def test_sha512_manifests_and_blobs_are_verified_stored_and_named_as_addressed(self):
        self.start_fault_upstream()
        self.assertEqual(self.manifest_digest, sha512(self.manifest))
        for cache in ("miss", "hit"):
            r = self.get("manifests", self.manifest_digest)
            self.assertEqual((r.status, r.body, r.header("X-Strata-Cache")), (200, self.manifest, cache))
            self.assertEqual(r.header("Docker-Content-Digest"), self.manifest_digest)
        r = self.get("manifests", self.manifest_digest, method="HEAD")
        self.assertEqual(r.header("Docker-Content-Digest"), self.manifest_digest)
        r = self.get("manifests", "v1")  # by tag: the canonical sha256
        self.assertEqual((r.status, r.header("Docker-Content-Digest")), (200, sha256(self.manifest)))

        for digest, data in [self.config] + self.layers:
            for method in ("GET", "HEAD"):  # the upstream announces sha256; strata names what was asked
                r = self.get("blobs", digest, method=method)
                self.assertEqual((r.status, r.header("Docker-Content-Digest")), (200, digest), digest)
            self.assertEqual(r.header("Content-Length"), str(len(data)))
            r = self.get("blobs", digest)
            self.assertEqual((r.body, r.header("X-Strata-Cache")), (data, "hit"))
            self.assertTrue(os.path.isfile(blob_path(self.strata.data_dir, digest)), digest)
        r = self.get("blobs", self.layers[0][0], headers={"Range": "bytes=10-19"})
        self.assertEqual((r.status, r.body), (206, self.layers[0][1][10:20]))

        def recorded():
            events = [json.loads(l) for l in self.strata.get("/api/v1/events").body.decode().splitlines()]
            return {e["digest"] for e in events if e["kind"] == "blob"}
        wait_for(lambda: {d for d, _ in [self.config] + self.layers} <= recorded(), what="sha512 pull events")

    def test_wrong_sha512_bytes_are_never_served_or_kept(self):
        self.start_fault_upstream()
        bad_blob = random_layer(100_000, "sha512-wrong")
        digest = self.upstream.add_blob(bad_blob, "sha512")
        self.upstream.add_fault(digest, "wrong_bytes")
        conn = http.client.HTTPConnection("127.0.0.1", self.strata.port, timeout=120)
        conn.request("GET", "/v2/fault.test/team/app/blobs/" + digest)
        r = conn.getresponse()
        try:
            body, completed = r.read(), True
        except http.client.IncompleteRead as e:
            body, completed = e.partial, False
        conn.close()
        # Cut short if the response had started before the mismatch was known, else an error.
        self.assertFalse(r.status == 200 and completed, "a body that does not hash to its sha512 was completed")
        self.assertNotEqual(body, bad_blob)
        self.assertFalse(os.path.exists(blob_path(self.strata.data_dir, digest)))
        wait_for(lambda: self.strata.metric("strata_fetches_in_flight") == 0, what="the failed fetch to end")
        self.upstream.clear_faults()
        r = self.get("blobs", digest)
        self.assertEqual((r.status, r.body), (200, bad_blob))

        # A manifest whose bytes do not hash to the sha512 asked for, though its sha256 header "agrees".
        other = manifest(self.config, self.layers[:1])
        other_digest = sha512(other)
        fake = manifest(self.config, self.layers[1:])
        self.upstream.add_fault(other_digest, "respond", status=200, body=fake.decode(),
                                headers={"Content-Type": OCI_MANIFEST, "Docker-Content-Digest": sha256(fake)})
        r = self.get("manifests", other_digest)
        self.assertEqual(r.status, 502, r.body)
        self.assertIn(b"DIGEST_INVALID", r.body)
        self.assertEqual(self.get("manifests", other_digest).status, 502)  # nothing was kept

    def test_fsck_rehashes_sha512_blobs(self):
        self.start_fault_upstream()
        for digest, _ in [self.config] + self.layers:
            self.assertEqual(self.get("blobs", digest).status, 200)
        data_dir = self.strata.data_dir
        self.strata.stop()
        fsck = lambda *flags: subprocess.run([STRATA, "fsck", "--data-dir", data_dir, *flags], capture_output=True,
                                             text=True, timeout=120)
        self.assertEqual(fsck().returncode, 0, fsck().stdout)
        layer = self.layers[0][0]
        with open(blob_path(data_dir, layer), "r+b") as f:  # same size, wrong content
            f.seek(500)
            f.write(b"\0\1\2")
        report = fsck()
        self.assertEqual(report.returncode, 1, report.stdout)
        self.assertIn("corrupt blob " + layer, report.stdout)
        self.assertEqual(fsck("--repair").returncode, 0)
        self.assertFalse(os.path.exists(blob_path(data_dir, layer)))

    def test_docker_registry_sha512_layers_in_a_sha256_manifest(self):
        self.upstream = Registry(self.dir).start()
        layer = random_layer(250_000, "registry-sha512")
        config = b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}'
        layer_digest = self.upstream.push_blob("team/app", layer, digest_of=sha512)
        config_digest = self.upstream.push_blob("team/app", config)
        body = manifest((config_digest, config), [(layer_digest, layer)])
        self.upstream.push_manifest("team/app", "v1", body, OCI_MANIFEST)
        # What distribution 2.8 says of the blob it stored by sha512.
        announced = self.upstream.request("HEAD", self.upstream.url + "/v2/team/app/blobs/" + layer_digest)
        self.assertEqual(announced.header("Docker-Content-Digest"), sha256(layer))
        self.strata = Strata(self.dir, {"registry.test": self.upstream.url}).start()
        r = self.strata.get("/v2/registry.test/team/app/manifests/v1", headers={"Accept": OCI_MANIFEST})
        self.assertEqual((r.status, r.body), (200, body))
        for _ in range(2):
            r = self.strata.get("/v2/registry.test/team/app/blobs/" + layer_digest)
            self.assertEqual((r.status, r.body, r.header("Docker-Content-Digest")), (200, layer, layer_digest))
        self.assertEqual(r.header("X-Strata-Cache"), "hit")
        self.assertEqual(self.upstream.blob_gets(layer_digest), 1)
