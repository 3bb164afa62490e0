// node_puller: one simulated node pulling an image as containerd does, over its own connections.
#pragma once

#include "proxy/bench/layer_unpacker.hpp"
#include "proxy/bench/link_shaper.hpp"
#include "proxy/config/config.hpp"
#include "proxy/net.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace strata::proxy {

class upstream_client;

struct node_options {
    std::string node;                  // its name: X-Strata-Node to a strata, and in the records
    double bandwidth = 0;              // download bytes per second; 0: no limit
    std::chrono::microseconds rtt{0};  // waited before each request is answered
    unsigned concurrency = 3;          // layers at once (containerd's default); 0: all
    unpack_mode unpack = unpack_mode::none;
    std::filesystem::path extract_root;  // for unpack_mode::extract: files go below it, then are removed
    std::string source = "upstream";   // what its requests are recorded as coming from: upstream or proxy
};

// One request as the node made it.
struct request_record {
    std::string kind;      // manifest | blob
    std::string method;    // HEAD | GET
    std::string digest;
    std::string source;    // upstream | proxy | node-cache
    std::uint64_t bytes = 0;
    std::int64_t start_ns = 0, ttfb_ns = 0, end_ns = 0;  // wall clock, ns since the epoch
    unsigned status = 0;
};

// One image pulled by one node.
struct image_pull {
    bool ok = false;
    std::string error;        // why not, in the user's words
    std::string node, repository, reference, digest;
    std::uint64_t bytes = 0;  // bytes received: manifests, config, layers
    std::uint64_t size = 0;   // the whole image: manifests, config and every layer
    std::string shape;        // its config's org.strata.bench.shape label, if any
    unsigned layers = 0, layers_cached = 0;
    std::int64_t start_ns = 0, end_ns = 0;
    std::vector<request_record> requests;
    double seconds() const { return static_cast<double>(end_ns - start_ns) / 1e9; }
};

// Resolves the tag by HEAD, fetches the manifest (the linux/amd64 one of an index) and the
// config, then the layers, `concurrency` at a time; verifies every digest and size; unpacks as
// asked. Bytes cross the node's link_shaper, and each request waits one rtt. Layers already in
// the node's cache (a previous pull by this node) are not fetched when use_cache is set, nor are
// manifests and configs it holds by digest: as containerd's content store, only the tag's HEAD goes out. Owns
// its upstream_client: its own connections and tokens.
class node_puller {
public:
    node_puller(const upstream_config& target, node_options options);
    ~node_puller();

    awaitable<image_pull> pull(std::string repository, std::string reference, bool use_cache);
    const node_options& options() const { return options_; }

private:
    struct layer;
    awaitable<void> fetch_layers(std::vector<layer>& layers, image_pull& out, bool use_cache);
    awaitable<void> fetch_layer(layer& l, image_pull& out);
    awaitable<std::string> fetch_document(const std::string& repository, const std::string& target,
                                          const std::string& digest, image_pull& out, bool use_cache);
    awaitable<void> wait_rtt();
    awaitable<void> cross_link(std::uint64_t bytes);
    http::fields request_headers(const char* accept) const;

    std::unique_ptr<upstream_client> client_;
    node_options options_;
    link_shaper link_;
    std::set<std::string> cache_;  // digests of the layers this node holds
    std::map<std::string, std::string> documents_;  // manifests and configs it holds, by digest
};

}  // namespace strata::proxy
