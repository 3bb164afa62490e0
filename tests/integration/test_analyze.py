"""`strata analyze` on the study's files: event logs (pull times, cost) and manifest bundles
(sizes, reuse, similarity, hygiene), checked against values computed here independently, plus
the HTML report rendered by headless Chromium."""
import collections
import gzip
import json
import os
import re
import shutil
import struct
import subprocess
import unittest

from harness import REPO_ROOT, STRATA, TempDir, axis_label_overlaps, distinct_events, shared_data

FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures")
EVENTS = os.path.join(FIXTURES, "k8s-events")
MANIFESTS = os.path.join(FIXTURES, "manifests")
PATTERN = "{cloud}/{env}/{node_type}/size{size}/times/*"
PRICES = {"currency": "USD", "nodes": [
    {"match": {"cloud": "aws", "node_type": "cpu"}, "per_hour": 2.88, "name": "hpc6a.48xlarge"},
    {"match": {"cloud": "google", "node_type": "gpu"}, "per_hour": 11.27, "name": "n1-standard-32 + 4 V100"}]}


def study_events():
    """The whole study's event logs when this checkout sits beside them, else the fixture."""
    data = shared_data()
    return os.path.join(data, "k8s-events") if data else EVENTS


def analyze(*args):
    return subprocess.run([STRATA, "analyze", *args], capture_output=True, text=True, timeout=120)


def go_seconds(text):
    units = {"h": 3600, "m": 60, "s": 1, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9}
    parts = re.findall(r"([0-9.]+)(h|ms|m|s|us|µs|ns)", text)
    return sum(float(n) * units[u] for n, u in parts)


def independent_pull_totals(root):
    """(cloud, env, node_type) -> [pulls, seconds]: each event once by uid, first file first."""
    totals = collections.defaultdict(lambda: [0, 0.0])
    for path, event in distinct_events(root):
        cloud, env, node_type = path.split(os.sep)[-6:-3]
        m = re.match(r'Successfully pulled image "[^"]+" in (\S+) \(', event.get("message", ""))
        if event["reason"] == "Pulled" and m:
            totals[(cloud, env, node_type)][0] += 1
            totals[(cloud, env, node_type)][1] += go_seconds(m.group(1))
    return totals


def numpy_percentile(values, p):
    values = sorted(values)
    rank = (len(values) - 1) * p / 100
    lo = int(rank)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (rank - lo)


def study_images():
    """(name, [(digest, size)]) for every image manifest in the fixture bundles."""
    images = []
    for d, _, files in os.walk(MANIFESTS):
        if "manifests-config-layers.json" in files:
            with open(os.path.join(d, "manifests-config-layers.json")) as f:
                doc = json.load(f)
            for tag, m in doc["manifests"].items():
                if "layers" in m:
                    images.append((tag, [(l["digest"], l["size"]) for l in m["layers"]]))
    return images


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


