"""An https upstream that tries to downgrade: a manifest-by-tag redirect to plain http.

The upstream is the fault upstream behind nginx terminating TLS (a throwaway CA), so strata talks
https to it and the fault upstream still scripts the redirect. strata must refuse to follow an
https upstream to http, serve nothing and cache nothing from there, and still serve the same tag
once the upstream answers properly.
"""
from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, Nginx, ProxyTestCase, Strata, make_tls_files, sha256


def tls_front(workdir, backend_port, cert, key):
    """nginx terminating TLS in front of a plain-HTTP backend, passing redirects through."""
    return Nginx(workdir, """listen 127.0.0.1:%%(port)d ssl; ssl_certificate %s; ssl_certificate_key %s;
                 location / { proxy_pass http://127.0.0.1:%d; proxy_redirect off; proxy_http_version 1.1;
                              proxy_set_header Connection ""; }""" % (cert, key, backend_port),
                 scheme="https", workers=1)


class TlsDowngradeTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        cert, key, self.ca = make_tls_files(self.dir)
        self.upstream = FaultUpstream(self.dir).start()
        self.plain = FaultUpstream(self.dir, name="plain").start()  # where the downgrade points
        self.front = tls_front(self.dir, self.upstream.port, cert, key).start("/v2/", 200, cafile=self.ca)
        self.addCleanup(self.front.stop)
        self.addCleanup(self.plain.stop)
        self.manifest = ('{"schemaVersion":2,"mediaType":"%s","config":{"mediaType":'
                         '"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":2},"layers":[]}'
                         % (OCI_MANIFEST, "ab" * 32)).encode()
        self.forged = self.manifest.replace(b'"size":2', b'"size":3')
        self.upstream.add_manifest("team/app", "v1", self.manifest)
        self.plain.add_manifest("team/app", "v1", self.forged)
        config = {"upstreams": [{"name": "tls.test", "url": self.front.url, "ca_file": self.ca,
                                 "redirect_hosts": ["127.0.0.1"]}],
                  "default_upstream": "tls.test", "client": {"max_retries": 0}}
        self.strata = Strata(self.dir, {}, config=config).start()

    def get_tag(self):
        return self.strata.get("/v2/tls.test/team/app/manifests/v1", {"Accept": OCI_MANIFEST})

    def test_a_redirect_from_https_to_http_is_refused_and_nothing_is_cached(self):
        # redirect_hosts lists 127.0.0.1, so only the downgrade rule stands between strata and
        # the plain-HTTP body.
        self.upstream.add_fault("/manifests/v1", "redirect", exact=True,
                                location=self.plain.url + "/v2/team/app/manifests/v1")
        r = self.get_tag()
        self.assertEqual(r.status, 502)  # the upstream gave nothing strata may serve
        self.assertNotEqual(r.body, self.forged)
        self.assertEqual(self.plain.count("GET", "/manifests/"), 0, "strata followed https to http")
        self.assertIn("https upstream redirected to plain http", self.strata.read_log())

        self.upstream.clear_faults()
        r = self.get_tag()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, self.manifest)
        self.assertEqual(r.header("Docker-Content-Digest"), sha256(self.manifest))
