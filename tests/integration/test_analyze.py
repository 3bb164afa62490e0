"""`strata analyze pulls` on a real exporter log from the performance study (tests/fixtures)."""
import gzip
import json
import os
import subprocess
import unittest

from harness import REPO_ROOT, STRATA, TempDir

FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures", "k8s-events")
PATTERN = "{cloud}/{env}/{node_type}/size{size}/times/*"


def analyze(*args):
    return subprocess.run([STRATA, "analyze", "pulls", *args], capture_output=True, text=True, timeout=60)


class AnalyzePullsTest(unittest.TestCase):
    def test_groups_by_path_labels_and_counts_each_event_once(self):
        with TempDir() as d:
            # The same log twice, as an exporter replaying events, plus a copy under another label.
            copy = os.path.join(d, "google", "gke", "gpu", "size4", "times")
            os.makedirs(copy)
            source = os.path.join(FIXTURES, "aws", "eks", "cpu", "size32", "times")
            name = os.listdir(source)[0]
            with gzip.open(os.path.join(source, name), "rt") as f, open(os.path.join(copy, "events-x.json"), "w") as out:
                lines = f.read().splitlines()
                out.write("\n".join(lines[:50]) + "\nnot json at all\n")
            run = analyze("--labels", PATTERN, "--group-by", "cloud,size", "--format", "json", FIXTURES, FIXTURES, d)
            self.assertEqual(run.returncode, 0, run.stderr)
            out = json.loads(run.stdout)
            self.assertEqual(out["input"]["files"], 3)
            self.assertEqual(out["input"]["not_json"], 1)
            groups = {(g["group"]["cloud"], g["group"]["size"]): g for g in out["groups"]}
            aws = groups[("aws", "32")]
            self.assertEqual(aws["pulls"], 64)
            self.assertGreater(aws["seconds_percentiles"]["p50"], 0)
            self.assertLessEqual(aws["seconds_percentiles"]["p50"], aws["seconds_percentiles"]["p100"])
            # The copied lines carry the same uids: counted once, under the first file read.
            self.assertNotIn(("google", "4"), groups)
            self.assertIn("duplicates", run.stderr)

    def test_table_and_csv_and_bad_usage(self):
        table = analyze("--labels", PATTERN, "--group-by", "cloud", FIXTURES)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("cloud=aws", table.stdout)
        csv = analyze("--format", "csv", FIXTURES)
        self.assertTrue(csv.stdout.startswith("group,pulls,already_present"))
        self.assertIn('"all",64,', csv.stdout)
        self.assertEqual(analyze().returncode, 2)
        self.assertEqual(analyze("--format", "xml", FIXTURES).returncode, 2)
        self.assertEqual(analyze("--labels", "{open", FIXTURES).returncode, 2)
        self.assertEqual(analyze("/nonexistent/events.json").returncode, 1)
        self.assertEqual(subprocess.run([STRATA, "analyze", "sizes"], capture_output=True).returncode, 2)


if __name__ == "__main__":
    unittest.main()
