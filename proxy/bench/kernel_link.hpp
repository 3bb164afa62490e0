// kernel_link: the registry's link shaped by the kernel: a network namespace the bench creates,
// a veth pair into it, and a tc tbf qdisc that paces what crosses towards the namespace.
#pragma once

#include <filesystem>
#include <string>

namespace strata::proxy {

// Creates the namespace "strata-bench-ID", a veth pair "sbkIDr"/"sbkIDn" between it and this
// one, addresses on a /30 of 10.213.0.0/16, and tc's tbf at `bandwidth` bytes/s on the root
// side's egress; ID is random, so two benches on one host do not meet (and a name that exists
// already is an error, never removed). A
// socket made by open_socket() lives in the namespace: what it receives from root_address()
// crosses the shaped veth. Needs root (CAP_NET_ADMIN) and iproute2's ip and tc; throws
// std::runtime_error saying which is missing, or what tc answered. Commands' output goes to
// files under log_dir. The destructor removes the pair and the namespace.
class kernel_link {
public:
    kernel_link(double bandwidth, const std::filesystem::path& log_dir);
    ~kernel_link();
    kernel_link(const kernel_link&) = delete;
    kernel_link& operator=(const kernel_link&) = delete;

    // The root namespace's end of the pair, where a listener reachable from the namespace binds.
    const std::string& root_address() const { return root_address_; }
    // The namespace's end: the only peer such a listener should accept.
    const std::string& namespace_address() const { return namespace_address_; }
    // A new TCP socket (IPv4, close-on-exec) in the namespace; throws std::system_error.
    int open_socket() const;

private:
    void run(const std::vector<std::string>& argv, const std::string& step) const;
    void remove() noexcept;

    std::filesystem::path log_dir_;
    std::string namespace_, root_device_, root_address_, namespace_address_;
    bool namespace_made_ = false, pair_made_ = false;
    int namespace_fd_ = -1;
};

}  // namespace strata::proxy
