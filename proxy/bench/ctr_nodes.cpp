// ctr_nodes: containerd config files, ctr processes polled to their exit.
#include "proxy/bench/ctr_nodes.hpp"

#include "storage/clock.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace strata::proxy {
namespace {

// ctr's last words, as one printable line.
std::string one_line(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return storage::printable(text.substr(0, 300));
}

}  // namespace

containerd_node::containerd_node(std::filesystem::path dir, std::string name)
    : dir_(std::move(dir)), name_(std::move(name)), socket_((dir_ / "containerd.sock").string()) {
    std::filesystem::create_directories(dir_);
    std::ofstream config(dir_ / "config.toml");
    config << "version = 2\nroot = \"" << (dir_ / "root").string() << "\"\nstate = \"" << (dir_ / "state").string()
           << "\"\ndisabled_plugins = [\"io.containerd.grpc.v1.cri\"]\n[grpc]\n  address = \"" << socket_
           << "\"\n[ttrpc]\n  address = \"" << socket_ << ".ttrpc\"\n[debug]\n  address = \"" << socket_ << ".debug\"\n";
    config.close();
    if (!config) throw std::runtime_error("cannot write " + (dir_ / "config.toml").string());
    const auto log = dir_ / "containerd.log";
    daemon_ = std::make_unique<child_process>(std::vector<std::string>{"containerd", "--config", (dir_ / "config.toml").string()},
                                              log);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
    while (run_to_exit({"ctr", "--address", socket_, "version"}, dir_ / "ctr-version.log") != 0) {
        if (daemon_->poll() || std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("containerd for " + name_ + " did not start:\n" + last_lines_of(log, 5));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

std::vector<std::string> containerd_node::pull_command(const std::string& host, const std::string& repository,
                                                       const std::string& reference, unpack_mode unpack) const {
    const bool digest = reference.starts_with("sha256:") || reference.starts_with("sha512:");
    const auto ref = host + "/" + repository + (digest ? "@" : ":") + reference;
    std::vector<std::string> cmd{"ctr", "--address", socket_, "--namespace", "strata-bench"};
    if (unpack == unpack_mode::extract)
        cmd.insert(cmd.end(), {"images", "pull", "--snapshotter", "native"});
    else
        cmd.insert(cmd.end(), {"content", "fetch"});
    cmd.insert(cmd.end(), {"--plain-http", "--platform", "linux/amd64", ref});
    return cmd;
}

std::vector<image_pull> pull_with_ctr(const std::vector<std::unique_ptr<containerd_node>>& nodes, const std::string& host,
                                      const std::string& repository, const std::string& reference, unpack_mode unpack) {
    std::vector<image_pull> pulls(nodes.size());
    std::vector<std::unique_ptr<child_process>> running;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        auto& p = pulls[i];
        p.node = nodes[i]->name(), p.repository = repository, p.reference = reference;
        p.start_ns = storage::now_ns();
        running.push_back(std::make_unique<child_process>(nodes[i]->pull_command(host, repository, reference, unpack),
                                                          nodes[i]->dir() / "ctr-pull.log"));
    }
    for (std::size_t left = nodes.size(); left > 0;) {
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            if (pulls[i].end_ns) continue;
            const auto status = running[i]->poll();
            if (!status) continue;
            pulls[i].end_ns = storage::now_ns();
            pulls[i].ok = *status == 0;
            if (!pulls[i].ok) pulls[i].error = "ctr: " + one_line(last_lines_of(nodes[i]->dir() / "ctr-pull.log", 1));
            --left;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return pulls;
}

}  // namespace strata::proxy
