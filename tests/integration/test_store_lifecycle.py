"""A bounded, self-healing store: eviction under a byte budget with pins and leases, start-up
reconciliation, `strata fsck`, and repeated kill -9 during concurrent pulls."""
import http.client as http_client
import json
import os
import random
import re
import socket
import subprocess
import threading
import unittest

from harness import (OCI_MANIFEST, STRATA, ProxyTestCase, Registry, Strata, counter, http, metric_samples,
                     push_image, random_layer, sha256, wait_for)

UPSTREAM = "upstream.test"


def blob_files(data_dir):
    """{digest: size} of the committed blob files on disk."""
    out = {}
    root = os.path.join(data_dir, "blobs", "sha256")
    for prefix in os.listdir(root):
        for name in os.listdir(os.path.join(root, prefix)):
            out["sha256:" + name] = os.path.getsize(os.path.join(root, prefix, name))
    return out


def fsck(data_dir, *flags):
    return subprocess.run([STRATA, "fsck", "--data-dir", data_dir, *flags], capture_output=True, text=True,
                          timeout=120)


class StoreLifecycleTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = Registry(self.dir).start()

    def start(self, storage=None, extra_args=(), timeouts=None):
        config = {}
        if storage:
            config["storage"] = storage
        if timeouts:
            config["timeouts"] = timeouts
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}, config=config or None,
                             extra_args=list(extra_args)).start()
        return self.strata

    def pull(self, image):
        """Pulls an image's manifest and every blob through strata, checking each body."""
        r = self.strata.get("/v2/%s/%s/manifests/%s" % (UPSTREAM, image.repo, image.tag),
                            headers={"Accept": OCI_MANIFEST})
        self.assertEqual(r.status, 200)
        for digest, data in image.blobs.items():
            r = self.strata.get("/v2/%s/%s/blobs/%s" % (UPSTREAM, image.repo, digest))
            self.assertEqual(r.status, 200)
            self.assertEqual(sha256(r.body), digest)

    def metrics(self):
        return metric_samples(self.strata.get("/metrics").body.decode())

    def test_eviction_keeps_the_store_under_budget_and_spares_pinned_images(self):
        pinned = push_image(self.upstream, "pinned/app", "v1", [random_layer(150_000, "pin-%d" % i) for i in range(2)])
        others = [push_image(self.upstream, "team/app%d" % n, "v1",
                             [random_layer(200_000, "img-%d-%d" % (n, i)) for i in range(2)]) for n in range(6)]
        max_bytes, high = 1_200_000, 0.9
        self.start({"max_bytes": max_bytes, "high_watermark": high, "low_watermark": 0.6,
                    "eviction_policy": "lru", "pinned": ["%s/pinned/app:v1" % UPSTREAM]})
        data_dir = self.strata.data_dir
        self.pull(pinned)
        for image in others:
            self.pull(image)
            # The last blob reaches the client before strata has stored and counted it.
            wait_for(lambda: counter(self.metrics(), "strata_fetches_in_flight") == 0,
                     what="the downloads to be stored")
            wait_for(lambda: counter(self.metrics(), "strata_cache_bytes") <= high * max_bytes,
                     what="eviction below the high watermark")
            on_disk = blob_files(data_dir)
            self.assertLessEqual(sum(on_disk.values()), high * max_bytes)
            for digest in pinned.blobs:
                self.assertIn(digest, on_disk, "a pinned blob was evicted")
        samples = self.metrics()
        self.assertGreater(counter(samples, "strata_evictions_total"), 0)
        self.assertGreater(counter(samples, "strata_evicted_bytes_total"), 0)
        # The least recently used image went first; the index knows it is incomplete, its
        # manifest still serves and its layers come back.
        self.assertNotIn(next(iter(others[0].blobs)), blob_files(data_dir))
        status = json.loads(self.strata.get("/api/v1/image?ref=%s/team/app0:v1" % UPSTREAM).body)
        self.assertFalse(status["complete"])
        self.assertEqual(status["blobs"], 3)
        self.assertIn(next(iter(others[0].blobs)), status["missing_blobs"])
        pinned_status = json.loads(self.strata.get("/api/v1/image?ref=%s/pinned/app:v1" % UPSTREAM).body)
        self.assertTrue(pinned_status["complete"])
        self.pull(others[0])
        self.assertTrue(json.loads(self.strata.get("/api/v1/image?ref=%s/team/app0:v1" % UPSTREAM).body)["complete"])
        self.assertEqual(self.strata.get("/api/v1/image?ref=%s/team/never:v1" % UPSTREAM).status, 404)
        self.assertEqual(self.strata.get("/api/v1/image?ref=nonsense").status, 400)
        # A digest ref names a cached image only when its manifest is cached; a ref whose
        # upstream part is not UTF-8 is answered, never a failure.
        self.assertEqual(self.strata.get("/api/v1/image?ref=%s/team/app0@sha256:%s" % (UPSTREAM, "ab" * 32)).status, 404)
        cached = self.strata.get("/api/v1/image?ref=%s/team/app0:v1" % UPSTREAM).json()["digest"]
        by_digest = self.strata.get("/api/v1/image?ref=%s/team/app0@%s" % (UPSTREAM, cached))
        self.assertEqual((by_digest.status, by_digest.json()["complete"]), (200, True))
        odd = self.strata.get("/api/v1/image?ref=%%ff%%fe/team/app0@%s" % cached)
        self.assertEqual(odd.status, 200)
        self.assertEqual(odd.json()["ref"], "\ufffd\ufffd/team/app0@" + cached)
        self.assertEqual(fsck(data_dir).returncode, 0)

    def test_the_start_line_says_what_the_store_holds_and_may_keep(self):
        image = push_image(self.upstream, "team/app", "v1", [random_layer(100_000, "summary-%d" % i) for i in range(2)])
        storage = {"max_bytes": 5_000_000, "eviction_policy": "sieve", "pinned": ["%s/team/app:v1" % UPSTREAM]}
        self.start(storage)
        self.pull(image)
        self.strata.stop()
        self.start(storage)
        lines = re.findall(r"strata store budget=(.+?) eviction=(\S+) pins=(\d+) cached_bytes=(\d+) "
                           r"cached_objects=(\d+) upstreams=(\S+)\n", self.strata.read_log())
        self.assertTrue(lines, self.strata.read_log())
        budget, policy, pins, cached_bytes, cached_objects, upstreams = lines[-1]  # this start's
        samples = self.metrics()
        self.assertEqual((budget, policy, pins), ("5.0 MB", "sieve", "1"))
        self.assertIn(UPSTREAM, upstreams.split(","))
        self.assertEqual(int(cached_bytes), counter(samples, "strata_cache_bytes"))
        self.assertEqual(int(cached_objects), counter(samples, "strata_cache_objects"))
        self.assertGreaterEqual(int(cached_bytes), sum(len(b) for b in image.blobs.values()))
        self.assertEqual(int(cached_objects), len(image.blobs))

    def test_pins_added_through_the_admin_api_survive_eviction_and_restarts(self):
        keep = push_image(self.upstream, "team/keep", "v1", [random_layer(300_000, "keep")])
        fillers = [push_image(self.upstream, "team/fill%d" % n, "v1", [random_layer(300_000, "pfill-%d" % n)])
                   for n in range(5)]
        budget = {"max_bytes": 1_000_000, "high_watermark": 0.9, "low_watermark": 0.5}
        self.start(budget)
        pins = self.strata.url + "/api/v1/pins"
        ref = "%s/team/keep:v1" % UPSTREAM
        self.assertEqual(http("PUT", pins + "?ref=" + ref, data=b"").status, 200)
        self.assertEqual(http("PUT", pins + "?ref=not-a-ref", data=b"").status, 400)
        self.assertEqual(http("DELETE", pins + "?ref=%s/team/other:v1" % UPSTREAM).status, 404)
        self.assertEqual(http("POST", pins + "?ref=" + ref, data=b"").status, 405)
        self.strata.stop()
        self.start(budget)  # the pin is kept in the index
        pins = self.strata.url + "/api/v1/pins"
        self.assertEqual(json.loads(http("GET", pins).body), {"config": [], "api": [ref]})
        self.pull(keep)
        for image in fillers:
            self.pull(image)
        wait_for(lambda: counter(self.metrics(), "strata_evictions_total") > 0, what="an eviction")
        for digest in keep.blobs:
            self.assertIn(digest, blob_files(self.strata.data_dir), "a pinned blob was evicted")
        self.assertEqual(http("DELETE", pins + "?ref=" + ref).status, 200)
        self.assertEqual(json.loads(http("GET", pins).body)["api"], [])
        # A pin whose upstream part is not UTF-8 is listed with U+FFFD; the list keeps answering.
        self.assertEqual(http("PUT", pins + "?ref=%ff/team/keep:v1", data=b"").status, 200)
        self.assertEqual(json.loads(http("GET", pins).body)["api"], ["\ufffd/team/keep:v1"])
        self.assertEqual(http("DELETE", pins + "?ref=%ff/team/keep:v1").status, 200)

    def test_a_blob_streaming_to_a_slow_client_is_not_evicted_under_it(self):
        # Bigger than the kernel's socket buffers, so the server is still sending while we wait.
        big = push_image(self.upstream, "team/big", "v1", [random_layer(20_000_000, "big")])
        fillers = [push_image(self.upstream, "team/fill%d" % n, "v1", [random_layer(4_000_000, "fill-%d" % n)])
                   for n in range(3)]
        # The slow read below waits for the filler pulls: no client timeout may end it first.
        self.start({"max_bytes": 24_000_000, "high_watermark": 0.9, "low_watermark": 0.5},
                   timeouts={"client_idle_ms": 600_000})
        self.pull(big)
        layer = [d for d, b in big.blobs.items() if len(b) > 1_000_000][0]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)  # before connect: a small window
        sock.settimeout(300)
        sock.connect(("127.0.0.1", self.strata.port))
        sock.sendall(("GET /v2/%s/team/big/blobs/%s HTTP/1.1\r\nHost: s\r\nConnection: close\r\n\r\n"
                      % (UPSTREAM, layer)).encode())
        received = sock.recv(4096)
        for image in fillers:  # pushes the store far past its budget while the slow read goes on
            self.pull(image)
        wait_for(lambda: counter(self.metrics(), "strata_evictions_total") > 0, what="an eviction")
        self.assertIn(layer, blob_files(self.strata.data_dir), "evicted while being served")
        while True:
            chunk = sock.recv(1 << 16)
            if not chunk:
                break
            received += chunk
        sock.close()
        head, _, body = received.partition(b"\r\n\r\n")
        self.assertIn(b" 200 ", head.split(b"\r\n")[0])
        self.assertEqual(sha256(body), layer)

    def test_restart_reconciles_files_and_index_and_fsck_repairs_corruption(self):
        image = push_image(self.upstream, "team/app", "v1", [random_layer(300_000, "rec-%d" % i) for i in range(3)])
        self.start()
        self.pull(image)
        data_dir = self.strata.data_dir
        self.strata.stop()
        layers = sorted(d for d, b in image.blobs.items() if len(b) > 100_000)
        path = lambda d: os.path.join(data_dir, "blobs", "sha256", d[7:9], d[7:])
        os.remove(path(layers[0]))                           # index entry without a file
        stray = os.path.join(data_dir, "blobs", "sha256", "ab", "ab" + "0" * 62)
        os.makedirs(os.path.dirname(stray), exist_ok=True)
        with open(stray, "wb") as f:                           # a file whose bytes are not its name
            f.write(b"not this content")
        extra = b"a blob the index never heard of"
        os.makedirs(os.path.dirname(path(sha256(extra))), exist_ok=True)
        with open(path(sha256(extra)), "wb") as f:             # a good file without an index entry
            f.write(extra)

        self.start()
        log = self.strata.read_log()
        self.assertIn("indexed blob without a file: " + layers[0], log)
        self.assertIn("unindexed file with wrong content", log)
        self.assertIn("adopted 1 verified blobs", log)
        self.assertFalse(os.path.exists(stray))
        self.pull(image)  # the lost layer is fetched again
        self.strata.stop()
        self.assertEqual(fsck(data_dir).returncode, 0)

        with open(path(layers[1]), "r+b") as f:                # flip a byte: same size, wrong content
            f.seek(1000)
            byte = f.read(1)
            f.seek(1000)
            f.write(bytes([byte[0] ^ 0xFF]))
        report = fsck(data_dir)
        self.assertEqual(report.returncode, 1, report.stdout)
        self.assertIn("corrupt blob " + layers[1], report.stdout)
        self.assertIn("damage found", report.stdout)
        self.assertTrue(os.path.exists(path(layers[1])), "fsck without --repair changed the store")
        repaired = fsck(data_dir, "--repair")
        self.assertEqual(repaired.returncode, 0, repaired.stdout)
        self.assertIn("damage repaired", repaired.stdout)
        self.assertFalse(os.path.exists(path(layers[1])))
        again = fsck(data_dir)
        self.assertEqual(again.returncode, 0)
        self.assertIn("store is sound", again.stdout)
        self.start()
        self.pull(image)

    def test_a_full_disk_fails_the_fetch_cleanly_evicts_and_keeps_serving(self):
        disk = os.path.join(self.dir, "small-disk")
        os.makedirs(disk)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", disk], capture_output=True)
        if mounted.returncode != 0:
            self.skipTest("cannot mount a tmpfs here: " + mounted.stderr.decode().strip())
        self.addCleanup(subprocess.run, ["umount", "-l", disk], capture_output=True)
        cached = push_image(self.upstream, "team/cached", "v1", [random_layer(8_000_000, "full-%d" % i) for i in range(3)])
        big = push_image(self.upstream, "team/big", "v1", [random_layer(30_000_000, "full-big")])
        self.strata = Strata(self.dir, {UPSTREAM: self.upstream.url}, data_dir=os.path.join(disk, "strata")).start()
        self.pull(cached)
        layer = [d for d, b in big.blobs.items() if len(b) > 1_000_000][0]
        path = "/v2/%s/team/big/blobs/%s" % (UPSTREAM, layer)
        try:
            first = self.strata.get(path)
            failed = first.status != 200 or sha256(first.body) != layer
        except (OSError, http_client.HTTPException):
            failed = True  # headers were out, then the transfer was cut: never a complete wrong blob
        self.assertTrue(failed, "a 30 MB blob cannot fit beside 24 MB on a 48 MB disk")
        wait_for(lambda: "disk full: evicted" in self.strata.read_log(), what="eviction for a full disk")
        self.assertEqual(os.listdir(os.path.join(disk, "strata", "tmp")), [])
        self.assertNotIn(layer, blob_files(self.strata.data_dir))
        self.assertEqual(self.strata.get("/v2/").status, 200)
        # A client's retries fit once older layers made room. Each failure evicts only the
        # shortfall, at most a quarter of the store at once, so this may take more than one retry;
        # each waits until the failed fetch is gone (a request would join it) and its eviction ran.
        retry = None
        for attempt in range(1, 6):
            wait_for(lambda: self.strata.metric("strata_fetches_in_flight") == 0, what="the failed fetch to end")
            wait_for(lambda: self.strata.read_log().count("disk full: evicted") >= attempt,
                     what="the eviction after failure %d" % attempt)
            try:
                retry = self.strata.get(path)
            except (OSError, http_client.HTTPException):
                continue
            if retry.status == 200 and sha256(retry.body) == layer:
                break
        self.assertEqual(retry.status, 200)
        self.assertEqual(sha256(retry.body), layer)
        config = [d for d, b in cached.blobs.items() if len(b) < 1_000_000][0]
        self.assertEqual(self.strata.get("/v2/%s/team/cached/blobs/%s" % (UPSTREAM, config)).status, 200)
        self.strata.stop()
        self.assertEqual(fsck(self.strata.data_dir).returncode, 0)

    def test_fsck_refuses_bad_usage(self):
        self.assertEqual(fsck(os.path.join(self.dir, "nothing-here")).returncode, 2)
        self.assertEqual(subprocess.run([STRATA, "fsck", "--bogus"], capture_output=True).returncode, 2)

    def test_kill_9_during_concurrent_pulls_never_leaves_a_bad_store(self):
        images = [push_image(self.upstream, "team/crash%d" % n, "v1",
                             [random_layer(1_500_000, "crash-%d-%d" % (n, i)) for i in range(3)]) for n in range(4)]
        rng = random.Random(7)
        self.start()
        data_dir = self.strata.data_dir
        for iteration in range(12):
            stop = threading.Event()
            done = threading.Semaphore(0)  # one release per blob GET answered in this iteration

            def puller(image):
                while not stop.is_set():
                    for digest in image.blobs:
                        try:
                            r = http("GET", "%s/v2/%s/%s/blobs/%s" % (self.strata.url, UPSTREAM, image.repo, digest),
                                     timeout=300)
                        except (OSError, http_client.HTTPException):
                            return  # strata was killed mid-response
                        if r.status == 200 and sha256(r.body) != digest:
                            self.fail("wrong bytes served for " + digest)
                        done.release()
            threads = [threading.Thread(target=puller, args=(img,)) for img in images]
            for t in threads:
                t.start()
            # Killed after a random number of answered GETs (0: while the first ones start), with
            # the other pullers' requests and fetches in progress.
            for _ in range(rng.randrange(0, 12)):
                self.assertTrue(done.acquire(timeout=300), "iteration %d: the pullers stopped" % iteration)
            self.strata.stop(sig=9)
            stop.set()
            for t in threads:
                t.join()
            report = fsck(data_dir)  # before the restart: only the reconciliation may differ
            self.assertNotIn("corrupt blob", report.stdout, "iteration %d" % iteration)
            self.start()
            self.assertEqual(self.strata.data_dir, data_dir)
        for image in images:
            self.pull(image)
        self.strata.stop()
        final = fsck(data_dir)
        self.assertEqual(final.returncode, 0, final.stdout)
        self.assertIn("store is sound", final.stdout)


