// strata_child: a strata the bench starts for itself: `strata serve` on a temporary data
// directory, its port read from its log, stopped with SIGTERM.
#pragma once

#include "proxy/bench/child_process.hpp"

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace strata::proxy {

class strata_child {
public:
    // Runs this same executable as `serve --listen 127.0.0.1:0 --data-dir DIR/data` with
    // --upstream NAME=URL (the default upstream) and extra flags, its log in DIR/strata.log, and
    // waits (up to `wait`) for it to listen. Throws std::runtime_error with the log's last lines
    // if it exits or never listens.
    strata_child(const std::filesystem::path& dir, const std::string& upstream_name, const std::string& upstream_url,
                 const std::vector<std::string>& extra_flags, std::chrono::seconds wait = std::chrono::seconds(60));

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    std::unique_ptr<child_process> process_;
    unsigned port_ = 0;
};

}  // namespace strata::proxy
