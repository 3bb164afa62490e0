// strata_fault_upstream: a registry upstream for tests that misbehaves on demand (127.0.0.1 only).
//
// Serves blobs and manifests put into it over its control API, optionally behind bearer
// or basic auth with short-lived tokens from its own realm, and applies scripted faults:
// an HTTP status (with Retry-After), a connection reset mid-body, wrong bytes, a trickled
// body, a redirect to another origin or to an exact URL, or any scripted response (status,
// headers, body and a Content-Length that may lie). A fault can hold its response until the
// test releases it, before the response or after part of a blob's body, so tests wait on
// conditions instead of timing. It records every request.
//
// Control API (same port):
//   PUT    /_control/blobs[?digest=sha512]       body = blob bytes; answers its digest (sha256
//                                                unless asked); either digest then addresses it
//   PUT    /_control/manifests/<repo>/<tag>[?digest=sha512]  body = manifest, Content-Type = media
//                                                type; answers and is addressed as a blob is
//   POST   /_control/faults                      JSON {"match": "<substring of target>", "action": ...}
//   DELETE /_control/faults                      removes every fault
//   GET    /_control/requests                    JSON list of {method, target, authorization, range, connection}
//   POST   /_control/expire-tokens               invalidates every issued token
//   POST   /_control/token-ttl                   JSON {"expires_in": s, "valid_for": s}: tokens issued
//                                                from now on announce expires_in and are accepted for
//                                                valid_for (default expires_in); both start at --token-ttl
//   GET    /_control/held                        how many responses are held right now
//   POST   /_control/release                     lets every held response go
//
// Referrers (OCI 1.1): GET /v2/<repo>/referrers/<digest>[?artifactType=] lists the manifests of
// repo whose "subject" is digest (artifactType: the manifest's, else its config's mediaType),
// filtered with OCI-Filters-Applied, --referrers-page-size entries a page with a Link to the
// next. --referrers none answers that endpoint 404, as distribution 2.8 does: clients then use
// the referrers tag schema (an index tagged "sha256-<hex>").
//
// Fault actions: serve (the normal answer, e.g. with a hold_after_bytes; a manifest's with the
// fault's "headers" added), status (with "headers" too), reset,
// wrong_bytes, trickle (any blob fault with delay_ms paces the body), delay, redirect (location
// + the request's target, or location alone with "exact"), respond ("status", "headers" object,
// "body" string, "content_length" sent verbatim in place of the real length; the connection
// closes after the body). "hold": true on any fault holds the matching request until
// /_control/release; "hold_after_bytes": n on a blob fault sends the headers and the first n
// body bytes, then holds the rest until /_control/release (with "hold" too, that takes a second
// release); both count in /_control/held. "chance": p applies it to that share of the matching
// requests only, drawn at random (the first matching fault that applies wins). Blobs honour a
// single Range ("bytes=a-b", "a-", "-n": 206 with Content-Range, the fault applied to the slice)
// unless the fault says "ignore_range": true. "ranged": true/false applies a fault only to
// requests with/without a Range header. "latency_ms": n waits n ms before any answer (a WAN's
// round trip). "interim": n writes n interim responses ("interim_status", default 103 Early
// Hints) before the fault's answer.
#include "storage/oci/digest.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <chrono>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
constexpr auto with_ec = asio::as_tuple(asio::use_awaitable);

// Content is kept under its sha256 and its sha512 digest, so either addresses it.
std::vector<std::string> both_digests(std::string_view body) {
    return {strata::storage::sha256_of(body).str(),
            strata::storage::digest_of(body, strata::storage::digest_algorithm::sha512).str()};
}

// The digest a control PUT answers: sha512 when the target asks "?digest=sha512", else sha256.
std::string answered_digest(const std::string& target, std::string_view body) {
    const bool sha512 = target.ends_with("?digest=sha512");
    return strata::storage::digest_of(body, sha512 ? strata::storage::digest_algorithm::sha512
                                                   : strata::storage::digest_algorithm::sha256)
        .str();
}