class AnalyzePullsTest(unittest.TestCase):
    def test_groups_by_path_labels_and_counts_each_event_once(self):
        with TempDir() as d:
            # The same log twice, as an exporter replaying events, plus a copy under another label.
            copy = os.path.join(d, "google", "gke", "gpu", "size4", "times")
            os.makedirs(copy)
            source = os.path.join(EVENTS, "aws", "eks", "cpu", "size32", "times")
            name = os.listdir(source)[0]
            with gzip.open(os.path.join(source, name), "rt") as f, open(os.path.join(copy, "events-x.json"), "w") as out:
                lines = f.read().splitlines()
                out.write("\n".join(lines[:50]) + "\nnot json at all\n")
            run = analyze("pulls", "--labels", PATTERN, "--group-by", "cloud,size", "--format", "json", EVENTS, EVENTS, d)
            self.assertEqual(run.returncode, 0, run.stderr)
            out = json.loads(run.stdout)
            self.assertEqual(out["inputs"]["events"]["files"], 3)
            self.assertEqual(out["inputs"]["events"]["not_json"], 1)
            groups = {(g["group"]["cloud"], g["group"]["size"]): g for g in out["result"]["groups"]}
            aws = groups[("aws", "32")]
            self.assertEqual(aws["pulls"], 64)
            p = aws["seconds"]["percentiles"]
            self.assertGreater(p["p50"], 0)
            self.assertLessEqual(p["p50"], p["p100"])
            # The copied lines carry the same uids: counted once, under the first file read.
            self.assertNotIn(("google", "4"), groups)
            self.assertIn("duplicates", run.stderr)

    def test_study_pull_totals_match_an_independent_count(self):
        root = study_events()
        run = analyze("pulls", "--labels", PATTERN, "--group-by", "cloud,env,node_type", "--format", "json", root)
        self.assertEqual(run.returncode, 0, run.stderr)
        expected = independent_pull_totals(root)
        got = {(g["group"]["cloud"], g["group"]["env"], g["group"]["node_type"]): g for g in run.stdout and
               json.loads(run.stdout)["result"]["groups"]}
        print("\nstudy pull totals from", root)
        for key in sorted(expected):
            pulls, seconds = expected[key]
            print("  %-28s strata %5d pulls %10.2f s   independent %5d pulls %10.2f s"
                  % ("/".join(key), got[key]["pulls"], got[key]["seconds"]["sum"], pulls, seconds))
            self.assertEqual(got[key]["pulls"], pulls)
            self.assertAlmostEqual(got[key]["seconds"]["sum"], seconds, places=3)
        self.assertEqual(set(got), set(expected))

    def test_cost_prices_node_hours(self):
        with TempDir() as d:
            prices = os.path.join(d, "prices.json")
            with open(prices, "w") as f:
                json.dump(PRICES, f)
            run = analyze("cost", "--prices", prices, "--labels", PATTERN, "--group-by", "cloud,node_type",
                          "--format", "json", EVENTS)
            self.assertEqual(run.returncode, 0, run.stderr)
            group = json.loads(run.stdout)["result"]["groups"][0]
            totals = independent_pull_totals(EVENTS)[("aws", "eks", "cpu")]
            self.assertEqual(group["pulls"], totals[0])
            self.assertAlmostEqual(group["cost"], totals[1] / 3600 * 2.88, places=6)
            self.assertEqual(group["prices"], "hpc6a.48xlarge")
            with open(prices, "w") as f:
                f.write('{"nodes": [{"per_hour": "cheap"}]}')
            bad = analyze("cost", "--prices", prices, EVENTS)
            self.assertEqual(bad.returncode, 2)
            self.assertIn("per_hour must be a number", bad.stderr)
            self.assertEqual(analyze("cost", EVENTS).returncode, 2)

    def test_table_and_csv_and_bad_usage(self):
        table = analyze("pulls", "--labels", PATTERN, "--group-by", "cloud", EVENTS)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("cloud=aws", table.stdout)
        csv = analyze("pulls", "--format", "csv", EVENTS)
        self.assertTrue(csv.stdout.startswith("group,pulls,already_present"))
        self.assertIn("all,64,", csv.stdout)
        self.assertEqual(analyze().returncode, 2)
        self.assertEqual(analyze("pulls", "--format", "xml", EVENTS).returncode, 2)
        self.assertEqual(analyze("pulls", "--labels", "{open", EVENTS).returncode, 2)
        self.assertEqual(analyze("pulls", "/nonexistent/events.json").returncode, 1)
        self.assertEqual(analyze("sizes").returncode, 2)
        self.assertEqual(analyze("similarity", "--cut", "7", MANIFESTS).returncode, 2)
        self.assertEqual(analyze("reuse", "--top", "-1", MANIFESTS).returncode, 2)
        self.assertEqual(analyze("nonsense", MANIFESTS).returncode, 2)

    def test_hostile_gzip_is_streamed_within_the_caps(self):
        source = os.path.join(EVENTS, "aws", "eks", "cpu", "size32", "times")
        with gzip.open(os.path.join(source, os.listdir(source)[0]), "rb") as f:
            lines = f.read().split(b"\n")
        with TempDir() as d:
            # The fixture with one 5000-byte line added, its trailer claiming 4 GiB.
            lines.insert(3, b'{"reason":"' + b"A" * 5000 + b'"}')
            forged = bytearray(gzip.compress(b"\n".join(lines)))
            forged[-4:] = b"\xff\xff\xff\xff"
            claims = os.path.join(d, "claims-4g.json.gz")
            with open(claims, "wb") as f:
                f.write(forged)
            # An EventList opening, then 64 MiB of newlines: about 64 kB compressed.
            bomb = os.path.join(d, "bomb.json.gz")
            with gzip.open(bomb, "wb", compresslevel=9) as f:
                f.write(b"{\n")
                for _ in range(64):
                    f.write(b"\n" * (1 << 20))
            run = analyze("pulls", "--max-line-bytes", "4000", "--max-document-bytes", "1MiB", "--format", "json",
                          claims, bomb)
            self.assertEqual(run.returncode, 0, run.stderr)
            inputs = json.loads(run.stdout)["inputs"]
            self.assertEqual(inputs["events"]["pulled"], 64)
            self.assertEqual(inputs["events"]["oversized_lines"], 1)
            self.assertEqual(inputs["events"]["unreadable"], 1)
            self.assertEqual(inputs["event_errors"],
                             ["file %s line 4: longer than 4000 bytes, skipped" % claims,
                              "file %s: larger than 1048576 bytes" % bomb])
            self.assertIn("line 4: longer than 4000 bytes", run.stderr)
            self.assertEqual(analyze("pulls", "--max-line-bytes", "0", claims).returncode, 2)
            self.assertEqual(analyze("pulls", "--max-document-bytes", "lots", claims).returncode, 2)


