"""`strata analyze crawl` at scale: several workers, a journal that survives a kill, --since,
and pauses when strata says the registry wants them."""
import json
import os
import signal
import subprocess
import unittest

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, STRATA, ProcessesTestCase, Strata, sha256, wait_for

TAGS = ["t%02d" % i for i in range(12)]


def image_documents(tag):
    config = json.dumps({"architecture": "amd64", "os": "linux", "created": "2024-01-%02dT00:00:00Z" % (TAGS.index(tag) + 1),
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + "2" * 64]},
                         "history": [{"created_by": "RUN build %s" % tag}]}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                      "digest": sha256(config), "size": len(config)},
                           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                       "digest": "sha256:" + "3" * 64, "size": 1000 + TAGS.index(tag)}]}).encode()
    return config, manifest


class CrawlAtScaleTest(ProcessesTestCase):
    def setUp(self):
        super().setUp()
        self.up = self.started(FaultUpstream(self.dir))
        for tag in TAGS:
            config, manifest = image_documents(tag)
            self.up.add_blob(config)
            self.up.add_manifest("lab/app", tag, manifest)
        cfg = {"upstreams": [{"name": "fault.test", "url": self.up.url}], "default_upstream": "fault.test",
               "client": {"base_backoff_ms": 50, "max_retries": 3}}
        self.strata = self.started(Strata(self.dir, {}, config=cfg))
        self.saved = os.path.join(self.dir, "saved")
        self.journal = os.path.join(self.saved, "crawl-journal.jsonl")

    def crawl_args(self, *args, tags=TAGS):
        return [STRATA, "analyze", "crawl", "--server", self.strata.url, *args] + ["fault.test/lab/app:" + t for t in tags]

    def crawl(self, *args, tags=TAGS):
        return subprocess.run(self.crawl_args(*args, tags=tags), capture_output=True, text=True, timeout=120)

    def journal_lines(self):
        if not os.path.exists(self.journal):
            return []
        with open(self.journal) as f:
            return [line for line in f.read().split("\n") if line]

    def test_a_killed_crawl_resumes_where_it_stopped(self):
        self.up.add_fault("/manifests/t06", "serve", hold=True)
        proc = subprocess.Popen(self.crawl_args("--save", self.saved, "--concurrency", "1"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: self.up.held() >= 1 and len(self.journal_lines()) == 6, what="crawl held at t06")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        self.up.clear_faults()
        self.up.release()
        with open(self.journal, "a") as f:  # as if killed in the middle of writing an entry
            f.write('{"ref": "fault.test/lab/app:t06", "registry": "fault')
        run = self.crawl("--save", self.saved, "--concurrency", "3", "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("crawled 6 images, 0 failed, 6 skipped (saved before)", run.stderr)
        self.assertIn("1 unreadable lines in %s skipped" % self.journal, run.stderr)
        refs = [json.loads(line)["ref"] for line in self.journal_lines()]
        self.assertEqual(sorted(refs), ["fault.test/lab/app:" + t for t in TAGS])
        self.assertEqual([r["tag"] for r in json.loads(run.stdout)["images"]], TAGS)
        with open(os.path.join(self.saved, "fault.test", "lab", "app", "manifests-config-layers.json")) as f:
            self.assertEqual(sorted(json.load(f)["manifests"]), TAGS)
        data = os.path.join(self.dir, "data")
        again = self.crawl("--save", self.saved, "--data-dir", data)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertIn("crawled 0 images, 0 failed, 12 skipped (saved before)", again.stderr)
        # --data-dir: every image of the journal, saved for the analyses to read back.
        self.assertIn("saved 12 images into " + data, again.stderr)
        trends = subprocess.run([STRATA, "analyze", "trends", "--data-dir", data, "--format", "json"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(trends.returncode, 0, trends.stderr)
        self.assertIn("saved images: 12 read from the data directory", trends.stderr)
        self.assertEqual([r["tag"] for r in json.loads(trends.stdout)["result"]["tags"]], TAGS)
        # --since: a new directory gets only what the earlier crawl did not see.
        newer = self.crawl("--save", os.path.join(self.dir, "newer"), "--since", self.saved, tags=TAGS[10:])
        self.assertIn("crawled 0 images, 0 failed, 2 skipped", newer.stderr)
        missing = self.crawl("--since", os.path.join(self.dir, "nowhere"))
        self.assertEqual(missing.returncode, 2)
        self.assertIn("--since: no crawl saved in", missing.stderr)

    def test_too_many_requests_pauses_the_crawl_then_it_goes_on(self):
        # strata tries 4 times (its own retries), then answers 429: the crawl waits and asks again.
        self.up.add_fault("/manifests/t01", "status", status=429, retry_after="0", times=4)
        run = self.crawl("--concurrency", "2", tags=TAGS[:3])
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("crawled 3 images, 0 failed", run.stderr)
        self.assertEqual(self.up.count("GET", "/manifests/t01"), 5)

    def test_a_pause_longer_than_max_pause_stops_the_crawl_for_a_later_resume(self):
        self.up.add_fault("/manifests/t00", "status", status=429, retry_after="0")
        run = self.crawl("--save", self.saved, "--concurrency", "1", "--max-pause", "0", tags=TAGS[:2])
        self.assertEqual(run.returncode, 1)
        self.assertIn("stopped: the registry asks for a pause of 1 s, longer than --max-pause 0 s; "
                      "run it again with --save %s to resume" % self.saved, run.stderr)
        self.assertEqual(self.journal_lines(), [])

    def test_a_quota_strata_is_sparing_stops_the_crawl_before_it_spends_a_pull(self):
        self.up.add_fault("/manifests/t00", "serve", headers={"RateLimit-Remaining": "5;w=3600"})
        self.assertEqual(self.strata.get("/v2/fault.test/lab/app/manifests/t00").status, 200)
        gets = self.up.count("GET", "/manifests/")
        run = self.crawl("--max-pause", "60", tags=TAGS[1:3])
        self.assertEqual(run.returncode, 1)
        self.assertRegex(run.stderr, r"stopped: the registry asks for a pause of 3[56]\d\d s \(strata is sparing an "
                                     r"upstream's pull quota: fault.test\), longer than --max-pause 60 s")
        self.assertEqual(self.up.count("GET", "/manifests/"), gets)


if __name__ == "__main__":
    unittest.main()
