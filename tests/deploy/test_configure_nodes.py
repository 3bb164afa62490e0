"""deploy/kubernetes/configure-nodes/configure-nodes.sh against a temp host root: it refuses a
containerd without config_path, writes one hosts.toml per upstream (setting aside and later
restoring one it did not write), refuses hostile inputs, and a real containerd pulls through
strata with the files it wrote, presenting the node's name."""
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from containerd import Containerd  # noqa: E402
from harness import ProxyTestCase, Registry, Strata, push_image, random_layer, wait_for  # noqa: E402

SCRIPT = os.path.join(HERE, "..", "..", "deploy", "kubernetes", "configure-nodes", "configure-nodes.sh")
CRI_REGISTRY = '[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n'


class ConfigureNodesTest(ProxyTestCase):
    def host(self, containerd_config):
        root = os.path.join(self.dir, "host")
        os.makedirs(os.path.join(root, "etc", "containerd"), exist_ok=True)
        with open(os.path.join(root, "etc", "containerd", "config.toml"), "w") as f:
            f.write('version = 2\n' + containerd_config)
        return root

    def run_script(self, root, action, **env):
        base = {"PATH": os.environ["PATH"], "HOST_ROOT": root, "NODE_NAME": "gpu-node-7",
                "STRATA_ENDPOINT": "http://127.0.0.1:5000", "UPSTREAMS": "docker.io quay.io"}
        return subprocess.run(["sh", SCRIPT, action], env=dict(base, **env), capture_output=True, text=True,
                              timeout=60)

    def certs(self, root, *parts):
        return os.path.join(root, "etc", "containerd", "certs.d", *parts)

    def test_config_path_is_required_and_bad_inputs_refused(self):
        root = self.host("")
        r = self.run_script(root, "install")
        self.assertEqual(r.returncode, 1)
        self.assertIn('does not set config_path = "/etc/containerd/certs.d"', r.stderr)
        self.assertFalse(os.path.exists(self.certs(root)))
        root = self.host(CRI_REGISTRY)
        for env, said in (({"STRATA_ENDPOINT": "ftp://x"}, "STRATA_ENDPOINT must be"),
                          ({"STRATA_ENDPOINT": 'http://x/"] [host."http://evil'}, "nothing else"),
                          ({"NODE_NAME": 'a"] X = ["b'}, "not a node name"),
                          ({"UPSTREAMS": "../../etc"}, "not a registry host"),
                          ({"STRATA_ENDPOINT": 'http://ok\n[host."http://evil"]'}, "must be one line"),
                          ({"NODE_NAME": 'ok\n[host."http://evil"]'}, "must be one line"),
                          ({"UPSTREAMS": "x\\c/../../../../tmp"}, "not a registry host"),
                          ({"NODE_NAME": "ok\\c"}, "not a node name"),
                          ({"UPSTREAMS": "*"}, "not a registry host")):
            r = self.run_script(root, "install", **env)
            self.assertEqual(r.returncode, 1, env)
            self.assertIn(said, r.stderr)
        self.assertFalse(os.path.exists(self.certs(root)))
        self.assertEqual(self.run_script(root, "bogus").returncode, 2)

    def test_install_sets_aside_what_it_did_not_write_and_uninstall_restores_it(self):
        root = self.host(CRI_REGISTRY)
        os.makedirs(self.certs(root, "quay.io"))
        with open(self.certs(root, "quay.io", "hosts.toml"), "w") as f:
            f.write('server = "https://quay.io"\n# the operator\'s own\n')
        for _ in range(2):  # twice: the second run rewrites its own files, sets aside nothing more
            r = self.run_script(root, "install")
            self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.certs(root, "docker.io", "hosts.toml")) as f:
            written = f.read()
        self.assertIn('server = "https://registry-1.docker.io"', written)
        self.assertIn('[host."http://127.0.0.1:5000".header]\n  X-Strata-Node = ["gpu-node-7"]', written)
        with open(self.certs(root, "quay.io", "hosts.toml.before-strata")) as f:
            self.assertIn("the operator's own", f.read())
        r = self.run_script(root, "uninstall")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.certs(root, "docker.io")))
        with open(self.certs(root, "quay.io", "hosts.toml")) as f:
            self.assertIn("the operator's own", f.read())
        self.assertEqual(os.listdir(self.certs(root, "quay.io")), ["hosts.toml"])
        self.assertEqual(self.run_script(root, "uninstall").returncode, 0)

    def test_containerd_pulls_through_strata_with_the_files_it_wrote(self):
        self.upstream = Registry(self.dir).start()
        image = push_image(self.upstream, "team/app", "v1", [random_layer(100_000, "configure-nodes")])
        self.strata = Strata(self.dir, {"docker.io": self.upstream.url}, config={"events": {"flush_ms": 50}}).start()
        root = self.host(CRI_REGISTRY)
        r = self.run_script(root, "install", STRATA_ENDPOINT=self.strata.url, UPSTREAMS="docker.io")
        self.assertEqual(r.returncode, 0, r.stderr)
        daemon = Containerd(self.dir).start()
        try:
            pulled = daemon.ctr("images", "pull", "--hosts-dir", self.certs(root), "--snapshotter", "native",
                                "docker.io/team/app:v1")
            self.assertEqual(pulled.returncode, 0, pulled.stdout + pulled.stderr)
        finally:
            daemon.stop()
        self.assertEqual(self.upstream.blob_gets(), len(image.blobs))

        def nodes():
            lines = self.strata.get("/api/v1/events").body.decode().splitlines()
            return {e["node"] for e in map(json.loads, lines) if e["kind"] == "blob"}
        wait_for(lambda: nodes() == {"gpu-node-7"}, what="the pull's events under the node's name")
