"""A purpose-built registry upstream that misbehaves on demand (127.0.0.1 only).

Serves manifests and blobs from memory and can, per blob digest, send bytes that do not
match the digest or cut the body short. Counts every request it gets.
"""
import collections
import http.server
import json
import threading

from harness import OCI_MANIFEST, sha256


class FaultUpstream:
    def __init__(self):
        self.blobs = {}          # digest -> bytes
        self.manifests = {}      # (repo, reference) -> (media type, bytes)
        self.faults = {}         # digest -> "wrong_bytes" | "truncate"
        self.requests = collections.Counter()  # (method, path) -> count
        self.lock = threading.Lock()
        upstream = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_HEAD(self):
                self.handle_any(send_body=False)

            def do_GET(self):
                self.handle_any(send_body=True)

            def handle_any(self, send_body):
                with upstream.lock:
                    upstream.requests[(self.command, self.path)] += 1
                path = self.path.split("?")[0]
                if path == "/v2/":
                    return self.reply(200, "application/json", b"{}", send_body)
                if "/blobs/" in path:
                    digest = path.rsplit("/", 1)[1]
                    data = upstream.blobs.get(digest)
                    if data is None:
                        return self.error(404, "BLOB_UNKNOWN", send_body)
                    fault = upstream.faults.get(digest)
                    if fault == "wrong_bytes":
                        data = bytes(len(data))
                    if fault == "truncate" and send_body:
                        self.send_response(200)
                        self.send_header("Content-Type", "application/octet-stream")
                        self.send_header("Content-Length", str(len(data)))
                        self.end_headers()
                        self.wfile.write(data[: len(data) // 2])
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    return self.reply(200, "application/octet-stream", data, send_body)
                if "/manifests/" in path:
                    repo, reference = path[len("/v2/"):].rsplit("/manifests/", 1)
                    entry = upstream.manifests.get((repo, reference))
                    if entry is None:
                        return self.error(404, "MANIFEST_UNKNOWN", send_body)
                    return self.reply(200, entry[0], entry[1], send_body, sha256(entry[1]))
                return self.error(404, "NAME_UNKNOWN", send_body)

            def reply(self, status, content_type, body, send_body, digest=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if digest:
                    self.send_header("Docker-Content-Digest", digest)
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def error(self, status, code, send_body):
                body = json.dumps({"errors": [{"code": code, "message": code.lower()}]}).encode()
                self.reply(status, "application/json", body, send_body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def add_blob(self, data, fault=None):
        digest = sha256(data)
        self.blobs[digest] = data
        if fault:
            self.faults[digest] = fault
        return digest

    def add_manifest(self, repo, tag, body, media_type=OCI_MANIFEST):
        self.manifests[(repo, tag)] = (media_type, body)
        self.manifests[(repo, sha256(body))] = (media_type, body)
        return sha256(body)

    def blob_gets(self, digest):
        with self.lock:
            return sum(n for (method, path), n in self.requests.items()
                       if method == "GET" and path.split("?")[0].endswith("/blobs/" + digest))
