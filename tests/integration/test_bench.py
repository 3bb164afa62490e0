"""strata bench: images of chosen shapes pushed to a real registry, pulled by simulated nodes
under each strategy, with the bytes counted, the network shaped and every pull recorded."""
import base64
import json
import os
import pty
import re
import subprocess
import unittest

from fault_upstream import FaultUpstream
from harness import (OCI_MANIFEST, REPO_ROOT, STRATA, Nginx, ProcessesTestCase, Registry, Strata, axis_label_overlaps,
                     free_port, http, push_image, random_layer, sha256)

UPSTREAM = "upstream.test"
MB = 1_000_000


def bench(*args, timeout=600):
    return subprocess.run([STRATA, "bench", *args], capture_output=True, text=True, timeout=timeout)


class BenchTestCase(ProcessesTestCase):
    def setUp(self):
        super().setUp()
        self.registry = self.started(Registry(self.dir))

    def push(self, *args, shapes="4MB:1,4MB:4"):
        run = bench("images", "--registry", self.registry.url, "--shapes", shapes, "--format", "json", *args)
        self.assertEqual(run.returncode, 0, run.stderr)
        return {image["shape"]: image for image in json.loads(run.stdout)}

    def pull(self, *args, expect=0):
        run = bench("pull", "--registry", "local=" + self.registry.url, "--format", "json", *args)
        self.assertEqual(run.returncode, expect, run.stdout + run.stderr)
        return json.loads(run.stdout) if run.stdout.strip() else None


