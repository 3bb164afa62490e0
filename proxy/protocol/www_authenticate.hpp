// Parsing of WWW-Authenticate challenges (RFC 9110 §11.6.1) as registries send them.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// One challenge: scheme lower-cased ("bearer", "basic"), parameter names lower-cased,
// values unquoted.
struct auth_challenge {
    std::string scheme;
    std::map<std::string, std::string> params;

    std::string param(const std::string& name) const {
        auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    }
};

// Parses every challenge in a header value, e.g.
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"
// Malformed input yields the challenges parsed before the fault (possibly none); never throws.
std::vector<auth_challenge> parse_www_authenticate(std::string_view header);

// The first Bearer challenge with a realm, else the first Basic one.
std::optional<auth_challenge> pick_challenge(const std::vector<auth_challenge>& challenges);

}  // namespace strata::proxy
