"""HTTPS on strata's own listener (server.tls): blobs (cold, hot, ranges, multipart), manifests and
HEAD are served whole and correct through TLS; skopeo pulls with the CA; the certificate is
reloaded when its files change, and a broken pair leaves the previous one serving; plain HTTP and
silent clients on the TLS port cost nothing; mistakes in the files are named at start."""
import http.client as http_client
import os
import shutil
import socket
import ssl
import subprocess
import threading

from fault_upstream import FaultUpstream
from harness import (OCI_MANIFEST, ProxyTestCase, Registry, Strata, http, make_tls_files, push_image, random_layer,
                     sha256, wait_for)

UPSTREAM = "registry.test"


def issue_certificate(tls_dir, name):
    """A second server certificate for 127.0.0.1 from the same CA, as name.pem and name.key."""
    p = lambda f: os.path.join(tls_dir, f)

    def run(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)
    run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", p(name + ".key"), "-out", p(name + ".csr"),
        "-subj", "/CN=" + name)
    run("x509", "-req", "-in", p(name + ".csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
        "-out", p(name + ".pem"), "-days", "2", "-extfile", p("ext.cnf"))
    return p(name + ".pem"), p(name + ".key")


def presented_subject(port, ca):
    """The common name of the certificate strata presents to a new connection."""
    context = ssl.create_default_context(cafile=ca)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return dict(x[0] for x in tls.getpeercert()["subject"])["commonName"]


class ListenerTlsTest(ProxyTestCase):
    def start(self, **extra_config):
        self.cert, self.key, self.ca = make_tls_files(self.dir)
        # strata reads copies, which the test replaces to make it reload.
        self.served_cert, self.served_key = os.path.join(self.dir, "served.pem"), os.path.join(self.dir, "served.key")
        shutil.copy(self.cert, self.served_cert)
        shutil.copy(self.key, self.served_key)
        self.upstream = Registry(self.dir).start()
        self.image = push_image(self.upstream, "team/app", "v1",
                                [random_layer(3_000_000, "tls-listener"), random_layer(100_000, "tls-small")])
        config = {"server": {"tls": {"cert_file": self.served_cert, "key_file": self.served_key,
                                     "reload_check_ms": 100}}}
        config.update(extra_config)
        self.layers = list(self.image.blobs)[1:]  # after the config
        self.faulty = FaultUpstream(self.dir).start()
        self.addCleanup(self.faulty.stop)
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url, "fault.test": self.faulty.url},
                             config=config).start()
        self.base = "https://127.0.0.1:%d" % self.strata.port

    def get(self, path, method="GET", headers=None):
        return http(method, self.base + path, headers=headers, cafile=self.ca)

    def blob_path(self, digest):
        return "/v2/%s/team/app/blobs/%s" % (UPSTREAM, digest)

    def test_blobs_and_manifests_are_served_whole_through_tls(self):
        self.start()
        r = self.get("/v2/%s/team/app/manifests/v1" % UPSTREAM, headers={"Accept": OCI_MANIFEST})
        self.assertEqual((r.status, r.body), (200, self.image.manifest))
        big, small = self.layers
        data = self.image.blobs[big]
        # Cold (followed while it downloads), then hot from disk: both through TLS, not sendfile.
        for cache in ("miss", "hit"):
            r = self.get(self.blob_path(big))
            self.assertEqual((r.status, sha256(r.body), r.header("X-Strata-Cache")), (200, big, cache))
        r = self.get(self.blob_path(big), method="HEAD")
        self.assertEqual((r.status, r.body, r.header("Content-Length")), (200, b"", str(len(data))))
        r = self.get(self.blob_path(big), headers={"Range": "bytes=1000-1999999"})
        self.assertEqual((r.status, r.body), (206, data[1000:2000000]))
        r = self.get(self.blob_path(big), headers={"Range": "bytes=0-9,2999000-2999009"})
        self.assertEqual(r.status, 206)
        self.assertIn(data[0:10], r.body)
        self.assertIn(data[2999000:2999010], r.body)
        # A download followed while it is still arriving: the client waits mid-body, through TLS.
        held = random_layer(2_000_000, "tls-held")
        digest = self.faulty.add_blob(held)
        self.faulty.add_fault(digest, "serve", hold_after_bytes=65536)
        result = []
        reader = threading.Thread(target=lambda: result.append(
            self.get("/v2/fault.test/team/app/blobs/%s" % digest)))
        reader.start()
        wait_for(lambda: self.faulty.held() == 1, what="the upstream holding the blob mid-body")
        self.faulty.release()
        reader.join(120)
        self.assertEqual((result[0].status, sha256(result[0].body)), (200, digest))
        # Keep-alive through TLS: several requests on one connection.
        context = ssl.create_default_context(cafile=self.ca)
        conn = http_client.HTTPSConnection("127.0.0.1", self.strata.port, context=context, timeout=60)
        for _ in range(3):
            conn.request("GET", self.blob_path(small))
            r = conn.getresponse()
            self.assertEqual((r.status, sha256(r.read())), (200, small))
        conn.close()

    def test_skopeo_pulls_through_tls_with_the_ca(self):
        self.start()
        certs = os.path.join(self.dir, "certs")
        os.makedirs(certs)
        shutil.copy(self.ca, os.path.join(certs, "ca.crt"))
        out = os.path.join(self.dir, "copied")
        r = subprocess.run(["skopeo", "copy", "-q", "--src-cert-dir", certs,
                            "docker://127.0.0.1:%d/%s/team/app:v1" % (self.strata.port, UPSTREAM), "dir:" + out],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        for digest in self.image.blobs:
            with open(os.path.join(out, digest[7:]), "rb") as f:
                self.assertEqual(sha256(f.read()), digest)
        # Without the CA, skopeo refuses strata's certificate.
        r = subprocess.run(["skopeo", "inspect", "docker://127.0.0.1:%d/%s/team/app:v1" % (self.strata.port, UPSTREAM)],
                           capture_output=True, text=True, timeout=300)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("certificate", r.stderr)

    def test_a_changed_certificate_is_served_to_new_connections_and_a_broken_one_is_not(self):
        self.start()
        self.assertEqual(presented_subject(self.strata.port, self.ca), "localhost")
        cert, key = issue_certificate(os.path.dirname(self.cert), "renewed")
        # As cert-manager or a Secret update does: the new pair replaces the old one by rename.
        for src, dst in ((key, self.served_key), (cert, self.served_cert)):
            shutil.copy(src, dst + ".new")
            os.replace(dst + ".new", dst)
        wait_for(lambda: presented_subject(self.strata.port, self.ca) == "renewed", what="the renewed certificate")
        wait_for(lambda: "TLS certificate reloaded" in self.strata.read_log(), what="the reload logged")
        # A half-written or wrong file: the renewed certificate keeps serving, and the log says why.
        with open(self.served_cert, "w") as f:
            f.write("-----BEGIN CERTIFICATE-----\ngarbage\n")
        wait_for(lambda: "holds no usable PEM certificate chain" in self.strata.read_log(), what="the refused reload")
        self.assertIn("TLS certificate not reloaded", self.strata.read_log())
        self.assertEqual(presented_subject(self.strata.port, self.ca), "renewed")
        r = self.get(self.blob_path(self.layers[1]))
        self.assertEqual((r.status, sha256(r.body)), (200, self.layers[1]))

    def test_plain_http_and_silent_clients_on_the_tls_port_cost_nothing(self):
        self.start(timeouts={"tls_handshake_ms": 300})
        # Plain HTTP to the HTTPS port: no answer strata would have to mean, the connection closes.
        with socket.create_connection(("127.0.0.1", self.strata.port), timeout=30) as s:
            s.sendall(b"GET /v2/ HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertNotIn(b"HTTP/1.1 200", s.recv(4096))
        # Clients that connect and never speak are dropped after the handshake timeout, while
        # others are served.
        silent = [socket.create_connection(("127.0.0.1", self.strata.port), timeout=60) for _ in range(20)]
        r = self.get(self.blob_path(self.layers[1]))
        self.assertEqual((r.status, sha256(r.body)), (200, self.layers[1]))
        # Each is closed by strata: recv sees the end of the stream, not our own (generous) timeout.
        closed = []

        def wait_closed(s):
            s.settimeout(60)
            try:
                closed.append("closed" if s.recv(1) == b"" else "data")
            except socket.timeout:
                closed.append("still open")
            except ConnectionResetError:
                closed.append("closed")
        threads = [threading.Thread(target=wait_closed, args=(s,)) for s in silent]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for s in silent:
            s.close()
        self.assertEqual(closed, ["closed"] * len(silent))

    def test_mistakes_in_the_tls_files_are_named_at_start(self):
        cert, key, ca = make_tls_files(self.dir)
        missing = os.path.join(self.dir, "nope.pem")
        for args, message in (
                (["--tls-cert", cert], "server.tls: cert_file and key_file (--tls-cert and --tls-key) go together"),
                (["--tls-cert", missing, "--tls-key", key],
                 "server.tls: cannot read the certificate chain %s: No such file or directory" % missing),
                (["--tls-cert", key, "--tls-key", key], "%s holds no usable PEM certificate chain" % key),
                (["--tls-cert", cert, "--tls-key", cert], "%s holds a certificate, not the private key" % cert),
                (["--tls-cert", key, "--tls-key", cert],
                 "%s holds a certificate and %s a private key: cert_file and key_file (--tls-cert and --tls-key) are "
                 "swapped" % (cert, key)),
                (["--tls-cert", ca, "--tls-key", key], "the key in %s does not belong to the certificate in %s" % (key, ca))):
            for check in ([], ["--check-config"]):
                r = subprocess.run(Strata(self.dir, {}).command() + args + check, capture_output=True, text=True,
                                   timeout=60)
                self.assertEqual(r.returncode, 2, (args, check, r.stderr))
                self.assertIn(message, r.stderr, (args, check))
        r = subprocess.run(Strata(self.dir, {}).command() + ["--tls-cert", cert, "--tls-key", key, "--check-config"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("(HTTPS)", r.stdout)
