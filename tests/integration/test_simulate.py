"""`strata simulate` end to end: the study's pulls replayed (the `none` topology must move
exactly the bytes the kubelet events imply), strata's own log as a trace, CSV input good and
bad, sweeps, the report, and usage errors."""
import json
import os
import re
import subprocess
import unittest

from harness import REPO_ROOT, STRATA, ProxyTestCase, Registry, Strata, TempDir, axis_label_overlaps, distinct_events, push_image, random_layer, shared_data

FIXTURES = os.path.join(REPO_ROOT, "tests", "fixtures")
PATTERN = "{cloud}/{env}/{node_type}/size{size}/times/*"
UPSTREAM = "upstream.test"


def study():
    """(events, manifests): the whole study beside the checkout, else the fixtures."""
    data = shared_data() or FIXTURES
    return os.path.join(data, "k8s-events"), os.path.join(data, "manifests")


def simulate(*args):
    return subprocess.run([STRATA, "simulate", *args], capture_output=True, text=True, timeout=300)


def normalise(ref):
    """Keys to look a reference up by: by digest (bundles of images pulled by digest are keyed
    by its hex), then registry/repository:tag with Docker Hub's defaults."""
    ref, _, digest = ref.partition("@")
    first, _, rest = ref.partition("/")
    if not rest or not ("." in first or ":" in first or first == "localhost"):
        first, rest = "docker.io", ref
    tag = "latest"
    if ":" in rest:
        rest, tag = rest.rsplit(":", 1)
    if first == "docker.io" and "/" not in rest:
        rest = "library/" + rest
    keys = ["%s/%s:%s" % (first, rest, digest[7:])] if digest else []
    if tag != "latest" or not digest or ":" in ref.rsplit("/", 1)[-1]:
        keys.append("%s/%s:%s" % (first, rest, tag))
    return keys


def implied_bytes(events, manifests):
    """Bytes the kubelet pulls imply (config + distinct layers per pull), pulls of images
    without a manifest, and kubelet cache hits, computed straightforwardly."""
    sizes = {}
    for d, _, files in os.walk(manifests):
        if "manifests-config-layers.json" not in files:
            continue
        rel = os.path.relpath(d, manifests).split(os.sep)
        registry, repo = (rel[0], "/".join(rel[1:])) if "." in rel[0] else ("docker.io", "/".join(rel[-2:]))
        repo = repo.replace("@sha256", "")
        with open(os.path.join(d, "manifests-config-layers.json")) as f:
            doc = json.load(f)
        for key, m in doc["manifests"].items():
            if "layers" not in m:
                continue
            size = m["config"]["size"] + sum({l["digest"]: l["size"] for l in m["layers"]}.values())
            tag, _, digest = key.partition("@")
            if digest:  # "tag@sha256:…": that build of the tag; a plain "tag" key is its current one
                sizes["%s/%s:%s" % (registry, repo, digest[7:])] = size
                sizes.setdefault("%s/%s:%s" % (registry, repo, tag), size)
            else:
                sizes["%s/%s:%s" % (registry, repo, tag)] = size
    total, unknown, present = 0, 0, 0
    for _, e in distinct_events(events):
        if e["reason"] != "Pulled":
            continue
        m = re.match(r'(?:Successfully pulled image|Container image) "([^"]+)"( already present)?',
                     e.get("message", ""))
        if not m:
            continue
        size = next((sizes[k] for k in normalise(m.group(1)) if k in sizes), None)
        if size is None:
            unknown += 1
        elif m.group(2):
            present += 1
        else:
            total += size
    return total, unknown, present


