"""deploy/systemd/strata.service: systemd-analyze verifies it without a warning, its hardening
scores as systemd-analyze security rates it, and its start commands work with strata's flags."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STRATA = os.environ.get("STRATA_BIN", os.path.join(REPO_ROOT, "build", "strata"))
UNIT = os.path.join(REPO_ROOT, "deploy", "systemd", "strata.service")


def unit_lines(key):
    with open(UNIT) as f:
        return [l.split("=", 1)[1].strip() for l in f if l.startswith(key + "=")]


@unittest.skipUnless(shutil.which("systemd-analyze"), "systemd-analyze is not installed")
class SystemdUnitTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)
        with open(UNIT) as f:  # the built binary stands in for /usr/bin/strata
            text = f.read().replace("/usr/bin/strata", STRATA)
        self.unit = os.path.join(self.dir, "strata.service")
        with open(self.unit, "w") as f:
            f.write(text)

    def test_the_unit_verifies_without_warnings(self):
        r = subprocess.run(["systemd-analyze", "verify", self.unit], capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, r.stdout + r.stderr), (0, ""))

    def test_the_unit_is_hardened(self):
        r = subprocess.run(["systemd-analyze", "security", "--offline=yes", self.unit], capture_output=True,
                           text=True, timeout=60)
        level = re.search(r"Overall exposure level for strata.service: ([0-9.]+)", r.stdout)
        self.assertIsNotNone(level, r.stdout + r.stderr)
        self.assertLessEqual(float(level.group(1)), 2.5, r.stdout)
        for key in ("DynamicUser", "ProtectSystem", "StateDirectory", "LimitNOFILE", "NoNewPrivileges"):
            self.assertTrue(unit_lines(key), key)
        self.assertEqual(unit_lines("ProtectSystem"), ["strict"])

    def test_its_commands_run_with_the_shipped_config(self):
        (pre,), (start,) = unit_lines("ExecStartPre"), unit_lines("ExecStart")
        self.assertEqual(pre.split()[:3], ["/usr/bin/strata", "serve", "--check-config"])
        self.assertEqual(start.replace("serve", "serve --check-config", 1), pre)  # the check is of what starts
        args = pre.split()[1:]
        args[args.index("--config") + 1] = os.path.join(REPO_ROOT, "deploy", "strata.json")
        args[args.index("--data-dir") + 1] = os.path.join(self.dir, "state")
        r = subprocess.run([STRATA, *args], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("configuration is valid", r.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "state")), "the check touched the data directory")
