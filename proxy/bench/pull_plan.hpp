// pull_plan: what `strata bench pull` sweeps over, from flags or a JSON file, checked whole.
#pragma once

#include "proxy/bench/node_puller.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::proxy {

enum class pull_strategy { direct, proxy_cold, proxy_warm, proxy_prewarmed, node_warm, two_tier };

std::string_view strategy_name(pull_strategy s);
// Throws std::invalid_argument naming the known strategies.
pull_strategy parse_strategy(std::string_view text);

// Who pulls: the built-in puller (nodes as coroutines in the bench), or real containerd daemons
// driven with ctr (one per node; to check the built-in puller against).
enum class bench_client { builtin, ctr };
constexpr unsigned max_ctr_nodes = 16;

struct bench_registry {
    std::string name;  // what results and labels call it
    std::string url;   // http(s)://host[:port]
};

struct pull_plan {
    std::vector<bench_registry> registries;
    std::vector<std::string> images;  // repository:tag or repository@digest, pulled from every registry
    std::vector<pull_strategy> strategies{pull_strategy::direct};
    std::vector<unsigned> nodes{1};
    std::vector<unsigned> concurrency{3};  // layers at once per node; 0: all
    double node_bandwidth = 0;             // bytes/s per node; 0: unshaped
    std::chrono::microseconds node_rtt{0};
    double upstream_bandwidth = 0;         // bytes/s out of each registry, shared; 0: unshaped
    std::chrono::microseconds upstream_rtt{0};
    bool kernel_shaping = false;           // the registry's bandwidth by tc tbf on a veth (kernel_link), not the relay
    unpack_mode unpack = unpack_mode::none;
    bench_client client = bench_client::builtin;
    std::string proxy_url;                 // a running strata for the proxy-* strategies; "": the bench starts its own
    std::string proxy_token;               // its admin token, for prefetch and eviction
    std::string run_id;                    // labels every recorded pull
};

constexpr unsigned max_bench_nodes = 4096;
constexpr unsigned max_bench_concurrency = 256;
// A run id (letters, digits and . _ : -) and a registry's name (visible ASCII without a comma or
// '=') are event label values.
constexpr std::size_t max_run_id = 128;
constexpr std::size_t max_registry_name = 300;

// Reads a plan file: {"registries": {"NAME": "URL", …}, "images": […], "strategies": […],
// "nodes": […], "concurrency": [3, "all"], "node_bandwidth": "100MB/s", "node_rtt": "20ms",
// "upstream_bandwidth": …, "upstream_rtt": …, "kernel_shaping": true, "unpack": "none",
// "proxy": "http://…"}. Every key
// is optional (flags may add the rest); an unknown key or a value of the wrong kind throws
// std::invalid_argument naming the key.
void read_plan_json(const nlohmann::json& doc, pull_plan& plan);

// Parsers shared by the flags and the file; each throws std::invalid_argument naming `what`.
std::vector<unsigned> parse_node_counts(std::string_view what, std::string_view text);
std::vector<unsigned> parse_concurrency(std::string_view what, std::string_view text);
double parse_bandwidth(std::string_view what, std::string_view text);
std::chrono::microseconds parse_rtt(std::string_view what, std::string_view text);
unpack_mode parse_unpack(std::string_view text);
bench_client parse_client(std::string_view text);
bench_registry parse_bench_registry(std::string_view text);  // NAME=URL, or a URL named by its host

// "repo:tag" or "repo@sha256:…" as repository and reference; no tag means "latest". Checks
// nothing: check_plan does.
std::pair<std::string, std::string> split_image_ref(std::string_view image);

// Checks the plan as a whole: at least one registry and image, http(s) URLs, images that are
// references (repository:tag or repository@digest), registry names and a run id that are label
// values (max_registry_name, max_run_id), and upstream shaping only for http
// registries (the relay cannot enter TLS), and with ctr as the client at most 16 nodes and no
// node shaping (containerd's links are the machine's). Throws std::invalid_argument with every fault found,
// one per line.
void check_plan(const pull_plan& plan);

}  // namespace strata::proxy
