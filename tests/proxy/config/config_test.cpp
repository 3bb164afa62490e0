// Tests of configuration: defaults, the JSON file, validation and field-naming errors.
#include "proxy/config/config.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;

TEST_CASE("default_config has the documented upstreams and addresses") {
    const auto c = default_config();
    CHECK(c.server.listen == "127.0.0.1:5000");
    CHECK(c.cache.data_dir == "./var/strata");
    CHECK(c.default_upstream == "docker.io");
    for (const char* host : {"docker.io", "ghcr.io", "quay.io", "nvcr.io", "registry.k8s.io", "mcr.microsoft.com"})
        CHECK(c.find_upstream(host));
    const auto* hub = c.find_upstream("registry-1.docker.io");
    REQUIRE(hub);
    CHECK(hub->name == "docker.io");
    CHECK(hub->docker_hub);
    CHECK(hub->origin.host == "registry-1.docker.io");
    CHECK(hub->origin.port == "443");
    CHECK(hub->origin.tls);
    CHECK(c.upstreams[0].tag_ttl == std::chrono::seconds(300));
}

TEST_CASE("parse_config reads every section over the defaults") {
    const auto c = parse_config(R"({
        "server": {"listen": "0.0.0.0:5001", "io_threads": 2},
        "cache": {"data_dir": "/srv/strata", "offline": true},
        "timeouts": {"connect_ms": 1000},
        "client": {"breaker_failures": 5, "breaker_backoff_ms": 250, "breaker_max_backoff_ms": 4000},
        "default_upstream": "ghcr.io",
        "upstreams": [{"name": "ghcr.io", "url": "https://ghcr.io", "tag_ttl_seconds": 60},
                      {"name": "local", "url": "http://127.0.0.1:5002", "aliases": ["local.test"], "send_ns": true}],
        "pull_auth": {"users_file": "/etc/strata/pull-users.json"}})");
    CHECK(c.server.listen == "0.0.0.0:5001");
    CHECK(c.server.io_threads == 2);
    CHECK(c.cache.data_dir == "/srv/strata");
    CHECK(c.cache.offline);
    CHECK(c.timeouts.connect == std::chrono::milliseconds(1000));
    CHECK(c.client.breaker.failures == 5);
    CHECK(c.client.breaker.backoff == std::chrono::milliseconds(250));
    CHECK(c.client.breaker.max_backoff == std::chrono::milliseconds(4000));
    CHECK(c.cache.stale_wait == std::chrono::milliseconds(1000));
    REQUIRE(c.upstreams.size() == 2);
    CHECK(c.upstreams[0].tag_ttl == std::chrono::seconds(60));
    CHECK_FALSE(c.upstreams[1].origin.tls);
    CHECK(c.upstreams[1].origin.port == "5002");
    CHECK(c.find_upstream("local.test") == &c.upstreams[1]);
    CHECK(c.upstreams[1].send_ns);
    CHECK_FALSE(c.upstreams[0].send_ns);
    CHECK(c.pull_auth.users_file == "/etc/strata/pull-users.json");
}

