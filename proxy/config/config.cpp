// Config defaults and the strict JSON reader that names the offending field.
#include "proxy/config/config.hpp"

#include "storage/eviction/eviction_policy.hpp"
#include "storage/eviction/pins.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <type_traits>

namespace strata::proxy {
namespace {

using json = nlohmann::json;

upstream_config make_upstream(std::string name, std::string url) {
    upstream_config u;
    u.name = std::move(name);
    u.url = std::move(url);
    u.origin = parse_origin(u.url, "upstreams[].url");
    return u;
}

// Reads fields of one JSON object, remembering which were read so leftovers are reported.
class object_reader {
public:
    object_reader(const json& j, std::string path) : j_(j), path_(std::move(path)) {
        if (!j_.is_object()) throw config_error(path_ + ": expected an object");
    }

    template <class T>
    void read(const char* key, T& out) {
        const auto it = j_.find(key);
        if (it == j_.end()) return;
        seen_.insert(key);
        if constexpr (std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
            if (!it->is_number_unsigned()) throw config_error(field(key) + ": must be a non-negative integer");
        } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
            // A float such as 1e300 converted to an integer is undefined behaviour: refuse it.
            if (!it->is_number_integer()) throw config_error(field(key) + ": must be an integer");
        }
        try {
            out = it->get<T>();
        } catch (const json::exception&) {
            throw config_error(field(key) + ": wrong type");
        }
    }

    template <class Rep, class Period>
    void read_duration(const char* key, std::chrono::duration<Rep, Period>& out) {
        std::int64_t value = -1;
        read(key, value);
        if (!j_.contains(key)) return;
        if (value < 0) throw config_error(field(key) + ": must be a non-negative number");
        out = std::chrono::duration<Rep, Period>(value);
    }

    const json* child(const char* key) {
        const auto it = j_.find(key);
        if (it == j_.end()) return nullptr;
        seen_.insert(key);
        return &*it;
    }

    std::string field(const char* key) const { return path_ + "." + key; }

