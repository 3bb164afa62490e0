"""Range requests for blobs: single, suffix, open-ended and multi-range (multipart/byteranges), from
cache and from an upstream that has them while strata has not, honours Range or ignores it, or
lies about it."""
import hashlib
import http.client
import json
import random
import re
import unittest

from fault_upstream import FaultUpstream
from harness import ProxyTestCase, Strata, random_layer, wait_for



def parts_of(r):
    """The (Content-Range, bytes) of each part of a multipart/byteranges answer."""
    boundary = re.search(r"boundary=(\S+)", r.header("Content-Type")).group(1).encode()
    body = r.body
    assert body.startswith(b"--" + boundary + b"\r\n") and body.endswith(b"\r\n--" + boundary + b"--\r\n"), body[:200]
    out = []
    for chunk in body[len(boundary) + 4:-(len(boundary) + 8)].split(b"\r\n--" + boundary + b"\r\n"):
        head, _, data = chunk.partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        out.append((fields["Content-Range"], data))
    return out


class BlobRangesTest(ProxyTestCase):
    def start(self, config=None):
        self.upstream = FaultUpstream(self.dir).start()
        self.blob = random_layer(4_000_000, "ranges")
        self.size = len(self.blob)
        self.digest = self.upstream.add_blob(self.blob)
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}, config=config).start()
        self.path = "/v2/fault.test/team/app/blobs/" + self.digest

    def ranged(self, spec):
        return self.strata.get(self.path, headers={"Range": "bytes=" + spec})

    def assert_part(self, r, first, last, cache=None):
        self.assertEqual(r.status, 206, r.body[:300])
        self.assertEqual(r.header("Content-Range"), "bytes %d-%d/%d" % (first, last, self.size))
        self.assertEqual(r.body, self.blob[first:last + 1])
        if cache:
            self.assertEqual(r.header("X-Strata-Cache"), cache)

    def assert_ranges_served(self, cache):
        # Every range lies past the first 2 MiB: a range within 1 MiB of what a running download
        # has written waits for it instead (test_coalescing).
        self.assert_part(self.ranged("2000000-2000099"), 2000000, 2000099, cache)
        self.assert_part(self.ranged("-1000"), self.size - 1000, self.size - 1, cache)
        self.assert_part(self.ranged("3999000-"), 3999000, self.size - 1, cache)
        self.assert_part(self.ranged("%d-9999999" % (self.size - 10)), self.size - 10, self.size - 1, cache)
        r = self.ranged("2500000-2500099,3000000-3000999, -10")
        self.assertEqual(r.status, 206)
        self.assertEqual(r.header("X-Strata-Cache"), cache)
        self.assertEqual(parts_of(r), [("bytes 2500000-2500099/%d" % self.size, self.blob[2500000:2500100]),
                                       ("bytes 3000000-3000999/%d" % self.size, self.blob[3000000:3001000]),
                                       ("bytes %d-%d/%d" % (self.size - 10, self.size - 1, self.size), self.blob[-10:])])

    def assert_refusals(self):
        for spec, why in (("9000000-", "unsatisfiable"), ("3000000-3000099,3000050-3000060", "overlap"),
                          (",".join("%d-%d" % (3000000 + i * 10, 3000000 + i * 10) for i in range(1025)),
                           "1025 ranges")):
            r = self.ranged(spec)
            self.assertEqual(r.status, 416, why)
            self.assertEqual(json.loads(r.body)["errors"][0]["code"], "RANGE_INVALID", why)
        self.assertEqual(self.ranged("9000000-").header("Content-Range"), "bytes */%d" % self.size)

    def test_cached_blob_serves_every_kind_of_range(self):
        self.start()
        self.assertEqual(self.strata.get(self.path).body, self.blob)
        self.assert_ranges_served("hit")
        self.assert_refusals()
        # A header strata may ignore gets the whole blob.
        r = self.strata.get(self.path, headers={"Range": "items=0-1"})
        self.assertEqual((r.status, r.body), (200, self.blob))

    def test_uncached_ranges_come_from_the_upstream_at_once_while_the_whole_blob_is_fetched(self):
        self.start()
        # The whole-blob download (the only request without a Range) stalls after its headers:
        # ranged answers must not wait for it.
        self.upstream.add_fault(self.digest, "serve", hold_after_bytes=0, ranged=False)
        self.assert_ranges_served("miss")
        self.assert_refusals()
        # A zstd:chunked pull asks for hundreds of file chunks at once: ranges a little apart
        # cost one upstream request, the gaps read and dropped.
        before = self.upstream.count("GET", "/blobs/" + self.digest)
        chunks = [(2100000 + i * 1000, 2100000 + i * 1000 + 99) for i in range(300)]
        r = self.ranged(",".join("%d-%d" % c for c in chunks))
        self.assertEqual(parts_of(r), [("bytes %d-%d/%d" % (a, b, self.size), self.blob[a:b + 1]) for a, b in chunks])
        self.assertEqual(self.upstream.count("GET", "/blobs/" + self.digest), before + 1)
        gets = [r for r in self.upstream.requests() if r["method"] == "GET" and self.digest in r["target"]]
        self.assertEqual(sum(1 for r in gets if not r["range"]), 1)  # one whole-blob download
        self.assertIn("bytes=-1000", [r["range"] for r in gets])  # ranges as strata writes them
        self.assertIn("bytes=3000000-3000999", [r["range"] for r in gets])
        wait_for(lambda: self.upstream.held() == 1, what="the whole-blob download to be held")
        self.upstream.release()

        def cached():
            return self.ranged("2000000-2000099").header("X-Strata-Cache") == "hit"
        wait_for(cached, what="the whole blob in the cache")
        before = self.upstream.count("GET", "/blobs/" + self.digest)
        self.assert_ranges_served("hit")
        self.assertEqual(self.upstream.count("GET", "/blobs/" + self.digest), before)
        r = self.strata.get(self.path)
        self.assertEqual((r.status, r.body), (200, self.blob))

    def test_an_upstream_that_ignores_range_still_gives_the_client_its_range(self):
        self.start({"cache": {"range_fetches_whole": False}})
        self.upstream.add_fault(self.digest, "serve", ignore_range=True)
        self.assert_part(self.ranged("1000-1999"), 1000, 1999, "miss")
        self.assert_part(self.ranged("-7"), self.size - 7, self.size - 1, "miss")
        r = self.ranged("10-19,100-109")
        self.assertEqual([data for _, data in parts_of(r)], [self.blob[10:20], self.blob[100:110]])
        # Ranges far apart from an upstream that sends the whole blob: one upstream GET, not 20.
        before = self.upstream.count("GET", "/blobs/" + self.digest)
        chunks = [(i * 150_000, i * 150_000 + 9) for i in range(20)]
        r = self.ranged(",".join("%d-%d" % c for c in chunks))
        self.assertEqual([data for _, data in parts_of(r)], [self.blob[a:b + 1] for a, b in chunks])
        self.assertEqual(self.upstream.count("GET", "/blobs/" + self.digest), before + 1)
        # Out of order beyond 16 upstream requests: refused, nothing asked upstream.
        backwards = ",".join("%d-%d" % (a, b) for a, b in reversed(chunks[:17]))
        r = self.ranged(backwards)
        self.assertEqual(r.status, 416)
        self.assertEqual(self.upstream.count("GET", "/blobs/" + self.digest), before + 1)
        # The whole blob in pieces only ever comes verified.
        self.assertNotEqual(self.ranged("0-99,100-").status, 206)
        # Without range_fetches_whole nothing but the ranges was asked for, and nothing is cached.
        self.assertEqual(self.strata.metric("strata_cache_objects"), 0)

    def test_an_upstream_that_lies_about_its_range_is_not_passed_on(self):
        self.start({"cache": {"range_fetches_whole": False}})
        self.upstream.add_fault(self.digest, "respond", status=206, body="x" * 100,
                                headers={"Content-Range": "bytes 5-104/%d" % self.size})
        r = self.ranged("0-99")
        self.assertEqual(r.status, 502)
        self.assertNotIn(b"xxxx", r.body)
        self.upstream.clear_faults()
        self.upstream.add_fault(self.digest, "respond", status=206, body="x" * 100,
                                headers={"Content-Range": "bytes 0-49/%d" % self.size})  # 100 bytes for 50
        self.assertEqual(self.ranged("0-49").status, 502)
        self.assertIn("range refused", self.strata.read_log())


    def test_a_range_that_is_the_whole_blob_only_ever_comes_verified(self):
        self.start()
        self.upstream.add_fault(self.digest, "wrong_bytes")
        # "bytes=0-" is the whole blob: the verified path, which refuses to finish wrong bytes.
        try:
            r = self.ranged("0-")
            self.assertNotEqual(r.body, self.blob[:0] + bytes(self.size), "a wrong whole blob was sent")
            self.assertNotEqual(r.status, 206)
        except (ConnectionError, http.client.HTTPException):
            pass
        self.assertFalse([r for r in self.upstream.requests() if r["range"]], "the whole blob was asked as a range")
        self.upstream.clear_faults()
        r = self.ranged("0-")
        self.assertEqual((r.status, r.body), (206, self.blob))

    def test_once_the_whole_blob_proved_wrong_its_ranges_are_no_longer_passed_through(self):
        self.start()
        self.upstream.add_fault(self.digest, "wrong_bytes", ranged=False)
        self.assert_part(self.ranged("-1000"), self.size - 1000, self.size - 1, "miss")  # passed through
        wait_for(lambda: self.strata.metric("strata_digest_mismatches_total") >= 1,
                 what="the whole download to fail its digest")
        self.upstream.clear_faults()
        self.upstream.add_fault(self.digest, "wrong_bytes")  # the ranged answers too, now
        gets = self.upstream.count("GET", "/blobs/" + self.digest)
        try:
            r = self.ranged("-1000")
            self.assertNotEqual(r.status, 206, "a range of a blob known to come wrong was passed through")
        except (ConnectionError, http.client.HTTPException):
            pass  # aborted: the verified path refuses to finish a wrong blob
        # It asked for the whole blob again (to verify it), not for the range.
        ranged = [r for r in self.upstream.requests() if r["method"] == "GET" and self.digest in r["target"]][gets:]
        self.assertTrue(ranged and all(not r["range"] for r in ranged))
        self.assertIn("digest mismatch", self.strata.read_log())



