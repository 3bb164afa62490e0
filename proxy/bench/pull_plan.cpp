// pull_plan: small parsers, and one check that lists every fault at once.
#include "proxy/bench/pull_plan.hpp"

#include "analytics/inputs/byte_size.hpp"
#include "analytics/inputs/go_duration.hpp"
#include "proxy/upstream/redirect_policy.hpp"
#include "storage/oci/digest.hpp"
#include "storage/oci/reference.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace strata::proxy {
namespace {

constexpr std::array<std::pair<pull_strategy, std::string_view>, 6> strategy_names{{
    {pull_strategy::direct, "direct"},
    {pull_strategy::proxy_cold, "proxy-cold"},
    {pull_strategy::proxy_warm, "proxy-warm"},
    {pull_strategy::proxy_prewarmed, "proxy-prewarmed"},
    {pull_strategy::node_warm, "node-warm"},
    {pull_strategy::two_tier, "two-tier"},
}};

// The user's text inside a message: quoted, at most 200 bytes, control bytes and invalid UTF-8
// escaped, so that no plan file or flag can forge lines of the error it gets.
std::string user_text(std::string_view text) {
    constexpr std::size_t shown = 200;
    return "'" + storage::printable(text.substr(0, shown)) + (text.size() > shown ? "...'" : "'");
}

std::invalid_argument bad(std::string_view what, const std::string& why) {
    return std::invalid_argument(storage::printable(what) + ": " + why);
}

// The run id, an event label value: letters, digits and . _ : - only.
bool valid_run_id(std::string_view text) {
    const auto allowed = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("._:-").find(c) != std::string_view::npos;
    };
    return text.size() <= max_run_id && std::all_of(text.begin(), text.end(), allowed);
}

// A registry's name, also a label value: visible ASCII without a comma or '=' (which would split
// the labels), long enough for any host:port a URL names (an IPv6 address with its zone too).
bool valid_registry_name(std::string_view text) {
    const auto allowed = [](char c) { return c > ' ' && c < 0x7f && c != ',' && c != '='; };
    return text.size() <= max_registry_name && std::all_of(text.begin(), text.end(), allowed);
}

std::vector<std::string_view> items(std::string_view text) {
    std::vector<std::string_view> out;
    while (!text.empty()) {
        const auto comma = text.find(',');
        if (const auto item = text.substr(0, comma); !item.empty()) out.push_back(item);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    }
    return out;
}

unsigned whole(std::string_view what, std::string_view item, unsigned lo, unsigned hi) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || v < lo || v > hi)
        throw bad(what, user_text(item) + " is not a whole number from " + std::to_string(lo) + " to " +
                            std::to_string(hi));
    return v;
}

// A JSON value as the text a flag would carry: strings as they are, numbers and lists joined.
std::string flag_text(const nlohmann::json& v, const std::string& key) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
    if (v.is_array()) {
        std::string out;
        for (const auto& item : v) out += (out.empty() ? "" : ",") + flag_text(item, key);
        return out;
    }
    throw bad(key, "wants a string, a whole number or a list of them");
}

bool valid_image(const std::string& ref) {
    const auto [repository, reference] = split_image_ref(ref);
    if (ref.find('@') != std::string::npos) return storage::is_valid_repository(repository) && storage::digest::parse(reference);
    return storage::is_valid_repository(repository) && storage::is_valid_tag(reference);
}

}  // namespace

std::pair<std::string, std::string> split_image_ref(std::string_view image) {
    const auto at = image.find('@');
    if (at != std::string_view::npos) return {std::string(image.substr(0, at)), std::string(image.substr(at + 1))};
    const auto colon = image.rfind(':');
    if (colon == std::string_view::npos || image.find('/', colon) != std::string_view::npos) return {std::string(image), "latest"};
    return {std::string(image.substr(0, colon)), std::string(image.substr(colon + 1))};
}

