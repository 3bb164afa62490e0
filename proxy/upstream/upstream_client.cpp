// upstream_client: pooled connections, token auth, redirects and retries for one upstream.
#include "proxy/upstream/upstream_client.hpp"

#include "proxy/protocol/percent_encoding.hpp"
#include "proxy/protocol/rate_limit.hpp"
#include "proxy/protocol/retry_policy.hpp"
#include "proxy/protocol/token_flow.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>


namespace strata::proxy {
namespace {

// A 429 saying no pulls remain: another try within seconds would only spend a request.
bool out_of_pulls(unsigned status, std::string_view remaining) {
    const auto r = parse_rate_limit(remaining);
    return status == 429 && r && r->count == 0;
}

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

std::string base64(std::string_view s) {
    std::string out(4 * ((s.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(s.data()), static_cast<int>(s.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

awaitable<void> sleep_for(std::chrono::milliseconds d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

// The target with ?ns=<upstream> (or &ns=), for an upstream that is another strata.
std::string with_ns(const std::string& target, const upstream_config& u) {
    if (!u.send_ns) return target;
    return target + (target.find('?') == std::string::npos ? "?ns=" : "&ns=") + u.name;
}

}  // namespace

response_stream::response_stream(exchange ex, std::shared_ptr<connection_pool> pool,
                                 std::chrono::milliseconds idle_timeout, metrics* m, std::string upstream)
    : ex_(std::move(ex)), pool_(std::move(pool)), idle_timeout_(idle_timeout), metrics_(m),
      upstream_(std::move(upstream)) {
    auto& p = *ex_.parser;
    if (p.is_header_done() && !p.is_done() && !p.chunked() && p.content_length_remaining())
        raw_left_ = *p.content_length_remaining();
}

response_stream::~response_stream() {
    if (ex_.conn && ex_.parser && complete() && ex_.parser->get().keep_alive())
        pool_->give_back(ex_.origin, std::move(ex_.conn));
}

bool response_stream::complete() const { return raw_left_ ? *raw_left_ == 0 : ex_.parser->is_done(); }

awaitable<std::size_t> response_stream::read(void* data, std::size_t size, error_code& ec) {
    if (raw_left_) {
        if (*raw_left_ == 0) co_return 0;
        const auto n = co_await ex_.conn->read_raw(data, static_cast<std::size_t>(std::min<std::uint64_t>(size, *raw_left_)),
                                                   idle_timeout_, ec);
        if (ec == asio::error::eof || (!ec && n == 0)) ec = http::error::partial_message;  // as the parser says it
        *raw_left_ -= n;
        if (n > 0 && metrics_) metrics_->add_upstream_bytes(upstream_, n);
        co_return n;
    }
    while (!ex_.parser->is_done()) {
        const auto n = co_await ex_.conn->read_body(*ex_.parser, data, size, idle_timeout_, ec);
        if (n > 0 && metrics_) metrics_->add_upstream_bytes(upstream_, n);
        if (ec || n > 0) co_return n;
    }
    co_return 0;
}

upstream_client::upstream_client(const upstream_config& upstream, const timeout_config& timeouts,
                                 const client_config& client, metrics* m)
    : upstream_(upstream), timeouts_(timeouts), client_(client),
      tls_ctx_(std::make_unique<ssl::context>(ssl::context::tls_client)),
      pool_(std::make_shared<connection_pool>(client.max_idle_per_host, client.idle_connection)),
      tokens_(client.token_cache_bytes), quota_(upstream.quota_floor),
      breaker_(client.breaker, timeouts.connect + timeouts.tls_handshake + timeouts.headers,
               std::hash<std::string>{}(upstream.name)),
      metrics_(m) {
    tls_ctx_->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                          ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    if (!upstream_.token_file.empty()) upstream_.password = read_secret_file(upstream_.token_file, "upstreams[" + upstream_.name + "].token_file");
    if (!upstream_.tls_verify) {
        tls_ctx_->set_verify_mode(ssl::verify_none);
        return;
    }
    tls_ctx_->set_verify_mode(ssl::verify_peer);
    error_code ec;
    if (!upstream_.ca_file.empty())
        tls_ctx_->load_verify_file(upstream_.ca_file, ec);
    else
        tls_ctx_->set_default_verify_paths(ec);
    if (ec) throw config_error("upstreams[" + upstream_.name + "].ca_file: " + ec.message());
}

std::string upstream_client::reachability() const {
    if (breaker_.at(std::chrono::steady_clock::now()).down) return "down";
    switch (last_outcome_.load()) {
    case 1: return "ok";
    case 2: return "unreachable";
    default: return "unknown";
    }
}

upstream_client::down_notice upstream_client::why_down() const {
    const auto wait = breaker_.at(std::chrono::steady_clock::now()).retry_in;
    const auto seconds = std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
    return {"upstream " + upstream_.name + " is down after repeated connect failures or timeouts; next try in " +
                std::to_string(seconds) + " s",
            seconds};
}

std::string upstream_client::basic_credentials() const {
    return "Basic " + base64(upstream_.username + ":" + upstream_.password);
}

std::string upstream_client::token_key(const std::string& repository) const {
    return "repository:" + repository + ":pull";
}

// A parser for one response: no body limit (callers bound what they read), none read for HEAD.
std::unique_ptr<http::response_parser<http::buffer_body>> upstream_client::fresh_parser(http::verb method) {
    auto parser = std::make_unique<http::response_parser<http::buffer_body>>();
    parser->body_limit(boost::none);
    if (method == http::verb::head) parser->skip(true);
    return parser;
}

awaitable<result<exchange>> upstream_client::send_on(std::unique_ptr<upstream_connection> conn, http::verb method,
                                                     const location& where, const http::fields& headers,
                                                     const std::string& body) {
    http::request<http::string_body> req{method, where.target, 11};
    for (const auto& field : headers) req.set(field.name_string(), field.value());
    req.set(http::field::host, where.port == (where.tls ? "443" : "80") ? where.host : where.host + ":" + where.port);
    req.set(http::field::user_agent, "strata/0.1");
    if (!body.empty()) {
        req.body() = body;
        req.prepare_payload();
    }
    error_code ec;
    co_await conn->write(req, timeouts_.headers, ec);
    auto parser = fresh_parser(method);
    if (!ec) co_await conn->read_header(*parser, timeouts_.headers, ec);
    // Interim answers (100 Continue, 103 Early Hints from a CDN) come before the real one: read
    // past a few. An upstream that keeps sending them, or switches protocols, is not answering.
    for (int interim = 0; !ec && parser->get().result_int() / 100 == 1; ++interim) {
        if (parser->get().result_int() == 101 || interim == max_interim_responses) co_return errc::upstream_protocol;
        parser = fresh_parser(method);
        co_await conn->read_header(*parser, timeouts_.headers, ec);
    }
    if (ec) co_return ec;
    co_return exchange{std::move(conn), std::move(parser), where.origin()};
}

awaitable<result<exchange>> upstream_client::send_once(http::verb method, const location& where,
                                                       const http::fields& headers, const std::string& body) {
    const auto started = std::chrono::steady_clock::now();
    auto sent = co_await send_fresh_or_pooled(method, where, headers, body);
    if (is_own_origin(where)) {
        last_outcome_ = sent && sent->parser->get().result_int() < 500 ? 1 : 2;
        const auto now = std::chrono::steady_clock::now();
        if (sent && breaker_.answered()) spdlog::warn("upstream back upstream={}", upstream_.name);
        if (!sent && breaker_.failed(now)) {
            const auto b = breaker_.at(now);
            spdlog::warn("upstream down upstream={} failures={} next_try_ms={} reason=\"connect failures or timeouts "
                         "in a row; requests fail at once, stale tags are served\"",
                         upstream_.name, b.consecutive_failures, b.retry_in.count());
        }
    }
    if (metrics_)
        metrics_->observe_upstream(upstream_.name, sent ? sent->parser->get().result_int() : 0,
                                   std::chrono::steady_clock::now() - started);
    co_return sent;
}

awaitable<result<exchange>> upstream_client::send_fresh_or_pooled(http::verb method, const location& where,
                                                                  const http::fields& headers, const std::string& body) {
    // A pooled connection may have been closed by the server while idle: on failure the
    // request is sent once more on a fresh connection. An answer no registry should give is
    // the upstream's, not the connection's: it is not sent again.
    if (auto pooled = pool_->take(where.origin())) {
        auto sent = co_await send_on(std::move(pooled), method, where, headers, body);
        if (sent || sent.error() == errc::upstream_protocol) co_return sent;
    }
    error_code ec;
    auto conn = co_await connect_checked(where, ec);
    if (ec) {
        spdlog::warn("upstream connect failed upstream={} host={} error={}", upstream_.name,
                     storage::log_value(where.host), storage::log_value(ec.message()));
        co_return errc::upstream_unavailable;
    }
    auto sent = co_await send_on(std::move(conn), method, where, headers, body);
    if (!sent) {
        spdlog::warn("upstream request failed upstream={} host={} error={}", upstream_.name,
                     storage::log_value(where.host), storage::log_value(sent.error().message()));
        co_return sent.error() == errc::upstream_protocol ? errc::upstream_protocol : errc::upstream_unavailable;
    }
    co_return sent;
}

awaitable<std::unique_ptr<upstream_connection>> upstream_client::connect_checked(const location& where,
                                                                               error_code& ec) {
    upstream_connection::endpoint_filter allowed;
    if (!is_own_origin(where))
        allowed = [this, where](const asio::ip::address& a) { return address_allowed(upstream_, where, a); };
    auto conn = co_await upstream_connection::connect(where.host, where.port, where.tls ? tls_ctx_.get() : nullptr,
                                                      upstream_.tls_verify, timeouts_.connect, timeouts_.tls_handshake,
                                                      allowed, ec);
    if (ec == asio::error::access_denied)
        spdlog::warn("upstream target refused upstream={} host={} port={} reason=\"internal address not in "
                     "redirect_hosts\"", upstream_.name, storage::log_value(where.host), where.port);
    co_return conn;
}

awaitable<result<exchange>> upstream_client::send_redirecting(http::verb method, location where, http::fields headers) {
    for (int hop = 0;; ++hop) {
        // Credentials belong to the upstream: a redirect to a CDN never sees them.
        if (!is_own_origin(where)) headers.erase(http::field::authorization);
        auto sent = co_await send_once(method, where, headers);
        if (!sent) co_return sent.error();
        const auto status = sent->parser->get().result_int();
        if (!is_redirect(status)) co_return sent;
        if (hop == client_.max_redirects) co_return errc::upstream_protocol;
        auto next = resolve_location(where, sent->parser->get()[http::field::location]);
        if (!next) {
            spdlog::warn("upstream redirect refused upstream={} reason=\"unusable Location\"", upstream_.name);
            co_return errc::upstream_protocol;
        }
        if (auto why = refuse_target(upstream_, *next)) {
            spdlog::warn("upstream redirect refused upstream={} to={} reason={}", upstream_.name,
                         storage::log_value(next->host), storage::log_value(*why));
            co_return errc::upstream_protocol;
        }
        spdlog::debug("upstream redirect upstream={} to={}", upstream_.name, storage::log_value(next->host));
        where = std::move(*next);
    }
}

awaitable<result<exchange>> upstream_client::send_authorized(const request_spec& spec) {
    const location where{upstream_.origin.tls, upstream_.origin.host, upstream_.origin.port, with_ns(spec.target, upstream_)};
    const auto key = token_key(spec.repository);
    auto headers = spec.headers;
    if (auto token = tokens_.find(key, wall_clock::now()))
        headers.set(http::field::authorization, "Bearer " + *token);
    else if (basic_auth_ && has_credentials())
        headers.set(http::field::authorization, basic_credentials());

    auto sent = co_await send_redirecting(spec.method, where, headers);
    if (!sent || sent->parser->get().result_int() != 401) co_return sent;

    auto challenge = pick_challenge(parse_www_authenticate(sent->parser->get()[http::field::www_authenticate]));
    if (!challenge) co_return sent;  // a 401 we cannot answer reaches the caller as denied
    tokens_.invalidate(key);
    if (challenge->scheme == "basic") {
        if (!has_credentials()) co_return sent;
        basic_auth_ = true;
        headers.set(http::field::authorization, basic_credentials());
    } else {
        auto token = co_await fetch_token(*challenge, spec.repository);
        if (!token) co_return token.error();
        headers.set(http::field::authorization, "Bearer " + *token);
    }
    co_return co_await send_redirecting(spec.method, where, headers);
}

awaitable<result<exchange>> upstream_client::send(request_spec spec) {
    for (int attempt = 0;; ++attempt) {
        if (!breaker_.admit(std::chrono::steady_clock::now()).go) co_return errc::upstream_down;
        auto sent = co_await send_authorized(spec);
        const bool can_retry = spec.retry && attempt < client_.retries.max_retries;
        if (!sent) {
            if (!can_retry || sent.error() != errc::upstream_unavailable) co_return sent;
            if (breaker_.at(std::chrono::steady_clock::now()).down) co_return sent;  // no use waiting to retry
            co_await sleep_for(retry_delay(client_.retries, attempt + 1, std::nullopt));
            continue;
        }
        const auto& answer = sent->parser->get();
        const auto status = answer.result_int();
        const auto retry_after = parse_retry_after(answer[http::field::retry_after], std::chrono::system_clock::now());
        const auto remaining = answer["RateLimit-Remaining"];
        // The registry's own answers only: a CDN a blob was redirected to speaks for itself.
        if (sent->origin == own_origin())
            quota_.observe(status, answer["RateLimit-Limit"], remaining, retry_after, std::chrono::steady_clock::now());
        if (!is_retryable_status(status) || !can_retry || out_of_pulls(status, remaining)) co_return sent;
        const auto delay = retry_delay(client_.retries, attempt + 1, retry_after);
        spdlog::info("upstream retry upstream={} status={} attempt={} delay_ms={}", upstream_.name, status, attempt + 1,
                     delay.count());
        co_await sleep_for(delay);
    }
}

awaitable<result<std::string>> upstream_client::fetch_token(const auth_challenge& challenge,
                                                            const std::string& repository) {
    const location own{upstream_.origin.tls, upstream_.origin.host, upstream_.origin.port, "/"};
    auto realm = resolve_location(own, challenge.param("realm"));
    if (!realm || refuse_target(upstream_, *realm)) co_return errc::upstream_denied;
    // Credentials go only to the upstream's own origin or over verified TLS; elsewhere the token
    // is asked for anonymously, which is all a public repository needs.
    const bool with_credentials = has_credentials() && may_send_credentials(upstream_, *realm);
    if (has_credentials() && !with_credentials && !warned_anonymous_realm_.exchange(true))
        spdlog::warn("token realm gets no credentials upstream={} realm={} reason=\"not the upstream's origin and "
                     "not verified TLS\"", upstream_.name, storage::log_value(realm->origin()));
    auto scope = challenge.param("scope");
    if (scope.empty()) scope = token_key(repository);
    ++token_fetches_;
    token_flow flow({realm->target, challenge.param("service"), scope, upstream_.username, upstream_.password,
                     with_credentials});
    auto request = flow.start();
    for (;;) {
        const auto answer = co_await ask_realm(*realm, request);
        auto step = flow.resume(answer, wall_clock::now());
        if (step.send) {
            request = std::move(*step.send);
            continue;
        }
        if (step.error == errc::upstream_denied)
            spdlog::warn("token request refused upstream={} realm={} status={}", upstream_.name,
                         storage::log_value(realm->host), step.status);
        if (!step.token) co_return step.error;
        auto value = step.token->token;
        tokens_.store(token_key(repository), std::move(*step.token));
        spdlog::debug("token fetched upstream={} scope={}", upstream_.name, storage::log_value(scope));
        co_return value;
    }
}

// Sends one token_flow request to the realm and reads its answer (at most 1 MiB).
awaitable<result<token_answer>> upstream_client::ask_realm(location realm, token_request request) {
    http::fields headers;
    if (!request.content_type.empty()) headers.set(http::field::content_type, request.content_type);
    if (request.basic_auth) headers.set(http::field::authorization, basic_credentials());
    realm.target = std::move(request.target);
    const auto verb = request.verb == token_request::method::post ? http::verb::post : http::verb::get;
    auto sent = co_await send_once(verb, realm, headers, request.body);
    if (!sent) co_return sent.error();
    const auto status = sent->parser->get().result_int();
    auto body = co_await read_all(std::move(*sent), 1 << 20, false);
    if (!body) co_return body.error();
    co_return token_answer{status, std::move(body->body)};
}

awaitable<result<buffered_response>> upstream_client::read_all(exchange ex, std::size_t body_limit, bool head) {
    buffered_response out;
    out.status = ex.parser->get().result_int();
    out.headers = ex.parser->get().base();
    if (const auto len = ex.parser->content_length(); len && *len > body_limit && !head)
        co_return errc::manifest_too_large;
    else if (len && !head)
        out.body.reserve(*len);  // one allocation of the announced size, not doubling past it
    char chunk[16384];
    error_code ec;
    while (!ex.parser->is_done()) {
        const auto n = co_await ex.conn->read_body(*ex.parser, chunk, sizeof chunk, timeouts_.idle_body, ec);
        if (ec) co_return errc::upstream_truncated;
        if (out.body.size() + n > body_limit) co_return errc::manifest_too_large;
        out.body.append(chunk, n);
    }
    if (metrics_ && !out.body.empty()) metrics_->add_upstream_bytes(upstream_.name, out.body.size());
    if (ex.parser->get().keep_alive()) pool_->give_back(ex.origin, std::move(ex.conn));
    co_return out;
}

// Whatever an upstream sent that Beast or the standard library refused by throwing (a header
// value too large to set, say) ends here as an error of the request, never past its caller.
errc upstream_client::refused_upstream_data(const std::exception& e) const {
    spdlog::warn("upstream answer refused upstream={} error={}", upstream_.name, storage::log_value(e.what()));
    return errc::upstream_protocol;
}

awaitable<result<buffered_response>> upstream_client::fetch(http::verb method, std::string target, http::fields headers,
                                                            std::size_t body_limit, std::string repository,
                                                            bool retry) {
    // A named spec, not a braced temporary inside co_await: GCC 12 corrupts those (see run_blocking).
    request_spec spec{method, std::move(target), std::move(headers), std::move(repository), retry};
    try {
        auto sent = co_await send(std::move(spec));
        if (!sent) co_return sent.error();
        co_return co_await read_all(std::move(*sent), body_limit, method == http::verb::head);
    } catch (const std::exception& e) {
        co_return refused_upstream_data(e);
    }
}

awaitable<result<response_stream>> upstream_client::open(std::string target, http::fields headers,
                                                         std::string repository) {
    request_spec spec{http::verb::get, std::move(target), std::move(headers), std::move(repository)};
    try {
        auto sent = co_await send(std::move(spec));
        if (!sent) co_return sent.error();
        co_return response_stream(std::move(*sent), pool_, timeouts_.idle_body, metrics_, upstream_.name);
    } catch (const std::exception& e) {
        co_return refused_upstream_data(e);
    }
}

}  // namespace strata::proxy
