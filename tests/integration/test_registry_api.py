"""The pull API through strata against Debian's docker-registry: headers, negotiation, ranges, tags, errors."""
import http.client
import json
import os
import unittest

from harness import (DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, Registry, Strata, TempDir, http as request,
                     push_image, push_index, random_layer, sha256)


class RegistryApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = TempDir()
        cls.dir = cls.tmp.__enter__()
        cls.registry = Registry(cls.dir).start()
        shared = random_layer(200_000, "shared")
        cls.app = push_image(cls.registry, "team/app", "v1", [shared, random_layer(1_500_000, "app")])
        cls.other = push_image(cls.registry, "team/other", "v1", [shared, random_layer(5_000, "other")])
        cls.docker = push_image(cls.registry, "team/docker", "v1", [random_layer(3_000, "docker")], oci=False)
        amd = push_image(cls.registry, "team/multi", "amd64", [random_layer(4_000, "amd")])
        arm = push_image(cls.registry, "team/multi", "arm64", [random_layer(4_000, "arm")], arch="arm64")
        cls.index = push_index(cls.registry, "team/multi", "v1", {"amd64": amd, "arm64": arm})
        for tag in ["v2", "v3", "a", "b"]:
            cls.registry.push_manifest("team/app", tag, cls.app.manifest, OCI_MANIFEST)
        cls.strata = Strata(cls.dir, {"registry.test": cls.registry.url}).start()

    @classmethod
    def tearDownClass(cls):
        cls.strata.stop()
        cls.registry.stop()
        cls.tmp.__exit__(None, None, None)

    def get(self, path, headers=None, method="GET"):
        return self.strata.get(path, headers, method)

    def assert_oci_error(self, response, status, code):
        self.assertEqual(response.status, status, response.body)
        body = json.loads(response.body)
        self.assertEqual(body["errors"][0]["code"], code)
        self.assertIn("message", body["errors"][0])

    def test_base_endpoint(self):
        r = self.get("/v2/")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Docker-Distribution-API-Version"), "registry/2.0")

    def test_manifest_get_and_head_headers(self):
        for path in ["/v2/registry.test/team/app/manifests/v1", "/v2/team/app/manifests/v1?ns=registry.test",
                     "/v2/registry.test/team/app/manifests/" + self.app.digest]:
            get = self.get(path, {"Accept": OCI_MANIFEST})
            self.assertEqual(get.status, 200, path)
            self.assertEqual(get.body, self.app.manifest)
            self.assertEqual(get.header("Content-Type"), OCI_MANIFEST)
            self.assertEqual(get.header("Docker-Content-Digest"), self.app.digest)
            self.assertEqual(int(get.header("Content-Length")), len(self.app.manifest))
            self.assertIsNone(get.header("Content-Encoding"))
            head = self.get(path, {"Accept": OCI_MANIFEST}, method="HEAD")
            self.assertEqual(head.status, 200)
            self.assertEqual(head.body, b"")
            self.assertEqual(head.header("Docker-Content-Digest"), self.app.digest)
            self.assertEqual(int(head.header("Content-Length")), len(self.app.manifest))

    def test_docker_schema2_and_oci_index(self):
        r = self.get("/v2/registry.test/team/docker/manifests/v1", {"Accept": DOCKER_MANIFEST})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), DOCKER_MANIFEST)
        self.assertEqual(sha256(r.body), self.docker.digest)
        r = self.get("/v2/registry.test/team/multi/manifests/v1", {"Accept": OCI_INDEX + ", " + OCI_MANIFEST})
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Type"), OCI_INDEX)
        self.assertEqual(r.body, self.index.manifest)

    def test_repeated_accept_headers_are_merged(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.strata.port, timeout=30)
        conn.putrequest("GET", "/v2/registry.test/team/multi/manifests/v1")
        for media_type in ["application/vnd.docker.distribution.manifest.v2+json", OCI_MANIFEST,
                           "application/vnd.docker.distribution.manifest.list.v2+json", OCI_INDEX]:
            conn.putheader("Accept", media_type)
        conn.endheaders()
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.getheader("Content-Type"), OCI_INDEX)
        self.assertEqual(body, self.index.manifest)

    def test_blob_get_head_and_ranges(self):
        layer_digest, layer = max(self.app.blobs.items(), key=lambda kv: len(kv[1]))
        path = "/v2/registry.test/team/app/blobs/" + layer_digest
        r = self.get(path)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, layer)
        self.assertEqual(r.header("Docker-Content-Digest"), layer_digest)
        self.assertEqual(r.header("Accept-Ranges"), "bytes")
        self.assertIsNone(r.header("Content-Encoding"))
        head = self.get(path, method="HEAD")
        self.assertEqual(head.status, 200)
        self.assertEqual(int(head.header("Content-Length")), len(layer))

        r = self.get(path, {"Range": "bytes=100-199"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, layer[100:200])
        self.assertEqual(r.header("Content-Range"), "bytes 100-199/%d" % len(layer))
        r = self.get(path, {"Range": "bytes=1000000-"})
        self.assertEqual(r.status, 206)
        self.assertEqual(r.body, layer[1000000:])
        r = self.get(path, {"Range": "bytes=-10"})
        self.assertEqual(r.body, layer[-10:])
        r = self.get(path, {"Range": "bytes=%d-" % len(layer)})
        self.assertEqual(r.status, 416)
        self.assertEqual(r.header("Content-Range"), "bytes */%d" % len(layer))

    def test_head_of_uncached_blob_asks_upstream_without_downloading(self):
        digest, data = next((d, b) for d, b in self.other.blobs.items() if len(b) == max(map(len, self.other.blobs.values())))
        before = self.registry.blob_gets(digest)
        r = self.get("/v2/registry.test/team/other/blobs/" + digest, method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(int(r.header("Content-Length")), len(data))
        self.assertEqual(self.registry.blob_gets(digest), before)

    def test_tags_list_pagination(self):
        r = self.get("/v2/registry.test/team/app/tags/list")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json(), {"name": "registry.test/team/app", "tags": ["a", "b", "v1", "v2", "v3"]})
        r = self.get("/v2/registry.test/team/app/tags/list?n=2")
        self.assertEqual(r.json()["tags"], ["a", "b"])
        self.assertEqual(r.header("Link"), '</v2/registry.test/team/app/tags/list?n=2&last=b>; rel="next"')
        r = self.get("/v2/registry.test/team/app/tags/list?n=2&last=b")
        self.assertEqual(r.json()["tags"], ["v1", "v2"])
        r = self.get("/v2/registry.test/team/app/tags/list?n=2&last=v2")
        self.assertEqual(r.json()["tags"], ["v3"])
        self.assertIsNone(r.header("Link"))
        r = self.get("/v2/team/app/tags/list?ns=registry.test&n=1&last=a")
        self.assertEqual(r.json(), {"name": "team/app", "tags": ["b"]})
        self.assertEqual(r.header("Link"), '</v2/team/app/tags/list?n=1&last=b&ns=registry.test>; rel="next"')

    def test_unknown_objects_give_oci_errors(self):
        # docker-registry itself answers MANIFEST_UNKNOWN for a manifest of an unknown repository.
        self.assert_oci_error(self.get("/v2/registry.test/team/nothing/manifests/v1"), 404, "MANIFEST_UNKNOWN")
        self.assert_oci_error(self.get("/v2/registry.test/team/app/manifests/nope"), 404, "MANIFEST_UNKNOWN")
        self.assert_oci_error(self.get("/v2/registry.test/team/app/manifests/sha256:" + "0" * 64), 404,
                              "MANIFEST_UNKNOWN")
        self.assert_oci_error(self.get("/v2/registry.test/team/app/blobs/sha256:" + "0" * 64), 404, "BLOB_UNKNOWN")
        self.assert_oci_error(self.get("/v2/registry.test/team/nothing/tags/list"), 404, "NAME_UNKNOWN")

    def test_bad_requests_are_refused_before_any_upstream_contact(self):
        self.assert_oci_error(self.get("/v2/evil.example.com/x/manifests/v1"), 403, "DENIED")
        self.assert_oci_error(self.get("/v2/x/manifests/v1?ns=169.254.169.254"), 403, "DENIED")
        self.assert_oci_error(self.get("/v2/registry.test/Team/App/manifests/v1"), 400, "NAME_INVALID")
        self.assert_oci_error(self.get("/v2/registry.test/team/app/manifests/bad..tag%20x"), 400, "TAG_INVALID")
        self.assert_oci_error(self.get("/v2/registry.test/team/app/blobs/sha256:xyz"), 400, "DIGEST_INVALID")
        self.assert_oci_error(self.get("/v2/registry.test/team/app/blobs/sha384:" + "a" * 96), 400, "UNSUPPORTED")
        self.assert_oci_error(self.get("/v2/registry.test/team/app/blobs/sha512:" + "a" * 64), 400, "DIGEST_INVALID")
        # A 405 says what the resource allows: nothing for the push endpoint, GET and HEAD elsewhere.
        for method in ("POST", "GET"):
            r = request(method, self.strata.url + "/v2/registry.test/team/app/blobs/uploads/",
                        data=b"" if method == "POST" else None)
            self.assert_oci_error(r, 405, "UNSUPPORTED")
            self.assertEqual(r.header("Allow"), "")
        r = request("DELETE", self.strata.url + "/v2/registry.test/team/app/manifests/v1")
        self.assert_oci_error(r, 405, "UNSUPPORTED")
        self.assertEqual(r.header("Allow"), "GET, HEAD")
        r = self.get("/v2/registry.test/team/app/manifests/v1", {"X-Huge": "a" * 100_000})
        self.assertEqual(r.status, 400)

    def test_cache_survives_restart_and_serves_without_upstream(self):
        layer_digest = next(iter(self.docker.blobs))
        self.assertEqual(self.get("/v2/registry.test/team/docker/blobs/" + layer_digest).status, 200)
        self.assertEqual(self.get("/v2/registry.test/team/docker/manifests/v1", {"Accept": DOCKER_MANIFEST}).status, 200)
        workdir = os.path.join(self.dir, "restart")
        os.makedirs(workdir)
        restarted = Strata(workdir, {"registry.test": "http://127.0.0.1:9"}, data_dir=self.strata.data_dir)
        self.strata.stop()
        try:
            restarted.start()
            r = restarted.get("/v2/registry.test/team/docker/manifests/v1", {"Accept": DOCKER_MANIFEST})
            self.assertEqual(r.status, 200)
            self.assertEqual(r.header("Docker-Content-Digest"), self.docker.digest)
            r = restarted.get("/v2/registry.test/team/docker/blobs/" + layer_digest)
            self.assertEqual(r.status, 200)
            self.assertEqual(sha256(r.body), layer_digest)
        finally:
            restarted.stop()
            self.strata.start()


if __name__ == "__main__":
    unittest.main()
