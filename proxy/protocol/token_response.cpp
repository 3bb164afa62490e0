// token_response: the token endpoint's JSON, read with nlohmann behind a depth check; RFC 3339 by hand.
#include "proxy/protocol/token_response.hpp"

#include "storage/untrusted/json_limits.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>

namespace strata::proxy {
namespace {

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
    if (pos + len > s.size()) return false;
    const auto [end, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return ec == std::errc() && end == s.data() + pos + len;
}

}  // namespace

std::optional<wall_clock::time_point> parse_rfc3339(std::string_view s) {
    int year, month, day, hour, minute, second;
    if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        s[13] != ':' || s[16] != ':')
        return std::nullopt;
    if (!read_int(s, 0, 4, year) || !read_int(s, 5, 2, month) || !read_int(s, 8, 2, day) ||
        !read_int(s, 11, 2, hour) || !read_int(s, 14, 2, minute) || !read_int(s, 17, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    // What system_clock's nanoseconds can hold (1678-2261), so the conversion cannot overflow.
    if (year < 1678 || year > 2261) return std::nullopt;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        ++i;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    }
    int offset_minutes = 0;
    if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        int oh, om;
        if (!read_int(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !read_int(s, i + 4, 2, om))
            return std::nullopt;
        offset_minutes = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
        i += 6;
    } else {
        return std::nullopt;
    }
    if (i != s.size()) return std::nullopt;
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    const auto t = timegm(&tm);
    return wall_clock::from_time_t(t) - std::chrono::minutes(offset_minutes);
}

result<issued_token> parse_token_response(std::string_view body, wall_clock::time_point now) {
    if (!storage::json_nesting_within(body)) return errc::upstream_protocol;
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object()) return errc::upstream_protocol;
    std::string token;
    for (const char* key : {"token", "access_token"}) {
        auto it = doc.find(key);
        if (it != doc.end() && it->is_string() && !it->get<std::string>().empty()) {
            token = it->get<std::string>();
            break;
        }
    }
    // It becomes an Authorization header: visible ASCII only, and no bigger than a header may be.
    if (token.empty() || token.size() > max_token_bytes) return errc::upstream_protocol;
    for (char c : token)
        if (c <= 0x20 || c >= 0x7f) return errc::upstream_protocol;
    std::int64_t expires_in = 60;
    if (auto it = doc.find("expires_in"); it != doc.end() && it->is_number_integer() && it->get<std::int64_t>() > 0)
        expires_in = std::min<std::int64_t>(it->get<std::int64_t>(), 24 * 3600);
    auto issued = now;
    if (auto it = doc.find("issued_at"); it != doc.end() && it->is_string())
        if (auto t = parse_rfc3339(it->get<std::string>()); t && *t < now) issued = *t;
    const auto lifetime = std::chrono::seconds(expires_in);
    const auto margin = std::min<std::chrono::seconds>(lifetime / 10, std::chrono::seconds(30));
    return issued_token{std::move(token), issued + lifetime - margin};
}

}  // namespace strata::proxy
