// parse_www_authenticate: a small tokenizer for auth-scheme and auth-param lists.
#include "proxy/protocol/www_authenticate.hpp"

#include "proxy/protocol/header_text.hpp"

#include <algorithm>
#include <cctype>

namespace strata::proxy {
namespace {

bool is_token_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

class cursor {
public:
    explicit cursor(std::string_view s) : s_(s) {}
    bool done() const { return i_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[i_]; }
    void skip_spaces() {
        while (!done() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
    }
    void skip_separators() {
        while (!done() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == ',')) ++i_;
    }
    std::string_view token() {
        const auto start = i_;
        while (!done() && is_token_char(s_[i_])) ++i_;
        return s_.substr(start, i_ - start);
    }
    std::optional<std::string> quoted() {
        std::string out;
        ++i_;  // opening quote
        while (!done()) {
            const char c = s_[i_++];
            if (c == '"') return out;
            if (c == '\\' && !done()) {
                out.push_back(s_[i_++]);
                continue;
            }
            out.push_back(c);
        }
        return std::nullopt;  // unterminated
    }
    // An unquoted value: tolerant of URLs, so everything up to a comma or white space.
    std::string_view bare_value() {
        const auto start = i_;
        while (!done() && s_[i_] != ',' && s_[i_] != ' ' && s_[i_] != '\t') ++i_;
        return s_.substr(start, i_ - start);
    }
    std::size_t position() const { return i_; }
    void rewind(std::size_t to) { i_ = to; }
    void advance() { ++i_; }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

// Reads "name=value" at the cursor; false (cursor unchanged) when the next item is not a param.
bool read_param(cursor& c, auth_challenge& out, bool& malformed) {
    const auto start = c.position();
    const auto name = c.token();
    c.skip_spaces();
    if (name.empty() || c.peek() != '=') {
        c.rewind(start);
        return false;
    }
    c.advance();
    c.skip_spaces();
    std::string value;
    if (c.peek() == '"') {
        auto q = c.quoted();
        if (!q) {
            malformed = true;
            return false;
        }
        value = std::move(*q);
    } else {
        value = std::string(c.bare_value());
    }
    out.params[ascii_lower(name)] = std::move(value);
    return true;
}

}  // namespace

std::vector<auth_challenge> parse_www_authenticate(std::string_view header) {
    std::vector<auth_challenge> out;
    cursor c(header);
    c.skip_separators();
    while (!c.done()) {
        const auto scheme = c.token();
        if (scheme.empty()) break;
        auth_challenge challenge{ascii_lower(scheme), {}};
        c.skip_spaces();
        bool malformed = false;
        while (read_param(c, challenge, malformed)) c.skip_separators();
        if (malformed) break;
        out.push_back(std::move(challenge));
        c.skip_separators();
    }
    return out;
}

std::optional<auth_challenge> pick_challenge(const std::vector<auth_challenge>& challenges) {
    for (const auto& c : challenges)
        if (c.scheme == "bearer" && !c.param("realm").empty()) return c;
    for (const auto& c : challenges)
        if (c.scheme == "basic") return c;
    return std::nullopt;
}

}  // namespace strata::proxy