class LazyPullTest(ProxyTestCase):
    """A client that reads an uncached 256 MiB blob as stargz-snapshotter does: the footer, then
    the table of contents before it, then scattered chunks, from an upstream paced at 20 MiB/s."""

    def test_footer_toc_and_chunks_arrive_before_the_whole_download_and_the_blob_is_cached_after(self):
        MIB = 1 << 20
        blob = hashlib.shake_256(b"lazy pull test").digest(256 * MIB)
        self.upstream = FaultUpstream(self.dir).start()
        digest = self.upstream.add_blob(blob)
        pace = {"chunk": 65536, "delay_ms": 3}  # 64 KiB every 3 ms: about 20 MiB/s
        # The whole-blob download is held after 8 MiB until the client is done: every range must
        # be answered without waiting for it. (Unpaced, so that once released it ends quickly:
        # the suite's time is a budget; the bench paces it too.)
        self.upstream.add_fault(digest, "serve", ranged=False, hold_after_bytes=8 * MIB)
        self.upstream.add_fault(digest, "trickle", ranged=True, **pace)
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}).start()
        path = "/v2/fault.test/team/app/blobs/" + digest

        def read(spec, expected):
            r = self.strata.get(path, headers={"Range": "bytes=" + spec})
            self.assertEqual(r.status, 206, spec)
            self.assertEqual(r.body, expected, spec)

        footer, toc = 64 * 1024, MIB
        read("-%d" % footer, blob[-footer:])
        toc_first = len(blob) - footer - toc
        read("%d-%d" % (toc_first, len(blob) - footer - 1), blob[toc_first:-footer])
        rng = random.Random(1)
        for _ in range(6):
            first = rng.randrange(16 * MIB, len(blob) - MIB)
            read("%d-%d" % (first, first + 256 * 1024 - 1), blob[first:first + 256 * 1024])
        self.assertEqual(self.strata.metric("strata_cache_objects"), 0, "the whole blob arrived before the ranges")
        wait_for(lambda: self.upstream.held() == 1, what="the whole download held")
        self.upstream.clear_faults()
        self.upstream.release()
        wait_for(lambda: self.strata.metric("strata_cache_objects") == 1, timeout=600, what="the blob cached")
        r = self.strata.get(path)
        self.assertEqual((r.status, r.header("X-Strata-Cache")), (200, "hit"))
        self.assertEqual("sha256:" + hashlib.sha256(r.body).hexdigest(), digest)


if __name__ == "__main__":
    unittest.main()
