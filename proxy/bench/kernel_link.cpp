// kernel_link: ip and tc as child processes; a socket made on a thread that entered the namespace.
#include "proxy/bench/kernel_link.hpp"

#include "proxy/bench/child_process.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

namespace strata::proxy {
namespace {

// tbf's bucket: 10 ms at the rate, and at least one 64 KiB segment (veth passes large ones),
// so a pull starts at most that far ahead of bytes over rate.
std::string burst_for(double bandwidth) {
    return std::to_string(static_cast<std::uint64_t>(std::max(96.0 * 1024, bandwidth / 100)));
}

}  // namespace

kernel_link::kernel_link(double bandwidth, const std::filesystem::path& log_dir) : log_dir_(log_dir) {
    if (!(bandwidth > 0)) throw std::invalid_argument("--kernel-shaping needs --upstream-bandwidth");
    if (geteuid() != 0)
        throw std::runtime_error("--kernel-shaping needs root (CAP_NET_ADMIN) to create a network namespace and a veth pair");
    std::random_device entropy;
    const auto id = std::uniform_int_distribution<std::uint32_t>(0, (1u << 24) - 1)(entropy);
    char hex[8];
    std::snprintf(hex, sizeof hex, "%06x", id);
    namespace_ = std::string("strata-bench-") + hex;
    root_device_ = std::string("sbk") + hex + "r";
    const auto peer = std::string("sbk") + hex + "n";
    const auto net = "10.213." + std::to_string((id >> 6) & 255) + ".";  // 14 bits of the id pick the /30
    root_address_ = net + std::to_string((id & 63) * 4 + 1);
    namespace_address_ = net + std::to_string((id & 63) * 4 + 2);
    std::filesystem::create_directories(log_dir_);
    try {
        run({"ip", "netns", "add", namespace_}, "creating the network namespace " + namespace_);
        namespace_made_ = true;
        run({"ip", "link", "add", root_device_, "type", "veth", "peer", "name", peer, "netns", namespace_},
            "creating the veth pair " + root_device_);
        pair_made_ = true;
        run({"ip", "addr", "add", root_address_ + "/30", "dev", root_device_}, "addressing " + root_device_);
        run({"ip", "link", "set", root_device_, "up"}, "bringing up " + root_device_);
        run({"ip", "-n", namespace_, "addr", "add", namespace_address_ + "/30", "dev", peer}, "addressing " + peer);
        run({"ip", "-n", namespace_, "link", "set", peer, "up"}, "bringing up " + peer);
        const auto bits = std::to_string(static_cast<std::uint64_t>(std::llround(bandwidth * 8))) + "bit";
        run({"tc", "qdisc", "add", "dev", root_device_, "root", "tbf", "rate", bits, "burst", burst_for(bandwidth),
             "latency", "200ms"},
            "adding tc's tbf qdisc (" + bits + ") to " + root_device_);
        namespace_fd_ = ::open(("/run/netns/" + namespace_).c_str(), O_RDONLY | O_CLOEXEC);
        if (namespace_fd_ < 0)
            throw std::system_error(errno, std::generic_category(), "--kernel-shaping: opening /run/netns/" + namespace_);
    } catch (...) {
        remove();
        throw;
    }
}

kernel_link::~kernel_link() { remove(); }

// ip and tc answer at once; one that hangs is stopped after 30 s.
void kernel_link::run(const std::vector<std::string>& argv, const std::string& step) const {
    const auto log = log_dir_ / "kernel-shaping.log";
    int status = 0;
    try {
        status = run_to_exit(argv, log, std::chrono::seconds(30));
    } catch (const std::runtime_error& e) {
        throw std::runtime_error("--kernel-shaping needs iproute2's ip and tc: " + std::string(e.what()));
    }
    if (status != 0)
        throw std::runtime_error("--kernel-shaping: " + step + " failed (exit " + std::to_string(status) +
                                 "): " + last_lines_of(log, 2));
}

// Removes what this link made, and only that.
void kernel_link::remove() noexcept {
    if (namespace_fd_ >= 0) ::close(namespace_fd_);
    namespace_fd_ = -1;
    std::vector<std::vector<std::string>> steps;
    if (pair_made_) steps.push_back({"ip", "link", "del", root_device_});
    if (namespace_made_) steps.push_back({"ip", "netns", "del", namespace_});
    pair_made_ = namespace_made_ = false;
    for (const auto& argv : steps) {
        try {
            run(argv, "removing " + argv[3]);
        } catch (const std::exception& e) {
            spdlog::error("{} (left behind)", storage::log_value(e.what()));
        }
    }
}

int kernel_link::open_socket() const {
    int fd = -1, error = 0;
    std::thread([&] {  // setns changes only this thread's namespace; the socket keeps it
        if (::setns(namespace_fd_, CLONE_NEWNET) != 0) {
            error = errno;
            return;
        }
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) error = errno;
    }).join();
    if (fd < 0) throw std::system_error(error, std::generic_category(), "a socket in the namespace " + namespace_);
    return fd;
}

}  // namespace strata::proxy
