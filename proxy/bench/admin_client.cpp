// admin_client: one synchronous connection per call; answers read as hostile (bounded, parsed guarded).
#include "proxy/bench/admin_client.hpp"

#include "analytics/inputs/json_input.hpp"
#include "proxy/bench/metrics_text.hpp"
#include "proxy/protocol/percent_encoding.hpp"
#include "proxy/upstream/redirect_policy.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <stdexcept>

namespace strata::proxy {

namespace {

// The response to a request whose header is written: with a body, only after strata said
// "100 Continue" is the body sent, so a refusal (401, 409, 413, 429) is read, never lost to a
// broken pipe.
template <class Stream>
std::pair<unsigned, std::string> exchange(Stream& stream, http::request<http::string_body>& req) {
    http::request_serializer<http::string_body> out(req);
    beast::flat_buffer buffer;
    const auto read_answer = [&](http::response_parser<http::string_body>& parser) {
        http::read(stream, buffer, parser);
        return std::pair<unsigned, std::string>{parser.get().result_int(), parser.get().body()};
    };
    http::response_parser<http::string_body> first;
    first.body_limit(std::size_t{16} << 20);
    if (req.body().empty()) {
        http::write(stream, out);
        return read_answer(first);
    }
    http::write_header(stream, out);
    http::read_header(stream, buffer, first);
    if (first.get().result() != http::status::continue_) return read_answer(first);
    http::write(stream, out);
    http::response_parser<http::string_body> final_answer;
    final_answer.body_limit(std::size_t{16} << 20);
    return read_answer(final_answer);
}

}  // namespace

std::pair<unsigned, std::string> admin_call(const std::string& server, const std::string& token, http::verb verb,
                                            const std::string& target, std::string body) {
    const auto where = resolve_location(location{}, server + "/");
    if (!where) throw std::runtime_error("'" + server + "' is not a strata URL");
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::minutes(30));  // a prefetch of a large image takes a while
    stream.connect(tcp::resolver(io).resolve(where->host, where->port));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, where->host + ":" + where->port);
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) {
        req.set(http::field::content_type, "application/x-ndjson");
        req.set(http::field::expect, "100-continue");
    }
    req.body() = std::move(body);
    req.prepare_payload();
    return exchange(stream, req);
}

void prefetch(const std::string& server, const std::string& token, const std::string& ref) {
    const auto [status, body] = admin_call(server, token, http::verb::post, "/api/v1/prefetch?image=" + percent_encode(ref, "/"));
    if (status != 200) throw std::runtime_error("prefetch of " + ref + " through " + server + ": HTTP " + std::to_string(status));
    const auto last_line = body.substr(body.rfind('\n', body.size() > 1 ? body.size() - 2 : 0) + 1);
    const auto summary = analytics::parse_json_guarded(last_line);
    const auto failed = summary.is_object() && summary.contains("summary") && summary["summary"].is_object() &&
                                summary["summary"].contains("images_failed") &&
                                summary["summary"]["images_failed"].is_number_unsigned()
                            ? summary["summary"]["images_failed"].get<std::uint64_t>()
                            : 1;
    if (failed != 0)
        throw std::runtime_error("prefetch of " + ref + " through " + server + " failed: " +
                                 storage::log_value(last_line.substr(0, 300)));
}

void evict(const std::string& server, const std::string& token, const std::string& ref) {
    const auto [status, body] = admin_call(server, token, http::verb::delete_, "/api/v1/cache?ref=" + percent_encode(ref, "/"));
    if (status != 200)
        throw std::runtime_error("evicting " + ref + " from " + server + " (for proxy-cold): HTTP " +
                                 std::to_string(status) + " " + storage::log_value(body.substr(0, 300)));
    // Blobs being served or pinned stay: the trial would not be cold.
    const auto answer = analytics::parse_json_guarded(body);
    for (const char* kept : {"in_use", "pinned"})
        if (!answer.is_object() || !answer.contains(kept) || !answer[kept].is_number_unsigned() || answer[kept].get<std::uint64_t>() != 0)
            throw std::runtime_error("evicting " + ref + " from " + server + " (for proxy-cold) left blobs " + kept +
                                     ": " + storage::log_value(body.substr(0, 300)));
}

std::optional<std::uint64_t> upstream_body_bytes(const std::string& server, const std::string& token,
                                                 const std::string& upstream) {
    const auto [status, body] = admin_call(server, token, http::verb::get, "/metrics");
    if (status != 200) return std::nullopt;
    const auto sum = metric_sum(body, "strata_upstream_bytes_total", "upstream", upstream).value_or(0);
    if (!(sum >= 0 && sum < 1.8e19)) return std::nullopt;
    return static_cast<std::uint64_t>(sum);
}

void record_events(const std::string& server, const std::string& token, const std::vector<storage::pull_event>& events) {
    constexpr std::size_t batch_bytes = std::size_t{4} << 20, batch_events = 8192;
    std::string batch;
    std::size_t in_batch = 0;
    const auto send = [&] {
        const auto [status, answer] = admin_call(server, token, http::verb::post, "/api/v1/events", std::move(batch));
        batch.clear();
        in_batch = 0;
        if (status != 200)
            throw std::runtime_error("recording the trial in " + server + ": HTTP " + std::to_string(status) + " " +
                                     storage::log_value(answer.substr(0, 300)));
    };
    for (const auto& e : events) {
        auto line = storage::to_json_line(e);
        if (!batch.empty() && (batch.size() + line.size() + 1 > batch_bytes || in_batch == batch_events)) send();
        batch += line;
        batch += '\n';
        ++in_batch;
    }
    if (!batch.empty()) send();
}

}  // namespace strata::proxy
