"""Every command answers --help (wherever it appears) with its usage on stdout and exit 0, and
`strata --version` prints the version."""
import subprocess
import unittest

from harness import STRATA


def run(*args):
    return subprocess.run([STRATA, *args], capture_output=True, text=True, timeout=60)


class CliHelpTest(unittest.TestCase):
    def test_help_anywhere_in_any_command_prints_its_usage(self):
        cases = [
            ("serve", "--help"), ("serve", "--listen", "127.0.0.1:0", "-h"),
            ("events", "export", "--help"), ("events", "--help"), ("events", "export", "--since", "1h", "-h"),
            ("analyze", "--help"), ("analyze", "sizes", "--help"), ("analyze", "pull-times", "--format", "csv", "-h"),
            ("analyze", "crawl", "--help"), ("analyze", "dockerfiles", "--help"), ("simulate", "--help"), ("simulate", "--cache", "1GB", "--help"),
            ("fsck", "--help"), ("fsck", "--repair", "--help"), ("prefetch", "--help"), ("prefetch", "img:1", "-h"),
        ]
        for args in cases:
            with self.subTest(args=args):
                r = run(*args)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("usage: strata", r.stdout)
                self.assertEqual(r.stderr, "")

    def test_version(self):
        for flag in ("--version", "version", "-V"):
            r = run(flag)
            self.assertEqual(r.returncode, 0)
            self.assertRegex(r.stdout, r"^strata \d+\.\d+\.\d+\n$")

    def test_a_missing_value_still_names_the_flag(self):
        r = run("events", "export", "--since")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--since needs a value", r.stderr)


if __name__ == "__main__":
    unittest.main()