std::string_view strategy_name(pull_strategy s) {
    for (const auto& [value, name] : strategy_names)
        if (value == s) return name;
    return "?";
}

pull_strategy parse_strategy(std::string_view text) {
    for (const auto& [value, name] : strategy_names)
        if (name == text) return value;
    throw std::invalid_argument("strategy " + user_text(text) +
                                " is not one of direct, proxy-cold, proxy-warm, proxy-prewarmed, node-warm, two-tier");
}

std::vector<unsigned> parse_node_counts(std::string_view what, std::string_view text) {
    std::vector<unsigned> out;
    for (const auto item : items(text)) out.push_back(whole(what, item, 1, max_bench_nodes));
    if (out.empty()) throw bad(what, "no node counts given");
    return out;
}

std::vector<unsigned> parse_concurrency(std::string_view what, std::string_view text) {
    std::vector<unsigned> out;
    for (const auto item : items(text)) out.push_back(item == "all" ? 0 : whole(what, item, 1, max_bench_concurrency));
    if (out.empty()) throw bad(what, "no concurrency given");
    return out;
}

double parse_bandwidth(std::string_view what, std::string_view text) {
    const auto rate = analytics::parse_byte_rate(text);
    if (!rate || !std::isfinite(*rate) || *rate < 1024)
        throw bad(what, user_text(text) + " is not a bandwidth of at least 1 KiB/s, such as 100MB/s");
    return *rate;
}

std::chrono::microseconds parse_rtt(std::string_view what, std::string_view text) {
    const auto seconds = analytics::parse_go_duration_seconds(text);
    if (!seconds || *seconds < 0 || *seconds > 10)
        throw bad(what, user_text(text) + " is not a round trip from 0 to 10s, such as 20ms");
    return std::chrono::microseconds(static_cast<std::int64_t>(*seconds * 1e6));
}

unpack_mode parse_unpack(std::string_view text) {
    if (text == "none") return unpack_mode::none;
    if (text == "decompress") return unpack_mode::decompress;
    if (text == "extract") return unpack_mode::extract;
    throw bad("unpack", user_text(text) + " is not one of none, decompress, extract");
}

bench_client parse_client(std::string_view text) {
    if (text == "builtin") return bench_client::builtin;
    if (text == "ctr") return bench_client::ctr;
    throw bad("client", user_text(text) + " is not builtin or ctr");
}

bench_registry parse_bench_registry(std::string_view text) {
    const auto eq = text.find('=');
    const auto scheme = text.find("://");
    if (eq != std::string_view::npos && (scheme == std::string_view::npos || eq < scheme))
        return {std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
    const auto where = resolve_location(location{}, std::string(text) + "/");
    return {where ? where->host + ":" + where->port : std::string(text), std::string(text)};
}

void read_plan_json(const nlohmann::json& doc, pull_plan& plan) {
    if (!doc.is_object()) throw std::invalid_argument("a plan is a JSON object");
    constexpr std::array<std::string_view, 13> keys{"registries", "images", "strategies", "nodes", "concurrency",
                                                     "node_bandwidth", "node_rtt", "upstream_bandwidth",
                                                     "upstream_rtt", "kernel_shaping", "unpack", "proxy", "client"};
    for (const auto& [key, v] : doc.items()) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            throw std::invalid_argument("unknown plan key " + user_text(key));
        if (key == "registries") {
            if (!v.is_object()) throw bad(key, "wants an object of NAME: URL");
            for (const auto& [name, url] : v.items()) {
                if (!url.is_string()) throw bad("registries." + name, "wants a URL");
                plan.registries.push_back({name, url.get<std::string>()});
            }
            continue;
        }
        if (key == "kernel_shaping") {
            if (!v.is_boolean()) throw bad(key, "wants true or false");
            plan.kernel_shaping = v.get<bool>();
            continue;
        }
        const auto text = flag_text(v, key);  // the views items() gives point into it
        if (key == "images") {
            for (const auto item : items(text)) plan.images.emplace_back(item);
        } else if (key == "strategies") {
            plan.strategies.clear();
            for (const auto item : items(text)) plan.strategies.push_back(parse_strategy(item));
        } else if (key == "nodes") {
            plan.nodes = parse_node_counts(key, text);
        } else if (key == "concurrency") {
            plan.concurrency = parse_concurrency(key, text);
        } else if (key == "node_bandwidth") {
            plan.node_bandwidth = parse_bandwidth(key, text);
        } else if (key == "node_rtt") {
            plan.node_rtt = parse_rtt(key, text);
        } else if (key == "upstream_bandwidth") {
            plan.upstream_bandwidth = parse_bandwidth(key, text);
        } else if (key == "upstream_rtt") {
            plan.upstream_rtt = parse_rtt(key, text);
        } else if (key == "unpack") {
            plan.unpack = parse_unpack(text);
        } else if (key == "client") {
            plan.client = parse_client(text);
        } else {
            plan.proxy_url = text;
        }
    }
}

