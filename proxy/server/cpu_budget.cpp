// cpu_budget: sched_getaffinity, then cpu.max from the process's cgroup up to the root.
#include "proxy/server/cpu_budget.hpp"

#include "proxy/protocol/decimal.hpp"

#include <sched.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace strata::proxy {
namespace {

// 0 when unknown (a machine of more CPUs than a cpu_set_t holds, 1,024).
unsigned affinity_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return static_cast<unsigned>(CPU_COUNT(&set));
}

// At most 4 KiB (a few lines); empty when absent or unreadable.
std::string small_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::string text(4096, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
    return text;
}

}  // namespace

std::optional<unsigned> cpus_of_quota(std::string_view cpu_max) {
    if (cpu_max.ends_with('\n')) cpu_max.remove_suffix(1);
    const auto space = cpu_max.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    const auto quota = whole_decimal(cpu_max.substr(0, space));
    const auto period = whole_decimal(cpu_max.substr(space + 1));
    if (!quota || !period || *period == 0 || *quota == 0) return std::nullopt;
    const auto cpus = (*quota + *period - 1) / *period;
    return static_cast<unsigned>(std::min<std::uint64_t>(cpus, 1u << 16));
}

std::optional<std::string> cgroup_v2_path(std::string_view proc_self_cgroup) {
    // Whole lines only: a line cut short by a read is no path.
    proc_self_cgroup = proc_self_cgroup.substr(0, proc_self_cgroup.rfind('\n') + 1);
    std::istringstream lines{std::string(proc_self_cgroup)};
    for (std::string line; std::getline(lines, line);)
        if (line.starts_with("0::/") && line.find("..") == std::string::npos) return line.substr(3);
    return std::nullopt;
}

unsigned usable_cpus() {
    unsigned cpus = affinity_cpus();
    if (cpus == 0) cpus = std::max(1u, std::thread::hardware_concurrency());
    const auto path = cgroup_v2_path(small_file("/proc/self/cgroup"));
    if (!path) return cpus;
    // A limit anywhere up the tree applies: the smallest one counts.
    for (std::filesystem::path dir = *path;; dir = dir.parent_path()) {
        if (const auto quota = cpus_of_quota(small_file("/sys/fs/cgroup" / dir.relative_path() / "cpu.max")))
            cpus = std::clamp(*quota, 1u, cpus);
        if (dir == dir.parent_path()) break;
    }
    return cpus;
}

}  // namespace strata::proxy