TEST_CASE("parse_config names the field at fault") {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"not json", "config: not valid JSON (line 1)"},
        {"{\n\"server\": {,}}", "config: not valid JSON (line 2)"},
        {R"({"server": {"io_threads": 1e99999}})", "config: not valid JSON (a value out of range)"},
        {"[]", "config: expected an object"},
        {R"({"lsiten": 1})", "config.lsiten: unknown field"},
        {R"({"server": {"listen": 5}})", "server.listen: wrong type"},
        {R"({"server": {"listen": "nohost"}})", "server.listen: expected host:port"},
        {R"({"cache": {"bogus": 1}})", "cache.bogus: unknown field"},
        {R"({"server": {"tls": {"cert_file": "c.pem"}}})", "server.tls: cert_file and key_file (--tls-cert and --tls-key) go together: both, or neither for plain HTTP"},
        {R"({"server": {"tls": {"cert": "c.pem"}}})", "server.tls.cert: unknown field"},
        {R"({"server": {"tls": {"cert_file": "c", "key_file": "k", "reload_check_ms": 5}}})",
         "server.tls.reload_check_ms: at least 100"},
        {R"({"pull_auth": {"users": "x"}})", "pull_auth.users: unknown field"},
        {R"({"timeouts": {"connect_ms": -5}})", "timeouts.connect_ms: must be a non-negative number"},
        {R"({"upstreams": {}})", "upstreams: expected an array"},
        {R"({"upstreams": [{"url": "https://x.io"}]})", "upstreams[0].name: required"},
        {R"({"upstreams": [{"name": "x.io"}]})", "upstreams[0].url: required"},
        {R"({"upstreams": [{"name": "x.io", "url": "ftp://x.io"}]})", "upstreams[0].url: must start with https:// or http://"},
        {R"({"upstreams": [{"name": "x.io", "url": "https://x.io/path"}]})", "upstreams[0].url: must be scheme://host[:port] with no path"},
        {R"({"upstreams": [{"name": "x.io", "url": "https://x.io:99999"}]})", "upstreams[0].url: invalid port"},
        {R"({"upstreams": [{"name": "x.io", "url": "https://x.io", "tls_verify": "no"}]})", "upstreams[0].tls_verify: wrong type"},
        {R"({"upstreams": [{"name": "a", "url": "https://a"}, {"name": "a", "url": "https://b"}]})", "upstreams: duplicate name a"},
        {R"({"default_upstream": "nope"})", "default_upstream: no upstream named nope"},
        {R"({"log_level": "loud"})", "log_level: must be one of trace..off"},
        {R"({"storage": {"max_bytes": -1}})", "storage.max_bytes: must be a non-negative integer"},
        {R"({"storage": {"max_bytes": "10G"}})", "storage.max_bytes: must be a non-negative integer"},
        {R"({"events": {"queue_capacity": 1.5}})", "events.queue_capacity: must be a non-negative integer"},
        {R"({"storage": {"eviction_policy": "random"}})", "storage.eviction_policy: must be one of lru, lfu, fifo, s3fifo, sieve, gdsf"},
        {R"({"storage": {"high_watermark": 0.5, "low_watermark": 0.8}})", "storage.high_watermark, storage.low_watermark: need 0 < low < high <= 1"},
        {R"({"storage": {"high_watermark": 1.5}})", "storage.high_watermark, storage.low_watermark: need 0 < low < high <= 1"},
        {R"({"storage": {"pinned": ["ubuntu"]}})", "storage.pinned: not upstream/repository:tag or @digest: ubuntu"},
        {R"({"storage": {"pinned": "ghcr.io/a/b:v1"}})", "storage.pinned: wrong type"},
        {R"({"storage": {"maxbytes": 1}})", "storage.maxbytes: unknown field"},
        {R"({"storage": {"metadata_max_age_hours": -1}})", "storage.metadata_max_age_hours: must be a non-negative number"},
        {R"({"storage": {"metadata_max_age_hours": 9000000000}})",
         "storage.metadata_max_age_hours: at most 1000000 (0 keeps metadata forever)"},
        {R"({"upstreams": [{"name": "x.io", "url": "https://x.io", "access": "open"}]})", "upstreams[0].access: \"public\" or \"confirm\", not \"open\""},
        {R"({"upstreams": [{"name": "x.io", "url": "https://x.io", "redirect_hosts": "minio"}]})", "upstreams[0].redirect_hosts: wrong type"},
        {R"({"upstreams": [{"name": "x.io", "url": "https://x\r\nevil.io"}]})", "upstreams[0].url: invalid host"},
        {R"({"upstreams": [{"name": "x.io", "url": "https://x.io:99999999999999999999"}]})", "upstreams[0].url: invalid port"},
        {R"({"server": {"max_connections": -1}})", "server.max_connections: must be a non-negative integer"},
        {R"({"client": {"max_redirects": 1e300}})", "client.max_redirects: must be an integer"},
        {R"({"timeouts": {"connect_ms": 1e300}})", "timeouts.connect_ms: must be an integer"},
        {R"({"storage": {"max_blob_bytes": "big"}})", "storage.max_blob_bytes: must be a non-negative integer"},
        {R"({"cache": {"stale_wait_ms": 3600001}})", "cache.stale_wait_ms: at most 3600000 (an hour)"},
        {R"({"cache": {"not_found_ttl_ms": 86400001}})", "cache.not_found_ttl_ms: at most 86400000 (a day)"},
        {R"({"client": {"breaker_failures": -1}})", "client.breaker_failures: must be a non-negative integer"},
        {R"({"client": {"breaker_backoff_ms": 0}})",
         "client.breaker_backoff_ms, client.breaker_max_backoff_ms: need 0 < backoff <= max_backoff <= 1 day"},
        {R"({"client": {"breaker_backoff_ms": 5000, "breaker_max_backoff_ms": 1000}})",
         "client.breaker_backoff_ms, client.breaker_max_backoff_ms: need 0 < backoff <= max_backoff <= 1 day"},
    };
    for (const auto& [text, message] : cases) {
        INFO(text);
        try {
            parse_config(text);
            FAIL("accepted a bad config");
        } catch (const config_error& e) {
            CHECK(std::string(e.what()) == message);
        }
    }
}

TEST_CASE("the example deploy/strata.json is a valid config") {
    const auto c = load_config_file(STRATA_SOURCE_DIR "/deploy/strata.json");
    CHECK(c.upstreams.size() == 6);
    CHECK(c.find_upstream("index.docker.io")->name == "docker.io");
    CHECK(c.find_upstream("docker.io")->docker_hub);
    CHECK(c.server.listen == "127.0.0.1:5000");
}

TEST_CASE("the analytics section names a price table and nothing else") {
    CHECK(parse_config(R"({"analytics": {"prices_file": "/etc/strata/prices.json"}})").analytics.prices_file ==
          "/etc/strata/prices.json");
    CHECK(parse_config("{}").analytics.prices_file.empty());
    CHECK_THROWS_WITH(parse_config(R"({"analytics": {"prices": 1}})"), "analytics.prices: unknown field");
    CHECK_THROWS_AS(parse_config(R"({"analytics": {"prices_file": 7}})"), config_error);
}

TEST_CASE("an upstream with credentials confirms access by default; one without is public") {
    const auto c = parse_config(R"({"upstreams": [{"name": "private.io", "url": "https://private.io", "username": "u",
                                    "password": "p"}, {"name": "public.io", "url": "https://public.io"},
                                   {"name": "opened.io", "url": "https://opened.io", "username": "u", "password": "p",
                                    "access": "public", "redirect_hosts": ["minio.lan:9000"]}],
                                   "default_upstream": "public.io"})");
    CHECK(c.find_upstream("private.io")->confirms_access());
    CHECK_FALSE(c.find_upstream("public.io")->confirms_access());
    CHECK_FALSE(c.find_upstream("opened.io")->confirms_access());
    CHECK(c.find_upstream("opened.io")->redirect_hosts == std::vector<std::string>{"minio.lan:9000"});
}
