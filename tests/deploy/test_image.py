"""deploy/image/build.sh: the image builds from Debian packages, stays under 80 MB compressed,
runs strata as uid 65532; pushed to docker-registry, it is pulled back through strata by
containerd's ctr, and strata serves from the unpacked rootfs under chroot, pulling an image
through itself, behind the image's haproxy configured as the ring front."""
import glob
import json
import os
import shutil
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from containerd import Containerd  # noqa: E402
from harness import ProxyTestCase, Registry, Strata, http, sha256, start_and_read_port  # noqa: E402
from ring import HaproxyFront  # noqa: E402

REPO_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BUILD = os.path.join(REPO_ROOT, "deploy", "image", "build.sh")
MAX_COMPRESSED = 80 * 1000 * 1000


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("mmdebstrap") and shutil.which("buildah"),
                     "needs root, mmdebstrap and buildah (deploy/setup.sh test installs them)")
class ImageTest(ProxyTestCase):
    def test_the_image_builds_small_and_serves_from_its_rootfs(self):
        layout = os.path.join(self.dir, "layout")
        self.upstream = Registry(self.dir).start()
        built = subprocess.run(["bash", BUILD, "--out", layout, "--tag", "test", "--push",
                                "docker://127.0.0.1:%d/infra/strata:test" % self.upstream.port, "--tls-verify=false"],
                               capture_output=True, text=True, timeout=900)
        self.assertEqual(built.returncode, 0, built.stdout + built.stderr)
        self.assertIn("build.sh: pushed docker://127.0.0.1:%d/infra/strata:test" % self.upstream.port, built.stdout)
        manifest, config = self.read_layout(layout)
        compressed = sum(l["size"] for l in manifest["layers"])
        self.assertLessEqual(compressed, MAX_COMPRESSED)
        self.assertTrue(all(l["mediaType"].endswith("tar+gzip") for l in manifest["layers"]))
        self.assertEqual(config["config"]["User"], "65532:65532")
        self.assertEqual(config["config"]["Entrypoint"], ["/usr/bin/strata"])

        self.strata = Strata(self.dir, {"registry.test": self.upstream.url}).start()
        rootfs = self.pull_and_unpack("registry.test/infra/strata:test")
        self.assertTrue(os.path.isfile(os.path.join(rootfs, "usr", "bin", "strata")))
        self.assertEqual(os.stat(os.path.join(rootfs, "var", "lib", "strata")).st_uid, 65532)

        # strata from the image's root, as the image's user, pulling the image's own layer.
        proc, port = start_and_read_port(
            ["chroot", "--userspec=65532:65532", rootfs, "/usr/bin/strata", "serve", "--config",
             "/etc/strata/strata.json", "--listen", "127.0.0.1:0", "--upstream",
             "registry.test=%s" % self.upstream.url], os.path.join(self.dir, "chrooted.log"),
            rb"strata listening address=127\.0\.0\.1:(\d+)", "strata in the image's rootfs")
        self.addCleanup(lambda: (proc.terminate(), proc.wait(timeout=30)))
        layer = manifest["layers"][0]["digest"]
        r = http("GET", "http://127.0.0.1:%d/v2/registry.test/infra/strata/blobs/%s" % (port, layer), timeout=300)
        self.assertEqual((r.status, sha256(r.body)), (200, layer))
        self.assertTrue(glob.glob(os.path.join(rootfs, "var", "lib", "strata", "blobs", "sha256", "*", layer[7:])))

        # The image's haproxy as the ring front of that strata, configured as the cluster's front is.
        front = HaproxyFront(self.dir, ["127.0.0.1:%d" % port],
                             conf=os.path.join(rootfs, "etc", "strata-front", "haproxy.cfg"),
                             command=["chroot", "--userspec=65532:65532", rootfs, "/usr/sbin/haproxy", "-db", "-f",
                                      "/etc/strata-front/haproxy.cfg"]).start()
        self.addCleanup(front.stop)
        r = http("GET", "%s/v2/registry.test/infra/strata/blobs/%s" % (front.url, layer), timeout=300)
        self.assertEqual((r.status, sha256(r.body), r.header("X-Strata-Replica")), (200, layer, "replica-0"))

    def read_layout(self, layout):
        with open(os.path.join(layout, "index.json")) as f:
            digest = json.load(f)["manifests"][0]["digest"]
        blob = lambda d: os.path.join(layout, "blobs", "sha256", d[7:])
        with open(blob(digest)) as f:
            manifest = json.load(f)
        with open(blob(manifest["config"]["digest"])) as f:
            return manifest, json.load(f)

    def pull_and_unpack(self, ref):
        """ctr pulls ref through strata (a hosts.toml naming strata for registry.test) into the
        native snapshotter, whose committed snapshots are whole directory trees: the image's
        single layer is its rootfs."""
        hosts = os.path.join(self.dir, "certs.d", "registry.test")
        os.makedirs(hosts)
        with open(os.path.join(hosts, "hosts.toml"), "w") as f:
            f.write('server = "https://registry.test"\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n'
                    % self.strata.url)
        daemon = Containerd(self.dir).start()
        try:
            r = daemon.ctr("images", "pull", "--hosts-dir", os.path.dirname(hosts), "--snapshotter", "native", ref)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        finally:
            daemon.stop()
        roots = glob.glob(os.path.join(daemon.dir, "root", "io.containerd.snapshotter.v1.native", "snapshots", "*"))
        self.assertEqual(len(roots), 1, roots)
        return roots[0]
