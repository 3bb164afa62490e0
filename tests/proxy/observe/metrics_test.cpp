// Tests of the request metrics: counts and durations from every thread reach the exposition.
#include "proxy/observe/metrics.hpp"

#include <catch2/catch.hpp>

#include <thread>

using namespace strata;

namespace {

storage::pull_event served(std::int64_t duration_ns) {
    storage::pull_event e;
    e.kind = "manifest";
    e.method = "GET";
    e.http_status = 200;
    e.cache_status = "hit";
    e.upstream = "ghcr.io";
    e.bytes_sent = 100;
    e.duration_ns = duration_ns;
    return e;
}

}  // namespace

TEST_CASE("request durations observed on several threads add up in the histogram when scraped") {
    proxy::metrics m;
    m.observe_request(served(200'000));     // 0.2 ms: the 0.0005 s bucket
    std::thread([&] { m.observe_request(served(3'000'000)); }).join();  // 3 ms: the 0.005 s bucket
    m.observe_request(served(400'000'000'000));                          // 400 s: only +Inf
    const auto text = m.render();
    CHECK(text.find("strata_request_duration_seconds_count{kind=\"manifest\"} 3") != std::string::npos);
    CHECK(text.find("strata_request_duration_seconds_bucket{kind=\"manifest\",le=\"0.0005\"} 1") != std::string::npos);
    CHECK(text.find("strata_request_duration_seconds_bucket{kind=\"manifest\",le=\"0.005\"} 2") != std::string::npos);
    CHECK(text.find("strata_request_duration_seconds_bucket{kind=\"manifest\",le=\"300\"} 2") != std::string::npos);
    CHECK(text.find("strata_requests_total{cache=\"hit\",kind=\"manifest\",method=\"GET\",status=\"200\","
                    "upstream=\"ghcr.io\"} 3") != std::string::npos);
    // A second scrape adds nothing twice.
    CHECK(m.render().find("strata_request_duration_seconds_count{kind=\"manifest\"} 3") != std::string::npos);
}

TEST_CASE("two metrics instances on one thread keep their own request counts") {
    proxy::metrics a;
    proxy::metrics b;
    a.observe_request(served(1));
    b.observe_request(served(1));
    a.observe_request(served(1));
    CHECK(a.render().find("strata_request_duration_seconds_count{kind=\"manifest\"} 2") != std::string::npos);
    CHECK(b.render().find("strata_request_duration_seconds_count{kind=\"manifest\"} 1") != std::string::npos);
}
