"""A private containerd daemon for tests: its own root, state and socket under a temp dir."""
import os
import subprocess

from harness import wait_for


class Containerd:
    def __init__(self, workdir, name="containerd"):
        self.dir = os.path.join(workdir, name)
        os.makedirs(self.dir, exist_ok=True)
        self.socket = os.path.join(self.dir, "containerd.sock")
        self.config = os.path.join(self.dir, "config.toml")
        with open(self.config, "w") as f:
            f.write('version = 2\nroot = "%s/root"\nstate = "%s/state"\n' % (self.dir, self.dir))
            f.write('disabled_plugins = ["io.containerd.grpc.v1.cri"]\n')
            f.write('[grpc]\n  address = "%s"\n' % self.socket)
            f.write('[ttrpc]\n  address = "%s.ttrpc"\n' % self.socket)
            f.write('[debug]\n  address = "%s.debug"\n' % self.socket)
        self.proc = None

    def start(self):
        with open(os.path.join(self.dir, "containerd.log"), "ab") as log:
            self.proc = subprocess.Popen(["containerd", "--config", self.config], stdout=log, stderr=subprocess.STDOUT)
        wait_for(lambda: self.ctr("version").returncode == 0, what="containerd")
        return self

    def ctr(self, *args, timeout=300):
        return subprocess.run(["ctr", "--address", self.socket, "--namespace", "strata-test", *args],
                              capture_output=True, text=True, timeout=timeout)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.proc = None
