"""Hostile or careless clients: HEAD responses that never carry a body, RFC 9112 framing that is
refused and ends the connection, an admin token that cannot be guessed at line rate, an events
import whose body is read only from an admin and only when bounded, an admin API
that is off on an exposed listener without a token, and idle connections that cannot starve the
server of file descriptors."""
import http.client
import json
import socket
import time
import unittest

from fault_upstream import FaultUpstream
from harness import (ProxyTestCase, Strata, counter, metric_samples, random_layer, sha256, start_and_read_port,
                     wait_for)
from harness import http as http_call

ADMIN_TOKEN = "s3cret"


def metrics(strata):
    r = strata.get("/metrics")
    assert r.status == 200, (r.status, r.body)
    return metric_samples(r.body.decode())


def raw_exchange(port, head, timeout=30):
    """Sends head (the request's bytes, no body) on a fresh connection and reads until strata
    closes it. Returns (status code, everything read, closed): closed is False when strata kept
    the connection open for timeout seconds after answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head)
        data = b""
        closed = False
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                data += chunk
        except socket.timeout:
            pass
        except ConnectionResetError:
            closed = True
    status_line = data.split(b"\r\n", 1)[0]
    parts = status_line.split(b" ", 2)
    status = int(parts[1]) if len(parts) >= 2 and parts[1].isdigit() else None
    return status, data, closed


def open_idle_connections(port, count):
    """count TCP connections to strata that send nothing; the caller keeps (and closes) them."""
    return [socket.create_connection(("127.0.0.1", port), timeout=30) for _ in range(count)]


class HeadHasNoBodyTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.blob = random_layer(2_000, "head-no-body")
        self.digest = self.upstream.add_blob(self.blob)
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url},
                             config={"admin": {"token": ADMIN_TOKEN}}).start()

    def test_head_never_sends_a_body_and_its_content_length_matches_get(self):
        """HEAD answers of every kind (416 on a cached blob, 405 on the push endpoint, 404 for an
        unknown path, 401 from the admin API) carry no body: the next request on the same
        keep-alive connection (GET /v2/) is answered cleanly with 200 "{}", which a stray body
        would have corrupted. Each HEAD's Content-Length is the length of the body GET sends for
        the same request."""
        blob_path = "/v2/fault.test/team/app/blobs/" + self.digest
        r = self.strata.get(blob_path)
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(sha256(r.body), self.digest)

        conn = http.client.HTTPConnection("127.0.0.1", self.strata.port, timeout=60)
        self.addCleanup(conn.close)
        cases = [
            (blob_path, {"Range": "bytes=999999999-"}, 416),
            ("/v2/fault.test/team/app/blobs/uploads/", {}, 405),
            ("/no/such/path", {}, 404),
            ("/api/v1/stats", {}, 401),
        ]
        for path, headers, expected in cases:
            with self.subTest(path=path, status=expected):
                conn.request("HEAD", path, headers=headers)
                head = conn.getresponse()
                head.read()  # http.client reads nothing for HEAD: any body stays in the socket
                self.assertEqual(head.status, expected)
                head_length = head.getheader("Content-Length")
                self.assertIsNotNone(head_length, "HEAD %s has no Content-Length" % path)
                sock = conn.sock
                self.assertIsNotNone(sock, "strata closed the connection after HEAD %s" % path)

                conn.request("GET", "/v2/")
                try:
                    probe = conn.getresponse()
                    probe_body = probe.read()
                except http.client.HTTPException as e:
                    self.fail("the response after HEAD %s was corrupted (a stray HEAD body?): %r" % (path, e))
                self.assertEqual((probe.status, probe_body), (200, b"{}"),
                                 "GET /v2/ after HEAD %s on the same connection" % path)
                self.assertIs(conn.sock, sock, "the probe did not use the same connection")

                conn.request("GET", path, headers=headers)
                get = conn.getresponse()
                get_body = get.read()
                self.assertEqual(get.status, expected)
                self.assertEqual(int(head_length), len(get_body),
                                 "HEAD's Content-Length is not GET's body length for %s" % path)


class RequestFramingTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url}).start()

    def request(self, *header_lines):
        return ("\r\n".join(header_lines) + "\r\n\r\n").encode("latin-1")

    def test_ambiguous_framing_is_refused_and_the_connection_closed(self):
        """RFC 9112: a transfer coding strata does not implement ("chunked, identity",
        "xchunked") gets 501; Transfer-Encoding with Content-Length, an HTTP/1.1 request without
        Host, and two Host fields get 400. After each answer strata closes the connection, so no
        bytes a front proxy framed differently can be read as a next request."""
        host = "Host: 127.0.0.1:%d" % self.strata.port
        cases = [
            ("TE chunked, identity", 501,
             self.request("GET /v2/ HTTP/1.1", host, "Transfer-Encoding: chunked, identity")),
            ("TE xchunked", 501, self.request("GET /v2/ HTTP/1.1", host, "Transfer-Encoding: xchunked")),
            ("TE chunked + Content-Length", 400,
             self.request("GET /v2/ HTTP/1.1", host, "Transfer-Encoding: chunked", "Content-Length: 5")),
            ("HTTP/1.1 without Host", 400, self.request("GET /v2/ HTTP/1.1")),
            ("two Host fields", 400, self.request("GET /v2/ HTTP/1.1", host, "Host: other.example")),
        ]
        for name, expected, head in cases:
            with self.subTest(name):
                status, data, closed = raw_exchange(self.strata.port, head)
                self.assertEqual(status, expected, data[:300])
                self.assertTrue(closed, "strata kept the connection open after refusing: %s" % name)
        # A well-framed request still works.
        status, data, closed = raw_exchange(self.strata.port, self.request("GET /v2/ HTTP/1.1", host,
                                                                           "Connection: close"))
        self.assertEqual(status, 200, data[:300])


class AdminTokenTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url},
                             config={"admin": {"token": ADMIN_TOKEN}}).start()

    def test_wrong_tokens_are_throttled_after_ten_failures(self):
        """The right token works; ten wrong tokens from one address get 401 each; the eleventh
        attempt from that address is refused with 429 and Retry-After without even checking the
        token, so a guesser cannot try tokens at line rate."""
        right = {"Authorization": "Bearer " + ADMIN_TOKEN}
        r = self.strata.get("/api/v1/stats", headers=right)
        self.assertEqual(r.status, 200, r.body)
        for i in range(10):
            r = self.strata.get("/api/v1/stats", headers={"Authorization": "Bearer wrong-%d" % i})
            self.assertEqual(r.status, 401, "attempt %d: %s" % (i + 1, r.body))
        r = self.strata.get("/api/v1/stats", headers=right)
        self.assertEqual(r.status, 429, r.body)
        self.assertTrue(r.header("Retry-After"), "429 without Retry-After")
        self.assertTrue(int(r.header("Retry-After")) > 0)


class EventsImportTest(ProxyTestCase):
    """POST /api/v1/events: the one request strata reads a body of, and only from an admin."""
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url},
                             config={"admin": {"token": ADMIN_TOKEN}}).start()

    def head(self, length, *fields):
        lines = ["POST /api/v1/events HTTP/1.1", "Host: strata", "Content-Length: %d" % length, *fields]
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def imported(self, run):
        r = self.strata.get("/api/v1/events?format=jsonl", headers={"Authorization": "Bearer " + ADMIN_TOKEN})
        self.assertEqual(r.status, 200, r.body)
        return [json.loads(l) for l in r.body.decode().splitlines() if ("run=" + run) in l]

    def test_bodies_are_refused_before_a_byte_is_read_unless_an_admin_sends_a_bounded_one(self):
        auth = "Authorization: Bearer " + ADMIN_TOKEN
        # Each refusal comes at once and closes the connection, the body never sent: strata
        # did not wait for it.
        for fields, length, status in ((["Authorization: Bearer wrong"], 100, 401), ([], 100, 401),
                                       ([auth], 8 * 1024 * 1024 + 1, 413)):
            got, data, closed = raw_exchange(self.strata.port, self.head(length, *fields))
            self.assertEqual((got, closed), (status, True), data[:300])
        got, data, closed = raw_exchange(self.strata.port, ("POST /api/v1/events HTTP/1.1\r\nHost: strata\r\n%s\r\n"
                                                            "Transfer-Encoding: chunked\r\n\r\n" % auth).encode())
        self.assertEqual((got, closed), (411, True), data[:300])
        # A body anywhere else is refused at once too, before a byte of it is sent.
        for head in (b"GET /api/v1/stats HTTP/1.1\r\nHost: s\r\nContent-Length: 99999999999\r\n\r\n",
                     b"POST /api/v1/prefetch HTTP/1.1\r\nHost: s\r\n%s\r\nContent-Length: 3\r\n\r\n" % auth.encode(),
                     b"GET /v2/ HTTP/1.1\r\nHost: s\r\nTransfer-Encoding: chunked\r\n\r\n"):
            got, data, closed = raw_exchange(self.strata.port, head)
            self.assertEqual((got, closed), (400, True), data[:300])
            self.assertIn(b"strata takes no request body here", data)

    def test_an_admin_records_events_whole_or_not_at_all(self):
        now = time.time_ns()
        events = [{"ts_ns": now - i, "kind": "trial", "node": "bench", "bytes_sent": 4096 * i,
                   "labels": "run=imp1,strategy=direct"} for i in range(3)]
        body = "\n".join(json.dumps(e) for e in events).encode()
        url = self.strata.url + "/api/v1/events"
        auth = {"Authorization": "Bearer " + ADMIN_TOKEN}
        bad = body + b'\n{"ts_ns": %d, "kind": "blob"}\n' % now
        r = http_call("POST", url, headers=auth, data=bad)
        self.assertEqual(r.status, 400, r.body)
        self.assertIn("events not recorded: line 4: 'labels' must name a run", r.json()["errors"][0]["message"])
        old = b'{"ts_ns": 1000, "kind": "blob", "labels": "run=imp1"}'
        self.assertIn("older than this strata keeps events", http_call("POST", url, headers=auth, data=old).json()["errors"][0]["message"])
        ahead = b'{"ts_ns": 9223372036854775807, "kind": "blob", "labels": "run=imp1"}'
        self.assertIn("'ts_ns' is in the future", http_call("POST", url, headers=auth, data=ahead).json()["errors"][0]["message"])
        self.assertEqual(self.imported("imp1"), [])
        # A client that waits for "100 Continue" gets it, then its answer on the same connection.
        with socket.create_connection(("127.0.0.1", self.strata.port), timeout=30) as s:
            s.sendall(self.head(len(body), "Authorization: Bearer " + ADMIN_TOKEN, "Expect: 100-continue"))
            self.assertEqual(s.recv(25), b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(body)
            answer = b""
            while b'"recorded":3}' not in answer:
                chunk = s.recv(4096)
                self.assertTrue(chunk, answer)
                answer += chunk
        self.assertTrue(answer.startswith(b"HTTP/1.1 200 "), answer)
        got = sorted(self.imported("imp1"), key=lambda e: -e["ts_ns"])
        self.assertEqual([(e["ts_ns"], e["kind"], e["node"], e["bytes_sent"], e["labels"]) for e in got],
                         [(e["ts_ns"], e["kind"], e["node"], e["bytes_sent"], e["labels"]) for e in events])
        # Twice the same body: twice the events (an import is not deduplicated).
        self.assertEqual(http_call("POST", url, headers=auth, data=body).json(), {"recorded": 3})
        self.assertEqual(len(self.imported("imp1")), 6)


class ExposedListenerTest(ProxyTestCase):
    def test_admin_api_is_off_on_an_exposed_listener_without_a_token(self):
        """Listening on 0.0.0.0 with no admin token, strata says at startup that the admin API is
        disabled and answers /api/v1/stats with 404 even to a loopback client, while the registry
        API (/v2/) and /metrics keep working."""
        self.upstream = FaultUpstream(self.dir).start()
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url})
        self.strata.proc, self.strata.port = start_and_read_port(
            self.strata.command("0.0.0.0:0"), self.strata.log_path, rb"address=0\.0\.0\.0:(\d+)", "strata")
        wait_for(lambda: "admin API disabled" in self.strata.read_log(), what="the admin-disabled warning")
        r = self.strata.get("/api/v1/stats")
        self.assertEqual(r.status, 404, r.body)
        # The events import says so too, before its body is read.
        got, data, closed = raw_exchange(self.strata.port, b"POST /api/v1/events HTTP/1.1\r\nHost: s\r\n"
                                                           b"Content-Length: 100\r\n\r\n")
        self.assertEqual((got, closed), (404, True), data[:300])
        self.assertIn(b"the admin API is disabled on this listener", data)
        r = self.strata.get("/v2/")
        self.assertEqual((r.status, r.body), (200, b"{}"))
        r = self.strata.get("/metrics")
        self.assertEqual(r.status, 200)
        self.assertIn(b"strata_", r.body)


class IdleConnectionsTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        self.blobs = [random_layer(5_000, "idle-%d" % i) for i in range(20)]
        self.digests = [self.upstream.add_blob(b) for b in self.blobs]

    def hold_idle(self, count):
        idle = open_idle_connections(self.strata.port, count)
        self.addCleanup(lambda: [s.close() for s in idle])
        return idle

    def pull_all(self):
        """Each pull on a fresh connection (urllib opens one per request)."""
        for digest in self.digests:
            r = self.strata.get("/v2/fault.test/team/app/blobs/" + digest)
            self.assertEqual(r.status, 200, r.body)
            self.assertEqual(sha256(r.body), digest)

    def test_idle_connections_past_the_cap_are_closed_to_make_room(self):
        """With server.max_connections 40, 100 idle connections (connected, nothing sent) do not
        lock out real clients: the longest-idle ones are closed to make room, 20 pulls each on a
        fresh connection all succeed, and /metrics reports the cap, at most 40 open, and at least
        60 closed for room."""
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url},
                             config={"server": {"max_connections": 40}}).start()
        self.hold_idle(100)
        wait_for(lambda: counter(metrics(self.strata), "strata_client_connections_closed_total") >= 60,
                 timeout=60, what="idle connections closed for room")
        self.pull_all()
        samples = metrics(self.strata)
        self.assertEqual(counter(samples, "strata_client_connections_limit"), 40)
        self.assertLessEqual(counter(samples, "strata_client_connections"), 40)
        self.assertGreaterEqual(counter(samples, "strata_client_connections_closed_total"), 60)

    def test_the_cap_follows_the_file_descriptor_limit(self):
        """Under an fd limit of 256 (prlimit) and no configured cap, strata derives a connection
        cap below the limit; 600 idle connections get the longest-idle closed instead of exhausting
        descriptors (EMFILE), and 20 pulls each on a fresh connection all succeed."""
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url})
        self.strata.proc, self.strata.port = start_and_read_port(
            ["prlimit", "--nofile=256:256"] + self.strata.command(), self.strata.log_path,
            rb"strata listening address=127\.0\.0\.1:(\d+)", "strata under prlimit")
        limit = counter(metrics(self.strata), "strata_client_connections_limit")
        self.assertGreater(limit, 0)
        self.assertLess(limit, 256, "the derived cap leaves no descriptors for the store and upstreams")
        self.hold_idle(600)

        def all_accepted():
            s = metrics(self.strata)
            return (counter(s, "strata_client_connections_closed_total") +
                    counter(s, "strata_client_connections_refused_total")) >= 600 - limit
        wait_for(all_accepted, timeout=120, what="the 600 idle connections to be accepted and trimmed")
        self.pull_all()
        samples = metrics(self.strata)
        self.assertLessEqual(counter(samples, "strata_client_connections"), limit)


if __name__ == "__main__":
    unittest.main()