class StudyReplayTest(unittest.TestCase):
    def test_none_moves_exactly_the_bytes_the_kubelet_events_imply(self):
        events, manifests = study()
        run = simulate("--k8s", events, "--images", manifests, "--labels", PATTERN, "--topology", "none,proxy",
                       "--policy", "lru,belady", "--capacity", "20GB", "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        out = json.loads(run.stdout)
        total, unknown, present = implied_bytes(events, manifests)
        none = [r for r in out["results"] if r["topology"] == "none"][0]
        print("\nstudy replay from %s: strata none egress %d bytes, independent %d; unknown pulls %d / %d"
              % (events, none["egress_bytes"], total, out["trace"]["unknown_images"], unknown))
        self.assertEqual(none["egress_bytes"], total)
        self.assertEqual(out["trace"]["unknown_images"], unknown)
        self.assertGreater(total, 0)
        proxies = {r["policy"]: r for r in out["results"] if r["topology"] == "proxy"}
        self.assertLess(proxies["lru"]["egress_bytes"], none["egress_bytes"])
        self.assertGreaterEqual(proxies["belady"]["object_hit_ratio"], proxies["lru"]["object_hit_ratio"] - 1e-9)
        for r in out["results"]:
            self.assertEqual(r["node_hits"] + r["proxy_hits"] + r["upstream_misses"], r["requests"])
        if present:
            self.assertGreater(none["node_hits"], 0)


class TraceInputTest(unittest.TestCase):
    def test_csv_sweep_report_and_bad_lines(self):
        with TempDir() as d:
            digest = "sha256:" + "ab" * 32
            other = "sha256:" + "cd" * 32
            rows = ["time,node,digest,size"] + ["%d,node-%d,%s,6000000000" % (i, i % 3, digest) for i in range(6)]
            rows += ["%d,node-0,%s,1000" % (10 + i, other) for i in range(4)]
            rows += ["oops,node-1,%s,5" % digest, "7,node-1,%s,-1" % digest]
            path = os.path.join(d, "trace.csv")
            with open(path, "w") as f:
                f.write("\n".join(rows) + "\n")
            report = os.path.join(d, "sim.html")
            run = simulate("--csv", path, "--topology", "none,proxy,proxy-replicas,node,node+proxy", "--capacity",
                           "7GB,20GB", "--node-capacity", "7GB", "--report", report, "--format", "json")
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("2 lines skipped", run.stderr)
            self.assertIn("line 12: time is neither seconds nor RFC 3339", run.stderr)
            out = json.loads(run.stdout)
            self.assertEqual(out["trace"]["requests"], 10)
            none = [r for r in out["results"] if r["topology"] == "none"][0]
            self.assertEqual(none["egress_bytes"], 6 * 6_000_000_000 + 4000)  # 64-bit sizes
            for r in out["results"]:
                self.assertEqual(r["node_hits"] + r["proxy_hits"] + r["upstream_misses"], r["requests"])
            with open(report) as f:
                html = f.read()
            self.assertIn('id="simulation"', html)
            self.assertIn("<polyline", html)
            self.assertIn("Miss ratio vs capacity (proxy)", html)
            self.assertIn('class="x">7.0 GB</text>', html)  # capacities label the x axis
            # A node curve has one capacity: drawn as points, with a note.
            self.assertIn("one point per series: drawn as points", html)
            for width in (1280, 390):
                labels, overlaps = axis_label_overlaps(report, width, d)
                self.assertGreater(labels, 20, width)
                self.assertEqual(overlaps, [], "at %d px" % width)
            csv = simulate("--csv", path, "--policy", "lru", "--capacity", "20GB", "--format", "csv")
            self.assertTrue(csv.stdout.startswith("topology,policy,capacity,requests,"))

    def test_synthetic_is_reproducible_across_thread_counts(self):
        args = ("--synthetic", "--jobs", "300", "--seed", "5", "--topology", "proxy,node+proxy", "--format", "json")
        one = simulate(*args, "--threads", "1")
        two = simulate(*args, "--threads", "2")
        self.assertEqual(one.returncode, 0, one.stderr)
        self.assertEqual(json.loads(one.stdout), json.loads(two.stdout))

    def test_counts_may_be_written_as_whole_valued_decimals(self):
        args = ("--synthetic", "--seed", "5", "--topology", "proxy", "--format", "json")
        plain = simulate(*args, "--jobs", "300", "--threads", "1")
        decimal = simulate(*args, "--jobs", "3e2", "--threads", "1.0")
        self.assertEqual(plain.returncode, 0, plain.stderr)
        self.assertEqual(json.loads(plain.stdout), json.loads(decimal.stdout))
        half = simulate(*args, "--jobs", "2.5")
        self.assertEqual(half.returncode, 2)
        self.assertIn("--jobs wants a whole number from 1 to 100000000", half.stderr)

    def test_a_deployments_config_sets_budget_watermarks_and_policy_unless_flags_do(self):
        with TempDir() as d:
            config = os.path.join(d, "strata.json")
            with open(config, "w") as f:
                json.dump({"storage": {"max_bytes": 2_000_000_000, "high_watermark": 0.9, "low_watermark": 0.8,
                                       "eviction_policy": "sieve", "pinned": ["docker.io/library/alpine:3"]}}, f)
            args = ("--synthetic", "--jobs", "200", "--seed", "3", "--format", "json", "--config", config)
            r = simulate(*args)
            self.assertEqual(r.returncode, 0, r.stderr)
            rows = json.loads(r.stdout)["results"]
            self.assertEqual([(x["policy"], x["capacity"], x["watermarks"], x["layer_concurrency"]) for x in rows],
                             [("sieve", 2_000_000_000, [0.9, 0.8], 3)])
            self.assertIn("pins of %s are not modelled" % config, r.stderr)
            r = simulate(*args, "--policy", "lru", "--capacity", "1GB", "--watermarks", "1,1", "--layer-concurrency", "1")
            rows = json.loads(r.stdout)["results"]
            self.assertEqual([(x["policy"], x["capacity"], x["watermarks"], x["layer_concurrency"]) for x in rows],
                             [("lru", 1_000_000_000, [1.0, 1.0], 1)])
            # One lane per pull is slower than three.
            pull_seconds = lambda *more: json.loads(simulate(*args, *more).stdout)["results"][0]["pull_seconds"]
            self.assertGreater(pull_seconds("--layer-concurrency", "1"), pull_seconds())
            missing = simulate("--synthetic", "--config", os.path.join(d, "nope.json"))
            self.assertEqual(missing.returncode, 2)
            self.assertIn("nope.json", missing.stderr)

    def test_usage_errors(self):
        for args in ((), ("--csv", "a", "--synthetic"), ("--synthetic", "--policy", "magic"),
                     ("--synthetic", "--capacity", "lots"), ("--synthetic", "--topology", "mesh"),
                     ("--k8s", "x"), ("--synthetic", "--format", "xml"), ("--synthetic", "--upstream-bw", "-1"),
                     ("--synthetic", "--watermarks", "0.5"), ("--synthetic", "--watermarks", "0.5,0.9"),
                     ("--synthetic", "--watermarks", "0,0"), ("--synthetic", "--layer-concurrency", "0")):
            self.assertEqual(simulate(*args).returncode, 2, args)
        with TempDir() as d:
            headless = os.path.join(d, "t.csv")
            with open(headless, "w") as f:
                f.write("1,n,sha256:%s,5\n" % ("0" * 64))
            run = simulate("--csv", headless)
            self.assertEqual(run.returncode, 2)
            self.assertIn("header", run.stderr)
            self.assertEqual(simulate("--csv", os.path.join(d, "missing.csv")).returncode, 1)


class EventLogTraceTest(ProxyTestCase):
    def test_strata_log_replays_its_blob_requests(self):
        self.upstream = Registry(self.dir).start()
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}, config={"events": {"flush_ms": 50}}).start()
        img = push_image(self.upstream, "team/app", "v1", [random_layer(100_000, "l%d" % i) for i in range(3)])
        manifest = self.strata.get("/v2/%s/team/app/manifests/v1" % UPSTREAM,
                                   headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
        self.assertEqual(manifest.status, 200)
        for node in ("gpu-1", "gpu-2"):
            for digest in img.blobs:
                res = self.strata.get("/v2/%s/team/app/blobs/%s" % (UPSTREAM, digest), headers={"X-Strata-Node": node})
                self.assertEqual(res.status, 200)
        self.strata.stop()
        run = simulate("--data-dir", self.strata.data_dir, "--topology", "none,node", "--policy", "lru", "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        out = json.loads(run.stdout)
        self.assertEqual(out["trace"]["requests"], 2 * len(img.blobs))
        self.assertEqual(out["trace"]["nodes"], 2)
        none = [r for r in out["results"] if r["topology"] == "none"][0]
        self.assertEqual(none["egress_bytes"], 2 * sum(len(b) for b in img.blobs.values()))
        # Kubelet events resolved through strata's own cache instead of manifest files.
        events = os.path.join(self.dir, "events.json")
        with open(events, "w") as f:
            for uid, node in (("u1", "n1"), ("u2", "n2")):
                f.write(json.dumps({"metadata": {"uid": uid}, "reason": "Pulled", "source": {"host": node},
                                    "lastTimestamp": "2024-08-22T00:00:00Z",
                                    "message": 'Successfully pulled image "%s/team/app:v1" in 1.5s (1.5s including '
                                               'waiting)' % UPSTREAM}) + "\n")
        run = simulate("--k8s", events, "--images", self.strata.data_dir, "--topology", "none", "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        out = json.loads(run.stdout)
        self.assertEqual(out["trace"]["unknown_images"], 0)
        self.assertEqual(out["results"][0]["egress_bytes"], 2 * sum(len(b) for b in img.blobs.values()))

    def test_replicas_logs_merge_in_time_order(self):
        """Two strata replicas, each serving one node, asked in turn: simulate and analyze read both
        logs as one trace in time order."""
        self.upstream = Registry(self.dir).start()
        img = push_image(self.upstream, "team/app", "v1", [random_layer(50_000, "r%d" % i) for i in range(3)])
        replicas = [Strata(os.path.join(self.dir), {UPSTREAM: self.upstream.url}, config={"events": {"flush_ms": 50}},
                           data_dir=os.path.join(self.dir, "replica-" + name)).start() for name in ("a", "b")]
        layers = [layer["digest"] for layer in json.loads(img.manifest)["layers"]]
        size = sum(len(img.blobs[d]) for d in layers)
        for digest in layers:  # a, b, a, b, ...: each layer asked for on both before the next
            for strata, node in zip(replicas, ("gpu-1", "gpu-2")):
                res = strata.get("/v2/%s/team/app/blobs/%s" % (UPSTREAM, digest), headers={"X-Strata-Node": node})
                self.assertEqual(res.status, 200)
        for strata in replicas:
            strata.stop()
        dirs = [arg for strata in replicas for arg in ("--data-dir", strata.data_dir)]
        # A shared cache that holds one layer (each is a little over 50 kB): in time order each
        # layer is fetched once and then hit; one log after the other would fetch each twice.
        for order in (dirs, dirs[2:] + dirs[:2]):
            run = simulate(*order, "--topology", "proxy", "--policy", "lru", "--capacity", "80kB", "--format", "json")
            self.assertEqual(run.returncode, 0, run.stderr)
            out = json.loads(run.stdout)
            self.assertEqual((out["trace"]["requests"], out["trace"]["nodes"]), (2 * len(layers), 2))
            self.assertEqual(out["results"][0]["egress_bytes"], size)
        analyzed = subprocess.run([STRATA, "analyze", "pulls", *dirs, "--format", "json"], capture_output=True,
                                  text=True, timeout=300)
        self.assertEqual(analyzed.returncode, 0, analyzed.stderr)
        self.assertEqual(json.loads(analyzed.stdout)["inputs"]["strata_requests"], 2 * len(layers))

if __name__ == "__main__":
    unittest.main()
