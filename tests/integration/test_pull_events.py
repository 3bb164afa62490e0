"""Every pull recorded: the event log, its export, /metrics, /readyz, /api/v1/stats and the admin token."""
import csv
import http.client as http_client
import io
import json
import os
import subprocess
import threading
import unittest

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, STRATA, ProxyTestCase, Strata, counter, http, metric_samples, random_layer, sha256, wait_for


class PullEventsTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.layer = random_layer(2_000_000, "events")
        self.small = random_layer(3_000, "events-small")
        self.layer_digest = self.upstream.add_blob(self.layer)
        self.small_digest = self.upstream.add_blob(self.small)
        self.manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                                    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                               "digest": self.small_digest, "size": len(self.small)},
                                    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                                "digest": self.layer_digest, "size": len(self.layer)}]}).encode()
        self.manifest_digest = self.upstream.add_manifest("team/app", "v1", self.manifest)

    def start(self, config=None, **kwargs):
        cfg = {"events": {"flush_ms": 50}}
        cfg.update(config or {})
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, config=cfg, **kwargs).start()
        return self.strata

    def wait_for_commits(self):
        """A blob's last byte reaches the client before strata has stored it; a pull that came
        before then would join the download (coalesced), not hit the cache."""
        wait_for(lambda: self.strata.metric("strata_fetches_in_flight") == 0, what="the downloads to be stored")

    def pull(self, node):
        s = self.strata
        r = s.get("/v2/fault.test/team/app/manifests/v1", {"Accept": OCI_MANIFEST, "X-Strata-Node": node})
        self.assertEqual(r.status, 200)
        for d in (self.small_digest, self.layer_digest):
            self.assertEqual(sha256(s.get("/v2/fault.test/team/app/blobs/" + d, {"X-Strata-Node": node}).body), d)

    def export(self, **params):
        query = "&".join("%s=%s" % kv for kv in params.items())
        r = self.strata.get("/api/v1/events" + ("?" + query if query else ""))
        self.assertEqual(r.status, 200, r.body)
        return r.body.decode()

    def scripted_sequence(self):
        """Cold pull, warm pull, two coalesced pulls of a slow blob, one error."""
        self.pull("node-a")
        self.wait_for_commits()
        self.pull("node-b")
        slow = random_layer(1_000_000, "slow")
        slow_digest = self.upstream.add_blob(slow)
        # The upstream sends 256 KiB of the slow blob, then holds the rest: node-c's fetch is in
        # flight until node-d has joined it (node-d's headers come while the upstream is held).
        self.upstream.add_fault(slow_digest, "serve", hold_after_bytes=256 * 1024)
        results, headers_in = {}, {"node-c": threading.Event(), "node-d": threading.Event()}

        def get(node):
            conn = http_client.HTTPConnection("127.0.0.1", self.strata.port, timeout=300)
            conn.request("GET", "/v2/fault.test/team/app/blobs/" + slow_digest, headers={"X-Strata-Node": node})
            r = conn.getresponse()
            headers_in[node].set()
            results[node] = (r.status, r.read())
            conn.close()
        first = threading.Thread(target=get, args=("node-c",))
        first.start()
        wait_for(lambda: self.upstream.held() == 1, what="node-c's fetch to be held mid-body")
        second = threading.Thread(target=get, args=("node-d",))
        second.start()
        wait_for(headers_in["node-d"].is_set, what="node-d to join node-c's fetch")
        self.upstream.release()
        first.join(timeout=300)
        second.join(timeout=300)
        self.assertEqual([(results[n][0], sha256(results[n][1])) for n in ("node-c", "node-d")],
                         [(200, slow_digest)] * 2)
        r = self.strata.get("/v2/fault.test/team/app/manifests/nope", {"X-Strata-Node": "node-e"})
        self.assertEqual(r.status, 404)
        return slow_digest, len(slow)

    def test_events_record_exactly_the_scripted_pulls_and_round_trip_through_export(self):
        self.start()
        slow_digest, slow_size = self.scripted_sequence()
        # strata records a request's event once its response is written, so the client can read
        # the last response before its event exists: wait for all nine.
        wait_for(lambda: len(self.export().splitlines()) >= 9, what="the nine pull events")
        events = [json.loads(line) for line in self.export().splitlines()]
        summary = [(e["node"], e["kind"], e["reference"], e["cache_status"], e["http_status"]) for e in events]
        expected = []
        for node, status in (("node-a", "miss"), ("node-b", "hit")):
            expected += [(node, "manifest", "v1", status, 200), (node, "blob", self.small_digest, status, 200),
                         (node, "blob", self.layer_digest, status, 200)]
        expected += [("node-c", "blob", slow_digest, "miss", 200), ("node-d", "blob", slow_digest, "coalesced", 200),
                     ("node-e", "manifest", "nope", "error", 404)]
        self.assertEqual(sorted(summary), sorted(expected))
        by_key = {(e["node"], e["reference"]): e for e in events}
        cold_layer = by_key[("node-a", self.layer_digest)]
        self.assertEqual(cold_layer["upstream"], "fault.test")
        self.assertEqual(cold_layer["repository"], "team/app")
        self.assertEqual(cold_layer["digest"], self.layer_digest)
        self.assertEqual(cold_layer["bytes_sent"], len(self.layer))
        self.assertEqual(cold_layer["object_size"], len(self.layer))
        self.assertEqual(cold_layer["upstream_bytes"], len(self.layer))
        self.assertGreater(cold_layer["upstream_ns"], 0)
        self.assertGreater(cold_layer["duration_ns"], 0)
        self.assertGreater(cold_layer["ttfb_ns"], 0)
        self.assertLessEqual(cold_layer["ttfb_ns"], cold_layer["duration_ns"])
        self.assertEqual(cold_layer["client"], "127.0.0.1")
        self.assertEqual(by_key[("node-b", self.layer_digest)]["upstream_bytes"], 0)
        manifest_event = by_key[("node-a", "v1")]
        self.assertEqual(manifest_event["digest"], self.manifest_digest)
        self.assertEqual(manifest_event["media_type"], OCI_MANIFEST)
        self.assertEqual(manifest_event["bytes_sent"], len(self.manifest))
        self.assertEqual(by_key[("node-d", slow_digest)]["bytes_sent"], slow_size)
        times = [e["ts_ns"] for e in events]
        self.assertEqual(times, sorted(times))

        # The CLI reads the same log (read-only, while strata runs) and gives the same records.
        cli = subprocess.run([STRATA, "events", "export", "--data-dir", self.strata.data_dir, "--format", "jsonl"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(cli.returncode, 0, cli.stderr)
        self.assertEqual([json.loads(l) for l in cli.stdout.splitlines()], events)
        rows = list(csv.DictReader(io.StringIO(self.export(format="csv"))))
        self.assertEqual(len(rows), len(events))
        self.assertEqual([int(r["bytes_sent"]) for r in rows], [e["bytes_sent"] for e in events])
        # since/until select by time.
        middle = events[len(events) // 2]["ts_ns"]
        later = [json.loads(l) for l in self.export(since=str(middle // 10**9)).splitlines()]
        self.assertTrue(all(e["ts_ns"] >= (middle // 10**9) * 10**9 for e in later))
        self.assertEqual(self.export(until="1000"), "")
        self.assertEqual(self.strata.get("/api/v1/events?since=yesterday").status, 400)
        self.assertEqual(self.strata.get("/api/v1/events?format=xml").status, 400)

        # Events survive a restart.
        self.strata.stop()
        self.start(data_dir=self.strata.data_dir)
        self.assertEqual([json.loads(line) for line in self.export().splitlines()], events)

    def test_metrics_are_valid_and_move_by_exactly_the_expected_amounts(self):
        self.start()
        before = metric_samples(self.strata.get("/metrics").body.decode())
        self.scripted_sequence()
        # A request is counted once its response is written, which can come after the client read
        # it and sent the next one: wait until all nine are counted.
        wait_for(lambda: counter(metric_samples(self.strata.get("/metrics").body.decode()), "strata_requests_total")
                 - counter(before, "strata_requests_total") == 9, what="the nine requests to be counted")
        text = self.strata.get("/metrics").body.decode()
        path = os.path.join(self.dir, "metrics.txt")
        with open(path, "w") as f:
            f.write(text)
        check = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        after = metric_samples(text)

        def delta(name, **labels):
            return counter(after, name, **labels) - counter(before, name, **labels)
        self.assertEqual(delta("strata_requests_total", kind="manifest", cache="miss"), 1)
        self.assertEqual(delta("strata_requests_total", kind="manifest", cache="hit"), 1)
        self.assertEqual(delta("strata_requests_total", kind="manifest", cache="error", status="404"), 1)
        self.assertEqual(delta("strata_requests_total", kind="blob", cache="miss"), 3)
        self.assertEqual(delta("strata_requests_total", kind="blob", cache="hit"), 2)
        self.assertEqual(delta("strata_requests_total", kind="blob", cache="coalesced"), 1)
        self.assertEqual(delta("strata_coalesced_waiters_total", kind="blob"), 1)
        self.assertEqual(delta("strata_served_bytes_total", cache="hit"), len(self.manifest) + len(self.small) + len(self.layer))
        self.assertEqual(delta("strata_upstream_requests_total", upstream="fault.test", status="200"), 4)
        self.assertEqual(delta("strata_upstream_requests_total", upstream="fault.test", status="404"), 1)
        self.assertEqual(counter(after, "strata_cache_objects"), 3)
        self.assertEqual(counter(after, "strata_fetches_in_flight"), 0)
        self.assertEqual(counter(after, "strata_events_dropped_total"), 0)
        self.assertGreater(counter(after, "strata_process_resident_memory_bytes"), 0)
        self.assertIn("strata_request_duration_seconds_bucket", text)

    def test_a_full_event_queue_drops_and_counts_instead_of_blocking(self):
        self.start({"events": {"queue_capacity": 1, "batch_max": 1000, "flush_ms": 60000}})
        for _ in range(20):
            self.assertEqual(self.strata.get("/v2/fault.test/team/app/manifests/v1").status, 200)
        # With room for one event and no flush for a minute, nearly all are dropped; every
        # event is either in the log or counted as dropped. A request is recorded just after
        # its response is sent, so the last one may still be on its way: poll.
        def accounted():
            recorded = len(self.export().splitlines())
            samples = metric_samples(self.strata.get("/metrics").body.decode())
            self.assertEqual(counter(samples, "strata_requests_total", kind="manifest"), 20)
            return recorded, counter(samples, "strata_events_dropped_total")
        wait_for(lambda: sum(accounted()) == 20, what="every event recorded or dropped")
        recorded, dropped = accounted()
        self.assertGreaterEqual(dropped, 15)
        self.assertEqual(recorded + dropped, 20)

    def test_admin_api_needs_the_token_when_one_is_configured(self):
        token_file = os.path.join(self.dir, "admin-token")
        with open(token_file, "w") as f:
            f.write("let-me-in\n")
        self.start({"admin": {"token_file": token_file}})
        self.pull("node-a")
        for path in ["/api/v1/stats", "/api/v1/events"]:
            r = self.strata.get(path)
            self.assertEqual(r.status, 401, path)
            self.assertEqual(self.strata.get(path, {"Authorization": "Bearer wrong"}).status, 401)
        def read_stats():
            r = self.strata.get("/api/v1/stats", {"Authorization": "Bearer let-me-in"})
            self.assertEqual(r.status, 200)
            return json.loads(r.body)
        # A request is counted once its response is written: wait for the pull's last one.
        wait_for(lambda: read_stats()["all_time"]["misses"] == 3, what="the pull's three misses to be counted")
        stats = read_stats()
        self.assertEqual(stats["all_time"]["misses"], 3)
        self.assertEqual(stats["top_repositories_by_pulls"][0], {"name": "fault.test/team/app", "pulls": 3,
                                                                "bytes": len(self.manifest) + len(self.small) + len(self.layer)})
        # Health and metrics stay open.
        self.assertEqual(self.strata.get("/healthz").status, 200)
        self.assertEqual(self.strata.get("/metrics").status, 200)

    def test_stats_ratios_and_readiness(self):
        self.start()
        self.pull("node-a")
        self.wait_for_commits()
        self.pull("node-b")
        # A request is counted once its response is written: wait for all six.
        def counted():
            all_time = json.loads(self.strata.get("/api/v1/stats").body)["all_time"]
            return all_time["hits"] + all_time["misses"] == 6
        wait_for(counted, what="the six pulls to be counted")
        stats = json.loads(self.strata.get("/api/v1/stats").body)
        for window in ("last_5m", "last_1h", "all_time"):
            self.assertEqual(stats[window]["hits"], 3, window)
            self.assertEqual(stats[window]["misses"], 3, window)
            self.assertAlmostEqual(stats[window]["hit_ratio"], 0.5)
            self.assertAlmostEqual(stats[window]["byte_hit_ratio"], 0.5)
            self.assertEqual(stats[window]["upstream_egress_saved_bytes"],
                             len(self.manifest) + len(self.small) + len(self.layer))
        self.assertEqual(stats["top_blobs_by_bytes"][0]["name"], self.layer_digest)
        ready = self.strata.get("/readyz")
        self.assertEqual(ready.status, 200)
        body = json.loads(ready.body)
        self.assertTrue(body["ready"])
        self.assertEqual(body["upstreams"]["fault.test"], "ok")
        self.assertEqual(body["upstreams"]["ghcr.io"], "unknown")


if __name__ == "__main__":
    unittest.main()
