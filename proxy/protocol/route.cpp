// parse_route: splits /v2/ targets into name and reference and maps them onto upstreams.
#include "proxy/protocol/route.hpp"
#include "proxy/protocol/percent_encoding.hpp"

#include "storage/oci/reference.hpp"
#include "storage/reused_text.hpp"

#include <charconv>
#include <optional>
#include <string>

namespace strata::proxy {
namespace {

bool looks_like_host(std::string_view component) {
    return component == "localhost" || component.find_first_of(".:") != std::string_view::npos;
}

// Sets out to the query value's text, percent-decoded; copies without decoding when there is
// nothing to decode. False for a broken escape.
bool assign_decoded(std::string& out, std::string_view value) {
    if (value.find('%') == std::string_view::npos) {
        out.assign(value);
        return true;
    }
    auto decoded = percent_decode(value);
    if (!decoded) return false;
    out = std::move(*decoded);
    return true;
}

// Reads ns, n, last and artifactType from the query into r; other keys are ignored, and so is an n that is
// not a number.
result<void> parse_query(std::string_view query, route& r) {
    std::string other;  // n's text, or an ignored key's value (decoded all the same)
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        const auto key = pair.substr(0, eq);
        const auto value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
        auto& out = key == "ns" ? r.ns : key == "last" ? r.last : key == "artifactType" ? r.artifact_type : other;
        if (!assign_decoded(out, value)) return errc::name_invalid;
        if (key == "n") {
            std::size_t n = 0;
            const auto [end, ec] = std::from_chars(other.data(), other.data() + other.size(), n);
            if (ec == std::errc() && end == other.data() + other.size()) r.page_size = n;
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return {};
}

// Splits "<name>/<verb>/<rest>" at the last verb; the reference never contains '/'.
bool split_at_verb(std::string_view path, route& r) {
    struct verb {
        std::string_view marker;
        endpoint kind;
    };
    static constexpr verb verbs[] = {
        {"/manifests/", endpoint::manifest}, {"/blobs/", endpoint::blob}, {"/referrers/", endpoint::referrers}};
    if (path.ends_with("/tags/list")) {
        r.kind = endpoint::tags_list;
        r.client_name.assign(path.substr(0, path.size() - 10));
        return true;
    }
    for (const auto& v : verbs) {
        const auto at = path.rfind(v.marker);
        if (at == std::string_view::npos) continue;
        const auto rest = path.substr(at + v.marker.size());
        if (v.kind == endpoint::blob && (rest == "uploads" || path.find("/blobs/uploads") == at)) {
            r.kind = endpoint::blob_upload;
        } else if (rest.find('/') != std::string_view::npos) {
            continue;
        } else {
            r.kind = v.kind;
        }
        r.client_name.assign(path.substr(0, at));
        r.reference.assign(rest);
        return true;
    }
    return false;
}

result<void> pick_upstream(route& r, const config& cfg) {
    std::string_view name = r.client_name;
    if (!r.ns.empty()) {
        r.upstream = cfg.find_upstream(r.ns);
        if (!r.upstream) return errc::upstream_unknown;
    } else if (const auto slash = name.find('/');
               slash != std::string_view::npos && looks_like_host(name.substr(0, slash))) {
        r.upstream = cfg.find_upstream(name.substr(0, slash));
        if (!r.upstream) return errc::upstream_unknown;
        name.remove_prefix(slash + 1);
    } else {
        r.upstream = cfg.find_upstream(cfg.default_upstream);
        if (!r.upstream) return errc::upstream_unknown;
    }
    if (!storage::is_valid_repository(name)) return errc::name_invalid;
    r.repository.clear();
    if (r.upstream->docker_hub && name.find('/') == std::string_view::npos) r.repository.assign("library/");
    r.repository.append(name);
    return {};
}

// Empties r for the next target. Strings keep their capacity, unless a long target left one
// large: a connection holds its route between requests.
void reset_route(route& r) {
    r.kind = endpoint::unknown;
    r.upstream = nullptr;
    r.page_size.reset();
    for (auto* text : {&r.repository, &r.client_name, &r.reference, &r.ns, &r.last, &r.artifact_type})
        storage::clear_for_reuse(*text);
}

result<void> parse_into(std::string_view target, const config& cfg, route& r) {
    const auto qmark = target.find('?');
    auto raw_path = target.substr(0, qmark);
    if (qmark != std::string_view::npos)
        if (auto parsed = parse_query(target.substr(qmark + 1), r); !parsed) return parsed;

    std::optional<std::string> decoded;  // only when something is percent-encoded
    if (raw_path.find('%') != std::string_view::npos) {
        decoded = percent_decode(raw_path);
        if (!decoded) return errc::name_invalid;
    }
    const std::string_view path = decoded ? std::string_view(*decoded) : raw_path;
    if (path == "/v2" || path == "/v2/") {
        r.kind = endpoint::base;
        return {};
    }
    if (!path.starts_with("/v2/") || !split_at_verb(path.substr(4), r)) return {};
    if (r.kind == endpoint::blob_upload) return {};
    return pick_upstream(r, cfg);
}

}  // namespace

result<void> parse_route(std::string_view target, const config& cfg, route& r) {
    reset_route(r);
    auto parsed = parse_into(target, cfg, r);
    if (!parsed) reset_route(r);  // no half-parsed route: kind unknown, no upstream
    return parsed;
}

result<route> parse_route(std::string_view target, const config& cfg) {
    route r;
    if (auto parsed = parse_route(target, cfg, r); !parsed) return parsed.error();
    return r;
}

}  // namespace strata::proxy
