"""Upstreams as real registries behave: bearer tokens, credentials, 429 and 5xx, redirects to a CDN."""
import http.client
import json
import os
import threading
import time
import unittest

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, ProcessesTestCase, Strata, random_layer, sha256, wait_for

MANIFEST = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": "sha256:" + "1" * 64, "size": 2}, "layers": []}).encode()


class UpstreamProtocolTest(ProcessesTestCase):
    def strata_for(self, upstream, timeouts=None, **upstream_fields):
        entry = {"name": "fault.test", "url": upstream.url}
        entry.update(upstream_fields)
        cfg = {"upstreams": [entry], "default_upstream": "fault.test",
               "client": {"base_backoff_ms": 50, "max_retries": 3}}
        if timeouts:
            cfg["timeouts"] = timeouts
        return self.started(Strata(self.dir, {}, config=cfg))

    def test_anonymous_bearer_token_is_fetched_cached_and_refreshed_after_expiry(self):
        # Tokens live 300 s (strata keeps them 270 s), longer than any slow machine takes between
        # two requests, until the last part shortens what the upstream announces.
        up = self.started(FaultUpstream(self.dir, auth="bearer", token_ttl=300))
        up.add_manifest("team/app", "v1", MANIFEST)
        layer = random_layer(100_000, "auth")
        digest = up.add_blob(layer)
        strata = self.strata_for(up)
        r = strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.status, 200, r.body)
        r = strata.get("/v2/fault.test/team/app/blobs/" + digest)
        self.assertEqual(sha256(r.body), digest)
        tokens = up.count("GET", "/token")
        self.assertEqual(tokens, 1, "the token was not reused for the blob")
        self.assertEqual(up.count("GET", "/token?service=fault-upstream&scope=repository%3Ateam%2Fapp%3Apull"), 1)

        # The upstream forgets its tokens (expiry mid-run): strata gets a 401, fetches a new one and succeeds.
        up.expire_tokens()
        second = up.add_blob(random_layer(1_000, "auth-2"))
        r = strata.get("/v2/fault.test/team/app/blobs/" + second)
        self.assertEqual(sha256(r.body), second)
        self.assertEqual(up.count("GET", "/token"), 2)

        # Past expires_in the token is refreshed before use, without a 401 first. The upstream now
        # announces tokens that expire in 2 s (so strata keeps them 2 s, no margin) but accepts
        # them for 300 s: only strata's own clock can retire one.
        up.token_ttl(expires_in=2, valid_for=300)
        up.expire_tokens()
        third = up.add_blob(random_layer(1_000, "auth-3"))
        r = strata.get("/v2/fault.test/team/app/blobs/" + third)
        self.assertEqual(sha256(r.body), third)
        self.assertEqual(up.count("GET", "/token"), 3)
        # strata got that token before this point, so it has expired for strata 2 s after it.
        expired_by = time.time() + 2
        wait_for(lambda: time.time() > expired_by, what="the 2 s token lifetime to pass")
        unauthorized_before = sum(1 for q in up.requests() if "/v2/" in q["target"] and not q["authorization"])
        up.add_manifest("team/app", "v2", MANIFEST)
        r = strata.get("/v2/fault.test/team/app/manifests/v2")
        self.assertEqual(r.status, 200)
        self.assertEqual(up.count("GET", "/token"), 4)
        unauthorized_after = sum(1 for q in up.requests() if "/v2/" in q["target"] and not q["authorization"])
        self.assertEqual(unauthorized_after, unauthorized_before + 1)

    def test_credentials_use_the_form_flow_and_never_reach_logs(self):
        up = self.started(FaultUpstream(self.dir, auth="bearer", user="robot:s3cret-pass"))
        up.add_manifest("team/app", "v1", MANIFEST)
        secret_file = os.path.join(self.dir, "token")
        with open(secret_file, "w") as f:
            f.write("s3cret-pass\n")
        strata = self.strata_for(up, username="robot", token_file=secret_file)
        r = strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(up.count("POST", "/token"), 1)
        log = strata.read_log()
        self.assertNotIn("s3cret-pass", log)
        for q in up.requests():
            if q["authorization"].startswith("Bearer "):
                self.assertNotIn(q["authorization"][7:], log)

    def test_wrong_or_missing_credentials_are_denied(self):
        up = self.started(FaultUpstream(self.dir, auth="bearer", user="robot:right"))
        up.add_manifest("team/app", "v1", MANIFEST)
        strata = self.strata_for(up, username="robot", password="wrong")
        r = strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.status, 403)
        self.assertIn(b"DENIED", r.body)

    def test_basic_auth_upstream(self):
        up = self.started(FaultUpstream(self.dir, auth="basic", user="robot:pw"))
        up.add_manifest("team/app", "v1", MANIFEST)
        strata = self.strata_for(up, username="robot", password="pw")
        self.assertEqual(strata.get("/v2/fault.test/team/app/manifests/v1").status, 200)
        up.add_manifest("team/app", "v2", MANIFEST)
        self.assertEqual(strata.get("/v2/fault.test/team/app/manifests/v2").status, 200)
        # After the first challenge the credentials are sent up front.
        self.assertEqual(sum(1 for q in up.requests() if not q["authorization"] and "/manifests/" in q["target"]), 1)

    def test_429_is_retried_after_retry_after(self):
        up = self.started(FaultUpstream(self.dir))
        up.add_manifest("team/app", "v1", MANIFEST)
        up.add_fault("/manifests/v1", "status", status=429, retry_after="1", times=1)
        strata = self.strata_for(up)
        started = time.time()
        r = strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.status, 200)
        self.assertGreaterEqual(time.time() - started, 0.9)
        self.assertEqual(up.count("GET", "/manifests/v1"), 2)

    def test_exhausted_429_reaches_the_client_as_toomanyrequests(self):
        up = self.started(FaultUpstream(self.dir))
        up.add_manifest("team/app", "v1", MANIFEST)
        up.add_fault("/manifests/v1", "status", status=429, retry_after="0")
        strata = self.strata_for(up)
        r = strata.get("/v2/fault.test/team/app/manifests/v1")
        self.assertEqual(r.status, 429)
        self.assertEqual(json.loads(r.body)["errors"][0]["code"], "TOOMANYREQUESTS")
        self.assertEqual(up.count("GET", "/manifests/v1"), 4)  # the first try and 3 retries

    def test_5xx_is_retried_with_backoff(self):
        up = self.started(FaultUpstream(self.dir))
        layer = random_layer(50_000, "5xx")
        digest = up.add_blob(layer)
        up.add_fault(digest, "status", status=503, times=2)
        strata = self.strata_for(up)
        r = strata.get("/v2/fault.test/team/app/blobs/" + digest)
        self.assertEqual(r.status, 200)
        self.assertEqual(sha256(r.body), digest)
        self.assertEqual(up.blob_gets(digest), 3)

    def test_redirect_to_another_host_never_carries_authorization(self):
        cdn = self.started(FaultUpstream(self.dir, name="cdn"))
        up = self.started(FaultUpstream(self.dir, auth="bearer"))
        layer = random_layer(300_000, "cdn")
        digest = up.add_blob(layer)
        cdn.add_blob(layer)
        up.add_fault(digest, "redirect", location=cdn.url)
        # The "CDN" is on loopback like everything here, so it has to be allowed explicitly.
        strata = self.strata_for(up, redirect_hosts=["127.0.0.1:%d" % cdn.port])
        r = strata.get("/v2/fault.test/team/app/blobs/" + digest)
        self.assertEqual(r.status, 200)
        self.assertEqual(sha256(r.body), digest)
        self.assertEqual(cdn.blob_gets(digest), 1)
        self.assertTrue(any(q["authorization"].startswith("Bearer ") for q in up.requests() if digest in q["target"]))
        for q in cdn.requests():
            self.assertEqual(q["authorization"], "", "Authorization leaked to the redirect target")

    def test_connections_to_the_upstream_are_reused(self):
        up = self.started(FaultUpstream(self.dir, auth="bearer"))
        digests = [up.add_blob(random_layer(10_000, "reuse-%d" % i)) for i in range(10)]
        strata = self.strata_for(up)
        for digest in digests:
            self.assertEqual(sha256(strata.get("/v2/fault.test/team/app/blobs/" + digest).body), digest)
        blob_requests = [q for q in up.requests() if "/blobs/" in q["target"]]
        self.assertEqual(len(blob_requests), 11)  # one 401, then ten with the token
        self.assertLessEqual(len({q["connection"] for q in up.requests()}), 3)

    def test_concurrent_resolutions_of_a_tag_make_one_upstream_request(self):
        up = self.started(FaultUpstream(self.dir))
        up.add_manifest("team/app", "v1", MANIFEST)
        # The upstream holds its answer until all 16 requests are sent and strata has all 16
        # connections open (the 17th is the /metrics scrape).
        up.add_fault("/manifests/v1", "serve", hold=True)
        hang_ms = 300_000  # a held upstream must outlast no strata timeout
        strata = self.strata_for(up, timeouts={"headers_ms": hang_ms, "client_idle_ms": hang_ms})
        results, sent = [], [threading.Event() for _ in range(16)]

        def resolve(i):
            conn = http.client.HTTPConnection("127.0.0.1", strata.port, timeout=300)
            conn.request("GET", "/v2/fault.test/team/app/manifests/v1")
            sent[i].set()
            r = conn.getresponse()
            results.append((r.status, r.read()))
            conn.close()
        threads = [threading.Thread(target=resolve, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        wait_for(lambda: all(e.is_set() for e in sent) and up.held() == 1 and
                 strata.metric("strata_client_connections") == 17, what="16 requests waiting on one resolution")
        up.release()
        for t in threads:
            t.join(timeout=300)
        self.assertEqual([status for status, _ in results], [200] * 16)
        self.assertTrue(all(body == MANIFEST for _, body in results))
        self.assertEqual(up.count("GET", "/manifests/v1"), 1)

    def test_a_stalled_upstream_body_times_out_and_nothing_is_kept(self):
        up = self.started(FaultUpstream(self.dir))
        layer = random_layer(200_000, "stall")
        digest = up.add_blob(layer)
        # The upstream sends 4 KiB of the body, then nothing until released (never, here).
        up.add_fault(digest, "serve", hold_after_bytes=4096)
        cfg = {"upstreams": [{"name": "fault.test", "url": up.url}], "default_upstream": "fault.test",
               "timeouts": {"idle_body_ms": 300}}
        strata = self.started(Strata(self.dir, {}, config=cfg))
        conn = http.client.HTTPConnection("127.0.0.1", strata.port, timeout=120)
        conn.request("GET", "/v2/fault.test/team/app/blobs/" + digest)
        response = conn.getresponse()
        with self.assertRaises(http.client.IncompleteRead):
            response.read()
        conn.close()
        self.assertIn("blob fetch truncated", strata.read_log())
        # The upstream never sent more than those 4 KiB: it holds the rest still.
        wait_for(lambda: up.held() == 1, what="the upstream to hold the rest of the body")
        hexpart = digest.split(":")[1]
        self.assertFalse(os.path.exists(os.path.join(strata.data_dir, "blobs", "sha256", hexpart[:2], hexpart)))


if __name__ == "__main__":
    unittest.main()
