// ctr_nodes: real containerd daemons as the simulated nodes (`strata bench pull --client ctr`),
// one per node, each pulling with `ctr`: the measure the built-in puller is checked against.
#pragma once

#include "proxy/bench/child_process.hpp"
#include "proxy/bench/node_puller.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace strata::proxy {

// One containerd with its own root, state and socket under dir (the CRI plugin off). Throws
// std::runtime_error, with its log's last lines, when it does not answer `ctr version` within
// a minute.
class containerd_node {
public:
    containerd_node(std::filesystem::path dir, std::string name);
    const std::string& name() const { return name_; }
    // The ctr command line that pulls host/repository:reference over plain HTTP: `content fetch`
    // (the content, verified) for unpack none or decompress, `images pull` with the native
    // snapshotter (unpacked) for extract.
    std::vector<std::string> pull_command(const std::string& host, const std::string& repository,
                                          const std::string& reference, unpack_mode unpack) const;
    const std::filesystem::path& dir() const { return dir_; }

private:
    std::filesystem::path dir_;
    std::string name_, socket_;
    std::unique_ptr<child_process> daemon_;
};

// Every node's ctr pull started at once; each pull's time from its start to its ctr's exit. A
// pull that exits non-zero fails with the last lines ctr wrote.
std::vector<image_pull> pull_with_ctr(const std::vector<std::unique_ptr<containerd_node>>& nodes, const std::string& host,
                                      const std::string& repository, const std::string& reference, unpack_mode unpack);

}  // namespace strata::proxy
