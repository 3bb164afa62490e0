"""Three strata replicas behind haproxy configured by deploy/ring/haproxy-front.sh: a cold herd fetches
each blob upstream once across the cluster, from the replica its digest hashes to; a replica killed
mid-herd costs no client its blob; a fourth replica takes over about a quarter of the keys and
moves nothing else; node stratas in front of the ring fetch each blob from the registry once."""
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import unittest
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from fault_upstream import FaultUpstream  # noqa: E402
from harness import ProcessesTestCase, Strata, make_tls_files, wait_for  # noqa: E402
from ring import FRONT_SCRIPT, Ring, fetch_blob  # noqa: E402

UPSTREAM = "registry.test"
CLIENTS = 64
BLOBS = 20


def blobs(count, size, seed):
    return [(b"%s-%d-" % (seed.encode(), i)) * (size // 16) for i in range(count)]


def run_clients(count, work):
    """Runs work(i) on count threads at once; returns the exceptions raised, by client."""
    failures = {}

    def client(i):
        try:
            work(i)
        except Exception as e:  # noqa: BLE001 - reported by the test
            failures[i] = e
    threads = [threading.Thread(target=client, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(600)
    return failures


def whole_gets(upstream, digest):
    """The upstream's GETs of the whole blob (a replica's fetch into its store, not a passed-through range)."""
    return sum(1 for r in upstream.requests()
               if r["method"] == "GET" and r["target"].endswith("/blobs/" + digest) and not r["range"])


def random_digest():
    return "sha256:" + secrets.token_hex(32)


class RingTest(ProcessesTestCase):
    def ring(self, replicas=3, extra_args=()):
        upstream = self.started(FaultUpstream(self.dir))
        ring = Ring(self.dir, {UPSTREAM: upstream.url}, replicas, extra_args).start()
        self.addCleanup(ring.stop)
        return upstream, ring

    def blob_path(self, client, digest):
        # Clients pull the same blobs under different repositories: the ring key is the digest.
        return "/v2/%s/team/app-%d/blobs/%s" % (UPSTREAM, client % 4, digest)

    def test_a_cold_herd_fetches_each_blob_upstream_once_from_the_replica_it_hashes_to(self):
        upstream, ring = self.ring()
        data = blobs(BLOBS, 128 * 1024, "herd")
        digests = [upstream.add_blob(b) for b in data]
        # Every upstream blob response waits until all 20 are asked for: 64 clients on 20 cold blobs.
        upstream.add_fault("/blobs/", "serve", hold=True)

        def pull_all(i):
            for k in range(BLOBS):
                digest = digests[(i + k) % BLOBS]
                fetch_blob(ring.front.url, self.blob_path(i, digest), digest, attempts=1)
        herd = threading.Thread(target=lambda: self.__dict__.setdefault("failures", run_clients(CLIENTS, pull_all)))
        herd.start()
        wait_for(lambda: upstream.held() == BLOBS, what="the herd's 20 upstream fetches")
        upstream.clear_faults()
        upstream.release()
        herd.join(600)
        self.assertEqual(self.failures, {})

        owners = {}
        for digest in digests:
            self.assertEqual(upstream.blob_gets(digest), 1, digest)
            held_by = ring.holds(digest)
            self.assertEqual(len(held_by), 1, "%s held by replicas %s" % (digest, held_by))
            owners[digest] = held_by[0]
            self.assertEqual(ring.front.replica_of(self.blob_path(0, digest)), "replica-%d" % owners[digest])
        shares = Counter(owners.values())
        self.assertEqual(sorted(shares), [0, 1, 2], "every replica holds some of the blobs: %s" % shares)

    def test_the_ring_spreads_digests_evenly_and_a_fourth_replica_moves_only_its_own_share(self):
        # No upstream traffic: an unknown upstream name is answered by the replica itself.
        _, ring = self.ring()
        paths = ["/v2/unknown.test/team/app/blobs/%s" % random_digest() for _ in range(600)]
        before = [ring.front.replica_of(p) for p in paths]
        shares = Counter(before)
        for name in ("replica-0", "replica-1", "replica-2"):
            self.assertLess(abs(shares[name] / len(paths) - 1 / 3), 0.2 / 3,
                            "replica shares %s are not within 20 %% of a third" % dict(shares))
        # The same digest under another repository goes to the same replica.
        self.assertEqual(ring.front.replica_of(paths[0].replace("team/app", "other/repo")), before[0])

        ring.add_replica()
        after = [ring.front.replica_of(p) for p in paths]
        moved = [(b, a) for b, a in zip(before, after) if b != a]
        self.assertTrue(all(a == "replica-3" for _, a in moved), "keys moved between old replicas: %s" % moved[:5])
        self.assertGreater(len(moved), 0.15 * len(paths))
        self.assertLess(len(moved), len(paths) / 3, "%d of %d keys moved" % (len(moved), len(paths)))

    def test_tags_are_spread_over_the_replicas_each_tag_on_one(self):
        _, ring = self.ring()
        tags = ["/v2/unknown.test/team/app/manifests/v%d" % i for i in range(60)]
        owners = [ring.front.replica_of(t) for t in tags]
        self.assertEqual(sorted(set(owners)), ["replica-0", "replica-1", "replica-2"])
        # One tag is resolved by one replica: asked again, from anywhere, it goes to the same one.
        self.assertEqual([ring.front.replica_of(t) for t in tags[:10]], owners[:10])

    def test_a_replica_killed_mid_herd_costs_no_client_its_blob(self):
        upstream, ring = self.ring()
        data = blobs(BLOBS, 512 * 1024, "kill")
        digests = [upstream.add_blob(b) for b in data]
        owners = {d: ring.front.replica_of(self.blob_path(0, d)) for d in digests}
        victim = owners[digests[0]]
        lost = [d for d in digests if owners[d] == victim]
        # Each blob's upstream response stops after 64 KiB: every client is mid-body when the
        # victim dies.
        upstream.add_fault("/blobs/", "serve", hold_after_bytes=65536)
        results, receiving = {}, []

        def pull_one(i):
            digest = digests[i % BLOBS]
            results[i] = fetch_blob(ring.front.url, self.blob_path(i, digest), digest,
                                    on_first_bytes=lambda: receiving.append(i))
        herd = threading.Thread(target=lambda: self.__dict__.setdefault("failures", run_clients(CLIENTS, pull_one)))
        herd.start()
        wait_for(lambda: upstream.held() == BLOBS and len(receiving) == CLIENTS, what="every client mid-body")
        ring.replicas[int(victim.split("-")[1])].stop(sig=9)
        # The victim's clients resume with Range on the next replica on the ring, which fetches the
        # whole blob again (and passes their ranges through meanwhile).
        wait_for(lambda: all(whole_gets(upstream, d) == 2 for d in lost),
                 what="the victim's blobs asked for again by the next replicas")
        upstream.clear_faults()
        upstream.release()
        herd.join(600)
        self.assertEqual(self.failures, {})
        self.assertEqual(len(results), CLIENTS)
        self.assertTrue(all(body == data[i % BLOBS] for i, (body, _) in results.items()))
        retried = sum(1 for i, (_, attempts) in results.items() if attempts > 1)
        self.assertEqual(retried, sum(1 for i in range(CLIENTS) if digests[i % BLOBS] in lost))
        for d in digests:
            self.assertEqual(whole_gets(upstream, d), 2 if d in lost else 1, d)

    def test_node_stratas_in_front_of_the_ring_fetch_each_blob_from_the_registry_once(self):
        upstream, ring = self.ring()
        data = blobs(8, 256 * 1024, "tiers")
        digests = [upstream.add_blob(b) for b in data]
        nodes = []
        for name in ("node-a", "node-b"):
            os.makedirs(os.path.join(self.dir, name))
            nodes.append(self.started(Strata(os.path.join(self.dir, name), {}, config={
                "default_upstream": UPSTREAM, "upstreams": [{"name": UPSTREAM, "url": ring.front.url, "send_ns": True}]})))

        def pull(i):
            node = nodes[i % 2]
            for digest in digests:
                fetch_blob(node.url, self.blob_path(i, digest), digest, attempts=1)
        self.assertEqual(run_clients(16, pull), {})
        for d in digests:
            self.assertEqual(upstream.blob_gets(d), 1, d)
            self.assertEqual(len(ring.holds(d)), 1, d)


class FrontScriptTest(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run(["bash", FRONT_SCRIPT] + list(args), capture_output=True, text=True)

    def test_the_generated_config_is_valid_haproxy(self):
        for args in (["127.0.0.1:5001"], ["--dns", "strata-0.strata-replicas.strata.svc.cluster.local:5000",
                                          "[::1]:5002", "10.0.0.7:5000"]):
            r = self.run_script(*args)
            self.assertEqual(r.returncode, 0, r.stderr)
            path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "strata-front-%d.cfg" % os.getpid())
            with open(path, "w") as f:
                f.write(r.stdout)
            check = subprocess.run(["haproxy", "-c", "-f", path], capture_output=True, text=True)
            os.unlink(path)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_help_goes_to_stdout(self):
        r = self.run_script("--help")
        self.assertEqual(r.returncode, 0)
        self.assertIn("--tls PEM", r.stdout)

    def test_a_tls_front_serves_https_in_front_of_plain_replicas(self):
        with tempfile.TemporaryDirectory() as d:
            cert, key, ca = make_tls_files(d)
            pem = os.path.join(d, "front.pem")
            with open(pem, "w") as out:
                for part in (cert, key):
                    with open(part) as f:
                        out.write(f.read())
            r = self.run_script("--tls", pem, "127.0.0.1:5001")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("ssl crt %s alpn http/1.1" % pem, r.stdout)
            path = os.path.join(d, "haproxy.cfg")
            with open(path, "w") as f:
                f.write(r.stdout)
            check = subprocess.run(["haproxy", "-c", "-f", path], capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)

    def test_hostile_or_mistaken_arguments_are_refused_by_name(self):
        for args, message in (([], "name at least one replica"),
                              (["a b:1"], "replica 'a b:1' is not host:port"),
                              (["host:5000\nbackend x"], "is not host:port"),
                              (["host"], "replica 'host' is not host:port"),
                              (["host:70000"], "has no valid port"),
                              ([":5000"], "has no host"),
                              (["--listen"], "--listen needs an address"),
                              (["--listen", "0.0.0.0:80;", "a:1"], "--listen '0.0.0.0:80;' is not host:port"),
                              (["--bogus", "a:1"], "unknown option --bogus"),
                              (["a:1", "a:1"], "replica 'a:1' is named twice"),
                              (["--listen", ":5000", "--health", ":5000", "a:1"], "--listen and --health are both :5000"),
                              (["--tls", "/nonexistent.pem", "a:1"], "--tls /nonexistent.pem: cannot read it"),
                              (["--tls", "a b.pem", "a:1"], "--tls 'a b.pem': use a path"),
                              (["--tls", "/etc/hostname", "a:1"], "needs the certificate chain and the private key")):
            r = self.run_script(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn(message, r.stderr, args)
            self.assertEqual(r.stdout, "", args)


if __name__ == "__main__":
    unittest.main()