void check_plan(const pull_plan& plan) {
    std::string faults;
    const auto fault = [&faults](const std::string& f) { faults += (faults.empty() ? "" : "\n") + f; };
    if (plan.registries.empty()) fault("no registry given (--registry NAME=URL)");
    if (plan.images.empty()) fault("no image given (--image REPOSITORY:TAG)");
    if (plan.strategies.empty()) fault("no strategy given");
    const bool shaped_upstream = plan.upstream_bandwidth > 0 || plan.upstream_rtt.count() > 0;
    for (const auto& r : plan.registries) {
        const auto where = resolve_location(location{}, r.url + "/");
        const auto registry = "registry " + user_text(r.name) + ": ";
        if (r.url.find("://") == std::string::npos)
            fault(registry + user_text(r.url) + " needs a scheme: " + user_text("https://" + r.url) + ", or " +
                  user_text("http://" + r.url) + " for a plain-HTTP registry");
        else if (!where || where->target != "/")
            fault(registry + user_text(r.url) + " is not a URL such as http://host:port");
        else if (where->tls && shaped_upstream)
            fault(registry + "upstream shaping needs an http registry (the relay cannot enter TLS)");
        if (r.name.empty()) fault("a registry has no name");
        else if (!valid_registry_name(r.name))
            fault(registry + "a name is at most " + std::to_string(max_registry_name) +
                  " visible ASCII characters, without a comma or '='");
    }
    for (const auto& image : plan.images)
        if (!valid_image(image)) fault("image " + user_text(image) + " is not REPOSITORY:TAG or REPOSITORY@DIGEST");
    if (plan.kernel_shaping && !(plan.upstream_bandwidth > 0))
        fault("--kernel-shaping shapes the registry's link: give its rate with --upstream-bandwidth");
    if (!plan.proxy_url.empty()) {
        const auto where = resolve_location(location{}, plan.proxy_url + "/");
        if (!where || where->target != "/" || where->tls)
            fault("--proxy " + user_text(plan.proxy_url) + " is not a strata's http://host:port");
    }
    if (plan.client == bench_client::ctr) {
        if (plan.node_bandwidth > 0 || plan.node_rtt.count() > 0)
            fault("--client ctr: containerd's links cannot be shaped per node; shape the registry's (--upstream-bandwidth)");
        for (const auto n : plan.nodes)
            if (n > max_ctr_nodes)
                fault("--client ctr: " + std::to_string(n) + " nodes would start as many containerd daemons; at most " +
                      std::to_string(max_ctr_nodes));
    }
    if (!valid_run_id(plan.run_id))
        fault("--run-id " + user_text(plan.run_id) + " must be at most " + std::to_string(max_run_id) +
              " letters, digits and . _ : -");
    if (!faults.empty()) throw std::invalid_argument(faults);
}

}  // namespace strata::proxy
