// upstream_set: one upstream_client per configured upstream, looked up by config entry.
#pragma once

#include "proxy/upstream_client.hpp"

#include <map>
#include <memory>
#include <string>

namespace strata::proxy {

// Built once at start; read-only afterwards, so thread-safe.
class upstream_set {
public:
    explicit upstream_set(const config& cfg);
    upstream_client& client(const upstream_config& upstream) const;

private:
    std::map<std::string, std::unique_ptr<upstream_client>> clients_;
};

}  // namespace strata::proxy
