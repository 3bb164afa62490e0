// Tests of reading one counter from Prometheus text.
#include "proxy/bench/metrics_text.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

TEST_CASE("a counter is summed over the samples with the wanted label") {
    const std::string text =
        "# HELP strata_upstream_bytes_total Body bytes\n"
        "# TYPE strata_upstream_bytes_total counter\n"
        "strata_upstream_bytes_total{upstream=\"a.test\"} 1000\n"
        "strata_upstream_bytes_total{kind=\"blob\",upstream=\"a.test\"} 24\n"
        "strata_upstream_bytes_total{upstream=\"b.test\"} 7\n"
        "strata_upstream_bytes_total_other{upstream=\"a.test\"} 5\n"
        "strata_upstream_bytes_total{upstream=\"a.test\"} nonsense\n"
        "strata_upstream_bytes_total{upstream=\"a.test\"} +Inf\n"
        "strata_up 1";
    CHECK(metric_sum(text, "strata_upstream_bytes_total", "upstream", "a.test") == 1024);
    CHECK(metric_sum(text, "strata_upstream_bytes_total") == 1031);
    CHECK(metric_sum(text, "strata_up") == 1);
    CHECK_FALSE(metric_sum(text, "strata_upstream_bytes_total", "upstream", "c.test"));
    CHECK_FALSE(metric_sum("", "x"));
}
