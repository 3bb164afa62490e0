"""A zstd:chunked partial pull with Debian's podman (containers/image 5.23) through strata: the
layer's table of contents, then every missing file chunk in one multi-range request, each
answered from a ranged upstream GET while the whole layer is fetched in the background."""
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import tarfile
import unittest

from harness import ProxyTestCase, Registry, Strata, wait_for

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def write_layout(root, files):
    """An OCI layout holding one image (tag v1) of one uncompressed tar layer of files."""
    blobs = os.path.join(root, "blobs", "sha256")
    os.makedirs(blobs)

    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(blobs, digest), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + digest, "size": len(data)}

    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w") as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            t.addfile(info, io.BytesIO(data))
    layer = put(tar.getvalue())
    config = put(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                             "rootfs": {"type": "layers", "diff_ids": [layer["digest"]]}}).encode())
    manifest = put(json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                               "config": dict(config, mediaType="application/vnd.oci.image.config.v1+json"),
                               "layers": [dict(layer, mediaType="application/vnd.oci.image.layer.v1.tar")]}).encode())
    with open(os.path.join(root, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [dict(manifest, mediaType=OCI_MANIFEST, annotations={
            "org.opencontainers.image.ref.name": "v1"})]}, f)
    with open(os.path.join(root, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')


@unittest.skipUnless(shutil.which("podman"), "podman is not installed (deploy/setup.sh test installs it)")
class ZstdChunkedTest(ProxyTestCase):
    def test_podman_partial_pull_gets_its_file_chunks_through_strata(self):
        self.upstream = Registry(self.dir).start()
        rng = random.Random(7)
        files = [("usr/lib/f%03d" % i, rng.randbytes(20_000 + 1000 * (i % 9))) for i in range(120)]
        layout = os.path.join(self.dir, "layout")
        write_layout(layout, files)
        copied = subprocess.run(["skopeo", "copy", "-q", "--dest-compress-format", "zstd:chunked",
                                 "--dest-tls-verify=false", "oci:%s:v1" % layout,
                                 "docker://127.0.0.1:%d/team/chunked:v1" % self.upstream.port],
                                capture_output=True, text=True, timeout=300)
        self.assertEqual(copied.returncode, 0, copied.stderr)
        layer = json.loads(self.upstream.get("/v2/team/chunked/manifests/v1",
                                             headers={"Accept": OCI_MANIFEST}).body)["layers"][0]
        self.assertIn("io.containers.zstd-chunked.manifest-position", layer.get("annotations", {}))

        self.strata = Strata(self.dir, {"registry.test": self.upstream.url}, config={"events": {"flush_ms": 50}}).start()
        result = self.podman_pull("registry.test/team/chunked:v1")
        self.assertEqual(result.returncode, 0, result.stderr[-3000:])
        self.assertIn("Retrieved partial blob " + layer["digest"], result.stderr)
        self.assertNotIn("Failed to retrieve partial blob", result.stderr)

        def ranged_answers():
            lines = self.strata.get("/api/v1/events").body.decode().splitlines()
            return [e for e in map(json.loads, lines) if e["digest"] == layer["digest"] and e["range"]]
        wait_for(lambda: len(ranged_answers()) >= 2, what="the partial pull's ranged requests in the events")
        answers = ranged_answers()
        self.assertTrue(all(e["http_status"] == 206 for e in answers), answers)
        self.assertGreater(max(e["range"].count(",") + 1 for e in answers), 16, "no multi-range request seen")

    def podman_pull(self, ref):
        """podman pull as root into storage under the test's dir, partial pulls on, strata as the
        (plain HTTP) location of the registry."""
        storage = os.path.join(self.dir, "storage.conf")
        with open(storage, "w") as f:
            f.write('[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n'
                    '[storage.options]\npull_options = {enable_partial_images = "true", use_hard_links = "false"}\n'
                    % (os.path.join(self.dir, "graph"), os.path.join(self.dir, "run")))
        registries = os.path.join(self.dir, "registries.conf")
        with open(registries, "w") as f:
            f.write('unqualified-search-registries = []\n[[registry]]\nprefix = "registry.test"\n'
                    'location = "%s/registry.test"\ninsecure = true\n' % self.strata.host)
        env = dict(os.environ, CONTAINERS_STORAGE_CONF=storage, CONTAINERS_REGISTRIES_CONF=registries)
        self.addCleanup(subprocess.run, ["podman", "rmi", "--all", "--force"], env=env, capture_output=True)
        return subprocess.run(["podman", "--log-level", "debug", "pull", ref], env=env, capture_output=True, text=True,
                              timeout=300)
