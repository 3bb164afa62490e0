"""Hostile or broken upstreams: header injection through tags, one upstream stalling another,
credentials sent to a foreign realm, redirects into the internal network, lying or empty
Content-Lengths, unparsable Locations, memory-hungry manifests and tag lists, deeply nested JSON,
and a herd of tag-list requests."""
import hashlib
import http.client
import json
import os
import socket
import threading
import unittest

from fault_upstream import FaultUpstream
from harness import (OCI_CONFIG, OCI_LAYER, OCI_MANIFEST, ProcessesTestCase, Strata, counter, metric_samples,
                     random_layer, sha256, wait_for)

CONFIG_BLOB = b'{"architecture":"amd64","os":"linux"}'


def manifest(layers=(), annotations=None, config=CONFIG_BLOB):
    """An OCI image manifest over CONFIG_BLOB and the given layers ([bytes] or [(digest, size)])."""
    doc = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
           "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
           "layers": [{"mediaType": OCI_LAYER, "digest": sha256(l), "size": len(l)} if isinstance(l, bytes)
                      else {"mediaType": OCI_LAYER, "digest": l[0], "size": l[1]} for l in layers]}
    if annotations:
        doc["annotations"] = annotations
    return json.dumps(doc).encode()


def fault_upstream_has_option(flag):
    """Whether strata_fault_upstream's source parses flag (its options are listed in one place)."""
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fault_upstream", "fault_upstream.cpp")
    with open(source) as f:
        return '"%s"' % flag in f.read()


def metrics(strata):
    r = strata.get("/metrics")
    assert r.status == 200, (r.status, r.body)
    return metric_samples(r.body.decode())


