// Tests of the default network thread count: cgroup v2 quota text, the cgroup path, affinity.
#include "proxy/server/cpu_budget.hpp"

#include <catch2/catch.hpp>

#include <sched.h>

using namespace strata::proxy;

TEST_CASE("a cgroup v2 cpu.max quota is CPUs rounded up; no quota or a malformed file is none") {
    CHECK(cpus_of_quota("100000 100000\n") == 1u);
    CHECK(cpus_of_quota("250000 100000\n") == 3u);
    CHECK(cpus_of_quota("50000 100000") == 1u);  // half a CPU still needs a thread
    CHECK(cpus_of_quota("max 100000\n") == std::nullopt);
    for (const char* bad : {"", "\n", "100000", "100000 0", "0 100000", "-5 100000", "1e5 100000", "100000  100000",
                            "100000 100000 7", "99999999999999999999999 1", "abc def"})
        CHECK(cpus_of_quota(bad) == std::nullopt);
    CHECK(cpus_of_quota("18446744073709551615 1") == 65536u);  // capped, not wrapped
}

TEST_CASE("the cgroup v2 path is read from /proc/self/cgroup's 0:: line only") {
    CHECK(cgroup_v2_path("0::/kubepods.slice/pod1/cri-containerd-abc.scope\n") ==
          std::string("/kubepods.slice/pod1/cri-containerd-abc.scope"));
    CHECK(cgroup_v2_path("12:cpu,cpuacct:/docker/1\n0::/system.slice/strata.service\n") ==
          std::string("/system.slice/strata.service"));
    CHECK(cgroup_v2_path("0::/\n") == std::string("/"));
    CHECK(cgroup_v2_path("4:memory:/x\n1:cpu:/\n") == std::nullopt);  // cgroup v1 only
    CHECK(cgroup_v2_path("") == std::nullopt);
    CHECK(cgroup_v2_path("0::/a/../../etc\n") == std::nullopt);
    CHECK(cgroup_v2_path("1:cpu:/\n0::/system.slice/str") == std::nullopt);  // cut short: no path
}

TEST_CASE("usable CPUs follow the affinity mask") {
    cpu_set_t before;
    REQUIRE(sched_getaffinity(0, sizeof before, &before) == 0);
    const auto all = usable_cpus();
    CHECK(all >= 1u);
    CHECK(all <= static_cast<unsigned>(CPU_COUNT(&before)));
    int first = 0;
    while (!CPU_ISSET(first, &before)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
    const auto pinned = usable_cpus();
    REQUIRE(sched_setaffinity(0, sizeof before, &before) == 0);
    CHECK(pinned == 1u);
}
