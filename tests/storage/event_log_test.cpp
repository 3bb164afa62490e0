// Tests of pull event encodings and the event log: ordering, ranges, retention, hostile records.
#include "storage/event_log.hpp"

#include "tests/catch_result.hpp"

#include <unistd.h>

#include <filesystem>

using namespace strata::storage;

namespace {

pull_event sample(std::int64_t ts, std::string node = "node-1") {
    pull_event e;
    e.ts_ns = ts;
    e.client = "10.0.0.7";
    e.node = std::move(node);
    e.upstream = "ghcr.io";
    e.repository = "org/app";
    e.reference = "v1";
    e.digest = "sha256:" + std::string(64, 'a');
    e.kind = "blob";
    e.method = "GET";
    e.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
    e.bytes_sent = 6000000000ull;
    e.object_size = 6000000000ull;
    e.range = "bytes=0-";
    e.cache_status = "miss";
    e.http_status = 200;
    e.duration_ns = 12345;
    e.ttfb_ns = 123;
    e.upstream_ns = 10000;
    e.upstream_bytes = 6000000000ull;
    return e;
}

struct temp_index {
    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("strata-events-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    static inline int counter = 0;
    ~temp_index() { std::filesystem::remove_all(dir); }
};

}  // namespace

TEST_CASE("pull_event round-trips through JSON and renders CSV with quoting") {
    auto e = sample(1724288523000000000);
    e.node = "kubelet/v1.30 (linux, \"amd64\")";
    auto back = parse_json_line(to_json_line(e));
    REQUIRE(back);
    CHECK(*back == e);
    const auto row = to_csv_row(e);
    CHECK(row.starts_with("1724288523000000000,10.0.0.7,\"kubelet/v1.30 (linux, \"\"amd64\"\")\",ghcr.io,"));
    const auto header = csv_header();
    CHECK(std::count(header.begin(), header.end(), ',') == 18);
}

TEST_CASE("hostile strings survive encoding: quotes, control bytes, invalid UTF-8") {
    auto e = sample(1);
    e.node = std::string("a\"b\\c\n\x01\xff\xc3(") + "\xc3\xa9";
    const auto line = to_json_line(e);
    CHECK(line.find('\n') == std::string::npos);
    auto back = parse_json_line(line);
    REQUIRE(back);
    CHECK(back->node == "a\"b\\c\n\x01\xEF\xBF\xBD\xEF\xBF\xBD(\xc3\xa9");
}

TEST_CASE("parse_json_line rejects what is not an event record") {
    for (const char* bad : {"", "{}", "[]", "nope", R"({"ts_ns":"x"})", R"({"ts_ns":1})"}) {
        INFO(bad);
        auto e = parse_json_line(bad);
        REQUIRE_FALSE(e);
        CHECK(e.error() == strata::errc::storage_failed);
    }
}

TEST_CASE("event_log scans in time order from since up to until and applies retention") {
    temp_index t;
    metadata_index index(t.dir);
    event_log log(index);
    log.append({sample(300), sample(100), sample(200), sample(200, "node-2")});
    std::vector<std::int64_t> seen;
    log.scan(0, INT64_MAX, [&](const pull_event& e) {
        seen.push_back(e.ts_ns);
        return true;
    });
    CHECK(seen == std::vector<std::int64_t>{100, 200, 200, 300});
    seen.clear();
    log.scan(200, 300, [&](const pull_event& e) {
        seen.push_back(e.ts_ns);
        return true;
    });
    CHECK(seen == std::vector<std::int64_t>{200, 200});
    seen.clear();
    log.scan(0, INT64_MAX, [&](const pull_event& e) {
        seen.push_back(e.ts_ns);
        return false;
    });
    CHECK(seen.size() == 1);

    CHECK(log.delete_before(200) == 1);
    const auto one_record = to_json_line(sample(300)).size() + 16;  // key is 16 bytes
    CHECK(log.trim_to_bytes(one_record * 2) == 1);
    seen.clear();
    log.scan(0, INT64_MAX, [&](const pull_event& e) {
        seen.push_back(e.ts_ns);
        return true;
    });
    CHECK(seen == std::vector<std::int64_t>{200, 300});
    CHECK(log.trim_to_bytes(0) == 2);
}

TEST_CASE("a read-only index sees what a writer appended") {
    temp_index t;
    metadata_index writer(t.dir);
    event_log(writer).append({sample(5)});
    metadata_index reader(t.dir, metadata_index::open_mode::read_only);
    std::size_t n = 0;
    event_log(reader).scan(0, INT64_MAX, [&](const pull_event&) { return ++n, true; });
    CHECK(n == 1);
    CHECK_THROWS_AS(metadata_index(t.dir / "absent", metadata_index::open_mode::read_only), std::runtime_error);
}
