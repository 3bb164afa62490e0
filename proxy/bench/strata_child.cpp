// strata_child: /proc/self/exe serve, a log polled for "strata listening address=".
#include "proxy/bench/strata_child.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace strata::proxy {
namespace {

// The port in "strata listening address=127.0.0.1:PORT", or 0.
unsigned listening_port(const std::filesystem::path& log) {
    std::ifstream in(log, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    const auto text = s.str();
    const std::string mark = "strata listening address=127.0.0.1:";
    const auto at = text.find(mark);
    if (at == std::string::npos) return 0;
    const auto port = std::strtoul(text.c_str() + at + mark.size(), nullptr, 10);
    return port <= 65535 ? static_cast<unsigned>(port) : 0;
}

}  // namespace

strata_child::strata_child(const std::filesystem::path& dir, const std::string& upstream_name,
                           const std::string& upstream_url, const std::vector<std::string>& extra_flags,
                           std::chrono::seconds wait) {
    std::filesystem::create_directories(dir);
    const auto log = dir / "strata.log";
    std::vector<std::string> args = {"/proc/self/exe", "serve", "--listen", "127.0.0.1:0", "--data-dir",
                                     (dir / "data").string(), "--upstream", upstream_name + "=" + upstream_url,
                                     "--default-upstream", upstream_name};
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    process_ = std::make_unique<child_process>(args, log);
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while ((port_ = listening_port(log)) == 0) {
        if (process_->poll())
            throw std::runtime_error("the bench's strata exited before it listened:\n" + last_lines_of(log, 5));
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("the bench's strata did not listen within " + std::to_string(wait.count()) +
                                     " s; its log:\n" + last_lines_of(log, 5));
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace strata::proxy
