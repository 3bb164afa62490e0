"""deploy/prometheus/strata-rules.yml passes promtool's check and its unit tests, and every metric
the rules and deploy/grafana/strata.json query exists in a live strata's /metrics after a
scripted pull sequence (hits, misses, a coalesced waiter, a digest mismatch, an upstream error
and a rate-limit header)."""
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from fault_upstream import FaultUpstream  # noqa: E402
from harness import OCI_MANIFEST, ProxyTestCase, Strata, random_layer, wait_for  # noqa: E402

DEPLOY = os.path.join(HERE, "..", "..", "deploy")
RULES = os.path.join(DEPLOY, "prometheus", "strata-rules.yml")
RULE_TESTS = os.path.join(DEPLOY, "prometheus", "strata-rules.test.yml")
DASHBOARD = os.path.join(DEPLOY, "grafana", "strata.json")


def queried_metrics():
    """Metric names in the dashboard's and the rules' PromQL, histogram suffixes taken off."""
    with open(DASHBOARD) as f:
        dashboard = json.load(f)
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    exprs.append(dashboard["templating"]["list"][1]["definition"])
    with open(RULES) as f:
        exprs += re.findall(r"strata_[a-z_]+", f.read())
    names = set()
    for e in exprs:
        for name in re.findall(r"\bstrata_[a-z_]+", e):
            names.add(re.sub(r"_(bucket|count|sum)$", "", name) if name.endswith(("_bucket", "_count", "_sum"))
                      and "duration" in name else name)
    return names


class RulesTest(unittest.TestCase):
    @unittest.skipUnless(shutil.which("promtool"), "promtool (Debian's prometheus) is not installed")
    def test_promtool_checks_the_rules_and_their_unit_tests_pass(self):
        for args in (["check", "rules", RULES], ["test", "rules", RULE_TESTS]):
            r = subprocess.run(["promtool", *args], capture_output=True, text=True, timeout=120)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("SUCCESS", r.stdout)

    def test_the_dashboard_has_the_panels_operators_look_for(self):
        with open(DASHBOARD) as f:
            titles = " / ".join(p["title"].lower() for p in json.load(f)["panels"])
        for wanted in ("hit ratio", "bytes served by cache status", "egress", "errors", "latency", "coalesced",
                       "request latency by kind", "budget", "evictions", "dropped", "quota", "rss",
                       "top repositories"):
            self.assertIn(wanted, titles)


class LiveMetricsTest(ProxyTestCase):
    def test_every_queried_metric_exists_after_a_scripted_pull_sequence(self):
        self.upstream = FaultUpstream(self.dir).start()
        config = self.upstream.add_blob(b"{}")
        layers = [self.upstream.add_blob(random_layer(200_000, "obs-%d" % i)) for i in range(3)]
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": config, "size": 2},
                               "layers": []}).encode()
        self.upstream.add_manifest("team/app", "v1", manifest)
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url},
                             config={"storage": {"max_bytes": 1 << 30}}).start()
        base = "/v2/fault.test/team/app/"
        self.upstream.add_fault("/manifests/v1", "serve",
                                headers={"ratelimit-limit": "100;w=21600", "ratelimit-remaining": "76;w=21600"})
        for _ in range(2):  # a miss, then a hit
            self.assertEqual(self.strata.get(base + "manifests/v1", headers={"Accept": OCI_MANIFEST}).status, 200)
            self.assertEqual(self.strata.get(base + "blobs/" + layers[0]).status, 200)
        # Two clients for one uncached blob: the second joins the first one's download, held
        # after its first bytes; its response headers say it has joined.
        self.upstream.add_fault(layers[1], "serve", hold_after_bytes=1000)
        results = []
        first = threading.Thread(target=lambda: results.append(self.strata.get(base + "blobs/" + layers[1]).status))
        first.start()
        wait_for(lambda: self.upstream.held() == 1, what="the first download to be held")
        second = http.client.HTTPConnection("127.0.0.1", self.strata.port, timeout=120)
        second.request("GET", base + "blobs/" + layers[1])
        joined = second.getresponse()
        self.upstream.release()
        joined.read()
        second.close()
        first.join(60)
        self.assertEqual((results, joined.status, joined.getheader("X-Strata-Cache")), ([200], 200, "coalesced"))
        self.upstream.add_fault(layers[2], "wrong_bytes")
        try:
            self.strata.get(base + "blobs/" + layers[2])
        except Exception:  # the transfer is cut off: the point of the exercise
            pass
        wait_for(lambda: self.strata.metric("strata_digest_mismatches_total") >= 1, what="the digest mismatch")
        self.upstream.add_fault("/manifests/v2", "status", status=503)
        self.assertEqual(self.strata.get(base + "manifests/v2", headers={"Accept": OCI_MANIFEST}).status, 503)

        exposed = set(re.findall(r"^# TYPE (\S+)", self.strata.get("/metrics").body.decode(), re.M))
        missing = sorted(queried_metrics() - exposed)
        self.assertEqual(missing, [], "queried by the dashboard or the rules but not in /metrics")
        self.assertGreater(len(queried_metrics()), 15)