struct fault {
    std::string match;       // applies to requests whose target contains this
    std::string action;      // serve | status | reset | wrong_bytes | trickle | redirect | delay | respond
    unsigned status = 503;
    std::string retry_after;
    std::size_t after_bytes = 0;   // reset: bytes sent before the reset
    std::size_t chunk = 65536;     // paced bodies: bytes per write
    int delay_ms = 0;              // paced bodies: pause between writes (any blob fault)
    std::string location;          // redirect: origin to send the client to
    bool exact = false;            // redirect: location is the whole URL
    json headers = json::object(); // respond: extra response headers
    std::string body;              // respond: the body
    std::string content_length;    // respond: verbatim Content-Length (may lie); empty: the real one
    bool hold = false;             // wait for /_control/release before answering
    std::optional<std::size_t> hold_after_bytes;  // blob body: wait for a release after this many bytes
    double chance = 1.0;           // the share of matching requests it applies to (soak tests)
    int times = -1;                // how many requests it applies to; -1 forever
    bool ignore_range = false;     // blob: answer a Range request with the whole blob (200)
    int ranged = -1;               // 1: only requests with a Range header; 0: only those without; -1: any
    int latency_ms = 0;            // wait before answering at all (a round trip across a WAN)
    unsigned interim = 0;          // interim (1xx) responses written before the answer
    unsigned interim_status = 103; // their status: 103 Early Hints, 100 Continue, 101 Switching Protocols
};

struct options {
    std::string auth = "none";  // none | bearer | basic
    std::string user;           // "name:password"; with bearer, tokens need these credentials
    int token_ttl = 300;        // the expires_in tokens announce
    int token_valid_for = 300;  // how long a token is accepted
    std::string realm;          // bearer realm to send clients to; empty: this server's /token
    std::size_t token_bytes = 0;  // pad issued tokens to this size (memory tests)
    unsigned short port = 0;      // 0: any free port
    bool referrers = true;        // serve the referrers API
    std::size_t referrers_page_size = 0;  // 0: one page
};

struct upstream_state {
    options opts;
    unsigned short port = 0;
    std::map<std::string, std::string> blobs;                               // digest -> bytes
    std::map<std::string, std::pair<std::string, std::string>> manifests;  // repo:ref -> type, body
    std::vector<std::shared_ptr<fault>> faults;
    std::uint64_t release_generation = 0;  // bumped by /_control/release
    int held = 0;                          // responses waiting for a release
    json requests = json::array();
    std::uint64_t connections = 0;
    std::map<std::string, std::chrono::steady_clock::time_point> tokens;
    std::mt19937_64 rng{std::random_device{}()};
};

using request = http::request<http::string_body>;

std::string base64(const std::string& s) {
    std::string out(4 * ((s.size() + 2) / 3), '\0');
    out.resize(static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                                        reinterpret_cast<const unsigned char*>(s.data()),
                                                        static_cast<int>(s.size()))));
    return out;
}

std::string form_value(const std::string& body, const std::string& key) {
    for (std::size_t start = 0; start <= body.size();) {
        auto amp = body.find('&', start);
        auto pair = body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        if (pair.starts_with(key + "=")) return pair.substr(key.size() + 1);
        if (amp == std::string::npos) break;
        start = amp + 1;
    }
    return {};
}

http::response<http::string_body> reply(const request& req, unsigned status, std::string body,
                                        std::string type = "application/json") {
    http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, type);
    res.body() = std::move(body);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

http::response<http::string_body> oci_error(const request& req, unsigned status, const std::string& code) {
    return reply(req, status, json{{"errors", {{{"code", code}, {"message", code}}}}}.dump());
}

class session {
public:
    session(upstream_state& state, tcp::socket socket)
        : state_(state), stream_(std::move(socket)), connection_(++state.connections) {}

    asio::awaitable<void> run() {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(1ull << 31);
            auto [ec, n] = co_await http::async_read(stream_, buffer, parser, with_ec);
            if (ec) co_return;
            request req = parser.release();
            record(req);
            if (!co_await handle(req) || !req.keep_alive()) break;
        }
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }

