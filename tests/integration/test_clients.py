"""Real clients through strata: skopeo copy and containerd's ctr with the deploy/ hosts.toml mirror files."""
import json
import os
import re
import shutil
import subprocess
import unittest

from containerd import Containerd
from harness import REPO_ROOT, STRATA, Registry, Strata, TempDir, push_image, push_index, random_layer, sha256, wait_for


def oci_layout_blobs(path):
    blob_dir = os.path.join(path, "blobs", "sha256")
    out = {}
    for name in os.listdir(blob_dir):
        with open(os.path.join(blob_dir, name), "rb") as f:
            data = f.read()
        out["sha256:" + name] = data
    return out


class ClientsTest(unittest.TestCase):
    def setUp(self):
        self.tmp = TempDir()
        self.dir = self.tmp.__enter__()
        self.registry = Registry(self.dir).start()
        shared = random_layer(300_000, "shared")
        self.app = push_image(self.registry, "team/app", "v1", [shared, random_layer(2_000_000, "app"),
                                                               random_layer(1_000, "small")])
        self.other = push_image(self.registry, "team/other", "v1", [shared, random_layer(50_000, "other")], oci=False)
        amd = push_image(self.registry, "team/multi", "amd64", [random_layer(7_000, "amd")])
        arm = push_image(self.registry, "team/multi", "arm64", [random_layer(7_000, "arm")], arch="arm64")
        self.index = push_index(self.registry, "team/multi", "v1", {"amd64": amd, "arm64": arm})
        # Named docker.io so the deploy/ hosts.toml for docker.io is the one under test.
        self.strata = Strata(self.dir, {"registry.test": self.registry.url, "docker.io": self.registry.url}).start()

    def tearDown(self):
        self.strata.stop()
        self.registry.stop()
        self.tmp.__exit__(None, None, None)

    def skopeo_copy(self, ref, dest, *extra):
        result = subprocess.run(["skopeo", "copy", "--src-tls-verify=false", *extra, "docker://%s/%s" % (self.strata.host, ref),
                                 "oci:" + dest], capture_output=True, text=True, timeout=300)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_skopeo_copy_matches_upstream_and_second_pull_is_served_from_cache(self):
        dest = os.path.join(self.dir, "copy1")
        self.skopeo_copy("registry.test/team/app:v1", dest + ":v1")
        copied = oci_layout_blobs(dest)
        for digest, data in self.app.blobs.items():
            self.assertIn(digest, copied)
            self.assertEqual(sha256(copied[digest]), digest)
        self.assertIn(self.app.digest, copied)
        gets_after_first = self.registry.blob_gets()
        self.assertEqual(gets_after_first, len(self.app.blobs))

        dest2 = os.path.join(self.dir, "copy2")
        self.skopeo_copy("registry.test/team/app:v1", dest2 + ":v1")
        self.assertEqual(oci_layout_blobs(dest2).keys(), copied.keys())
        self.assertEqual(self.registry.blob_gets(), gets_after_first, "second pull fetched blobs upstream")

        # A second image sharing a layer fetches only what it does not share.
        self.skopeo_copy("registry.test/team/other:v1", os.path.join(self.dir, "copy3") + ":v1")
        self.assertEqual(self.registry.blob_gets(), gets_after_first + len(self.other.blobs) - 1)

    def test_skopeo_copies_every_platform_of_an_index(self):
        dest = os.path.join(self.dir, "multi")
        self.skopeo_copy("registry.test/team/multi:v1", dest + ":v1", "--all")
        copied = oci_layout_blobs(dest)
        for digest in self.index.blobs:
            self.assertIn(digest, copied)
        self.assertIn(self.index.digest, copied)

    def hosts_dir(self, name="certs.d"):
        """The deploy/ hosts.toml files, pointed at this test's strata port."""
        src = os.path.join(REPO_ROOT, "deploy", "containerd", "certs.d")
        dest = os.path.join(self.dir, name)
        shutil.copytree(src, dest)
        for root, _, files in os.walk(dest):
            for name in files:
                path = os.path.join(root, name)
                with open(path) as f:
                    text = f.read()
                self.assertIn("127.0.0.1:5000", text)
                with open(path, "w") as f:
                    f.write(text.replace("127.0.0.1:5000", self.strata.host))
        return dest

    def test_containerd_pulls_through_mirror_and_again_with_upstream_stopped(self):
        hosts = self.hosts_dir()
        ref = "docker.io/team/app:v1"
        first = Containerd(self.dir, "containerd-1").start()
        try:
            r = first.ctr("images", "pull", "--hosts-dir", hosts, "--snapshotter", "native", ref)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            listing = first.ctr("images", "ls", "-q").stdout
            self.assertIn(ref, listing)
            content = first.ctr("content", "ls", "-q").stdout.split()
            for digest in self.app.blobs:
                self.assertIn(digest, content)
        finally:
            first.stop()
        self.assertEqual(self.registry.blob_gets(), len(self.app.blobs))
        # containerd named the upstream with ?ns=docker.io; strata logged the pull under it (the
        # access log is written in blocks: wait for the block).
        logged = re.compile(r'kind=manifest upstream=docker\.io repo="team/app" ref="v1" ')
        wait_for(lambda: logged.search(self.strata.read_log()), what="the pull's access log line")

        self.registry.stop()
        second = Containerd(self.dir, "containerd-2").start()
        try:
            r = second.ctr("images", "pull", "--hosts-dir", hosts, "--snapshotter", "native", ref)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            content = second.ctr("content", "ls", "-q").stdout.split()
            for digest in self.app.blobs:
                self.assertIn(digest, content)
        finally:
            second.stop()

    def named_hosts_dir(self, node):
        """hosts.toml files with the node's X-Strata-Node entry enabled by deploy/README.md's sed."""
        hosts = self.hosts_dir("certs.d-" + node)
        files = [os.path.join(hosts, d, "hosts.toml") for d in sorted(os.listdir(hosts))]
        subprocess.run(["sed", "-i", "-e", r"s|^  # \[host\.\(.*\)\.header\]|  [host.\1.header]|",
                        "-e", r's|^  #   X-Strata-Node = \["NODE_NAME"\]|    X-Strata-Node = ["%s"]|' % node, *files],
                       check=True)
        with open(files[0]) as f:
            self.assertIn('\n    X-Strata-Node = ["%s"]\n' % node, f.read())
        return hosts

    def test_two_containerd_nodes_are_told_apart_by_their_hosts_toml_header(self):
        ref = "docker.io/team/app:v1"
        for node in ("gpu-a", "gpu-b"):
            daemon = Containerd(self.dir, "containerd-" + node).start()
            try:
                r = daemon.ctr("images", "pull", "--hosts-dir", self.named_hosts_dir(node), "--snapshotter", "native", ref)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            finally:
                daemon.stop()
        # Both pulled every blob once, the second from cache; wait for the events to be written.
        blobs = len(self.app.blobs)

        def blob_events():
            lines = self.strata.get("/api/v1/events").body.decode().splitlines()
            return [e for e in map(json.loads, lines) if e["kind"] == "blob"]
        wait_for(lambda: len(blob_events()) >= 2 * blobs, what="both nodes' blob events")
        events = blob_events()
        self.assertEqual(sorted(e["node"] for e in events), ["gpu-a"] * blobs + ["gpu-b"] * blobs)
        self.assertEqual({e["cache_status"] for e in events if e["node"] == "gpu-b"}, {"hit"})
        for e in events:  # the User-Agent recorded beside the node, no longer as it
            self.assertTrue(e["user_agent"].startswith("containerd/"), e)
        stats = json.loads(self.strata.get("/api/v1/stats").body)
        self.assertEqual(stats["nodes"], 2)
        self.assertEqual(sorted(n["name"] for n in stats["top_nodes_by_pulls"]), ["gpu-a", "gpu-b"])
        # The simulator replays the log with two nodes.
        self.strata.stop()
        run = subprocess.run([STRATA, "simulate", "--data-dir", self.strata.data_dir, "--topology", "none,node",
                              "--format", "json"], capture_output=True, text=True, timeout=300)
        self.assertEqual(run.returncode, 0, run.stderr)
        trace = json.loads(run.stdout)["trace"]
        self.assertEqual((trace["requests"], trace["nodes"]), (2 * blobs, 2))


if __name__ == "__main__":
    unittest.main()
