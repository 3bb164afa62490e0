// cpu_budget: how many CPUs strata may use (its affinity mask, and a cgroup v2 CPU quota), the
// default number of network threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace strata::proxy {

// The CPUs a cgroup v2 `cpu.max` text allows ("250000 100000": 3, rounded up); nullopt when it
// says "max" (no quota) or is not that file's form.
std::optional<unsigned> cpus_of_quota(std::string_view cpu_max);

// The cgroup v2 path in the text of /proc/self/cgroup (the "0::/..." line); nullopt without one.
std::optional<std::string> cgroup_v2_path(std::string_view proc_self_cgroup);

// The CPUs this process may run on, fewer when the quota of its cgroup or of one above it
// allows fewer (a Kubernetes CPU limit); at least 1. Like nginx's `worker_processes auto` on
// a machine of its own, and unlike std::thread::hardware_concurrency(), which counts the
// machine's CPUs whatever the process may use.
unsigned usable_cpus();

}  // namespace strata::proxy