class AnalyzeImagesTest(unittest.TestCase):
    def run_json(self, *args):
        run = analyze(*args, "--format", "json", MANIFESTS)
        self.assertEqual(run.returncode, 0, run.stderr)
        return json.loads(run.stdout)

    def test_sizes_match_an_independent_computation(self):
        out = self.run_json("sizes", "--group-by", "registry")
        self.assertEqual(out["inputs"]["images"]["images"], 12)
        self.assertEqual(out["inputs"]["images"]["index_only"], 1)
        images = study_images()
        totals = [sum(s for _, s in layers) for _, layers in images]
        everything = self.run_json("sizes", "--group-by", "")["result"]["groups"][0]
        self.assertEqual(everything["images"], len(images))
        for p in (5, 25, 50, 75, 90, 95, 100):
            self.assertAlmostEqual(everything["image_bytes"]["percentiles"]["p%d" % p], numpy_percentile(totals, p),
                                   delta=1)
        self.assertEqual(everything["image_bytes"]["sum"], sum(totals))
        registries = {g["group"]["registry"]: g["images"] for g in out["result"]["groups"]}
        self.assertEqual(registries, {"docker.io": 1, "ghcr.io": 11})
        self.assertTrue(all(b["count"] >= 0 for b in everything["image_bytes_histogram"]))
        self.assertEqual(sum(b["count"] for b in everything["image_bytes_histogram"]), len(images))

    def test_reuse_and_similarity_match_an_independent_computation(self):
        reuse = self.run_json("reuse", "--top", "3")["result"]
        images = study_images()
        unique = {d: s for _, layers in images for d, s in layers}
        self.assertEqual(reuse["unique_layers"], len(unique))
        self.assertEqual(reuse["unique_bytes"], sum(unique.values()))
        self.assertEqual(reuse["bytes_saved"], sum(s for _, ls in images for _, s in ls) - sum(unique.values()))
        users = collections.Counter(d for _, layers in images for d in {d for d, _ in layers})
        self.assertEqual(reuse["top"][0]["images"], max(users.values()))
        self.assertEqual({b["used_by_images"]: b["layers"] for b in reuse["buckets"]}[">2"],
                         sum(1 for n in users.values() if n > 2))
        sim = self.run_json("similarity")["result"]
        n = len(sim["images"])
        self.assertEqual(n, 12)
        self.assertEqual(sorted(sim["order"]), list(range(n)))
        self.assertEqual(len(sim["linkage"]), n - 1)
        sets = {}
        for tag, layers in images:
            sets.setdefault(tag, []).append({d for d, _ in layers})
        for i, j, jd, _ in sim["pairs"][:20]:
            a = sim["images"][i].split(" ")[0].split(":")[-1]
            b = sim["images"][j].split(" ")[0].split(":")[-1]
            if len(sets.get(a, [])) == 1 and len(sets.get(b, [])) == 1:
                x, y = sets[a][0], sets[b][0]
                self.assertAlmostEqual(jd, len(x & y) / len(x | y), places=5)

    def test_neighbours_match_the_similarity_pairs(self):
        sim = self.run_json("similarity")["result"]
        out = self.run_json("neighbours", "--k", "3", "--cut", "0.5")["result"]
        self.assertEqual([i["name"] for i in out["images"]], sim["images"])
        n = len(sim["images"])
        dense = [[0.0] * n for _ in range(n)]
        for i, j, jd, _ in sim["pairs"]:
            dense[i][j] = dense[j][i] = jd
        for i, image in enumerate(out["images"]):
            others = sorted((j for j in range(n) if j != i and dense[i][j] > 0), key=lambda j: (-dense[i][j], j))[:3]
            self.assertEqual([j for j, _ in image["neighbours"]], others, image["name"])
            for j, similarity in image["neighbours"]:
                self.assertAlmostEqual(similarity, dense[i][j], places=5)
        self.assertEqual(out["clusters"], len({i["cluster"] for i in out["images"]}))
        self.assertEqual(analyze("neighbours", "--k", "0", MANIFESTS).returncode, 2)

    def test_hygiene_and_trends(self):
        h = self.run_json("hygiene", "--top", "5")["result"]
        self.assertEqual(h["images"], 12)
        self.assertLessEqual(h["uncleaned_installs"], h["install_steps"])
        self.assertGreater(h["install_steps"], 0)
        self.assertLessEqual(len(h["biggest"]), 5)
        sizes = [l["size"] for l in h["biggest"]]
        self.assertEqual(sizes, sorted(sizes, reverse=True))
        trends = self.run_json("trends")["result"]["tags"]
        kripke = [t["tag"] for t in trends if t["repository"].endswith("metric-kripke-cpu")]
        self.assertEqual(len(kripke), 4)


