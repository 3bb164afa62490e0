"""Pre-warming: `strata prefetch` and POST /api/v1/prefetch pull whole images, once."""
import json
import os
import re
import subprocess
import unittest

from harness import STRATA, ProxyTestCase, Registry, Strata, http, push_image, push_index, random_layer

UPSTREAM = "upstream.test"


class PrefetchTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = Registry(self.dir).start()
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}).start()
        self.amd = push_image(self.upstream, "team/multi", "amd64", [random_layer(200_000, "amd-%d" % i) for i in range(2)])
        self.arm = push_image(self.upstream, "team/multi", "arm64", [random_layer(200_000, "arm-%d" % i) for i in range(2)],
                              arch="arm64")
        self.index = push_index(self.upstream, "team/multi", "v1", {"amd64": self.amd, "arm64": self.arm})

    def prefetch(self, *args):
        return subprocess.run([STRATA, "prefetch", "--server", self.strata.url, *args], capture_output=True,
                              text=True, timeout=120)

    def test_an_index_is_prefetched_for_every_platform_once_and_a_second_run_transfers_nothing(self):
        run = self.prefetch("%s/team/multi:v1" % UPSTREAM)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        for digest in self.index.blobs:
            self.assertEqual(self.upstream.blob_gets(digest), 1, digest)
            self.assertIn("fetched " + digest, run.stdout)
        self.assertIn("blobs fetched %d" % len(self.index.blobs), run.stdout)
        gets = self.upstream.blob_gets()
        again = self.prefetch("%s/team/multi:v1" % UPSTREAM)
        self.assertEqual(again.returncode, 0, again.stdout)
        self.assertEqual(self.upstream.blob_gets(), gets)
        self.assertIn("already cached %d" % len(self.index.blobs), again.stdout)
        # Everything is now served without the upstream.
        self.upstream.stop()
        for digest in self.index.blobs:
            self.assertEqual(self.strata.get("/v2/%s/team/multi/blobs/%s" % (UPSTREAM, digest)).status, 200)

    def test_a_platform_and_a_file_of_refs(self):
        refs = os.path.join(self.dir, "refs.txt")
        with open(refs, "w") as f:
            f.write("# images for tonight's jobs\n\n  %s/team/multi:v1  \n" % UPSTREAM)
        run = self.prefetch("--platform", "linux/arm64", "--concurrency", "2", "--file", refs)
        self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        for digest in self.arm.blobs:
            self.assertEqual(self.upstream.blob_gets(digest), 1)
        for digest in self.amd.blobs:
            self.assertEqual(self.upstream.blob_gets(digest), 0)
        # A platform the index does not have fails, naming those it has.
        run = self.prefetch("--platform", "linux/s390x", "%s/team/multi:v1" % UPSTREAM)
        self.assertEqual(run.returncode, 1, run.stdout)
        self.assertIn('no platform matches "linux/s390x"; the index has "linux/amd64", "linux/arm64"', run.stdout)

    def test_cached_images_are_listed_complete_or_partial_by_the_api_and_the_cli(self):
        self.assertEqual(self.prefetch("%s/team/multi:v1" % UPSTREAM).returncode, 0)
        other = push_image(self.upstream, "team/partial", "v1", [random_layer(50_000, "partial")])
        r = self.strata.get("/v2/%s/team/partial/manifests/v1" % UPSTREAM, headers={"Accept": other.media_type})
        self.assertEqual(r.status, 200)  # a tag whose config and layer were never pulled
        listing = json.loads(self.strata.get("/api/v1/images").body)
        by_ref = {i["ref"]: i for i in listing["images"]}
        self.assertNotIn("next", listing)
        whole, partial = by_ref["%s/team/multi:v1" % UPSTREAM], by_ref["%s/team/partial:v1" % UPSTREAM]
        self.assertTrue(whole["complete"])
        self.assertEqual(whole["cached_bytes"], sum(len(b) for b in self.index.blobs.values()))
        self.assertEqual((whole["digest"], whole["missing_blobs"]), (self.index.digest, 0))
        self.assertRegex(whole["last_pull"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertFalse(partial["complete"])
        self.assertEqual((partial["blobs"], partial["missing_blobs"], partial["cached_bytes"]), (2, 2, 0))
        first = json.loads(self.strata.get("/api/v1/images?n=1").body)
        self.assertEqual(len(first["images"]), 1)
        second = json.loads(self.strata.get("/api/v1/images?n=1&last=" + first["next"]).body)
        self.assertEqual([i["ref"] for i in first["images"] + second["images"]], sorted(by_ref))
        for bad in ("n=0", "n=1001", "n=x"):
            self.assertEqual(self.strata.get("/api/v1/images?" + bad).status, 400, bad)
        # The CLI reads the same from the store beside the running strata.
        cli = subprocess.run([STRATA, "images", "--data-dir", self.strata.data_dir], capture_output=True, text=True,
                             timeout=60)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        self.assertRegex(cli.stdout, r"%s/team/multi:v1 +complete" % re.escape(UPSTREAM))
        self.assertRegex(cli.stdout, r"%s/team/partial:v1 +partial" % re.escape(UPSTREAM))
        lines = subprocess.run([STRATA, "images", "--data-dir", self.strata.data_dir, "--format", "json"],
                               capture_output=True, text=True, timeout=60).stdout.splitlines()
        self.assertEqual([json.loads(l) for l in lines], listing["images"])
        missing = subprocess.run([STRATA, "images", "--data-dir", os.path.join(self.dir, "nope")],
                                 capture_output=True, text=True, timeout=60)
        self.assertEqual(missing.returncode, 2)
        self.assertIn("no strata store in", missing.stderr)

    def test_failures_are_reported_and_bad_requests_refused(self):
        run = self.prefetch("%s/team/absent:v1" % UPSTREAM, "%s/team/multi:amd64" % UPSTREAM)
        self.assertEqual(run.returncode, 1)
        self.assertIn("failed %s/team/absent:v1" % UPSTREAM, run.stdout)
        self.assertIn("images 2 (1 failed)", run.stdout)
        for digest in self.amd.blobs:  # the good image was still prefetched
            self.assertEqual(self.upstream.blob_gets(digest), 1)
        self.assertEqual(self.prefetch().returncode, 2)
        self.assertEqual(self.prefetch("--bogus", "x").returncode, 2)
        self.assertEqual(subprocess.run([STRATA, "prefetch", "--server", "http://127.0.0.1:1", "a/b:c"],
                                        capture_output=True).returncode, 1)
        api = self.strata.url + "/api/v1/prefetch"
        self.assertEqual(http("GET", api + "?image=a/b").status, 405)
        self.assertEqual(http("POST", api, data=b"").status, 400)
        self.assertEqual(http("POST", api + "?image=a/b&concurrency=0", data=b"").status, 400)
        self.assertEqual(http("POST", api + "?image=a/b&concurrency=x", data=b"").status, 400)
        self.assertEqual(http("POST", api + "?image=%00evil", data=b"").status, 400)  # an encoded NUL is dropped
        bad = http("POST", api + "?image=%2e%2e/evil:v1", data=b"")
        self.assertEqual(bad.status, 200)
        self.assertIn(b'"images_failed":1', bad.body)


if __name__ == "__main__":
    unittest.main()