    void reject_unknown() const {
        for (const auto& [key, value] : j_.items())
            if (!seen_.count(key)) throw config_error(path_ + "." + key + ": unknown field");
    }

private:
    const json& j_;
    std::string path_;
    std::set<std::string> seen_;
};

upstream_config read_upstream(const json& j, const std::string& path) {
    object_reader r(j, path);
    upstream_config u;
    r.read("name", u.name);
    r.read("aliases", u.aliases);
    r.read("url", u.url);
    r.read("docker_hub", u.docker_hub);
    r.read("username", u.username);
    r.read("password", u.password);
    r.read("token_file", u.token_file);
    r.read("tls_verify", u.tls_verify);
    r.read("ca_file", u.ca_file);
    r.read_duration("tag_ttl_seconds", u.tag_ttl);
    r.read("quota_floor", u.quota_floor);
    r.read("access", u.access);
    r.read("redirect_hosts", u.redirect_hosts);
    r.read("send_ns", u.send_ns);
    r.reject_unknown();
    if (u.access.empty()) u.access = u.username.empty() && u.token_file.empty() ? "public" : "confirm";
    if (u.access != "public" && u.access != "confirm")
        throw config_error(path + ".access: \"public\" or \"confirm\", not \"" + u.access + "\"");
    if (u.name.empty()) throw config_error(path + ".name: required");
    if (u.url.empty()) throw config_error(path + ".url: required");
    u.origin = parse_origin(u.url, path + ".url");
    if (u.name == "docker.io" && !j.contains("docker_hub")) u.docker_hub = true;
    return u;
}

// Reads the object `name` of top, if present, with read(reader); then refuses its unknown fields.
template <class Read>
void read_section(object_reader& top, const char* name, Read read) {
    const json* section = top.child(name);
    if (!section) return;
    object_reader r(*section, name);
    read(r);
    r.reject_unknown();
}

void read_sections(const json& doc, config& c) {
    object_reader top(doc, "config");
    read_section(top, "server", [&c](object_reader& r) {
        r.read("listen", c.server.listen);
        r.read("io_threads", c.server.io_threads);
        r.read("blocking_threads", c.server.blocking_threads);
        r.read("metrics_listen", c.server.metrics_listen);
        r.read("metrics", c.server.metrics);
        r.read("max_connections", c.server.max_connections);
        r.read_duration("shutdown_grace_ms", c.server.shutdown_grace);
        if (const json* tls = r.child("tls")) {
            object_reader t(*tls, "server.tls");
            t.read("cert_file", c.server.tls.cert_file);
            t.read("key_file", c.server.tls.key_file);
            t.read_duration("reload_check_ms", c.server.tls.reload_check);
            t.reject_unknown();
        }
    });
    read_section(top, "cache", [&c](object_reader& r) {
        std::string dir = c.cache.data_dir.string();
        r.read("data_dir", dir);
        c.cache.data_dir = dir;
        r.read("max_manifest_bytes", c.cache.max_manifest_bytes);
        r.read("manifest_memory_entries", c.cache.manifest_memory_entries);
        r.read("manifest_memory_bytes", c.cache.manifest_memory_bytes);
        r.read("tag_list_memory_bytes", c.cache.tag_list_memory_bytes);
        r.read_duration("not_found_ttl_ms", c.cache.not_found_ttl);
        r.read_duration("stale_wait_ms", c.cache.stale_wait);
        r.read("offline", c.cache.offline);
        r.read("complete_abandoned_fetches", c.cache.complete_abandoned_fetches);
        r.read("range_fetches_whole", c.cache.range_fetches_whole);
    });
    read_section(top, "timeouts", [&c](object_reader& r) {
        r.read_duration("connect_ms", c.timeouts.connect);
        r.read_duration("tls_handshake_ms", c.timeouts.tls_handshake);
        r.read_duration("headers_ms", c.timeouts.headers);
        r.read_duration("idle_body_ms", c.timeouts.idle_body);
        r.read_duration("client_idle_ms", c.timeouts.client_idle);
    });
    read_section(top, "client", [&c](object_reader& r) {
        r.read("max_idle_per_host", c.client.max_idle_per_host);
        r.read_duration("idle_connection_ms", c.client.idle_connection);
        r.read("max_redirects", c.client.max_redirects);
        r.read("max_retries", c.client.retries.max_retries);
        r.read_duration("base_backoff_ms", c.client.retries.base_backoff);
        r.read_duration("max_backoff_ms", c.client.retries.max_backoff);
        r.read_duration("max_retry_after_ms", c.client.retries.max_retry_after);
        r.read("max_downloads_per_upstream", c.client.max_downloads_per_upstream);
        r.read("token_cache_bytes", c.client.token_cache_bytes);
        r.read("breaker_failures", c.client.breaker.failures);
        r.read_duration("breaker_backoff_ms", c.client.breaker.backoff);
        r.read_duration("breaker_max_backoff_ms", c.client.breaker.max_backoff);
    });
    read_section(top, "analytics", [&c](object_reader& r) {
        r.read("prices_file", c.analytics.prices_file);
    });
    read_section(top, "events", [&c](object_reader& r) {
        r.read("enabled", c.events.enabled);
        r.read("queue_capacity", c.events.queue_capacity);
        r.read("batch_max", c.events.batch_max);
        r.read_duration("flush_ms", c.events.flush_interval);
        r.read_duration("retention_hours", c.events.retention);
        r.read("max_bytes", c.events.max_bytes);
    });
    read_section(top, "storage", [&c](object_reader& r) {
        r.read("max_bytes", c.storage.max_bytes);
        r.read("max_blob_bytes", c.storage.max_blob_bytes);
        r.read("high_watermark", c.storage.high_watermark);
        r.read("low_watermark", c.storage.low_watermark);
        r.read("eviction_policy", c.storage.eviction_policy);
        r.read("pinned", c.storage.pinned);
        r.read_duration("metadata_max_age_hours", c.storage.metadata_max_age);
    });
    read_section(top, "admin", [&c](object_reader& r) {
        r.read("token", c.admin.token);
        r.read("token_file", c.admin.token_file);
    });
    read_section(top, "pull_auth", [&c](object_reader& r) { r.read("users_file", c.pull_auth.users_file); });
    top.read("default_upstream", c.default_upstream);
    top.read("log_level", c.log_level);
    top.read("log_format", c.log_format);
    if (const json* list = top.child("upstreams")) {
        if (!list->is_array()) throw config_error("upstreams: expected an array");
        c.upstreams.clear();
        for (std::size_t i = 0; i < list->size(); ++i)
            c.upstreams.push_back(read_upstream((*list)[i], "upstreams[" + std::to_string(i) + "]"));
    }
    top.reject_unknown();
}

}  // namespace

