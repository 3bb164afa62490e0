// replies: whole responses for text, errors and refusals; version and keep-alive come from the writer.
#include "proxy/reply/replies.hpp"

#include "proxy/reply/oci_error.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {

awaitable<reply> at_once(reply r) { co_return std::move(r); }

reply text_reply(http::status status, std::string_view content_type, std::string body) {
    whole_response res{status, 11};
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
    return {std::move(res), {}};
}

std::string json_text(const nlohmann::json& doc) {
    return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

reply json_reply(http::status status, const nlohmann::json& doc) {
    return text_reply(status, "application/json", json_text(doc));
}

reply error_reply(error_code ec, std::string_view detail) {
    return {make_error_response(to_errc(ec), detail, 11, true), {}};
}

reply refusal(http::status status, std::string_view code, std::string_view message) {
    return {make_error_response(status, code, message, 11, true), {}};
}

reply refusal(http::status status, std::string_view code, std::string_view message, http::field field,
              std::string_view value) {
    auto res = make_error_response(status, code, message, 11, true);
    res.set(field, value);
    return {std::move(res), {}};
}

}  // namespace strata::proxy
