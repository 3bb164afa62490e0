// push_client: Beast's synchronous HTTP over TCP or TLS, and the token flow driven to its end.
#include "proxy/bench/push_client.hpp"

#include "analytics/inputs/json_input.hpp"
#include "proxy/protocol/token_flow.hpp"
#include "proxy/protocol/www_authenticate.hpp"
#include "storage/oci/digest.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <boost/beast/core/detail/base64.hpp>

#include <fstream>
#include <variant>

namespace strata::proxy {

using string_response = http::response<http::string_body>;

struct push_client::connection {
    asio::io_context io;
    std::variant<std::monostate, beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> stream;
    beast::flat_buffer buffer;
    bool open = false;
};

namespace {

constexpr std::size_t max_answer_bytes = std::size_t{4} << 20;
constexpr std::chrono::seconds step_timeout{300};

std::string base64(const std::string& text) {
    std::string out(beast::detail::base64::encoded_size(text.size()), '\0');
    out.resize(beast::detail::base64::encode(out.data(), text.data(), text.size()));
    return out;
}

// The OCI error code and message of an error answer, or "" for a body that has none.
std::pair<std::string, std::string> oci_error_of(const std::string& body) {
    const auto doc = analytics::parse_json_guarded(body);
    if (!doc.is_object() || !doc.contains("errors") || !doc["errors"].is_array() || doc["errors"].empty())
        return {};
    const auto& first = doc["errors"][0];
    const auto text = [&](const char* key) {
        return first.is_object() && first.contains(key) && first[key].is_string() ? first[key].get<std::string>()
                                                                                   : std::string();
    };
    return {storage::printable(text("code").substr(0, 64)), storage::printable(text("message").substr(0, 300))};
}

[[noreturn]] void refuse(const std::string& registry, const std::string& what, const string_response& res) {
    auto [code, message] = oci_error_of(res.body());
    auto text = registry + " refused " + what + ": HTTP " + std::to_string(res.result_int());
    if (!code.empty()) text += " " + code;
    if (!message.empty()) text += ": " + message;
    throw push_error(text, code);
}

bool is_success(const string_response& res) { return res.result_int() / 100 == 2; }

// host, or host:port off the scheme's default port: registries build upload URLs from it.
std::string host_header(const location& where) {
    return where.port == (where.tls ? "443" : "80") ? where.host : where.host + ":" + where.port;
}

}  // namespace

push_client::push_client(push_target target)
    : target_(std::move(target)), tls_(std::make_unique<ssl::context>(ssl::context::tls_client)) {
    const auto where = resolve_location(location{}, target_.url + "/");
    if (target_.url.find("://") == std::string::npos)
        throw std::invalid_argument("registry '" + target_.url + "' needs a scheme: https://" + target_.url + ", or http://" +
                                    target_.url + " for a plain-HTTP registry");
    if (!where || where->target != "/")
        throw std::invalid_argument("registry '" + target_.url + "' is not a URL such as https://host[:port]");
    registry_ = *where;
    const bool default_port = registry_.port == (registry_.tls ? "443" : "80");
    name_ = default_port ? registry_.host : registry_.host + ":" + registry_.port;
    tls_->set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (target_.ca_file.empty())
        tls_->set_default_verify_paths(ec);
    else
        tls_->load_verify_file(target_.ca_file, ec);
    if (ec) throw std::invalid_argument("CA file '" + target_.ca_file + "': " + ec.message());
    if (!target_.username.empty()) authorization_ = "Basic " + base64(target_.username + ":" + target_.password);
}

push_client::~push_client() = default;

push_client::connection& push_client::connect(const location& where) {
    auto& slot = connections_[where.origin()];
    if (!slot) slot = std::make_unique<connection>();
    auto& c = *slot;
    if (c.open) return c;
    c.buffer.clear();
    try {
        open_stream(c, where);
    } catch (const boost::system::system_error& e) {
        throw push_error("cannot reach " + where.origin() + ": " + e.code().message(), "");
    }
    c.open = true;
    return c;
}

void push_client::open_stream(connection& c, const location& where) {
    tcp::resolver resolver(c.io);
    const auto endpoints = resolver.resolve(where.host, where.port);
    if (where.tls) {
        auto& s = c.stream.emplace<beast::ssl_stream<beast::tcp_stream>>(c.io, *tls_);
        beast::get_lowest_layer(s).expires_after(step_timeout);
        beast::get_lowest_layer(s).connect(endpoints);
        if (!SSL_set_tlsext_host_name(s.native_handle(), where.host.c_str()))
            throw std::runtime_error("TLS: cannot name host " + where.host);
        s.set_verify_callback(ssl::host_name_verification(where.host));
        s.handshake(ssl::stream_base::client);
    } else {
        auto& s = c.stream.emplace<beast::tcp_stream>(c.io);
        s.expires_after(step_timeout);
        s.connect(endpoints);
    }
}

template <class Body>
string_response push_client::exchange(http::request<Body>& req, const location& where) {
    for (int attempt = 0;; ++attempt) {
        auto& c = connect(where);
        try {
            return std::visit(
                [&](auto& s) -> string_response {
                    if constexpr (std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
                        throw std::logic_error("no stream");
                    } else {
                        req.prepare_payload();
                        // A whole blob in one PUT: 300 s, and a second more for each MB sent.
                        const auto body = req.payload_size().value_or(0);
                        beast::get_lowest_layer(s).expires_after(step_timeout + std::chrono::seconds(body / 1'000'000));
                        http::write(s, req);
                        http::response_parser<http::string_body> parser;
                        parser.body_limit(max_answer_bytes);
                        if (req.method() == http::verb::head) parser.skip(true);
                        http::read(s, c.buffer, parser);
                        if (!parser.keep_alive()) c.open = false;
                        return parser.release();
                    }
                },
                c.stream);
        } catch (const boost::system::system_error& e) {
            c.open = false;
            // A keep-alive connection the registry closed: one retry on a new one, unless a body
            // already went (a file body cannot be sent again from here).
            if (attempt > 0 || std::is_same_v<Body, http::file_body>)
                throw push_error("the connection to " + where.origin() + " failed: " + e.code().message(), "");
        }
    }
}

template <class Body>
string_response push_client::send(http::request<Body>& req, const location& where, const std::string& scope) {
    const bool own = where.origin() == registry_.origin();
    req.set(http::field::host, host_header(where));
    req.set(http::field::user_agent, "strata-bench/1");
    if (own && !authorization_.empty() && (scope == authorized_scope_ || authorization_.starts_with("Basic ")))
        req.set(http::field::authorization, authorization_);
    auto res = exchange(req, where);
    if (res.result() != http::status::unauthorized || !own) return res;
    if (req.count(http::field::authorization) && authorization_.starts_with("Basic ") &&
        !res[http::field::www_authenticate].starts_with("Bearer"))
        return res;  // the credentials were refused
    // A file body cannot be sent twice; the upload's POST, just before, has authenticated.
    if constexpr (std::is_same_v<Body, http::file_body>) return res;
    authenticate(res, scope);
    req.set(http::field::authorization, authorization_);
    return exchange(req, where);
}

void push_client::authenticate(const string_response& challenge, const std::string& scope) {
    const auto picked = pick_challenge(parse_www_authenticate(challenge[http::field::www_authenticate]));
    if (!picked) throw push_error(name_ + " asks for credentials without a usable WWW-Authenticate challenge", "");
    if (picked->scheme == "basic") {
        if (target_.username.empty())
            throw push_error(name_ + " wants a user name and password (--creds USER:PASSWORD)", "UNAUTHORIZED");
        authorization_ = "Basic " + base64(target_.username + ":" + target_.password);
        return;
    }
    const auto realm = resolve_location(registry_, picked->param("realm"));
    if (!realm) throw push_error(name_ + " names a token realm that is not an http(s) URL", "");
    authorization_ = "Bearer " + fetch_token(*realm, picked->param("service"), scope);
    authorized_scope_ = scope;
}

std::string push_client::fetch_token(const location& realm, const std::string& service, const std::string& scope) {
    token_flow flow({realm.target, service, scope, target_.username, target_.password,
                     realm.tls || realm.origin() == registry_.origin()});
    auto request = flow.start();
    for (;;) {
        http::request<http::string_body> req{request.verb == token_request::method::post ? http::verb::post
                                                                                         : http::verb::get,
                                             request.target, 11};
        req.set(http::field::host, host_header(realm));
        if (!request.content_type.empty()) req.set(http::field::content_type, request.content_type);
        if (request.basic_auth && !target_.username.empty())
            req.set(http::field::authorization, "Basic " + base64(target_.username + ":" + target_.password));
        req.body() = request.body;
        result<token_answer> answer = errc::upstream_unavailable;
        try {
            const auto res = exchange(req, realm);
            answer = token_answer{res.result_int(), res.body()};
        } catch (const push_error&) {
        }
        const auto step = flow.resume(answer, wall_clock::now());
        if (step.token) return step.token->token;
        if (step.send) {
            request = *step.send;
            continue;
        }
        throw push_error(name_ + "'s token service " + realm.origin() + " gave no push token for " + scope +
                             " (HTTP " + std::to_string(step.status) + ")",
                         step.error == errc::upstream_denied ? "DENIED" : "");
    }
}

std::string push_client::repository_scope(const std::string& repository) const {
    return "repository:" + repository + ":pull,push";
}

bool push_client::has_blob(const std::string& repository, const std::string& digest) {
    http::request<http::empty_body> req{http::verb::head, "/v2/" + repository + "/blobs/" + digest, 11};
    const auto res = send(req, registry_, repository_scope(repository));
    if (res.result() == http::status::ok) return true;
    if (res.result() == http::status::not_found) return false;
    refuse(name_, "a check for blob " + digest + " in " + repository, res);
}

// Uploads go only to the registry's own origin: a Location elsewhere (another host, a loopback
// service, http under https) would have the bench send bytes and DELETEs where the registry says.
location push_client::upload_location(const string_response& res, const std::string& what) {
    const auto where = resolve_location(registry_, res[http::field::location]);
    if (!where) throw push_error(name_ + " answered " + what + " without a usable upload Location", "");
    if (where->origin() != registry_.origin())
        throw push_error(name_ + " answered " + what + " with an upload Location on another origin (" +
                             storage::printable(where->origin().substr(0, 200)) + "); strata bench uploads only to " +
                             registry_.origin(),
                         "");
    return *where;
}

location push_client::start_upload(const std::string& repository, const std::string& what) {
    http::request<http::empty_body> req{http::verb::post, "/v2/" + repository + "/blobs/uploads/", 11};
    const auto res = send(req, registry_, repository_scope(repository));
    if (res.result() != http::status::accepted) refuse(name_, "an upload of " + what, res);
    return upload_location(res, "an upload of " + what);
}

bool push_client::mount_blob(const std::string& repository, const std::string& digest, const std::string& from) {
    http::request<http::empty_body> req{
        http::verb::post, "/v2/" + repository + "/blobs/uploads/?mount=" + digest + "&from=" + from, 11};
    const auto scope = repository_scope(repository) + " repository:" + from + ":pull";
    const auto res = send(req, registry_, scope);
    if (res.result() == http::status::created) return true;
    if (res.result() == http::status::accepted) {  // an upload was started instead: cancel it
        const auto where = upload_location(res, "a mount");
        http::request<http::empty_body> cancel{http::verb::delete_, where.target, 11};
        send(cancel, where, scope);
    }
    return false;
}

namespace {

std::string with_digest(std::string target, const std::string& digest) {
    return target + (target.find('?') == std::string::npos ? "?" : "&") + "digest=" + digest;
}

}  // namespace

void push_client::upload_bytes(const std::string& repository, const std::string& digest, const std::string& bytes) {
    const auto where = start_upload(repository, digest);
    http::request<http::string_body> put{http::verb::put, with_digest(where.target, digest), 11};
    put.set(http::field::content_type, "application/octet-stream");
    put.body() = bytes;
    const auto res = send(put, where, repository_scope(repository));
    if (res.result() != http::status::created) refuse(name_, "blob " + digest + " for " + repository, res);
}

void push_client::upload_file(const std::string& repository, const std::string& digest,
                              const std::filesystem::path& file, std::uint64_t chunk_bytes) {
    auto where = start_upload(repository, digest);
    const auto scope = repository_scope(repository);
    if (chunk_bytes == 0) {
        http::request<http::file_body> put{http::verb::put, with_digest(where.target, digest), 11};
        put.set(http::field::content_type, "application/octet-stream");
        error_code ec;
        put.body().open(file.c_str(), beast::file_mode::scan, ec);
        if (ec) throw std::runtime_error("cannot read " + file.string() + ": " + ec.message());
        const auto res = send(put, where, scope);
        if (res.result() != http::status::created) refuse(name_, "blob " + digest + " for " + repository, res);
        return;
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + file.string());
    std::string chunk(static_cast<std::size_t>(chunk_bytes), '\0');
    for (std::uint64_t offset = 0;;) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        const auto n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        http::request<http::string_body> patch{http::verb::patch, where.target, 11};
        patch.set(http::field::content_type, "application/octet-stream");
        patch.set(http::field::content_range, std::to_string(offset) + "-" + std::to_string(offset + n - 1));
        patch.body().assign(chunk.data(), n);
        const auto res = send(patch, where, scope);
        if (res.result() != http::status::accepted) refuse(name_, "a chunk of blob " + digest, res);
        where = upload_location(res, "a chunk");
        offset += n;
    }
    http::request<http::empty_body> put{http::verb::put, with_digest(where.target, digest), 11};
    const auto res = send(put, where, scope);
    if (res.result() != http::status::created) refuse(name_, "blob " + digest + " for " + repository, res);
}

std::string push_client::put_manifest(const std::string& repository, const std::string& tag,
                                      const std::string& bytes, const std::string& media_type) {
    http::request<http::string_body> put{http::verb::put, "/v2/" + repository + "/manifests/" + tag, 11};
    put.set(http::field::content_type, media_type);
    put.body() = bytes;
    const auto res = send(put, registry_, repository_scope(repository));
    if (!is_success(res)) refuse(name_, "the manifest of " + repository + ":" + tag, res);
    const auto digest = storage::digest::parse(res["Docker-Content-Digest"]);
    return digest ? digest->str() : std::string();
}

}  // namespace strata::proxy
