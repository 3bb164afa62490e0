// Tests of a fetch's follower wake-ups: on the first bytes, then in notify_step batches, and on
// every phase change.
#include "proxy/registry/blob_fetch.hpp"

#include <catch2/catch.hpp>

using namespace strata;
using namespace strata::proxy;

namespace {

// Whether the channel holds a wake-up (taking it).
bool woken(progress_channel& channel) {
    bool got = false;
    channel.try_receive([&got](error_code) { got = true; });
    return got;
}

}  // namespace

TEST_CASE("followers are woken by the first bytes, then every notify_step, and by each phase change") {
    asio::io_context io;
    blob_fetch fetch(*storage::digest::parse("sha256:" + std::string(64, 'a')), "team/app");
    auto follower = fetch.subscribe(io.get_executor());
    fetch.start_streaming({}, 4 * blob_fetch::notify_step);
    CHECK(woken(*follower));
    fetch.add_written(100);
    CHECK(woken(*follower));  // the first bytes: a stalled upstream must not hide them
    fetch.add_written(100);
    CHECK_FALSE(woken(*follower));
    fetch.add_written(blob_fetch::notify_step);
    CHECK(woken(*follower));
    fetch.add_written(blob_fetch::notify_step - 1);
    CHECK_FALSE(woken(*follower));
    fetch.finish(errc::ok);
    CHECK(woken(*follower));
    CHECK(fetch.state().state == blob_fetch::phase::committed);
}