const upstream_config* config::find_upstream(std::string_view host) const {
    for (const auto& u : upstreams) {
        if (u.name == host) return &u;
        for (const auto& a : u.aliases)
            if (a == host) return &u;
    }
    return nullptr;
}

namespace {

bool valid_host(std::string_view host, bool bracketed_v6) {
    if (host.empty() || host.size() > 253) return false;
    for (char c : host) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                        (bracketed_v6 && (c == ':' || c == '%'));
        if (!ok) return false;
    }
    return true;
}

}  // namespace

std::optional<upstream_origin> try_parse_origin(std::string_view rest, std::string* why) {
    auto fail = [why](const char* reason) -> std::optional<upstream_origin> {
        if (why) *why = reason;
        return std::nullopt;
    };
    upstream_origin o;
    if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        o.tls = false;
        rest.remove_prefix(7);
    } else {
        return fail("must start with https:// or http://");
    }
    if (rest.ends_with("/")) rest.remove_suffix(1);
    if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos)
        return fail("must be scheme://host[:port] with no path");
    const bool bracketed_v6 = rest.front() == '[';
    const auto close = bracketed_v6 ? rest.find(']') : std::string_view::npos;
    if (bracketed_v6 && close == std::string_view::npos) return fail("unclosed [ in the host");
    const auto colon = rest.find(':', bracketed_v6 ? close : 0);
    auto host = rest.substr(0, colon);
    if (bracketed_v6 && host.size() != close + 1) return fail("invalid host");
    if (bracketed_v6) host = host.substr(1, host.size() - 2);
    if (!valid_host(host, bracketed_v6)) return fail("invalid host");
    o.host = std::string(host);
    if (colon == std::string_view::npos) {
        o.port = o.tls ? "443" : "80";
        return o;
    }
    const auto port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
        return fail("invalid port");
    const auto number = std::stoul(std::string(port));  // at most 5 digits: cannot throw
    if (number == 0 || number > 65535) return fail("invalid port");
    o.port = std::string(port);
    return o;
}

upstream_origin parse_origin(const std::string& url, const std::string& field) {
    std::string why;
    auto o = try_parse_origin(url, &why);
    if (!o) throw config_error(field + ": " + why);
    return *o;
}