def error_code(response):
    try:
        return json.loads(response.body)["errors"][0]["code"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def blob_file(strata, digest):
    hexpart = digest.split(":")[1]
    return os.path.join(strata.data_dir, "blobs", "sha256", hexpart[:2], hexpart)


def head_status(port, path):
    """HEAD over http.client; the status, or None when strata dropped the connection instead."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("HEAD", path)
        r = conn.getresponse()
        r.read()
        return r.status
    except (http.client.HTTPException, ConnectionError):
        return None
    finally:
        conn.close()


def get_outcome(port, path):
    """GET over http.client: (status, body, completed). completed is False when the connection
    ended before the whole body (or before any response)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        try:
            body = r.read()
        except (http.client.IncompleteRead, ConnectionError):
            return r.status, None, False
        return r.status, body, True
    except (http.client.HTTPException, ConnectionError):
        return None, None, False
    finally:
        conn.close()


class HostileUpstreamTest(ProcessesTestCase):
    def upstream(self, name="fault", **kwargs):
        return self.started(FaultUpstream(self.dir, name=name, **kwargs))

    def strata_for(self, up, workdir=None, **config):
        """strata with up as "fault.test" (the default upstream), in its own workdir if given."""
        if workdir:
            os.makedirs(workdir, exist_ok=True)
        return self.started(Strata(workdir or self.dir, {"fault.test": up.url}, config=config or None))

    def strata_with_config(self, config, workdir=None):
        if workdir:
            os.makedirs(workdir, exist_ok=True)
        return self.started(Strata(workdir or self.dir, {}, config=config))

    # 6
    def test_tags_carrying_cr_lf_are_dropped_and_never_reach_a_link_header(self):
        """An upstream tag list holding "b\\r\\nX-Injected: yes" next to valid tags: the bad entry
        is dropped (and counted in strata_upstream_rejected_values_total{what="tag"}), so no
        page's Link header can carry it as an injected header; pagination and the full list hold
        only the valid tags."""
        up = self.upstream()
        up.add_fault("/tags/list", "respond", status=200, headers={"Content-Type": "application/json"},
                     body=json.dumps({"name": "team/app", "tags": ["a1", "b\r\nX-Injected: yes", "c1"]}))
        strata = self.strata_for(up)
        r = strata.get("/v2/fault.test/team/app/tags/list?n=1")
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.header("X-Injected"))
        self.assertIn("last=a1", r.header("Link") or "")
        self.assertEqual(r.json()["tags"], ["a1"])
        # The page whose last entry would have been the bad tag.
        r = strata.get("/v2/fault.test/team/app/tags/list?n=2")
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.header("X-Injected"))
        self.assertEqual(r.json()["tags"], ["a1", "c1"])
        self.assertNotIn("X-Injected", str(r.header("Link")))
        r = strata.get("/v2/fault.test/team/app/tags/list")
        self.assertEqual(r.status, 200, r.body)
        self.assertIsNone(r.header("X-Injected"))
        self.assertEqual(r.json()["tags"], ["a1", "c1"])
        self.assertGreaterEqual(counter(metrics(strata), "strata_upstream_rejected_values_total", what="tag"), 1)

    # 7
    def test_a_held_download_from_one_upstream_does_not_block_another(self):
        """Two upstreams hold the same blob. While upstream A holds its response, a GET of the blob
        through upstream B completes (it is not coalesced onto A's stalled download); once A is
        released its client completes too. B served exactly one blob GET."""
        a = self.upstream("a")
        b = self.upstream("b")
        blob = random_layer(300_000, "two-upstreams")
        digest = a.add_blob(blob)
        b.add_blob(blob)
        a.add_fault(digest, "delay", delay_ms=0, hold=True)
        strata = self.started(Strata(self.dir, {"a.test": a.url, "b.test": b.url}))
        results = {}

        def pull(name):
            results[name] = strata.get("/v2/%s/team/app/blobs/%s" % (name, digest))
        through_a = threading.Thread(target=pull, args=("a.test",))
        through_b = threading.Thread(target=pull, args=("b.test",))
        try:
            through_a.start()
            wait_for(lambda: a.held() == 1, timeout=60, what="A to hold the blob response")
            through_b.start()
            wait_for(lambda: "b.test" in results, timeout=90, what="the pull through B while A is held")
            self.assertEqual(a.held(), 1, "A was released before B's pull finished")
        finally:
            a.release()
        r = results["b.test"]
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sha256(r.body), digest)
        through_a.join(timeout=120)
        self.assertIn("a.test", results, "the pull through A never completed")
        r = results["a.test"]
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sha256(r.body), digest)
        self.assertEqual(b.blob_gets(digest), 1)

    # 8
    def test_credentials_never_travel_in_clear_to_another_origin(self):
        """The upstream (plain HTTP) sends strata to a token realm on another origin, also plain
        HTTP (allowed as a target via redirect_hosts). strata asks that realm for a token
        anonymously: no POST with the password, no Basic Authorization header; it says so in its
        log. The upstream itself never sees the credentials either."""
        if not fault_upstream_has_option("--realm"):
            self.skipTest("strata_fault_upstream has no --realm option (a foreign token realm cannot be scripted)")
        realm = self.upstream("realm")
        up = self.upstream(auth="bearer", user="robot:pw-s3cret",
                           realm="http://127.0.0.1:%d/token" % realm.port)
        up.add_manifest("team/app", "v1", manifest())
        strata = self.strata_with_config({
            "upstreams": [{"name": "fault.test", "url": up.url, "username": "robot", "password": "pw-s3cret",
                           "redirect_hosts": ["127.0.0.1:%d" % realm.port]}],
            "default_upstream": "fault.test", "client": {"base_backoff_ms": 50, "max_retries": 1}})
        strata.get("/v2/fault.test/team/app/manifests/v1", headers={"Accept": OCI_MANIFEST})
        token_requests = [q for q in realm.requests() if q["target"].startswith("/token")]
        self.assertTrue(token_requests, "strata never asked the realm for a token")
        for q in token_requests:
            self.assertEqual(q["method"], "GET", "credentials posted to a foreign plain-HTTP realm: %r" % q)
            self.assertEqual(q["authorization"], "", "Authorization sent to a foreign plain-HTTP realm: %r" % q)
        for q in up.requests():
            self.assertFalse(q["authorization"].startswith("Basic "), q)
        self.assertIn("token realm gets no credentials", strata.read_log())
        self.assertNotIn("pw-s3cret", strata.read_log())

    # 9
    def test_redirects_into_the_internal_network_are_refused_unless_listed(self):
        """An upstream redirects a blob (exact Location) to another server on 127.0.0.1: strata
        refuses to follow (HEAD and GET get a 5xx) and the internal server sees no request at all.
        A strata whose upstream lists that host:port in redirect_hosts follows it and serves the
        verified blob."""
        internal = self.upstream("internal")
        up = self.upstream()
        blob = random_layer(100_000, "ssrf")
        digest = up.add_blob(blob)
        internal.add_blob(blob)
        up.add_fault(digest, "redirect", exact=True,
                     location="http://127.0.0.1:%d/v2/team/app/blobs/%s" % (internal.port, digest))
        strata = self.strata_for(up)
        path = "/v2/fault.test/team/app/blobs/" + digest
        r = strata.get(path, method="HEAD")
        self.assertGreaterEqual(r.status, 500, "HEAD followed a redirect to an internal address")
        r = strata.get(path)
        self.assertGreaterEqual(r.status, 500, "GET followed a redirect to an internal address")
        self.assertEqual(internal.requests(), [], "strata connected to the internal server")
        self.assertFalse(os.path.exists(blob_file(strata, digest)))

        allowed = self.strata_with_config({
            "upstreams": [{"name": "fault.test", "url": up.url,
                           "redirect_hosts": ["127.0.0.1:%d" % internal.port]}],
            "default_upstream": "fault.test"}, workdir=os.path.join(self.dir, "allowed"))
        r = allowed.get(path)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sha256(r.body), digest)
        self.assertEqual(internal.blob_gets(digest), 1)

    # 9 (manifests)
    def test_a_manifest_redirected_into_the_internal_network_is_refused_and_not_cached(self):
        """A tag whose manifest the upstream redirects (exact Location) to a server on 127.0.0.1
        that holds a different manifest: strata refuses (5xx), the internal server sees no
        request, and nothing is cached: once the redirect is gone, the next GET fetches the
        upstream's own manifest from the upstream."""
        internal = self.upstream("internal")
        up = self.upstream()
        own = manifest(annotations={"origin": "upstream"})
        foreign = manifest(annotations={"origin": "internal"})
        up.add_manifest("team/app", "v1", own)
        internal.add_manifest("team/app", "v1", foreign)
        up.add_fault("/manifests/v1", "redirect", exact=True,
                     location="http://127.0.0.1:%d/v2/team/app/manifests/v1" % internal.port)
        strata = self.strata_for(up)
        path = "/v2/fault.test/team/app/manifests/v1"
        r = strata.get(path, headers={"Accept": OCI_MANIFEST})
        self.assertGreaterEqual(r.status, 500, "a manifest redirect to an internal address was followed")
        self.assertEqual(internal.requests(), [], "strata connected to the internal server")
        before = up.count("GET", "/manifests/v1")
        up.clear_faults()
        r = strata.get(path, headers={"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.body, own)
        self.assertEqual(r.header("X-Strata-Cache"), "miss")
        self.assertGreater(up.count("GET", "/manifests/v1"), before, "the second GET did not reach the upstream")

    # 10
    def test_a_lying_content_length_is_refused_without_evicting_anything(self):
        """An upstream announces Content-Length 1e15 for a blob (and sends 3 bytes). strata answers
        502 SIZE_INVALID rather than making room for it: with a 50 MB store holding 5 blobs,
        nothing is evicted and all 5 are still served from the cache."""
        up = self.upstream()
        blobs = [random_layer(1_000_000, "kept-%d" % i) for i in range(5)]
        digests = [up.add_blob(b) for b in blobs]
        liar = up.add_blob(random_layer(10_000, "liar"))
        strata = self.strata_for(up, storage={"max_bytes": 50_000_000})
        for d in digests:
            r = strata.get("/v2/fault.test/team/app/blobs/" + d)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(sha256(r.body), d)
        up.add_fault(liar, "respond", status=200, content_length="1000000000000000", body="abc",
                     headers={"Content-Type": "application/octet-stream"})
        r = strata.get("/v2/fault.test/team/app/blobs/" + liar)
        self.assertEqual(r.status, 502, r.body)
        self.assertEqual(error_code(r), "SIZE_INVALID", r.body)
        self.assertFalse(os.path.exists(blob_file(strata, liar)))
        for d in digests:
            r = strata.get("/v2/fault.test/team/app/blobs/" + d)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(r.header("X-Strata-Cache"), "hit")
            self.assertEqual(sha256(r.body), d)
        self.assertEqual(counter(metrics(strata), "strata_evictions_total"), 0)

    # 10 (descriptor)
    def test_a_blob_longer_than_its_descriptor_is_refused(self):
        """A cached manifest says a layer is 1000 bytes; the upstream then announces (and sends)
        2000 bytes for it. strata refuses with 502 SIZE_INVALID, judged on the announced length
        against the descriptor (not a digest mismatch after downloading), and caches nothing: once
        the upstream behaves, the layer is fetched afresh and verifies."""
        up = self.upstream()
        layer = hashlib.shake_256(b"descriptor-size").digest(1000)
        up.add_blob(CONFIG_BLOB)
        digest = up.add_blob(layer)
        up.add_manifest("team/app", "v1", manifest([layer]))
        strata = self.strata_for(up)
        r = strata.get("/v2/fault.test/team/app/manifests/v1", headers={"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 200, r.body)
        wait_for(lambda: strata.get("/api/v1/image?ref=fault.test/team/app:v1").status == 200,
                 what="the manifest in strata's index")
        up.add_fault(digest, "respond", status=200, content_length="2000", body="x" * 2000,
                     headers={"Content-Type": "application/octet-stream"})
        path = "/v2/fault.test/team/app/blobs/" + digest
        r = strata.get(path)
        self.assertEqual(r.status, 502, r.body)
        self.assertEqual(error_code(r), "SIZE_INVALID", r.body)
        self.assertFalse(os.path.exists(blob_file(strata, digest)))
        up.clear_faults()
        r = strata.get(path)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.header("X-Strata-Cache"), "miss")
        self.assertEqual(sha256(r.body), digest)

    # 11
    def test_an_empty_body_for_a_non_empty_digest_is_never_served_as_200(self):
        """The upstream answers 200 with Content-Length 0 for a non-empty blob. None of 20
        concurrent clients gets a complete 200 with an empty body: each gets a 5xx, or its
        connection ends before the body completes. Once the upstream behaves, the right bytes
        are served."""
        up = self.upstream()
        blob = random_layer(50_000, "empty-body")
        digest = up.add_blob(blob)
        up.add_fault(digest, "respond", status=200, content_length="0", body="",
                     headers={"Content-Type": "application/octet-stream"})
        strata = self.strata_for(up, client={"base_backoff_ms": 50, "max_retries": 1})
        path = "/v2/fault.test/team/app/blobs/" + digest
        results = [None] * 20

        def client(i):
            results[i] = get_outcome(strata.port, path)
        threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
        for i, outcome in enumerate(results):
            self.assertIsNotNone(outcome, "client %d never finished" % i)
            status, body, completed = outcome
            self.assertFalse(completed and status == 200,
                             "client %d got a complete 200 with %r" % (i, body[:100] if body else body))
            if completed:
                self.assertGreaterEqual(status, 500, "client %d got %s" % (i, status))
        up.clear_faults()
        r = strata.get(path)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sha256(r.body), digest)

    # 12
    def test_an_unparsable_redirect_location_is_a_502_not_an_exception(self):
        """A redirect to "http://127.0.0.1:99999999999999999999/x" (a port no integer type
        holds): HEAD gets a complete 5xx response (not a dropped connection) and GET gets 502
        (not a 500 from an exception)."""
        up = self.upstream()
        digest = up.add_blob(random_layer(10_000, "bad-location"))
        up.add_fault(digest, "redirect", exact=True, location="http://127.0.0.1:99999999999999999999/x")
        strata = self.strata_for(up)
        path = "/v2/fault.test/team/app/blobs/" + digest
        status = head_status(strata.port, path)
        self.assertIsNotNone(status, "strata dropped the HEAD connection")
        self.assertGreaterEqual(status, 500)
        r = strata.get(path)
        self.assertEqual(r.status, 502, r.body)
        self.assertEqual(strata.get("/v2/").status, 200)

    # 13
    def test_interim_answers_are_read_past_and_an_endless_stream_of_them_is_refused(self):
        """A CDN's 103 Early Hints (or a 100 Continue) before the answer: strata reads past them,
        serves the blob and manifest, and reuses the connection. Nine interim answers, or a 101
        Switching Protocols it never asked for, are a 502, not an answer."""
        up = self.upstream()
        layer = random_layer(300_000, "early-hints")
        digest = up.add_blob(layer)
        config = up.add_blob(CONFIG_BLOB)
        up.add_manifest("team/app", "v1", json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config, "size": len(CONFIG_BLOB)},
            "layers": [{"mediaType": OCI_LAYER, "digest": digest, "size": len(layer)}]}).encode())
        up.add_fault(digest, "serve", interim=2)
        up.add_fault("/manifests/", "serve", interim=1, interim_status=100)
        strata = self.strata_for(up)
        r = strata.get("/v2/fault.test/team/app/blobs/" + digest)
        self.assertEqual((r.status, sha256(r.body)), (200, digest))
        r = strata.get("/v2/fault.test/team/app/manifests/v1", headers={"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 200, r.body)
        for name, fault in (("endless", {"interim": 9}), ("upgrade", {"interim": 1, "interim_status": 101})):
            other = up.add_blob(random_layer(10_000, name))
            up.add_fault(other, "serve", **fault)
            r = strata.get("/v2/fault.test/team/app/blobs/" + other)
            self.assertEqual(r.status, 502, name)
            self.assertFalse(os.path.exists(os.path.join(strata.data_dir, "blobs", "sha256", other[7:9], other[7:])))
        self.assertEqual(strata.get("/v2/").status, 200)

    def test_hot_manifests_stay_within_their_memory_budget(self):
        """With cache.manifest_memory_bytes 4 MiB, 20 manifests of ~1 MiB each are all served, and
        /metrics shows the manifest memory cache within its budget of 4194304 bytes."""
        up = self.upstream()
        up.add_blob(CONFIG_BLOB)
        bodies = {}
        for i in range(20):
            body = manifest(annotations={"pad": ("%02d" % i) * (1 << 19)})
            up.add_manifest("team/app", "big-%d" % i, body)
            bodies["big-%d" % i] = body
        strata = self.strata_for(up, cache={"manifest_memory_bytes": 4194304})
        for tag, body in bodies.items():
            r = strata.get("/v2/fault.test/team/app/manifests/" + tag, headers={"Accept": OCI_MANIFEST})
            self.assertEqual(r.status, 200, r.body[:300])
            self.assertEqual(r.body, body)
        samples = metrics(strata)
        budget = counter(samples, "strata_memory_cache_budget_bytes", cache="manifests")
        self.assertEqual(budget, 4194304)
        self.assertLessEqual(counter(samples, "strata_memory_cache_bytes", cache="manifests"), budget)

    # 13 (tag lists)
    def test_tag_lists_stay_within_their_memory_budget(self):
        """With cache.tag_list_memory_bytes 1 MiB, 10 repositories with 20,000 tags each: the tag
        list cache stays within 1048576 bytes and every list is served whole and sorted, before
        and after the others pushed it out."""
        up = self.upstream()
        expected = {}
        for i in range(10):
            repo = "team/repo-%d" % i
            tags = ["t%05d-%d" % (n, i) for n in range(20_000)]
            expected[repo] = sorted(tags)
            up.add_fault("/%s/tags/list" % repo, "respond", status=200, headers={"Content-Type": "application/json"},
                         body=json.dumps({"name": repo, "tags": list(reversed(tags))}))
        strata = self.strata_for(up, cache={"tag_list_memory_bytes": 1048576})
        for _ in range(2):
            for repo, tags in expected.items():
                r = strata.get("/v2/fault.test/%s/tags/list" % repo)
                self.assertEqual(r.status, 200, r.body[:300])
                self.assertEqual(r.json()["tags"], tags, repo)
        samples = metrics(strata)
        self.assertEqual(counter(samples, "strata_memory_cache_budget_bytes", cache="tag_lists"), 1048576)
        self.assertLessEqual(counter(samples, "strata_memory_cache_bytes", cache="tag_lists"), 1048576)

    # 13 (nesting)
    def test_a_deeply_nested_manifest_is_refused_and_strata_survives(self):
        """A "manifest" of 1,000,000 '[' (which would exhaust a recursive parser's stack): strata
        answers 502 MANIFEST_INVALID and still answers /v2/ afterwards."""
        up = self.upstream()
        up.add_fault("/manifests/deep", "respond", status=200, headers={"Content-Type": OCI_MANIFEST},
                     body="[" * 1_000_000)
        strata = self.strata_for(up)
        r = strata.get("/v2/fault.test/team/app/manifests/deep", headers={"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 502, r.body[:300])
        self.assertEqual(error_code(r), "MANIFEST_INVALID", r.body[:300])
        r = strata.get("/v2/")
        self.assertEqual((r.status, r.body), (200, b"{}"))
        self.assertIsNone(strata.proc.poll())

    # 14
    def test_concurrent_tag_list_requests_share_one_upstream_fetch(self):
        """While the upstream holds the first tags/list response, 10 clients ask strata for the
        same tag list. After the release all 10 get 200 with the same list, and the upstream saw
        exactly one GET of tags/list (later requests joined the fetch in flight)."""
        up = self.upstream()
        body = json.dumps({"name": "team/app", "tags": ["v3", "v1", "v2"]})
        up.add_fault("/tags/list", "respond", status=200, headers={"Content-Type": "application/json"},
                     body=body, hold=True, times=1)
        # Any further upstream fetch is answered at once (so a missing coalescing shows as a count).
        up.add_fault("/tags/list", "respond", status=200, headers={"Content-Type": "application/json"}, body=body)
        strata = self.strata_for(up)
        request = ("GET /v2/fault.test/team/app/tags/list HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                   "Connection: close\r\n\r\n" % strata.port).encode()
        sent = []
        sent_lock = threading.Lock()
        results = [None] * 10

        def client(i):
            with socket.create_connection(("127.0.0.1", strata.port), timeout=120) as s:
                s.sendall(request)
                with sent_lock:
                    sent.append(i)
                data = b""
                while chunk := s.recv(65536):
                    data += chunk
            results[i] = data
        threads = [threading.Thread(target=client, args=(i,)) for i in range(10)]
        try:
            threads[0].start()
            wait_for(lambda: up.held() == 1, timeout=60, what="the upstream to hold the tag list")
            for t in threads[1:]:
                t.start()
            wait_for(lambda: len(sent) == 10, timeout=60, what="all 10 requests sent")
            self.assertEqual(up.held(), 1)
        finally:
            up.release()
        for t in threads:
            t.join(timeout=120)
        for i, data in enumerate(results):
            self.assertIsNotNone(data, "client %d never finished" % i)
            head, _, payload = data.partition(b"\r\n\r\n")
            self.assertTrue(head.startswith(b"HTTP/1.1 200"), "client %d: %r" % (i, head[:200]))
            self.assertEqual(json.loads(payload)["tags"], ["v1", "v2", "v3"])
        self.assertEqual(up.count("GET", "/tags/list"), 1)


if __name__ == "__main__":
    unittest.main()