private:
    void record(const request& req) {
        if (std::string(req.target()).starts_with("/_control/")) return;
        state_.requests.push_back({{"method", std::string(req.method_string())},
                                   {"target", std::string(req.target())},
                                   {"authorization", std::string(req[http::field::authorization])},
                                   {"range", std::string(req[http::field::range])},
                                   {"connection", connection_}});
    }

    template <class Response>
    asio::awaitable<bool> send(Response& res) {
        auto [ec, n] = co_await http::async_write(stream_, res, with_ec);
        co_return !ec;
    }

    std::shared_ptr<fault> matching_fault(const std::string& target, bool ranged) {
        std::uniform_real_distribution<double> coin(0.0, 1.0);
        for (auto& f : state_.faults)
            if (f->times != 0 && target.find(f->match) != std::string::npos && (f->ranged < 0 || f->ranged == ranged) &&
                (f->chance >= 1.0 || coin(state_.rng) < f->chance)) {
                if (f->times > 0) --f->times;
                return f;
            }
        return nullptr;
    }

    // Single-threaded server: a held response polls for the release.
    asio::awaitable<void> wait_for_release() {
        const auto generation = state_.release_generation;
        ++state_.held;
        while (state_.release_generation == generation) {
            asio::steady_timer t(stream_.get_executor(), std::chrono::milliseconds(5));
            co_await t.async_wait(with_ec);
        }
        --state_.held;
    }

    asio::awaitable<bool> handle(request& req) {
        const std::string target(req.target());
        if (target.starts_with("/_control/")) co_return co_await control(req, target);
        if (target.starts_with("/token")) co_return co_await issue_token(req, target);
        if (!target.starts_with("/v2/")) {
            auto res = oci_error(req, 404, "NOT_FOUND");
            co_return co_await send(res);
        }
        if (auto challenge = auth_challenge(req, target); !challenge.empty()) {
            auto res = oci_error(req, 401, "UNAUTHORIZED");
            res.set(http::field::www_authenticate, challenge);
            co_return co_await send(res);
        }
        if (auto f = matching_fault(target, req.count(http::field::range) > 0)) {
            if (f->latency_ms > 0) {
                asio::steady_timer t(stream_.get_executor(), std::chrono::milliseconds(f->latency_ms));
                co_await t.async_wait(with_ec);
            }
            if (f->hold) co_await wait_for_release();
            if (f->interim > 0) co_await send_interim(*f);
            co_return co_await apply_fault(req, *f, target);
        }
        co_return co_await serve(req, target, nullptr);
    }

    // Empty when the request is authorised; else the WWW-Authenticate value to answer with.
    std::string auth_challenge(const request& req, const std::string& target) {
        if (state_.opts.auth == "none" || target == "/v2/" ) return {};
        const std::string auth(req[http::field::authorization]);
        if (state_.opts.auth == "basic") {
            if (auth == "Basic " + base64(state_.opts.user)) return {};
            return "Basic realm=\"fault\"";
        }
        if (auth.starts_with("Bearer ")) {
            auto it = state_.tokens.find(auth.substr(7));
            if (it != state_.tokens.end() && it->second > std::chrono::steady_clock::now()) return {};
        }
        std::string repo = target.substr(4);
        for (const char* verb : {"/manifests/", "/blobs/", "/tags/", "/referrers/"})
            if (auto at = repo.rfind(verb); at != std::string::npos) {
                repo = repo.substr(0, at);
                break;
            }
        const auto realm = state_.opts.realm.empty() ? "http://127.0.0.1:" + std::to_string(state_.port) + "/token"
                                                     : state_.opts.realm;
        return "Bearer realm=\"" + realm + "\",service=\"fault-upstream\",scope=\"repository:" + repo + ":pull\"";
    }

    asio::awaitable<bool> issue_token(request& req, const std::string& target) {
        if (!state_.opts.user.empty()) {
            const bool basic_ok = req[http::field::authorization] == "Basic " + base64(state_.opts.user);
            const auto colon = state_.opts.user.find(':');
            const bool form_ok = req.method() == http::verb::post &&
                                 form_value(req.body(), "username") == state_.opts.user.substr(0, colon) &&
                                 form_value(req.body(), "password") == state_.opts.user.substr(colon + 1);
            if (!basic_ok && !form_ok) {
                auto res = oci_error(req, 401, "UNAUTHORIZED");
                co_return co_await send(res);
            }
        }
        if (target.find("scope=") == std::string::npos && form_value(req.body(), "scope").empty()) {
            auto res = oci_error(req, 400, "SCOPE_MISSING");
            co_return co_await send(res);
        }
        auto token = std::to_string(state_.rng());
        if (token.size() < state_.opts.token_bytes) token.resize(state_.opts.token_bytes, 'x');
        state_.tokens[token] = std::chrono::steady_clock::now() + std::chrono::seconds(state_.opts.token_valid_for);
        auto res = reply(req, 200, json{{"token", token}, {"expires_in", state_.opts.token_ttl}}.dump());
        co_return co_await send(res);
    }

    asio::awaitable<bool> serve(request& req, const std::string& target, const fault* f) {
        if (target == "/v2/") {
            auto res = reply(req, 200, "{}");
            co_return co_await send(res);
        }
        const auto path = target.substr(0, target.find('?'));
        if (auto at = path.rfind("/blobs/"); at != std::string::npos) {
            auto it = state_.blobs.find(path.substr(at + 7));
            if (it == state_.blobs.end()) {
                auto res = oci_error(req, 404, "BLOB_UNKNOWN");
                co_return co_await send(res);
            }
            co_return co_await send_blob(req, it->second, f);
        }
        if (auto at = path.rfind("/referrers/"); at != std::string::npos) {
            if (!state_.opts.referrers) {
                auto res = reply(req, 404, "404 page not found\n", "text/plain; charset=utf-8");
                co_return co_await send(res);
            }
            auto res = referrers(req, target, path.substr(4, at - 4), path.substr(at + 11));
            co_return co_await send(res);
        }
        if (auto at = path.rfind("/manifests/"); at != std::string::npos) {
            auto it = state_.manifests.find(path.substr(4, at - 4) + ":" + path.substr(at + 11));
            if (it == state_.manifests.end()) {
                auto res = oci_error(req, 404, "MANIFEST_UNKNOWN");
                co_return co_await send(res);
            }
            auto res = reply(req, 200, it->second.second, it->second.first);
            // By digest, in the algorithm addressed; by tag, the canonical sha256.
            const auto algorithm = path.substr(at + 11).starts_with("sha512:") ? strata::storage::digest_algorithm::sha512
                                                                               : strata::storage::digest_algorithm::sha256;
            res.set("Docker-Content-Digest", strata::storage::digest_of(it->second.second, algorithm).str());
            if (f) add_headers(res, *f);
            if (req.method() == http::verb::head) {
                http::response<http::empty_body> head{res.base()};
                co_return co_await send(head);
            }
            co_return co_await send(res);
        }
        auto res = oci_error(req, 404, "NAME_UNKNOWN");
        co_return co_await send(res);
    }

    // The descriptors of repo's manifests whose subject is subject, as a registry computes them.
    json referrer_descriptors(const std::string& repo, const std::string& subject, const std::string& filter) {
        json out = json::array();
        for (const auto& [key, value] : state_.manifests) {
            if (!key.starts_with(repo + ":sha256:")) continue;  // each manifest once, by its digest
            const auto doc = json::parse(value.second, nullptr, false);
            if (!doc.is_object() || !doc.contains("subject") || doc["subject"].value("digest", "") != subject) continue;
            auto type = doc.value("artifactType", "");
            if (type.empty() && doc.contains("config")) type = doc["config"].value("mediaType", "");
            if (!filter.empty() && type != filter) continue;
            json d = {{"mediaType", value.first}, {"digest", key.substr(repo.size() + 1)}, {"size", value.second.size()}};
            if (!type.empty()) d["artifactType"] = type;
            if (doc.contains("annotations")) d["annotations"] = doc["annotations"];
            out.push_back(std::move(d));
        }
        return out;
    }

    http::response<http::string_body> referrers(const request& req, const std::string& target, const std::string& repo,
                                                const std::string& subject) {
        const auto filter = query_value(target, "artifactType");
        auto all = referrer_descriptors(repo, subject, filter);
        const auto size = state_.opts.referrers_page_size;
        const auto page = static_cast<std::size_t>(std::stoul("0" + query_value(target, "page")));
        json manifests = json::array();
        for (std::size_t i = page * size; i < all.size() && (size == 0 || i < (page + 1) * size); ++i)
            manifests.push_back(all[i]);
        auto res = reply(req, 200,
                         json{{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.index.v1+json"},
                              {"manifests", manifests}}.dump(),
                         "application/vnd.oci.image.index.v1+json");
        if (!filter.empty()) res.set("OCI-Filters-Applied", "artifactType");
        if (size && (page + 1) * size < all.size()) {
            std::string next = "/v2/" + repo + "/referrers/" + subject + "?page=" + std::to_string(page + 1);
            if (!filter.empty()) next += "&artifactType=" + filter;
            res.set(http::field::link, "<" + next + ">; rel=\"next\"");
        }
        return res;
    }

    static std::string query_value(const std::string& target, const std::string& key) {
        const auto q = target.find('?');
        if (q == std::string::npos) return {};
        return form_value(target.substr(q + 1), key);
    }

    // The [first, last] a single-range Range header asks of size bytes, if it asks one.
    static std::optional<std::pair<std::size_t, std::size_t>> asked_range(std::string_view h, std::size_t size) {
        if (!h.starts_with("bytes=") || h.find(',') != std::string_view::npos || size == 0) return std::nullopt;
        h.remove_prefix(6);
        const auto dash = h.find('-');
        if (dash == std::string_view::npos) return std::nullopt;
        const auto number = [](std::string_view s) -> std::size_t { return s.empty() ? 0 : std::stoull(std::string(s)); };
        if (dash == 0) {
            const auto n = std::min(number(h.substr(1)), size);
            return std::pair{size - n, size - 1};
        }
        const auto first = number(h.substr(0, dash));
        const auto last = dash + 1 == h.size() ? size - 1 : std::min(number(h.substr(dash + 1)), size - 1);
        return std::pair{first, last};
    }

    asio::awaitable<bool> send_blob(request& req, const std::string& whole, const fault* f) {
        http::response<http::empty_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, "application/octet-stream");
        // sha256 whatever was addressed, as distribution 2.8 announces a blob stored by sha512.
        res.set("Docker-Content-Digest", strata::storage::sha256_of(whole).str());
        std::string_view data = whole;
        if (auto r = asked_range(req[http::field::range], whole.size()); r && !(f && f->ignore_range)) {
            if (r->first >= whole.size() || r->second < r->first) {
                auto refused = oci_error(req, 416, "RANGE_INVALID");
                refused.set(http::field::content_range, "bytes */" + std::to_string(whole.size()));
                co_return co_await send(refused);
            }
            res.result(http::status::partial_content);
            res.set(http::field::content_range, "bytes " + std::to_string(r->first) + "-" + std::to_string(r->second) +
                                                    "/" + std::to_string(whole.size()));
            data = data.substr(r->first, r->second - r->first + 1);
        }
        res.content_length(data.size());
        res.keep_alive(req.keep_alive());
        if (req.method() == http::verb::head) co_return co_await send(res);
        http::response_serializer<http::empty_body> sr(res);
        auto [ec, n] = co_await http::async_write_header(stream_, sr, with_ec);
        if (ec) co_return false;
        // Sent from the stored blob, never a copy: a copy of a 256 MiB blob would stall this
        // single-threaded server for every other request.
        std::string zeros;
        if (f && f->action == "wrong_bytes") zeros.assign(data.size(), '\0');
        const std::string_view body = zeros.empty() ? data : std::string_view(zeros);
        const std::size_t limit = f && f->action == "reset" ? std::min(f->after_bytes, body.size()) : body.size();
        const bool paced = f && f->delay_ms > 0;
        const std::size_t chunk = paced ? f->chunk : (1u << 20);
        const std::size_t hold_at = f && f->hold_after_bytes ? std::min(*f->hold_after_bytes, limit) : limit + 1;
        for (std::size_t off = 0, len = 0; off < limit; off += len) {
            if (off == hold_at) co_await wait_for_release();
            len = std::min(chunk, (off < hold_at ? std::min(hold_at, limit) : limit) - off);
            auto [wec, wn] = co_await asio::async_write(stream_, asio::buffer(body.data() + off, len), with_ec);
            if (wec) co_return false;
            if (paced) {
                asio::steady_timer t(stream_.get_executor(), std::chrono::milliseconds(f->delay_ms));
                co_await t.async_wait(with_ec);
            }
        }
        if (hold_at == limit) co_await wait_for_release();
        if (limit < body.size()) {  // reset: abort the connection with an RST
            stream_.socket().set_option(asio::socket_base::linger(true, 0));
            stream_.close();
            co_return false;
        }
        co_return true;
    }

    asio::awaitable<bool> apply_fault(request& req, const fault& f, const std::string& target) {
        if (f.action == "status") {
            auto res = oci_error(req, f.status, f.status == 429 ? "TOOMANYREQUESTS" : "UNAVAILABLE");
            if (!f.retry_after.empty()) res.set(http::field::retry_after, f.retry_after);
            add_headers(res, f);
            co_return co_await send(res);
        }
        if (f.action == "delay") {  // answer normally, late
            asio::steady_timer t(stream_.get_executor(), std::chrono::milliseconds(f.delay_ms));
            co_await t.async_wait(with_ec);
            co_return co_await serve(req, target, nullptr);
        }
        if (f.action == "redirect") {
            auto res = reply(req, f.status >= 300 && f.status < 400 ? f.status : 307, "");
            res.set(http::field::location, f.exact ? f.location : f.location + target);
            co_return co_await send(res);
        }
        if (f.action == "respond") co_return co_await respond(req, f);
        co_return co_await serve(req, target, &f);
    }

    // A fault's "headers" on a status answer or a served manifest (RateLimit-Remaining, say).
    template <typename Response>
    static void add_headers(Response& res, const fault& f) {
        for (const auto& [name, value] : f.headers.items())
            res.set(name, value.is_string() ? value.template get<std::string>() : value.dump());
    }

    // Interim responses, as a CDN's Early Hints come before the answer: each a status line, a
    // Link header and no body.
    asio::awaitable<void> send_interim(const fault& f) {
        std::string head;
        for (unsigned i = 0; i < f.interim; ++i)
            head += "HTTP/1.1 " + std::to_string(f.interim_status) + " Interim\r\nLink: </style.css>; rel=preload\r\n\r\n";
        co_await asio::async_write(stream_, asio::buffer(head), with_ec);
    }

    // A scripted response written by hand, so its headers and length can be anything.
    asio::awaitable<bool> respond(request& req, const fault& f) {
        std::string head = "HTTP/1.1 " + std::to_string(f.status) + " Scripted\r\n";
        for (const auto& [name, value] : f.headers.items())
            head += name + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + "\r\n";
        head += "Content-Length: " + (f.content_length.empty() ? std::to_string(f.body.size()) : f.content_length);
        head += "\r\nConnection: close\r\n\r\n";
        if (req.method() != http::verb::head) head += f.body;
        co_await asio::async_write(stream_, asio::buffer(head), with_ec);
        stream_.close();
        co_return false;
    }

    asio::awaitable<bool> control(request& req, const std::string& target) {
        if (target == "/_control/held") {
            auto res = reply(req, 200, std::to_string(state_.held), "text/plain");
            co_return co_await send(res);
        }
        if (target == "/_control/release" && req.method() == http::verb::post) {
            ++state_.release_generation;
            auto res = reply(req, 200, "{}");
            co_return co_await send(res);
        }
        const auto path = target.substr(0, target.find('?'));
        if (req.method() == http::verb::put && path == "/_control/blobs") {
            for (const auto& digest : both_digests(req.body())) state_.blobs[digest] = req.body();
            auto res = reply(req, 201, answered_digest(target, req.body()), "text/plain");
            co_return co_await send(res);
        }
        if (req.method() == http::verb::put && path.starts_with("/_control/manifests/")) {
            const auto spec = path.substr(20);
            const auto slash = spec.rfind('/');
            const auto repo = spec.substr(0, slash);
            const std::string type(req[http::field::content_type]);
            state_.manifests[repo + ":" + spec.substr(slash + 1)] = {type, req.body()};
            for (const auto& digest : both_digests(req.body())) state_.manifests[repo + ":" + digest] = {type, req.body()};
            auto res = reply(req, 201, answered_digest(target, req.body()), "text/plain");
            co_return co_await send(res);
        }
        if (target == "/_control/faults" && req.method() == http::verb::delete_) {
            state_.faults.clear();
            auto res = reply(req, 200, "{}");
            co_return co_await send(res);
        }
        if (target == "/_control/faults" && req.method() == http::verb::post) {
            const auto j = json::parse(req.body(), nullptr, false);
            if (!j.is_object()) {
                auto res = reply(req, 400, "{\"error\":\"bad fault\"}");
                co_return co_await send(res);
            }
            auto made = std::make_shared<fault>();
            auto& f = *made;
            f.match = j.value("match", "");
            f.action = j.value("action", "status");
            f.status = j.value("status", 503u);
            f.retry_after = j.value("retry_after", "");
            f.after_bytes = j.value("after_bytes", std::size_t{0});
            f.chunk = j.value("chunk", std::size_t{65536});
            f.delay_ms = j.value("delay_ms", 0);
            f.location = j.value("location", "");
            f.times = j.value("times", -1);
            f.exact = j.value("exact", false);
            f.headers = j.value("headers", json::object());
            f.body = j.value("body", "");
            f.content_length = j.value("content_length", "");
            f.hold = j.value("hold", false);
            f.ignore_range = j.value("ignore_range", false);
            if (j.contains("ranged")) f.ranged = j.value("ranged", false) ? 1 : 0;
            f.latency_ms = j.value("latency_ms", 0);
            f.interim = j.value("interim", 0u);
            f.interim_status = j.value("interim_status", 103u);
            if (j.contains("hold_after_bytes")) f.hold_after_bytes = j.value("hold_after_bytes", std::size_t{0});
            f.chance = j.value("chance", 1.0);
            state_.faults.push_back(made);
            auto res = reply(req, 201, "{}");
            co_return co_await send(res);
        }
        if (target == "/_control/requests") {
            auto res = reply(req, 200, state_.requests.dump());
            co_return co_await send(res);
        }
        if (target == "/_control/token-ttl" && req.method() == http::verb::post) {
            const auto j = json::parse(req.body(), nullptr, false);
            if (!j.is_object() || !j.contains("expires_in")) {
                auto res = reply(req, 400, "{\"error\":\"bad token-ttl\"}");
                co_return co_await send(res);
            }
            state_.opts.token_ttl = j.value("expires_in", 300);
            state_.opts.token_valid_for = j.value("valid_for", state_.opts.token_ttl);
            auto res = reply(req, 200, "{}");
            co_return co_await send(res);
        }
        if (target == "/_control/expire-tokens") {
            state_.tokens.clear();
            auto res = reply(req, 200, "{}");
            co_return co_await send(res);
        }
        auto res = reply(req, 404, "{}");
        co_return co_await send(res);
    }

    upstream_state& state_;
    beast::tcp_stream stream_;
    std::uint64_t connection_;
};

