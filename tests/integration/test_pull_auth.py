"""Pull authentication (pull_auth.users_file): without credentials a pull gets 401 with a Basic
challenge, so skopeo sends the ones it was given; a Basic user (sha512-crypt hash made by
openssl passwd) and a bearer token pull within their upstreams and repository prefixes and get 403
outside them; wrong and hostile credentials never pass; health endpoints stay open; a broken users
file stops strata at start, naming the entry."""
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess

from containerd import Containerd
from harness import (OCI_MANIFEST, ProxyTestCase, Registry, Strata, counter, http, make_tls_files,
                     metric_samples, push_image, random_layer, sha256)

UPSTREAM = "registry.test"
OTHER = "other.test"


def basic(user, password):
    return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()


class PullAuthTest(ProxyTestCase):
    def start(self):
        self.upstream = Registry(self.dir).start()
        self.image = push_image(self.upstream, "team/app", "v1", [random_layer(200_000, "auth")])
        self.secret = push_image(self.upstream, "secret/app", "v1", [random_layer(100_000, "auth-secret")])
        password_hash = subprocess.run(["openssl", "passwd", "-6", "n0de-pass"], check=True, capture_output=True,
                                       text=True).stdout.strip()
        self.token = "ci-token-" + "x" * 32
        users = {"users": [
            {"name": "nodes", "password_hash": password_hash, "upstreams": [UPSTREAM], "repositories": ["team"]},
            {"name": "ci", "token_sha256": hashlib.sha256(self.token.encode()).hexdigest(), "upstreams": ["*"]},
        ]}
        self.users_file = os.path.join(self.dir, "pull-users.json")
        with open(self.users_file, "w") as f:
            json.dump(users, f)
        # Port 0, read back from the log: a port picked beforehand could be taken, on a loaded
        # machine, by another test's outgoing connection before strata binds it.
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url, OTHER: self.upstream.url},
                             config={"pull_auth": {"users_file": self.users_file},
                                     "server": {"metrics_listen": "127.0.0.1:0"}}).start()
        ports = re.findall(r"strata metrics listening address=127\.0\.0\.1:(\d+)", self.strata.read_log())
        self.metrics_port = int(ports[-1])

    def refusals(self, reason):
        text = http("GET", "http://127.0.0.1:%d/metrics" % self.metrics_port).body.decode()
        return counter(metric_samples(text), "strata_pull_auth_refusals_total", reason=reason)

    def get(self, path, authorization=None, method="GET"):
        headers = {"Accept": OCI_MANIFEST}
        if authorization is not None:
            headers["Authorization"] = authorization
        return http(method, self.strata.url + path, headers=headers)

    def manifest(self, upstream, repository):
        return "/v2/%s/%s/manifests/v1" % (upstream, repository)

    def test_a_pull_without_credentials_is_challenged_and_a_good_one_served(self):
        self.start()
        for path in ("/v2/", self.manifest(UPSTREAM, "team/app")):
            r = self.get(path)
            self.assertEqual(r.status, 401, path)
            self.assertEqual(r.header("WWW-Authenticate"), 'Basic realm="strata", charset="UTF-8"')
            self.assertEqual(json.loads(r.body)["errors"][0]["code"], "UNAUTHORIZED")
        nodes = basic("nodes", "n0de-pass")
        self.assertEqual(self.get("/v2/", nodes).status, 200)
        r = self.get(self.manifest(UPSTREAM, "team/app"), nodes)
        self.assertEqual((r.status, r.body), (200, self.image.manifest))
        for digest in self.image.blobs:
            r = self.get("/v2/%s/team/app/blobs/%s" % (UPSTREAM, digest), nodes)
            self.assertEqual((r.status, sha256(r.body)), (200, digest))
            self.assertEqual(self.get("/v2/%s/team/app/blobs/%s" % (UPSTREAM, digest), nodes, "HEAD").status, 200)
        # What strata would say of a request it cannot serve (no such upstream, a bad name, a
        # push, another method) is for users only: anyone else is challenged first.
        cannot_serve = [("GET", self.manifest("no-such-upstream.example", "team/app"), 403),  # not theirs
                        ("GET", "/v2/%s/Bad..Name/manifests/v1" % UPSTREAM, 400),
                        ("POST", "/v2/%s/team/app/blobs/uploads/" % UPSTREAM, 405),
                        ("DELETE", self.manifest(UPSTREAM, "team/app"), 405),
                        ("GET", "/v2/%s/team/app/nothing-here" % UPSTREAM, 404)]
        for method, path, status in cannot_serve:
            self.assertEqual(self.get(path, method=method).status, 401, (method, path))
            self.assertEqual(self.get(path, nodes, method=method).status, status, (method, path))
        # Health and readiness stay open: kubelet's probes carry no credentials.
        self.assertEqual(self.get("/healthz").status, 200)
        self.assertEqual(self.get("/readyz").status, 200)
        # Metrics name repositories: with pull users only the metrics listener serves them.
        self.assertEqual(self.get("/metrics").status, 404)

    def test_each_user_stays_within_their_upstreams_and_repositories(self):
        self.start()
        self.assertIn("pull_users=2", self.strata.read_log())
        nodes, ci = basic("nodes", "n0de-pass"), "Bearer " + self.token
        r = self.get(self.manifest(UPSTREAM, "secret/app"), nodes)
        self.assertEqual(r.status, 403)
        self.assertEqual(json.loads(r.body)["errors"][0]["code"], "DENIED")
        self.assertIn("user nodes may not pull secret/app from registry.test", r.body.decode())
        self.assertEqual(self.get(self.manifest(OTHER, "team/app"), nodes).status, 403)
        self.assertEqual(self.refusals("denied"), 2)
        # The token user may pull anything from any upstream.
        for upstream, repository in ((UPSTREAM, "secret/app"), (OTHER, "team/app"), (UPSTREAM, "team/app")):
            self.assertEqual(self.get(self.manifest(upstream, repository), ci).status, 200, (upstream, repository))
        # A blob cached through an allowed repository is not served through a forbidden one.
        digest = list(self.image.blobs)[1]
        self.assertEqual(self.get("/v2/%s/secret/app/blobs/%s" % (UPSTREAM, digest), nodes).status, 403)
        # Nor is content cached for secret/app (by ci, above) served to nodes under the name of a
        # repository nodes may pull: the upstream is asked whether team/app holds it, and says no.
        for digest in self.secret.blobs:
            self.assertEqual(self.get("/v2/%s/secret/app/blobs/%s" % (UPSTREAM, digest), ci).status, 200)
            r = self.get("/v2/%s/team/app/blobs/%s" % (UPSTREAM, digest), nodes)
            self.assertEqual(r.status, 404, digest)

    def test_wrong_and_hostile_credentials_never_pass(self):
        self.start()
        for authorization in (basic("nodes", "wrong"), basic("nodes", "n0de-pass "), basic("nobody", "n0de-pass"),
                              basic("ci", self.token), "Bearer " + self.token + "x", "Bearer n0de-pass",
                              "Basic !!!", "Basic " + "A" * 5000, "Digest username=nodes", "Bearer",
                              basic("nodes", "n0de-pass\x00")):
            r = self.get(self.manifest(UPSTREAM, "team/app"), authorization)
            self.assertEqual(r.status, 401, authorization[:60])
        self.assertEqual(self.refusals("unauthenticated"), 11)
        # A good pull still works after them, and strata logged no credentials.
        self.assertEqual(self.get(self.manifest(UPSTREAM, "team/app"), basic("nodes", "n0de-pass")).status, 200)
        log = self.strata.read_log()
        self.assertNotIn("n0de-pass", log)
        self.assertNotIn(self.token, log)

    def test_skopeo_answers_the_challenge_with_its_credentials(self):
        self.start()
        ref = "docker://%s/%s/team/app:v1" % (self.strata.host, UPSTREAM)
        r = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", "--creds", "nodes:n0de-pass", ref],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.encode().strip(), self.image.manifest.strip())
        out = os.path.join(self.dir, "copied")
        r = subprocess.run(["skopeo", "copy", "-q", "--src-tls-verify=false", "--src-creds", "nodes:n0de-pass", ref,
                            "dir:" + out], capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = subprocess.run(["skopeo", "inspect", "--raw", "--tls-verify=false", ref], capture_output=True, text=True,
                           timeout=300)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unauthorized: authentication required", r.stderr)

    def test_credentials_cross_the_network_only_inside_tls(self):
        self.start()
        cert, key, ca = make_tls_files(self.dir)
        self.strata.stop()
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}, config={
            "pull_auth": {"users_file": self.users_file},
            "server": {"tls": {"cert_file": cert, "key_file": key}}}).start()
        certs = os.path.join(self.dir, "certs")
        os.makedirs(certs)
        shutil.copy(ca, os.path.join(certs, "ca.crt"))
        ref = "docker://%s/%s/team/app:v1" % (self.strata.host, UPSTREAM)
        r = subprocess.run(["skopeo", "inspect", "--raw", "--cert-dir", certs, "--creds", "nodes:n0de-pass", ref],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.encode().strip(), self.image.manifest.strip())
        r = subprocess.run(["skopeo", "inspect", "--raw", "--cert-dir", certs, "--creds", "nodes:wrong", ref],
                           capture_output=True, text=True, timeout=300)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("unauthorized", r.stderr)

    def test_containerd_answers_the_challenge_with_its_credentials(self):
        self.start()
        hosts = os.path.join(self.dir, "certs.d", UPSTREAM)
        os.makedirs(hosts)
        with open(os.path.join(hosts, "hosts.toml"), "w") as f:
            f.write('server = "https://%s"\n[host."%s"]\n  capabilities = ["pull", "resolve"]\n'
                    % (UPSTREAM, self.strata.url))
        daemon = Containerd(self.dir).start()
        self.addCleanup(daemon.stop)
        ref = "%s/team/app:v1" % UPSTREAM
        r = daemon.ctr("images", "pull", "--hosts-dir", os.path.dirname(hosts), ref)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("401", r.stdout + r.stderr)
        r = daemon.ctr("images", "pull", "--hosts-dir", os.path.dirname(hosts), "--user", "nodes:n0de-pass", ref)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_broken_users_file_stops_strata_naming_the_entry(self):
        path = os.path.join(self.dir, "users.json")
        cases = (
            ({"users": [{"name": "a", "password_hash": "$apr1$x$y", "upstreams": ["*"]}]},
             "users[0].password_hash: an MD5 hash ($apr1$, htpasswd's default) is too weak"),
            ({"users": [{"name": "a", "token_sha256": "00" * 32, "upstreams": ["nowhere.test"]}]},
             'users[0].upstreams: no upstream is named "nowhere.test"'),
            ({"users": [{"name": "a", "upstreams": ["*"]}]}, "users[0]: give a password_hash"),
        )
        for users, message in cases:
            with open(path, "w") as f:
                json.dump(users, f)
            for check in ([], ["--check-config"]):
                s = Strata(self.dir, {UPSTREAM: "http://127.0.0.1:1"}, config={"pull_auth": {"users_file": path}})
                r = subprocess.run(s.command() + check, capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 2, (message, check, r.stderr))
                self.assertIn(path + ": " + message, r.stderr)
        s = Strata(self.dir, {UPSTREAM: "http://127.0.0.1:1"},
                   config={"pull_auth": {"users_file": os.path.join(self.dir, "missing.json")}})
        r = subprocess.run(s.command(), capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2)
        self.assertIn("pull_auth.users_file: cannot read %s: No such file or directory" % os.path.join(self.dir, "missing.json"),
                      r.stderr)
