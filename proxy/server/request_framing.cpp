// request_framing: Host, Transfer-Encoding and Content-Length checks of a request header.
#include "proxy/server/request_framing.hpp"

#include <cctype>
#include <string_view>
#include <vector>

namespace strata::proxy {
namespace {

bool is_tchar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) !=
                                                              std::string_view::npos;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// The codings of every Transfer-Encoding field, lower-cased; nullopt when one is not a token.
// Parameters (";q=...") are not allowed on the codings strata knows, so they count as malformed.
std::optional<std::vector<std::string>> transfer_codings(const http::request_header<request_fields>& header) {
    std::vector<std::string> codings;
    for (const auto& field : header) {
        if (field.name() != http::field::transfer_encoding) continue;
        std::string_view value = field.value();
        for (;;) {
            const auto comma = value.find(',');
            const auto item = trim(value.substr(0, comma));
            if (item.empty()) return std::nullopt;
            std::string coding;
            for (char c : item) {
                if (!is_tchar(c)) return std::nullopt;
                coding.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
            }
            codings.push_back(std::move(coding));
            if (comma == std::string_view::npos) break;
            value.remove_prefix(comma + 1);
        }
    }
    return codings;
}

std::size_t count_fields(const http::request_header<request_fields>& header, http::field name) {
    std::size_t n = 0;
    for (const auto& field : header)
        if (field.name() == name) ++n;
    return n;
}

}  // namespace

std::optional<framing_error> check_request_framing(const http::request_header<request_fields>& header) {
    const auto hosts = count_fields(header, http::field::host);
    if (header.version() >= 11 && hosts != 1)
        return framing_error{http::status::bad_request, hosts == 0 ? "an HTTP/1.1 request needs a Host field"
                                                                   : "more than one Host field"};
    if (hosts > 1) return framing_error{http::status::bad_request, "more than one Host field"};
    const auto lengths = count_fields(header, http::field::content_length);
    if (lengths > 1) return framing_error{http::status::bad_request, "more than one Content-Length field"};
    if (count_fields(header, http::field::transfer_encoding) == 0) return std::nullopt;
    if (lengths > 0)
        return framing_error{http::status::bad_request, "Transfer-Encoding and Content-Length together"};
    const auto codings = transfer_codings(header);
    if (!codings) return framing_error{http::status::bad_request, "malformed Transfer-Encoding"};
    for (const auto& coding : *codings)
        if (coding != "chunked")
            return framing_error{http::status::not_implemented, "unsupported transfer coding"};
    if (codings->size() != 1) return framing_error{http::status::bad_request, "chunked applied more than once"};
    return std::nullopt;
}

}  // namespace strata::proxy
