// pull_users: the users file read strictly, allowlists, token lookup in constant time.
#include "proxy/auth/pull_users.hpp"

#include "proxy/auth/password_hash.hpp"
#include "proxy/config/config.hpp"
#include "storage/oci/reference.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace strata::proxy {
namespace {

using json = nlohmann::json;

[[noreturn]] void fail(const std::string& where, const std::string& what) { throw config_error(where + ": " + what); }

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

std::vector<std::string> string_list(const json& entry, const char* key, const std::string& where) {
    std::vector<std::string> out;
    const auto it = entry.find(key);
    if (it == entry.end()) return out;
    if (!it->is_array()) fail(where + "." + key, "must be a list of strings");
    for (const auto& v : *it) {
        if (!v.is_string()) fail(where + "." + key, "must be a list of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

std::optional<std::array<std::uint8_t, 32>> parse_sha256_hex(std::string_view hex) {
    if (hex.size() != 64) return std::nullopt;
    std::array<std::uint8_t, 32> out{};
    for (std::size_t i = 0; i < 64; ++i) {
        const char c = hex[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (v < 0) return std::nullopt;
        out[i / 2] = static_cast<std::uint8_t>(out[i / 2] << 4 | v);
    }
    return out;
}

std::string string_field(const json& entry, const char* key, const std::string& where) {
    const auto it = entry.find(key);
    if (it == entry.end()) return {};
    if (!it->is_string()) fail(where + "." + key, "must be a string");
    return it->get<std::string>();
}

// Each prefix a repository name (or its start, with a '/' at the end); "" and "*" would be an
// allowlist that allows everything by accident: leave "repositories" out for that.
void check_prefixes(const std::vector<std::string>& prefixes, const std::string& where) {
    for (const auto& p : prefixes) {
        const std::string_view name = p.ends_with('/') ? std::string_view(p).substr(0, p.size() - 1) : std::string_view(p);
        if (!storage::is_valid_repository(name))
            fail(where + ".repositories", "\"" + p + "\" is not a repository name or prefix (lowercase path, "
                                          "e.g. \"myorg\" or \"library/\"; leave the field out for every repository)");
    }
}

pull_user read_user(const json& entry, const std::string& where, const std::vector<std::string>& known_upstreams,
                    std::chrono::nanoseconds& probe_time) {
    if (!entry.is_object()) fail(where, "must be an object");
    for (const auto& [key, value] : entry.items())
        if (key != "name" && key != "password_hash" && key != "token_sha256" && key != "upstreams" && key != "repositories")
            fail(where + "." + key, "unknown field");
    pull_user u;
    u.name = string_field(entry, "name", where);
    if (u.name.empty() || u.name.size() > 256 || u.name.find_first_of(":\r\n") != std::string::npos ||
        std::any_of(u.name.begin(), u.name.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
        fail(where + ".name", "required: 1 to 256 printable characters, no colon");
    u.password_hash = string_field(entry, "password_hash", where);
    const auto token = string_field(entry, "token_sha256", where);
    if (u.password_hash.empty() == token.empty())
        fail(where, "give a password_hash (Basic) or a token_sha256 (Bearer), one of the two");
    if (!u.password_hash.empty())
        if (auto problem = unsupported_password_hash(u.password_hash, &probe_time); !problem.empty())
            fail(where + ".password_hash", problem);
    if (!token.empty()) {
        u.token_sha256 = parse_sha256_hex(token);
        if (!u.token_sha256)
            fail(where + ".token_sha256", token.ends_with("-") ? "only the 64 hex digits sha256sum prints, without the \"  -\" after them"
                                                               : "must be 64 lowercase hex digits (printf %s TOKEN | sha256sum)");
    }
    u.upstreams = string_list(entry, "upstreams", where);
    if (u.upstreams.empty()) fail(where + ".upstreams", "required: upstream names, or [\"*\"] for all");
    for (const auto& name : u.upstreams)
        if (name != "*" && std::find(known_upstreams.begin(), known_upstreams.end(), name) == known_upstreams.end())
            fail(where + ".upstreams", "no upstream is named \"" + name + "\" (configured: " + joined(known_upstreams) + ")");
    u.repositories = string_list(entry, "repositories", where);
    check_prefixes(u.repositories, where);
    return u;
}

}  // namespace

bool repository_prefix_matches(std::string_view prefix, std::string_view repository) {
    if (prefix.empty()) return true;
    if (!repository.starts_with(prefix)) return false;
    return prefix.back() == '/' || repository.size() == prefix.size() || repository[prefix.size()] == '/';
}

bool pull_user::allows(std::string_view upstream, std::string_view repository) const {
    const bool upstream_ok = std::any_of(upstreams.begin(), upstreams.end(),
                                         [&](const std::string& u) { return u == "*" || u == upstream; });
    if (!upstream_ok) return false;
    return repositories.empty() || std::any_of(repositories.begin(), repositories.end(), [&](const std::string& p) {
               return repository_prefix_matches(p, repository);
           });
}

pull_users pull_users::parse(std::string_view json_text, const std::string& source,
                             const std::vector<std::string>& known_upstreams) {
    const auto doc = json::parse(json_text.begin(), json_text.end(), nullptr, false);
    if (doc.is_discarded()) fail(source, "not valid JSON");
    if (!doc.is_object() || !doc.contains("users") || !doc["users"].is_array())
        fail(source, "expected {\"users\": [...]}");
    for (const auto& [key, value] : doc.items())
        if (key != "users") fail(source + ": " + key, "unknown field");
    if (doc["users"].empty()) fail(source, "no users: every pull would be refused (leave pull_auth out to let anyone pull)");
    pull_users out;
    std::set<std::string> names;
    std::set<std::array<std::uint8_t, 32>> tokens;
    std::size_t i = 0, slowest = 0;
    std::chrono::nanoseconds slowest_time{-1};
    for (const auto& entry : doc["users"]) {
        const auto where = source + ": users[" + std::to_string(i++) + "]";
        std::chrono::nanoseconds probe_time{-1};
        auto user = read_user(entry, where, known_upstreams, probe_time);
        if (!names.insert(user.name).second) fail(where + ".name", "\"" + user.name + "\" is named twice");
        if (user.token_sha256 && !tokens.insert(*user.token_sha256).second)
            fail(where + ".token_sha256", "the same token as another user's");
        if (probe_time > slowest_time) {
            slowest_time = probe_time;
            slowest = out.users_.size();
        }
        out.users_.push_back(std::move(user));
    }
    if (slowest_time.count() >= 0) out.slowest_ = slowest;
    return out;
}

const pull_user* pull_users::find_user(std::string_view name) const {
    for (const auto& u : users_)
        if (!u.password_hash.empty() && u.name == name) return &u;
    return nullptr;
}

const pull_user* pull_users::find_token(const std::array<std::uint8_t, 32>& sha256) const {
    const pull_user* found = nullptr;
    for (const auto& u : users_) {  // no early exit: the time does not say which entry matched
        const bool match = u.token_sha256 && CRYPTO_memcmp(u.token_sha256->data(), sha256.data(), sha256.size()) == 0;
        if (match) found = &u;
    }
    return found;
}

}  // namespace strata::proxy