std::string read_secret_file(const std::string& path, const std::string& field) {
    std::ifstream in(path);
    if (!in) throw config_error(field + ": cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    auto secret = text.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r' || secret.back() == ' ')) secret.pop_back();
    if (secret.empty()) throw config_error(field + ": empty");
    return secret;
}

config default_config() {
    config c;
    auto hub = make_upstream("docker.io", "https://registry-1.docker.io");
    hub.aliases = {"registry-1.docker.io", "index.docker.io"};
    hub.docker_hub = true;
    c.upstreams.push_back(std::move(hub));
    for (const char* host : {"ghcr.io", "quay.io", "nvcr.io", "registry.k8s.io", "mcr.microsoft.com"})
        c.upstreams.push_back(make_upstream(host, std::string("https://") + host));
    return c;
}

void validate(const config& c) {
    std::set<std::string> names;
    for (const auto& u : c.upstreams) {
        if (!names.insert(u.name).second) throw config_error("upstreams: duplicate name " + u.name);
        for (const auto& a : u.aliases)
            if (!names.insert(a).second) throw config_error("upstreams: duplicate name " + a);
        if (u.tag_ttl.count() < 0) throw config_error("upstreams.tag_ttl_seconds: must be >= 0");
    }
    if (!c.default_upstream.empty() && !c.find_upstream(c.default_upstream))
        throw config_error("default_upstream: no upstream named " + c.default_upstream);
    if (c.server.listen.rfind(':') == std::string::npos)
        throw config_error("server.listen: expected host:port");
    if (c.server.blocking_threads == 0) throw config_error("server.blocking_threads: must be at least 1");
    if (c.server.tls.cert_file.empty() != c.server.tls.key_file.empty())
        throw config_error("server.tls: cert_file and key_file (--tls-cert and --tls-key) go together: both, or "
                           "neither for plain HTTP");
    if (c.server.tls.enabled() && c.server.tls.reload_check.count() < 100)
        throw config_error("server.tls.reload_check_ms: at least 100");
    if (c.client.max_redirects < 0 || c.client.max_redirects > 20)
        throw config_error("client.max_redirects: must be from 0 to 20");
    if (c.client.retries.max_retries < 0 || c.client.retries.max_retries > 20)
        throw config_error("client.max_retries: must be from 0 to 20");
    if (c.client.breaker.backoff.count() <= 0 || c.client.breaker.max_backoff < c.client.breaker.backoff ||
        c.client.breaker.max_backoff > std::chrono::hours(24))
        throw config_error("client.breaker_backoff_ms, client.breaker_max_backoff_ms: need 0 < backoff <= max_backoff <= 1 day");
    if (c.cache.not_found_ttl > std::chrono::hours(24)) throw config_error("cache.not_found_ttl_ms: at most 86400000 (a day)");
    if (c.cache.stale_wait > std::chrono::hours(1)) throw config_error("cache.stale_wait_ms: at most 3600000 (an hour)");
    if (c.events.queue_capacity == 0) throw config_error("events.queue_capacity: must be at least 1");
    if (c.events.batch_max == 0) throw config_error("events.batch_max: must be at least 1");
    if (!c.server.metrics_listen.empty() && c.server.metrics_listen.rfind(':') == std::string::npos)
        throw config_error("server.metrics_listen: expected host:port");
    if (c.cache.max_manifest_bytes == 0) throw config_error("cache.max_manifest_bytes: must be positive");
    if (!storage::parse_eviction_kind(c.storage.eviction_policy))
        throw config_error("storage.eviction_policy: must be one of lru, lfu, fifo, s3fifo, sieve, gdsf");
    if (!(c.storage.low_watermark > 0 && c.storage.low_watermark < c.storage.high_watermark &&
          c.storage.high_watermark <= 1))
        throw config_error("storage.high_watermark, storage.low_watermark: need 0 < low < high <= 1");
    if (c.storage.metadata_max_age > std::chrono::hours(1'000'000))  // beyond, nanoseconds overflow
        throw config_error("storage.metadata_max_age_hours: at most 1000000 (0 keeps metadata forever)");
    for (const auto& pin : c.storage.pinned)
        if (!storage::parse_pin(pin)) throw config_error("storage.pinned: not upstream/repository:tag or @digest: " + pin);
    static const std::set<std::string> levels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
    if (!levels.count(c.log_level)) throw config_error("log_level: must be one of trace..off");
    if (c.log_format != "text" && c.log_format != "json") throw config_error("log_format: must be text or json");
}

config parse_config(const std::string& json_text) {
    json doc;
    try {
        doc = json::parse(json_text);
    } catch (const json::parse_error& e) {
        // nlohmann's byte offset, as a line a user can find.
        const auto at = std::min<std::size_t>(e.byte, json_text.size());
        const auto line = 1 + std::count(json_text.begin(), json_text.begin() + static_cast<std::ptrdiff_t>(at ? at - 1 : 0), '\n');
        throw config_error("config: not valid JSON (line " + std::to_string(line) + ")");
    } catch (const json::exception&) {  // a number out of range, and the like
        throw config_error("config: not valid JSON (a value out of range)");
    }
    config c = default_config();
    read_sections(doc, c);
    validate(c);
    return c;
}

config load_config_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) throw config_error("config: cannot read " + path.string());
    std::stringstream text;
    text << in.rdbuf();
    try {
        return parse_config(text.str());
    } catch (const config_error& e) {
        if (std::string_view(e.what()).starts_with("config: not valid JSON"))
            throw config_error(path.string() + ": " + e.what());
        throw;
    }
}

}  // namespace strata::proxy
