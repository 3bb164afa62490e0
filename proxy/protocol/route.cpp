// parse_route: splits /v2/ targets into name and reference and maps them onto upstreams.
#include "proxy/protocol/route.hpp"
#include "proxy/protocol/percent_encoding.hpp"

#include "storage/oci/reference.hpp"

#include <charconv>
#include <optional>
#include <string>

namespace strata::proxy {
namespace {

bool looks_like_host(std::string_view component) {
    return component == "localhost" || component.find_first_of(".:") != std::string_view::npos;
}

struct query_params {
    std::string ns;
    std::optional<std::size_t> n;
    std::string last;
};

result<query_params> parse_query(std::string_view query) {
    query_params out;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        const auto key = pair.substr(0, eq);
        auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
        if (!value) return errc::name_invalid;
        if (key == "ns") {
            out.ns = std::move(*value);
        } else if (key == "n") {
            std::size_t n = 0;
            const auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
            if (ec == std::errc() && end == value->data() + value->size()) out.n = n;
        } else if (key == "last") {
            out.last = std::move(*value);
        }
        if (amp == std::string_view::npos) break;
        query.remove_prefix(amp + 1);
    }
    return out;
}

// Splits "<name>/<verb>/<rest>" at the last verb; the reference never contains '/'.
bool split_at_verb(std::string_view path, route& r) {
    struct verb {
        std::string_view marker;
        endpoint kind;
    };
    static constexpr verb verbs[] = {{"/manifests/", endpoint::manifest}, {"/blobs/", endpoint::blob}};
    if (path.ends_with("/tags/list")) {
        r.kind = endpoint::tags_list;
        r.client_name = std::string(path.substr(0, path.size() - 10));
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
        r.client_name = std::string(path.substr(0, at));
        r.reference = std::string(rest);
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
    r.repository = std::string(name);
    if (r.upstream->docker_hub && r.repository.find('/') == std::string::npos)
        r.repository = "library/" + r.repository;
    return {};
}

}  // namespace

result<route> parse_route(std::string_view target, const config& cfg) {
    route r;
    const auto qmark = target.find('?');
    auto raw_path = target.substr(0, qmark);
    auto query = qmark == std::string_view::npos ? std::string_view() : target.substr(qmark + 1);

    auto params = parse_query(query);
    if (!params) return params.error();
    r.ns = std::move(params->ns);
    r.page_size = params->n;
    r.last = std::move(params->last);

    std::optional<std::string> decoded;  // only when something is percent-encoded
    if (raw_path.find('%') != std::string_view::npos) {
        decoded = percent_decode(raw_path);
        if (!decoded) return errc::name_invalid;
    }
    const std::string_view path = decoded ? std::string_view(*decoded) : raw_path;
    if (path == "/v2" || path == "/v2/") {
        r.kind = endpoint::base;
        return r;
    }
    if (!path.starts_with("/v2/") || !split_at_verb(path.substr(4), r)) return r;
    if (r.kind == endpoint::blob_upload) return r;
    if (auto picked = pick_upstream(r, cfg); !picked) return picked.error();
    return r;
}

}  // namespace strata::proxy
