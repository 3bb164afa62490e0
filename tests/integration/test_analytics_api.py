"""Analytics over strata's own cache and pull log: /api/v1/analytics/… and `strata analyze
--data-dir`, and `strata analyze crawl` filling the cache through strata."""
import json
import os
import subprocess
import unittest

from harness import STRATA, ProxyTestCase, Registry, Strata, http, push_image, random_layer, wait_for

UPSTREAM = "upstream.test"
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
                  "application/vnd.docker.distribution.manifest.v2+json")


class AnalyticsApiTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = Registry(self.dir).start()
        prices = os.path.join(self.dir, "prices.json")
        with open(prices, "w") as f:
            json.dump({"nodes": [{"match": {"node": "gpu-node"}, "per_hour": 36.0, "name": "gpu"}]}, f)
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url},
                             config={"analytics": {"prices_file": prices}, "events": {"flush_ms": 50}}).start()
        base = self.base = random_layer(300_000, "base")
        self.images = [push_image(self.upstream, "team/app", "v1", [base, random_layer(100_000, "a1")]),
                       push_image(self.upstream, "team/app", "v2", [base, random_layer(120_000, "a2")]),
                       push_image(self.upstream, "team/tool", "1.0", [base])]
        for img in self.images:
            self.pull(img)

    def pull(self, img):
        path = "/v2/%s/%s" % (UPSTREAM, img.repo)
        headers = {"Accept": MANIFEST_TYPES, "X-Strata-Node": "gpu-node"}
        self.assertEqual(self.strata.get("%s/manifests/%s" % (path, img.tag), headers=headers).status, 200)
        for digest in img.blobs:
            self.assertEqual(self.strata.get("%s/blobs/%s" % (path, digest), headers=headers).status, 200)

    def api(self, what):
        res = self.strata.get("/api/v1/analytics" + what)
        self.assertEqual(res.status, 200, res.body)
        return res

    def test_analyses_of_the_cache(self):
        self.assertIn("similarity", self.api("").json()["analyses"])
        sizes = self.api("/sizes?group_by=").json()
        self.assertEqual(sizes["inputs"]["images"]["images"], 3)
        group = sizes["result"]["groups"][0]
        totals = sorted(sum(len(b) for d, b in img.blobs.items() if d != json.loads(img.manifest)["config"]["digest"])
                        for img in self.images)
        self.assertEqual(group["image_bytes"]["max"], totals[-1])
        self.assertEqual(group["image_bytes"]["min"], totals[0])
        reuse = self.api("/reuse").json()["result"]
        self.assertEqual(reuse["unique_layers"], 3)
        self.assertEqual(reuse["top"][0]["images"], 3)
        self.assertEqual(reuse["top"][0]["repositories"], 2)
        self.assertEqual(reuse["bytes_saved"], 2 * len(self.base))
        sim = self.api("/similarity").json()["result"]
        names = sim["images"]
        v1, v2 = names.index("%s/team/app:v1 linux/amd64" % UPSTREAM), names.index("%s/team/app:v2 linux/amd64" % UPSTREAM)
        pair = [p for p in sim["pairs"] if {p[0], p[1]} == {v1, v2}][0]
        self.assertAlmostEqual(pair[2], 1 / 3, places=5)
        hygiene = self.api("/hygiene").json()["result"]
        self.assertEqual(hygiene["with_history"], 3)
        csv = self.api("/reuse?format=csv").body.decode()
        self.assertTrue(csv.startswith("digest,size,images,repositories,example\n"))
        self.assertIn("Layer sharing", self.api("/reuse?format=table").body.decode())

    def test_pull_times_and_cost_from_the_event_log(self):
        def served():
            groups = self.api("/pulls?group_by=kind").json()["result"]["groups"]
            return {g["group"]["kind"]: g for g in groups}
        wait_for(lambda: served().get("blob", {}).get("pulls", 0) >= 8, what="blob GETs in the event log")
        groups = served()
        self.assertEqual(groups["manifest"]["pulls"], 3)
        self.assertEqual(groups["blob"]["nodes"], 1)
        cost = self.api("/cost?group_by=node").json()["result"]["groups"][0]
        self.assertEqual(cost["group"], "node=gpu-node")
        self.assertEqual(cost["prices"], "gpu")
        self.assertAlmostEqual(cost["cost"], cost["pull_seconds"] / 3600 * 36, places=9)
        html = self.api("/report").body.decode()
        self.assertTrue(html.startswith("<!DOCTYPE html>"))
        self.assertGreaterEqual(html.count("<svg"), 5)
        self.assertIn('id="cost"', html)

    def test_bad_requests(self):
        for query, status in (("/nope", 404), ("/similarity?cut=2", 400), ("/reuse?top=-3", 400),
                              ("/sizes?format=xml", 400), ("/similarity?by=colour", 400), ("/pulls?since=x", 400)):
            res = self.strata.get("/api/v1/analytics" + query)
            self.assertEqual(res.status, status, query)
        self.assertEqual(self.strata.get("/api/v1/analytics/sizes", method="POST").status, 405)

    def test_the_cli_reads_a_stopped_strata(self):
        self.strata.stop()
        run = subprocess.run([STRATA, "analyze", "reuse", "--data-dir", self.strata.data_dir, "--format", "json"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(json.loads(run.stdout)["result"]["unique_layers"], 3)
        bad = subprocess.run([STRATA, "analyze", "reuse", "--data-dir", os.path.join(self.dir, "nothing")],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("no strata store", bad.stderr)


class CostWithoutPricesTest(ProxyTestCase):
    def test_cost_needs_a_price_table_and_a_bad_one_stops_start_up(self):
        self.upstream = Registry(self.dir).start()
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}).start()
        self.assertEqual(self.strata.get("/api/v1/analytics/cost").status, 400)
        self.strata.stop()
        bad = os.path.join(self.dir, "bad.json")
        with open(bad, "w") as f:
            f.write('{"nodes": [{"per_hour": -1}]}')
        broken = Strata(self.dir, {UPSTREAM: self.upstream.url}, config={"analytics": {"prices_file": bad}})
        run = subprocess.run(broken.command(), capture_output=True, text=True, timeout=120)
        self.assertNotEqual(run.returncode, 0)
        self.assertIn("analytics.prices_file", run.stderr + run.stdout)


class CrawlTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = Registry(self.dir).start()
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}).start()
        base = random_layer(50_000, "crawl-base")
        self.pushed = {}
        for i, tag in enumerate(("v1.0", "v1.10", "latest", "v1.2")):
            self.pushed[tag] = push_image(self.upstream, "lab/sim", tag,
                                          [base] + [random_layer(10_000, "%s-%d" % (tag, k)) for k in range(i)])

    def crawl(self, *args):
        return subprocess.run([STRATA, "analyze", "crawl", "--server", self.strata.url, *args], capture_output=True,
                              text=True, timeout=120)

    def test_all_tags_in_version_order_through_the_cache(self):
        saved = os.path.join(self.dir, "saved")
        run = self.crawl("--all-tags", "--save", saved, "--format", "json", "%s/lab/sim" % UPSTREAM)
        self.assertEqual(run.returncode, 0, run.stderr)
        rows = json.loads(run.stdout)["images"]
        self.assertEqual([r["tag"] for r in rows], ["v1.0", "v1.2", "v1.10", "latest"])
        self.assertEqual([r["layers"] for r in rows], [1, 4, 2, 3])
        # The configs went through strata: they are cached now, and the API sees the images.
        sizes = http("GET", self.strata.url + "/api/v1/analytics/sizes?group_by=").json()
        self.assertEqual(sizes["result"]["groups"][0]["images"], 4)
        self.assertEqual(sizes["inputs"]["images"]["missing_configs"], 0)
        # What --save wrote reads back as a bundle.
        again = subprocess.run([STRATA, "analyze", "trends", "--format", "json", saved], capture_output=True, text=True)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual([r["tag"] for r in json.loads(again.stdout)["result"]["tags"]], ["v1.0", "v1.2", "v1.10", "latest"])

    def test_failures_are_reported_per_image(self):
        run = self.crawl("%s/lab/sim:v1.2" % UPSTREAM, "%s/lab/missing:1" % UPSTREAM)
        self.assertEqual(run.returncode, 1)
        self.assertIn("lab/missing", run.stderr)
        self.assertIn("crawled 1 images, 1 failed", run.stderr)
        self.assertEqual(self.crawl("--all-tags", "Not A Repo").returncode, 2)
        self.assertEqual(self.crawl().returncode, 2)

    def write(self, path, text):
        path = os.path.join(self.dir, "repos", path)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    def test_dockerfiles_name_the_images_crawl_then_fetches(self):
        pinned = self.pushed["v1.0"].digest
        self.write("one/.git/HEAD", "ref: refs/heads/main\n")
        self.write("one/Dockerfile", "ARG TAG=v1.2\nFROM %s/lab/sim:${TAG} AS build\nFROM build\n"
                   "RUN apt-get update && \\\n    apt-get install -y gcc\n" % UPSTREAM)
        self.write("two/.git/HEAD", "")
        self.write("two/docker/gpu.Dockerfile", "FROM %s/lab/sim@%s\nRUN <<EOF\nFROM evil\nEOF\n" % (UPSTREAM, pinned))
        self.write("three/.git/HEAD", "")
        self.write("four/.git/HEAD", "")
        self.write("four/Dockerfile.gpu", "ARG CUDA\nFROM %s/lab/missing:${CUDA}\n" % UPSTREAM)
        refs = os.path.join(self.dir, "refs.txt")
        run = subprocess.run([STRATA, "analyze", "dockerfiles", "--refs-out", refs, "--format", "json",
                              os.path.join(self.dir, "repos")], capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        survey = json.loads(run.stdout)
        self.assertEqual((survey["repositories"], survey["with_dockerfile"], survey["dockerfiles"]), (4, 3, 3))
        self.assertEqual([b["image"] for b in survey["bases"]],
                         ["%s/lab/sim:v1.2" % UPSTREAM, "%s/lab/sim@%s" % (UPSTREAM, pinned)])
        self.assertEqual(survey["bases"][0]["final_stage"], 1)
        self.assertEqual(survey["unusable_from"], [{"file": "four/Dockerfile.gpu", "line": 2,
                                                   "from": "%s/lab/missing:${CUDA}" % UPSTREAM,
                                                   "why": "variables without a value: CUDA"}])
        self.assertEqual(survey["uncleaned_installs"][0]["file"], "one/Dockerfile")
        self.assertEqual(survey["install_steps"], 1)
        with open(refs) as f:
            self.assertEqual(f.read(), "%s/lab/sim:v1.2\n%s/lab/sim@%s\n" % (UPSTREAM, UPSTREAM, pinned))
        crawled = self.crawl("--refs", refs, "--format", "json")
        self.assertEqual(crawled.returncode, 0, crawled.stderr)
        self.assertIn("crawled 2 images, 0 failed", crawled.stderr)
        self.assertEqual(sorted(r["layers"] for r in json.loads(crawled.stdout)["images"]), [1, 4])

    def test_bad_dockerfile_inputs_are_named(self):
        run = subprocess.run([STRATA, "analyze", "dockerfiles", os.path.join(self.dir, "nowhere")],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 1)
        self.assertIn("nowhere: not a directory", run.stderr)
        self.write("big/Dockerfile", "FROM alpine\n" + "#" * 2_000_000)
        run = subprocess.run([STRATA, "analyze", "dockerfiles", os.path.join(self.dir, "repos")],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("big/Dockerfile: larger than 1048576 bytes", run.stdout)
        refs = os.path.join(self.dir, "bad-refs.txt")
        with open(refs, "w") as f:
            f.write("# images\n%s/lab/sim:v1.2\n\nNot An Image\n" % UPSTREAM)
        run = self.crawl("--refs", refs)
        self.assertEqual(run.returncode, 2)
        self.assertIn('bad-refs.txt line 4: not a repository name: "Not An Image"', run.stderr)


class BaseImagesTest(ProxyTestCase):
    """Images pushed on top of other images (sharing their layer blobs, as a build FROM them
    does), crawled through strata, then matched to their bases from the cache."""

    def setUp(self):
        super().setUp()
        self.upstream = Registry(self.dir).start()
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}).start()
        debian, alpine, cuda = random_layer(40_000, "debian"), random_layer(20_000, "alpine"), random_layer(30_000, "cuda")
        pushes = [
            ("library/debian", "12", [debian]),
            ("library/debian", "bookworm", [debian]),
            ("library/alpine", "3.19", [alpine]),
            ("nvidia/cuda", "12", [debian, cuda]),
            ("lab/app", "1", [debian, random_layer(5_000, "app")]),
            ("lab/gpu", "1", [debian, cuda, random_layer(5_000, "gpu")]),
            ("lab/tool", "1", [alpine, random_layer(5_000, "tool"), random_layer(6_000, "tool2")]),
            ("lab/solo", "1", [random_layer(7_000, "solo")]),
        ]
        for repo, tag, layers in pushes:
            push_image(self.upstream, repo, tag, layers)
        refs = ["%s/%s:%s" % (UPSTREAM, repo, tag) for repo, tag, _ in pushes]
        run = subprocess.run([STRATA, "analyze", "crawl", "--server", self.strata.url, *refs], capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.base_repos = ",".join("%s/%s" % (UPSTREAM, r) for r in ("library/debian", "library/alpine", "nvidia/cuda"))

    def test_each_image_gets_its_longest_base_from_the_cache(self):
        run = subprocess.run([STRATA, "analyze", "bases", "--data-dir", self.strata.data_dir, "--base-repos",
                              self.base_repos, "--format", "json"], capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        result = json.loads(run.stdout)["result"]
        self.assertEqual((result["known_bases"], result["images"], result["without_base"]), (4, 4, 1))
        bases = {row["image"]: row["base"] for row in result["per_image"]}
        self.assertEqual(bases, {"%s/lab/app:1" % UPSTREAM: "%s/library/debian:12" % UPSTREAM,
                                 "%s/lab/gpu:1" % UPSTREAM: "%s/nvidia/cuda:12" % UPSTREAM,
                                 "%s/lab/tool:1" % UPSTREAM: "%s/library/alpine:3.19" % UPSTREAM,
                                 "%s/lab/solo:1" % UPSTREAM: ""})
        families = {row["family"]: row["images"] for row in result["families"]}
        self.assertEqual(families, {"debian": 1, "nvidia/cuda": 1, "alpine": 1, "(no known base)": 1})
        # The same over the admin API, and a bad repository name is refused in plain words.
        api = http("GET", self.strata.url + "/api/v1/analytics/bases?base_repos=" + self.base_repos).json()
        self.assertEqual(api["result"]["without_base"], 1)
        bad = http("GET", self.strata.url + "/api/v1/analytics/bases?base_repos=debian:12")
        self.assertEqual(bad.status, 400)
        self.assertIn("without a tag", bad.body.decode())
        usage = subprocess.run([STRATA, "analyze", "bases", "--data-dir", self.strata.data_dir, "--base-repos", "Debian"],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(usage.returncode, 2)
        self.assertIn("--base-repos: base repository 'Debian'", usage.stderr)


if __name__ == "__main__":
    unittest.main()