class SavedImagesTest(unittest.TestCase):
    """`strata analyze import` saves images into a data directory; the analyses read them back
    one at a time and give what they give over the files."""

    def setUp(self):
        self.tmp = TempDir()
        self.data = os.path.join(self.tmp.__enter__(), "data")

    def tearDown(self):
        self.tmp.__exit__(None, None, None)

    def result(self, *args):
        run = analyze(*args, "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        return json.loads(run.stdout)["result"], run.stderr

    def test_saved_images_give_the_same_answers_as_the_files(self):
        run = subprocess.run([STRATA, "analyze", "import", "--data-dir", self.data, "--label", "survey=fixture",
                              MANIFESTS], capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 0, run.stderr)
        count = len(study_images())
        self.assertIn("saved %d images into %s" % (count, self.data), run.stdout)
        # Saving again replaces: still one record per image.
        again = subprocess.run([STRATA, "analyze", "import", "--data-dir", self.data, MANIFESTS],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(again.returncode, 0, again.stderr)
        sizes, err = self.result("sizes", "--data-dir", self.data, "--group-by", "registry,year")
        self.assertIn("saved images: %d read from the data directory" % count, err)
        self.assertEqual(sizes, self.result("sizes", MANIFESTS, "--group-by", "registry,year")[0])
        reuse = self.result("reuse", "--data-dir", self.data)[0]
        files = self.result("reuse", MANIFESTS)[0]
        for key in ("images", "layer_references", "unique_layers", "referenced_bytes", "unique_bytes", "buckets"):
            self.assertEqual(reuse[key], files[key], key)
        self.assertEqual([(r["digest"], r["images"]) for r in reuse["top"]],
                         [(r["digest"], r["images"]) for r in files["top"]])
        hygiene = self.result("hygiene", "--data-dir", self.data)[0]
        self.assertEqual(hygiene["install_steps"], self.result("hygiene", MANIFESTS)[0]["install_steps"])
        trends = self.result("trends", "--data-dir", self.data)[0]["tags"]
        self.assertEqual(sorted((t["repository"], t["tag"]) for t in trends),
                         sorted((t["repository"], t["tag"]) for t in self.result("trends", MANIFESTS)[0]["tags"]))
        neighbours = self.result("neighbours", "--data-dir", self.data)[0]
        self.assertEqual(len(neighbours["images"]), count)

    def test_import_refuses_a_data_directory_in_use_and_bad_input(self):
        os.makedirs(self.data)
        import fcntl
        with open(os.path.join(self.data, "strata.pid"), "w") as pid:
            fcntl.flock(pid, fcntl.LOCK_EX)  # as a running strata holds it
            busy = subprocess.run([STRATA, "analyze", "import", "--data-dir", self.data, MANIFESTS],
                                  capture_output=True, text=True, timeout=60)
        self.assertEqual(busy.returncode, 1)
        self.assertIn("already running on", busy.stderr)
        garbage = os.path.join(self.tmp.path, "x.json")
        with open(garbage, "w") as f:
            f.write("{not json")
        bad = subprocess.run([STRATA, "analyze", "import", "--data-dir", self.data, garbage],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(bad.returncode, 1)
        self.assertIn("no image could be read; nothing saved", bad.stderr)
        usage = subprocess.run([STRATA, "analyze", "import", MANIFESTS], capture_output=True, text=True, timeout=60)
        self.assertEqual(usage.returncode, 2)
        self.assertIn("--data-dir DIR is required", usage.stderr)


class ReportTest(unittest.TestCase):
    def test_report_renders_in_headless_chromium(self):
        chromium = shutil.which("chromium")
        self.assertIsNotNone(chromium, "chromium is installed by deploy/setup.sh test")
        with TempDir() as d:
            prices = os.path.join(d, "prices.json")
            with open(prices, "w") as f:
                json.dump(PRICES, f)
            out = os.path.join(d, "report.html")
            run = analyze("report", "--out", out, "--images", MANIFESTS, "--events", EVENTS, "--labels", PATTERN,
                          "--group-by", "cloud,node_type", "--prices", prices)
            self.assertEqual(run.returncode, 0, run.stderr)
            with open(out) as f:
                html = f.read()
            # Self-contained: no scripts and nothing to fetch (URLs in build commands are only text).
            self.assertIsNone(re.search(r"<script|\ssrc=|\shref=|@import|url\(", html), "report fetches something")
            for section in ("sizes", "trends", "reuse", "similarity", "hygiene", "pulls", "cost"):
                self.assertIn('id="%s"' % section, html)
            png = os.path.join(d, "report.png")
            common = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                      "--user-data-dir=" + os.path.join(d, "chromium")]
            shot = subprocess.run(common + ["--window-size=1280,3000", "--screenshot=" + png, "file://" + out],
                                  capture_output=True, text=True, timeout=120)
            self.assertEqual(shot.returncode, 0, shot.stderr)
            width, height = png_size(png)
            self.assertEqual((width, height), (1280, 3000))
            self.assertGreater(os.path.getsize(png), 50_000, "a blank page compresses to a few kB")
            dom = subprocess.run(common + ["--dump-dom", "file://" + out], capture_output=True, text=True, timeout=120)
            self.assertEqual(dom.returncode, 0, dom.stderr)
            self.assertGreaterEqual(dom.stdout.count("<svg"), 8)
            self.assertIn("<rect", dom.stdout)
            self.assertIn("<polyline", dom.stdout)
            # The report opens with its answer, computed from the results.
            answer = re.search(r'<section id="answer">(.*?)</section>', html, re.S)
            self.assertIsNotNone(answer, "no opening answer")
            text = re.sub(r"<[^>]+>", " ", answer.group(1))
            self.assertIn("images: half are under", text)
            self.assertIn("sharing saves", text)
            self.assertRegex(text, r"pulls took [0-9.]+ (s|min) at the median")
            self.assertRegex(text, r"Replayed through a strata cache of [0-9.]+ [kMGT]?B")
            self.assertIn("<details><summary>", html)  # long tables fold their rest
            # No two axis labels overlap, on a laptop or a phone.
            for width in (1280, 390):
                labels, overlaps = axis_label_overlaps(out, width, d)
                self.assertGreater(labels, 50, width)
                self.assertEqual(overlaps, [], "at %d px" % width)

    def test_report_needs_an_output_and_inputs(self):
        self.assertEqual(analyze("report", "--images", MANIFESTS).returncode, 2)
        self.assertEqual(analyze("report", "--out", "/tmp/x.html").returncode, 2)


if __name__ == "__main__":
    unittest.main()