asio::awaitable<void> accept_loop(tcp::acceptor acceptor, upstream_state& state) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(with_ec);
        if (ec) co_return;
        auto s = std::make_shared<session>(state, std::move(socket));
        asio::co_spawn(acceptor.get_executor(), [s]() { return s->run(); }, asio::detached);
    }
}

options parse_options(int argc, char** argv) {
    options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--auth") o.auth = argv[i + 1];
        else if (flag == "--user") o.user = argv[i + 1];
        else if (flag == "--token-ttl") o.token_ttl = o.token_valid_for = std::stoi(argv[i + 1]);
        else if (flag == "--realm") o.realm = argv[i + 1];
        else if (flag == "--token-bytes") o.token_bytes = std::stoul(argv[i + 1]);
        else if (flag == "--port") o.port = static_cast<unsigned short>(std::stoul(argv[i + 1]));
        else if (flag == "--referrers") o.referrers = std::string(argv[i + 1]) != "none";
        else if (flag == "--referrers-page-size") o.referrers_page_size = std::stoul(argv[i + 1]);
        else throw std::runtime_error("unknown flag " + flag);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        upstream_state state;
        state.opts = parse_options(argc, argv);
        asio::io_context io(1);
        tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), state.opts.port});
        state.port = acceptor.local_endpoint().port();
        std::cout << "fault upstream listening port=" << state.port << std::endl;
        asio::co_spawn(io, accept_loop(std::move(acceptor), state), asio::detached);
        io.run();
    } catch (const std::exception& e) {
        std::cerr << "fault upstream: " << e.what() << "\n";
        return 1;
    }
}
