// simulate_bench: single-threaded replay of a synthetic trace held in memory through one
// proxy cache per policy: requests per second, and peak RSS for the memory-per-object figure.
// Run by bench/simulate_bench.py, one process per policy so each RSS is its own.
#include "analytics/simulator/simulator.hpp"

#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace strata::analytics;

namespace {
// A "Vm…:" line of /proc/self/status, in KiB.
long status_kib(const char* field) {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    long value = 0;
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, field, std::strlen(field)) == 0) value = std::strtol(line + std::strlen(field), nullptr, 10);
    std::fclose(f);
    return value;
}
}  // namespace

int main(int argc, char** argv) {
    synthetic_trace_spec spec{.images = 20000, .nodes = 256, .jobs = 40000, .zipf_exponent = 0.8};
    std::string policy_name = "lru";
    double capacity_fraction = 0.05;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag == "--policy") policy_name = argv[i + 1];
        else if (flag == "--jobs") spec.jobs = std::strtoull(argv[i + 1], nullptr, 10);
        else if (flag == "--images") spec.images = std::strtoull(argv[i + 1], nullptr, 10);
        else if (flag == "--capacity-fraction") capacity_fraction = std::strtod(argv[i + 1], nullptr);
        else return std::fprintf(stderr, "usage: %s [--policy P|none] [--jobs N] [--images N]\n", argv[0]), 2;
    }
    const auto t = synthetic_trace(spec);
    const auto next = next_uses(t);
    std::uint64_t unique = 0;
    for (const auto s : t.object_sizes) unique += s;
    // Peak resident memory from here on: give back what building the trace freed, then reset
    // the kernel's high-water mark (writing 5 to clear_refs).
    malloc_trim(0);
    if (FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);
        std::fclose(f);
    }
    const long before = status_kib("VmRSS:");
    double seconds = 0, hit_ratio = 0;
    if (policy_name != "none") {
        const auto policy = parse_sim_policy(policy_name);
        if (!policy) return std::fprintf(stderr, "unknown policy %s\n", policy_name.c_str()), 2;
        sim_config c;
        c.topo = topology::proxy;
        c.policy = *policy;
        c.capacity = static_cast<std::uint64_t>(capacity_fraction * static_cast<double>(unique));
        const auto start = std::chrono::steady_clock::now();
        const auto r = simulate(t, c, nullptr, next);
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        hit_ratio = r.object_hit_ratio();
    }
    const long peak = status_kib("VmHWM:");
    std::printf("{\"policy\": \"%s\", \"requests\": %zu, \"objects\": %zu, \"seconds\": %.4f, \"requests_per_s\": %.0f, "
                "\"hit_ratio\": %.4f, \"rss_before\": %ld, \"rss_peak\": %ld, \"bytes_per_object\": %.1f}\n",
                policy_name.c_str(), t.requests.size(), t.objects.size(), seconds,
                seconds > 0 ? static_cast<double>(t.requests.size()) / seconds : 0.0, hit_ratio, before * 1024, peak * 1024,
                static_cast<double>(peak - before) * 1024 / static_cast<double>(t.objects.size()));
    return 0;
}