class BenchImagesTest(BenchTestCase):
    def test_the_same_seed_gives_the_same_digests_whole_or_chunked_and_the_images_are_valid(self):
        first = self.push("--base", "1MB")
        self.assertEqual(sorted(first), ["4MB:1", "4MB:4"])
        self.assertEqual(first["4MB:4"]["ref"], "127.0.0.1:%d/bench/4mb-4:s1" % self.registry.port)
        self.assertEqual(first["4MB:4"]["layers"], 5)  # the base and four
        self.assertEqual(first["4MB:4"]["mounted"], 1)  # the base, pushed with the first image
        self.assertAlmostEqual(first["4MB:4"]["bytes"], 5 * MB, delta=0.1 * 5 * MB)
        again = self.push("--base", "1MB")
        for shape, image in first.items():
            self.assertEqual(again[shape]["digest"], image["digest"])
            self.assertEqual(again[shape]["uploaded"], 0)
        chunked = self.push("--base", "1MB", "--chunk-size", "300kB", "--repository-prefix", "chunked")
        self.assertEqual(chunked["4MB:4"]["digest"], first["4MB:4"]["digest"])
        self.assertEqual((chunked["4MB:4"]["uploaded"], chunked["4MB:4"]["mounted"]), (4, 1))
        run = bench("images", "--registry", self.registry.url, "--shapes", "4MB:1", "--repository-prefix", "csv",
                    "--format", "csv")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.splitlines()[0], "ref,digest,shape,bytes,layers,uploaded,mounted,present")
        ref, digest, shape = run.stdout.splitlines()[1].split(",")[:3]
        self.assertEqual((ref, shape), ("127.0.0.1:%d/csv/4mb-1:s1" % self.registry.port, "4MB:1"))
        self.assertRegex(digest, "^sha256:[0-9a-f]{64}$")
        other_seed = self.push("--seed", "2")
        self.assertNotEqual(other_seed["4MB:1"]["digest"], first["4MB:1"]["digest"])
        # skopeo reads what was pushed as a valid OCI image, every digest checked.
        out = os.path.join(self.dir, "copy")
        copy = subprocess.run(["skopeo", "copy", "--src-tls-verify=false", "docker://" + first["4MB:4"]["ref"],
                               "oci:" + out], capture_output=True, text=True, timeout=300)
        self.assertEqual(copy.returncode, 0, copy.stderr)

    def test_zstd_layers_hold_the_same_tars_and_containerd_unpacks_them(self):
        gzip = self.push("--compressibility", "0.5", shapes="2MB:2")["2MB:2"]
        zstd = self.push("--compressibility", "0.5", "--compression", "zstd", shapes="2MB:2")["2MB:2"]
        self.assertEqual(zstd["ref"], "127.0.0.1:%d/bench/2mb-2:s1-zstd" % self.registry.port)
        self.assertNotEqual(zstd["digest"], gzip["digest"])
        again = self.push("--compressibility", "0.5", "--compression", "zstd", shapes="2MB:2")["2MB:2"]
        self.assertEqual(again["digest"], zstd["digest"])
        manifests, configs = {}, {}
        for name, image in (("gzip", gzip), ("zstd", zstd)):
            r = http("GET", "%s/v2/bench/2mb-2/manifests/%s" % (self.registry.url, image["ref"].rsplit(":", 1)[1]),
                     headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
            self.assertEqual(r.status, 200)
            manifests[name] = r.json()
            configs[name] = http("GET", "%s/v2/bench/2mb-2/blobs/%s" % (self.registry.url, manifests[name]["config"]["digest"])).json()
        self.assertEqual({l["mediaType"] for l in manifests["zstd"]["layers"]}, {"application/vnd.oci.image.layer.v1.tar+zstd"})
        self.assertEqual(configs["zstd"]["rootfs"], configs["gzip"]["rootfs"])  # the same tars inside
        # The built-in nodes and containerd (which checks each diff_id as it unpacks) both unpack them.
        for client in ("builtin", "ctr"):
            run = bench("pull", "--registry", "local=" + self.registry.url, "--image", "bench/2mb-2:s1-zstd",
                        "--strategies", "direct,proxy-cold", "--unpack", "extract", "--client", client, "--format", "json")
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
            for t in json.loads(run.stdout)["trials"]:
                self.assertEqual(t["failed"], 0, t["error"])
        run = bench("images", "--registry", self.registry.url, "--shapes", "2MB:2", "--compression", "xz")
        self.assertEqual(run.returncode, 2)
        self.assertIn("--compression: compression 'xz' is not gzip or zstd", run.stderr)

    def test_shapes_from_a_real_corpus(self):
        fixtures = os.path.join(REPO_ROOT, "tests", "fixtures")
        run = bench("images", "--like", fixtures, "--dry-run")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("from 12 images", run.stderr)
        self.assertEqual(run.stdout.split(), ["1007MB:18", "bench/1007mb-18", "3500MB:28", "bench/3500mb-28"])
        a = bench("images", "--like", fixtures, "--sample", "4", "--seed", "3", "--dry-run")
        b = bench("images", "--like", fixtures, "--sample", "4", "--seed", "3", "--dry-run")
        self.assertEqual(a.returncode, 0, a.stderr)
        self.assertEqual(a.stdout, b.stdout)
        self.assertTrue(1 <= len(a.stdout.splitlines()) <= 4)
        # The images a strata has cached: here one of three uneven layers, pulled through it. The
        # image made from it has its size, its layer count and its layers' proportions.
        image = push_image(self.registry, "team/uneven", "v1",
                           [random_layer(size, "uneven-%d" % size) for size in (400_000, 100_000, 200_000)])
        strata = self.started(Strata(self.dir, {UPSTREAM: self.registry.url}))
        self.assertEqual(strata.get("/v2/%s/team/uneven/manifests/v1" % UPSTREAM, headers={"Accept": OCI_MANIFEST}).status, 200)
        for digest in image.blobs:
            self.assertEqual(strata.get("/v2/%s/team/uneven/blobs/%s" % (UPSTREAM, digest)).status, 200)
        strata.stop()
        run = bench("images", "--data-dir", strata.data_dir, "--registry", self.registry.url, "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("from 1 images", run.stderr)
        made = json.loads(run.stdout)[0]
        original = [layer["size"] for layer in json.loads(image.manifest)["layers"]]
        self.assertEqual(made["shape"], "%dkB:3" % round(sum(original) / 1000))
        repository, tag = made["ref"].split("/", 1)[1].rsplit(":", 1)
        manifest = http("GET", "%s/v2/%s/manifests/%s" % (self.registry.url, repository, tag),
                        headers={"Accept": OCI_MANIFEST}).json()
        sizes = [layer["size"] for layer in manifest["layers"]]
        for got, want in zip(sizes, original):
            self.assertAlmostEqual(got / sum(sizes), want / sum(original), delta=0.02)
        run = bench("images", "--like", fixtures, "--shapes", "1MB:1", "--dry-run")
        self.assertEqual(run.returncode, 2)
        self.assertIn("give --shapes, or a corpus", run.stderr)
        run = bench("images", "--like", os.path.join(self.dir, "nothing"), "--dry-run")
        self.assertEqual(run.returncode, 2)
        self.assertIn("corpus: no image could be read from --like: file %s: cannot open: No such file or directory"
                      % os.path.join(self.dir, "nothing"), run.stderr)
        empty = os.path.join(self.dir, "empty")
        os.makedirs(empty)
        run = bench("images", "--like", empty, "--dry-run")
        self.assertEqual(run.returncode, 2)
        self.assertIn("corpus: the corpus has no image with layers", run.stderr)

    def test_an_unreachable_registry_and_impossible_shapes_are_clear_errors(self):
        port = free_port()
        run = bench("images", "--registry", "http://127.0.0.1:%d" % port, "--shapes", "1MB:1")
        self.assertEqual(run.returncode, 1)
        self.assertIn("cannot reach http://127.0.0.1:%d" % port, run.stderr)
        run = bench("images", "--registry", self.registry.url, "--shapes", "1MB:0")
        self.assertEqual(run.returncode, 2)
        self.assertIn("shape '1MB:0': the layer count must be a whole number from 1 to 1000", run.stderr)
        run = bench("images", "--registry", "ftp://x", "--shapes", "1MB:1")
        self.assertEqual(run.returncode, 2)
        self.assertIn("is not a URL", run.stderr)

    def test_a_push_refused_with_denied_names_the_registry_and_the_code(self):
        upstream = self.started(FaultUpstream(self.dir))
        upstream.add_fault("/blobs/uploads/", "respond", status=403, headers={"Content-Type": "application/json"},
                       body=json.dumps({"errors": [{"code": "DENIED", "message": "push access denied"}]}))
        run = bench("images", "--registry", upstream.url, "--shapes", "1MB:1")
        self.assertEqual(run.returncode, 1)
        self.assertIn("127.0.0.1:%d refused an upload of sha256:" % upstream.port, run.stderr)
        self.assertIn("HTTP 403 DENIED: push access denied", run.stderr)
        self.assertEqual(run.stdout, "")  # no table claiming a push
        # An upload sent elsewhere (here a loopback admin API) is refused, not followed.
        upstream.clear_faults()
        upstream.add_fault("/blobs/uploads/", "respond", status=202,
                           headers={"Location": "http://127.0.0.1:1/api/v1/cache?ref=x"}, body="")
        run = bench("images", "--registry", upstream.url, "--shapes", "1MB:1")
        self.assertEqual(run.returncode, 1)
        self.assertIn("with an upload Location on another origin (http://127.0.0.1:1)", run.stderr)


    def authenticating_front(self, scheme):
        """nginx in front of the registry, asking pushers for Basic credentials (bench:s3cret) or
        for a bearer token its /token hands out for those credentials and a push scope only."""
        basic = "Basic " + base64.b64encode(b"bench:s3cret").decode()
        proxy = ("proxy_pass %s; proxy_set_header Host $http_host; proxy_request_buffering off; "
                 "client_max_body_size 0;" % self.registry.url)
        if scheme == "basic":
            v2 = ('if ($http_authorization != "%s") { add_header WWW-Authenticate \'Basic realm="bench"\' always; '
                  "return 401; }" % basic)
            token = ""
        else:
            v2 = ('if ($http_authorization != "Bearer push-token") { add_header WWW-Authenticate '
                  '\'Bearer realm="http://127.0.0.1:%(port)d/token",service="bench.test"\' always; return 401; }')
            # strata's token flow posts first (OAuth2) and asks again by GET on 405, as containerd does.
            token = ('location = /token { if ($request_method = POST) { return 405; } '
                     'if ($http_authorization != "%s") { return 401; } '
                     'if ($arg_scope !~ "^repository%%%%3A[^&]*%%%%3Apull%%%%2Cpush$") { return 403; } '
                     'default_type application/json; return 200 \'{"token": "push-token"}\'; }' % basic)
        server = "listen 127.0.0.1:%%(port)d; location /v2/ { %s %s } %s" % (v2, proxy, token)
        return self.started(Nginx(self.dir, server))

    def test_a_registry_that_wants_credentials_gets_them_by_basic_or_by_a_push_token(self):
        for scheme in ("basic", "bearer"):
            front = self.authenticating_front(scheme)
            run = bench("images", "--registry", front.url, "--shapes", "1MB:2", "--repository-prefix", scheme)
            self.assertEqual(run.returncode, 1, scheme)
            wants = "wants a user name and password (--creds USER:PASSWORD)" if scheme == "basic" else \
                "token service %s gave no push token for repository:%s/1mb-2:pull,push (HTTP 401)" % (front.url, scheme)
            self.assertIn(wants, run.stderr, scheme)
            self.assertEqual(run.stdout, "")
            run = bench("images", "--registry", front.url, "--shapes", "1MB:2", "--repository-prefix", scheme,
                        "--creds", "bench:wrong")
            self.assertEqual(run.returncode, 1, scheme)
            self.assertIn("HTTP 401", run.stderr, scheme)
            run = bench("images", "--registry", front.url, "--shapes", "1MB:2", "--repository-prefix", scheme,
                        "--creds", "bench:s3cret", "--chunk-size", "300kB", "--format", "json")
            self.assertEqual(run.returncode, 0, scheme + ": " + run.stderr)
            image = json.loads(run.stdout)[0]
            self.assertEqual(image["uploaded"], 2, scheme)
            # What went through the front is in the registry behind it, whole.
            manifest = http("GET", "%s/v2/%s/1mb-2/manifests/s1" % (self.registry.url, scheme),
                            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
            self.assertEqual((manifest.status, sha256(manifest.body)), (200, image["digest"]), scheme)
            front.stop()


class BenchPullTest(BenchTestCase):
    def setUp(self):
        super().setUp()
        self.images = self.push(shapes="4MB:4")
        self.size = self.images["4MB:4"]["bytes"]

    def trials(self, result):
        return {(t["strategy"], t["nodes"]): t for t in result["trials"]}

    def test_a_terminal_sees_progress_and_the_table_holds_every_trial(self):
        args = [STRATA, "bench", "pull", "--registry", "local=" + self.registry.url, "--image", "bench/4mb-4:s1",
                "--strategies", "direct", "--nodes", "1,2"]
        leader, follower = pty.openpty()
        try:
            run = subprocess.run(args, stdout=subprocess.PIPE, stderr=follower, text=True, timeout=600)
        finally:
            os.close(follower)
        progress = b""
        try:
            while True:
                chunk = os.read(leader, 4096)
                if not chunk:
                    break
                progress += chunk
        except OSError:  # EIO: the terminal's other end is closed
            pass
        os.close(leader)
        progress = progress.decode()
        self.assertEqual(run.returncode, 0, progress)
        self.assertIn("trial 1 of 2: local bench/4mb-4:s1 direct nodes=1 concurrency=3", progress)
        self.assertIn("trial 2 of 2: local bench/4mb-4:s1 direct nodes=2 concurrency=3", progress)
        self.assertRegex(progress, r"  1 of 1 nodes pulled: p50 \d+\.\d\d s, slowest \d+\.\d\d s")
        self.assertRegex(progress, r"  2 of 2 nodes pulled: p50 \d+\.\d\d s")
        rows = [line.split() for line in run.stdout.splitlines() if "bench/4mb-4:s1" in line]
        self.assertEqual([(r[0], r[4], r[5]) for r in rows], [("local", "direct", "1"), ("local", "direct", "2")])
        # Not on a terminal: no progress.
        piped = subprocess.run(args, capture_output=True, text=True, timeout=600)
        self.assertEqual(piped.returncode, 0, piped.stderr)
        self.assertNotIn("trial 1", piped.stderr)

    def test_each_strategy_moves_the_bytes_it_should(self):
        data = os.path.join(self.dir, "record")
        result = self.pull("--image", "bench/4mb-4:s1", "--nodes", "1,4", "--data-dir", data, "--run-id", "t1",
                           "--strategies", "direct,proxy-cold,proxy-warm,proxy-prewarmed,node-warm,two-tier")
        trials = self.trials(result)
        self.assertEqual(len(trials), 12)
        for (strategy, nodes), t in trials.items():
            with self.subTest(strategy=strategy, nodes=nodes):
                self.assertEqual(t["failed"], 0, t["error"])
                self.assertEqual(t["image_bytes"], self.size)
                self.assertEqual(t["shape"], "4MB:4")
                if strategy == "node-warm":  # only the manifest and config again
                    self.assertLess(t["received_bytes"], nodes * 10_000)
                else:
                    self.assertEqual(t["received_bytes"], nodes * self.size)
                # What the registry sent: the bytes and their HTTP headers.
                expected = {"direct": nodes * self.size, "proxy-cold": self.size, "two-tier": self.size,
                            "proxy-warm": 0, "proxy-prewarmed": 0, "node-warm": 0}[strategy]
                self.assertGreaterEqual(t["upstream_bytes"], expected)
                self.assertLess(t["upstream_bytes"], expected + nodes * 20_000)
        self.assertTrue(any("proxy-cold" in v and "less egress" in v for v in result["verdicts"]), result["verdicts"])
        # The recorded pulls, read back by the analytics: one observation per node pull.
        run = subprocess.run([STRATA, "analyze", "pulls", "--data-dir", data, "--group-by", "strategy,nodes,shape",
                              "--format", "json"], capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr)
        groups = {(g["group"]["strategy"], g["group"]["nodes"], g["group"]["shape"]): g
                  for g in json.loads(run.stdout)["result"]["groups"]}
        self.assertEqual(len(groups), 12, sorted(groups))
        self.assertEqual(groups[("proxy-cold", "4", "4MB:4")]["pulls"], 4)
        self.assertEqual(groups[("direct", "1", "4MB:4")]["pulls"], 1)
        events = subprocess.run([STRATA, "events", "export", "--data-dir", data, "--format", "jsonl"],
                                capture_output=True, text=True, timeout=120)
        self.assertEqual(events.returncode, 0, events.stderr)
        lines = [json.loads(line) for line in events.stdout.splitlines()]
        blobs = [e for e in lines if e["kind"] == "blob" and "strategy=proxy-warm,nodes=4" in e["labels"]]
        self.assertEqual(len(blobs), 4 * 5)  # four layers and the config, per node
        self.assertTrue(all("source=proxy" in e["labels"] and "run=t1" in e["labels"] for e in blobs))
        self.assertEqual(len([e for e in lines if e["kind"] == "trial"]), 12)
        # The simulator replays the same pulls as its trace.
        run = subprocess.run([STRATA, "simulate", "--data-dir", data, "--topology", "none", "--format", "json"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr)
        trace = json.loads(run.stdout)["trace"]
        self.assertEqual(trace["requests"], len([e for e in lines if e["kind"] == "blob"]))
        self.assertEqual((trace["nodes"], trace["objects"]), (4, 5))  # four layers and the config
        self.assertLess(self.size - trace["unique_bytes"], 10_000)  # all but the manifest
        # The report: verdicts first, charts whose labels do not collide, every strategy's cost.
        html = os.path.join(self.dir, "bench.html")
        prices = os.path.join(self.dir, "prices.json")
        with open(prices, "w") as f:
            json.dump({"currency": "USD", "egress_per_gb": 0.09, "nodes": [{"match": {}, "per_hour": 32.77}]}, f)
        run = bench("report", "--data-dir", data, "--out", html, "--prices", prices, "--run", "t1")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("12 trials", run.stdout)
        with open(html) as f:
            page = f.read()
        self.assertLess(page.index('id="bench"'), page.index("<svg"))
        for text in ("4.0 MB in 4 layers on 4 nodes: proxy-cold", "pull time by node count",
                     "p50 pull time by image size", "Egress and cost per strategy", "egress_USD", "two-tier"):
            self.assertIn(text, page)
        for width in (1280, 390):
            labels, overlaps = axis_label_overlaps(html, width, self.dir)
            self.assertGreater(labels, 10)
            self.assertEqual(overlaps, [], width)
        run = bench("report", "--data-dir", data, "--out", html, "--run", "nope")
        self.assertEqual(run.returncode, 2)
        self.assertIn("no strata bench trials recorded in %s for run nope" % data, run.stderr)
        # The recorded trials on the terminal, as the pull printed them.
        run = bench("report", "--data-dir", data, "--run", "t1", "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        recorded = json.loads(run.stdout)
        self.assertEqual(recorded["verdicts"], result["verdicts"])
        self.assertEqual({(t["strategy"], t["nodes"], t["failed"]) for t in recorded["trials"]},
                         {(t["strategy"], t["nodes"], 0) for t in result["trials"]})
        run = bench("report", "--data-dir", data)
        self.assertEqual(run.returncode, 2)
        self.assertIn("give --out FILE (the HTML report), --format, or both", run.stderr)

    def test_one_node_on_a_shaped_link_takes_bytes_over_bandwidth(self):
        rate = 2 * MB
        result = self.pull("--image", "bench/4mb-4:s1", "--node-bandwidth", "2MB/s", "--unpack", "extract")
        t = result["trials"][0]
        self.assertEqual(t["failed"], 0, t["error"])
        bound = self.size / rate
        self.assertGreaterEqual(t["p50_s"], bound)
        self.assertLessEqual(t["p50_s"], bound * 1.15)

    def test_the_simulator_takes_its_network_from_recorded_pulls(self):
        data = os.path.join(self.dir, "record")
        self.pull("--image", "bench/4mb-4:s1", "--node-bandwidth", "4MB/s", "--concurrency", "1",
                  "--upstream-rtt", "20ms", "--data-dir", data)
        run = subprocess.run([STRATA, "simulate", "--synthetic", "--images-count", "5", "--nodes", "2", "--jobs", "5",
                              "--topology", "none", "--network-from", data], capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 0, run.stderr)
        m = re.search(r"network from recorded pulls: upstream ([\d.]+) MB/s \(median of 4 transfers\), "
                      r"latency ([\d.]+) s", run.stderr)
        self.assertTrue(m, run.stderr)
        self.assertAlmostEqual(float(m.group(1)), 4.0, delta=0.6)  # each layer alone on the node's link
        self.assertGreaterEqual(float(m.group(2)), 0.02)
        # The same, for the one registry the pulls went to.
        registry = re.search(r"  registry \"local\": ([\d.]+) MB/s \(4\) \[[\d.]+ MB/s to [\d.]+ MB/s\] "
                             r"latency ([\d.]+) s \((\d+)\)", run.stderr)
        self.assertTrue(registry, run.stderr)
        self.assertEqual(registry.group(1), m.group(1))
        self.assertGreaterEqual(float(registry.group(2)), 0.02)
        run = subprocess.run([STRATA, "simulate", "--synthetic", "--network-from", os.path.join(self.dir, "nothing")],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(run.returncode, 2)
        self.assertIn("no strata store in", run.stderr)

    def test_the_built_in_puller_takes_as_long_as_containerd_on_the_same_plan(self):
        plan = ["--image", "bench/4mb-4:s1", "--nodes", "2", "--upstream-bandwidth", "1MB/s", "--upstream-rtt", "2ms",
                "--strategies", "direct,proxy-cold,node-warm"]
        builtin = self.trials(self.pull(*plan))
        ctr = self.trials(self.pull("--client", "ctr", *plan))
        for key, t in ctr.items():
            with self.subTest(strategy=key[0]):
                self.assertEqual(t["failed"], 0, t["error"])  # containerd verified every digest it fetched
                self.assertEqual(t["client"], "ctr")
                self.assertEqual(t["upstream_bytes"], builtin[key]["upstream_bytes"], "the same bytes from the registry")
                # Bandwidth-bound (4 to 8 s over the 1 MB/s link), so ctr's own start-up and a loaded
                # machine's scheduling stay a small part: within 20 %.
                if key[0] != "node-warm":
                    self.assertAlmostEqual(builtin[key]["p50_s"] / t["p50_s"], 1.0, delta=0.2)
        run = bench("pull", "--registry", "local=" + self.registry.url, "--image", "bench/4mb-4:s1", "--client", "ctr",
                    "--nodes", "17", "--node-bandwidth", "1MB/s")
        self.assertEqual(run.returncode, 2)
        self.assertIn("containerd's links cannot be shaped per node", run.stderr)
        self.assertIn("17 nodes would start as many containerd daemons; at most 16", run.stderr)

    def test_the_registrys_shaped_link_is_shared_by_every_node(self):
        result = self.pull("--image", "bench/4mb-4:s1", "--nodes", "2", "--upstream-bandwidth", "4MB/s",
                           "--upstream-rtt", "5ms")
        t = result["trials"][0]
        self.assertEqual(t["failed"], 0, t["error"])
        self.assertGreaterEqual(t["wall_s"], 2 * self.size / (4 * MB))

    def test_the_kernel_can_shape_the_registrys_link(self):
        rate = 2 * MB
        result = self.pull("--image", "bench/4mb-4:s1", "--strategies", "direct,proxy-cold", "--nodes", "2",
                           "--upstream-bandwidth", "2MB/s", "--kernel-shaping")
        trials = self.trials(result)
        for strategy, pulled in (("direct", 2), ("proxy-cold", 1)):
            t = trials[(strategy, 2)]
            self.assertEqual(t["failed"], 0, t["error"])
            self.assertEqual(t["upstream_bytes"] // self.size, pulled)  # headers add a little
            bound = pulled * self.size / rate  # tbf counts packet headers too, as a real link does
            self.assertGreaterEqual(t["wall_s"], bound)
            self.assertLessEqual(t["wall_s"], bound * 1.15)
        namespaces = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
        self.assertNotIn("strata-bench-", namespaces)  # removed with its veth pair

    def test_kernel_shaping_without_its_tools_or_a_rate_fails_clearly(self):
        run = subprocess.run([STRATA, "bench", "pull", "--registry", "local=" + self.registry.url, "--image",
                              "bench/4mb-4:s1", "--upstream-bandwidth", "2MB/s", "--kernel-shaping"],
                             capture_output=True, text=True, timeout=60, env={**os.environ, "PATH": self.dir})
        self.assertEqual(run.returncode, 1)
        self.assertIn("--kernel-shaping needs iproute2's ip and tc: cannot start ip", run.stderr)
        run = bench("pull", "--registry", "local=" + self.registry.url, "--image", "bench/4mb-4:s1", "--kernel-shaping")
        self.assertEqual(run.returncode, 2)
        self.assertIn("give its rate with --upstream-bandwidth", run.stderr)

    def test_a_running_strata_is_evicted_for_proxy_cold_and_records_the_trials(self):
        strata = self.started(Strata(self.dir, {UPSTREAM: self.registry.url}))
        args = ["--proxy", strata.url, "--image", "bench/4mb-4:s1"]
        run = bench("pull", "--registry", UPSTREAM + "=" + self.registry.url, "--format", "json",
                    "--strategies", "proxy-warm,proxy-cold", "--run-id", "live1", *args)
        self.assertEqual(run.returncode, 0, run.stderr)
        trials = self.trials(json.loads(run.stdout))
        # Without --data-dir the trials are recorded in the running strata's own event log,
        # beside what it served the nodes, and read back from its data directory while it runs.
        self.assertIn("recorded run live1 in the event log of " + strata.url, run.stderr)
        logged = [json.loads(l) for l in http("GET", strata.url + "/api/v1/events").body.decode().splitlines()]
        self.assertEqual(sorted(e["labels"] for e in logged if e["kind"] == "trial"),
                         ["run=live1,strategy=%s,nodes=1,concurrency=3,registry=%s,shape=4MB:4,layers=4" % (s, UPSTREAM)
                          for s in ("proxy-cold", "proxy-warm")])
        self.assertTrue(any(e["kind"] == "blob" and not e.get("labels") for e in logged))  # strata's own records
        html = os.path.join(self.dir, "live.html")
        report = bench("report", "--data-dir", strata.data_dir, "--out", html, "--run", "live1")
        self.assertEqual(report.returncode, 0, report.stderr)
        self.assertIn("2 trials", report.stdout)
        self.assertEqual(trials[("proxy-warm", 1)]["upstream_bytes"], 0)
        # Its /metrics count body bytes: the blobs; the manifest stays cached.
        self.assertGreaterEqual(trials[("proxy-cold", 1)]["upstream_bytes"], self.size - 2000)
        # The endpoint itself.
        ref = "%s/bench/4mb-4:s1" % UPSTREAM
        gone = http("DELETE", strata.url + "/api/v1/cache?ref=" + ref)
        self.assertEqual(gone.status, 200)
        self.assertEqual(gone.json()["removed_blobs"], 5)
        self.assertEqual(gone.json()["removed_bytes"], self.size - len(http("GET", strata.url + "/v2/%s/bench/4mb-4/manifests/s1" % UPSTREAM,
                                                                            headers={"Accept": "application/vnd.oci.image.manifest.v1+json"}).body))
        status = http("GET", strata.url + "/api/v1/image?ref=" + ref).json()
        self.assertFalse(status["complete"])
        self.assertEqual(http("DELETE", strata.url + "/api/v1/cache?ref=" + ref).json()["not_cached"], 5)
        self.assertEqual(http("GET", strata.url + "/api/v1/cache?ref=" + ref).status, 405)
        self.assertEqual(http("DELETE", strata.url + "/api/v1/cache?ref=nope").status, 400)
        self.assertEqual(http("DELETE", strata.url + "/api/v1/cache?ref=%s/no/such:tag" % UPSTREAM).status, 404)
        self.assertEqual(http("DELETE", strata.url + "/api/v1/cache?ref=%s/no/such@sha256:%s" % (UPSTREAM, "0" * 64)).status, 404)

    def test_a_running_strata_that_keeps_no_events_fails_the_run_clearly(self):
        strata = self.started(Strata(self.dir, {UPSTREAM: self.registry.url}, config={"events": {"enabled": False}}))
        run = bench("pull", "--registry", UPSTREAM + "=" + self.registry.url, "--format", "json",
                    "--strategies", "proxy-warm", "--proxy", strata.url, "--image", "bench/4mb-4:s1")
        self.assertEqual(run.returncode, 1, run.stderr)
        self.assertIn("the trials are not recorded in the event log of %s: recording the trial in %s: HTTP 409" %
                      (strata.url, strata.url), run.stderr)
        self.assertIn("events.enabled is false", run.stderr)
        self.assertNotIn("recorded run", run.stderr)
        self.assertEqual(json.loads(run.stdout)["trials"][0]["failed"], 0)  # the measurement itself is printed

    def test_bad_plans_missing_images_and_unreachable_registries_fail_clearly(self):
        run = bench("pull", "--registry", "local=" + self.registry.url, "--image", "bench/4mb-4:s1", "--nodes", "0")
        self.assertEqual(run.returncode, 2)
        self.assertIn("--nodes: nodes: '0' is not a whole number from 1 to 4096", run.stderr)
        run = bench("pull", "--image", "bench/4mb-4:s1")
        self.assertEqual(run.returncode, 2)
        self.assertIn("no registry given", run.stderr)
        plan = os.path.join(self.dir, "plan.json")
        with open(plan, "w") as f:
            json.dump({"registries": {"local": self.registry.url}, "images": ["bench/4mb-4:s1"], "nodez": [1]}, f)
        run = bench("pull", "--plan", plan)
        self.assertEqual(run.returncode, 2)
        self.assertIn("unknown plan key 'nodez'", run.stderr)
        result = self.pull("--image", "bench/none:s1", "--strategies", "direct,proxy-cold", expect=1)
        for t in result["trials"]:
            self.assertEqual(t["failed"], 1)
            self.assertIn("image bench/none:s1 does not exist", t["error"])
        port = free_port()
        run = bench("pull", "--registry", "gone=http://127.0.0.1:%d" % port, "--image", "bench/4mb-4:s1", "--format", "json")
        self.assertEqual(run.returncode, 1)
        t = json.loads(run.stdout)["trials"][0]
        self.assertEqual(t["failed"], 1)
        self.assertIn("some trials failed", run.stderr)
        self.assertIn("is not recorded: --data-dir DIR keeps it", run.stderr)

    def test_a_plan_file_sweeps_what_it_names(self):
        # A second registry holding the same image (the same seed gives the same digests).
        other = self.started(Registry(self.dir))
        run = bench("images", "--registry", other.url, "--shapes", "4MB:4", "--format", "json")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(json.loads(run.stdout)[0]["digest"], self.images["4MB:4"]["digest"])
        plan = os.path.join(self.dir, "plan.json")
        with open(plan, "w") as f:
            json.dump({"registries": {"local": self.registry.url, "other": other.url}, "images": ["bench/4mb-4:s1"],
                       "strategies": ["direct", "proxy-cold"], "nodes": [2], "concurrency": [1, "all"],
                       "unpack": "decompress"}, f)
        run = bench("pull", "--plan", plan, "--format", "csv")
        self.assertEqual(run.returncode, 0, run.stderr)
        rows = run.stdout.splitlines()
        header = rows[0].split(",")
        self.assertEqual(header[:7], ["registry", "client", "image", "shape", "strategy", "nodes", "concurrency"])
        rows = [dict(zip(header, r.split(","))) for r in rows[1:]]
        self.assertEqual(len(rows), 8)
        self.assertEqual(sorted(r["concurrency"] for r in rows), ["1"] * 4 + ["all"] * 4)
        # Each registry's trials are its own: its relay counts what it sent, the image once per
        # cold proxy and once per node direct.
        for registry in ("local", "other"):
            for r in [r for r in rows if r["registry"] == registry]:
                pulls = 1 if r["strategy"] == "proxy-cold" else 2
                self.assertGreaterEqual(float(r["upstream_bytes"]), pulls * self.size, r)
                self.assertLess(float(r["upstream_bytes"]), pulls * (self.size + 40_000), r)


if __name__ == "__main__":
    unittest.main()