if __name__ == "__main__":
    unittest.main()


class StartUpErrorsTest(ProxyTestCase):
    """Mistakes at start-up are said in the user's words, not RocksDB's or Boost's."""

    def serve(self, *args):
        return subprocess.run([STRATA, "serve", *args], capture_output=True, text=True, timeout=60)

    def test_a_second_strata_on_a_data_directory_or_a_port_is_refused_by_name(self):
        self.strata = Strata(self.dir, {}).start()
        data_dir = self.strata.data_dir
        r = self.serve("--listen", "127.0.0.1:0", "--data-dir", data_dir)
        self.assertEqual(r.returncode, 1)
        self.assertIn("strata is already running on this data directory (%s, pid %d)" % (data_dir, self.strata.proc.pid),
                      r.stderr)
        self.assertNotIn("LOCK", r.stderr)
        r = self.serve("--listen", self.strata.host, "--data-dir", os.path.join(self.dir, "other"))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot listen on %s: address in use" % self.strata.host, r.stderr)
        self.assertNotIn("boost", r.stderr)
        repair = fsck(data_dir, "--repair")
        self.assertEqual(repair.returncode, 1)
        self.assertIn("strata is already running on this data directory", repair.stderr)
        self.assertEqual(fsck(data_dir).returncode, 0)  # a report may run beside it
        self.strata.stop()
        self.strata.start()  # the lock went with the process
