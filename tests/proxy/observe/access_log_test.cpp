// Tests of the access log: one escaped line per request, written only in whole blocks.
#include "proxy/observe/access_log.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

using namespace strata;
using namespace strata::proxy;

namespace {

// The read end of a pipe the log writes to, drained without waiting.
struct pipe_reader {
    pipe_reader() {
        REQUIRE(::pipe2(fds, O_NONBLOCK) == 0);
        ::fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
    }
    ~pipe_reader() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    std::string drain() const {
        std::string out;
        char buf[65536];
        for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
        return out;
    }
    int fds[2];
};

storage::pull_event pull(std::string repository, std::string node) {
    storage::pull_event e;
    e.method = "GET";
    e.kind = "manifest";
    e.upstream = "ghcr.io";
    e.repository = std::move(repository);
    e.reference = "v1";
    e.http_status = 200;
    e.bytes_sent = 1234;
    e.duration_ns = 56'000;
    e.cache_status = "hit";
    e.node = std::move(node);
    return e;
}

}  // namespace

TEST_CASE("an access log line carries every field, outside text quoted and escaped") {
    pipe_reader out;
    access_log log(out.fds[1]);
    log.write(pull("team/app\n[info] forged", "gpu-1\x1b[31m"));
    CHECK(out.drain().empty());  // buffered until flushed
    log.flush();
    const auto text = out.drain();
    CHECK(text.starts_with("[20"));
    CHECK(text.find("] [info] request method=\"GET\" kind=manifest upstream=ghcr.io repo=\"team/app\\n[info] forged\" "
                    "ref=\"v1\" status=200 bytes=1234 duration_us=56 cache=hit node=\"gpu-1\\x1b[31m\"\n") !=
          std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
}

TEST_CASE("the access log writes a block when it fills, and whole lines only") {
    pipe_reader out;
    access_log log(out.fds[1]);
    const auto line = [&] {
        log.write(pull("team/app", "node"));
        log.flush();
        return out.drain().size();
    }();
    std::size_t written = 0;
    std::string seen;
    for (std::size_t i = 0; seen.empty(); ++i) {
        REQUIRE(i * line < 2 * access_log::block_bytes);
        log.write(pull("team/app", "node"));
        ++written;
        seen = out.drain();
    }
    CHECK(seen.size() >= access_log::block_bytes);
    CHECK(seen.size() == written * line);
    CHECK(seen.back() == '\n');
}

TEST_CASE("lines written on several threads all come out whole at a flush") {
    pipe_reader out;
    access_log log(out.fds[1]);
    log.write(pull("main/app", "node-main"));
    std::thread([&] {
        for (int i = 0; i < 3; ++i) log.write(pull("other/app", "node-other"));
    }).join();
    log.flush();
    const auto seen = out.drain();
    CHECK(std::count(seen.begin(), seen.end(), '\n') == 4);
    const std::string_view other = "repo=\"other/app\"";
    std::size_t others = 0;
    for (auto at = seen.find(other); at != std::string::npos; at = seen.find(other, at + 1)) ++others;
    CHECK(others == 3);
    CHECK(seen.find("repo=\"main/app\"") != std::string::npos);
}
