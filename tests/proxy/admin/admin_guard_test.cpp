// Tests of the admin API's guard: the token check and the per-address failure window.
#include "proxy/admin/admin_guard.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

TEST_CASE("constant_time_equal compares whole contents") {
    CHECK(constant_time_equal("s3cret", "s3cret"));
    CHECK_FALSE(constant_time_equal("s3cret", "s3creT"));
    CHECK_FALSE(constant_time_equal("s3cret", "s3cre"));
    CHECK(constant_time_equal("", ""));
}

TEST_CASE("the admin guard throttles an address after repeated failures, for one window") {
    admin_guard guard("s3cret");
    const auto t0 = admin_guard::clock::now();
    CHECK(guard.check("Bearer s3cret", "10.0.0.1", false, t0) == admin_guard::verdict::allowed);
    for (int i = 0; i < admin_guard::max_failures; ++i)
        CHECK(guard.check("Bearer wrong", "10.0.0.1", false, t0) == admin_guard::verdict::denied);
    CHECK(guard.check("Bearer s3cret", "10.0.0.1", false, t0) == admin_guard::verdict::throttled);
    CHECK(guard.check("Bearer s3cret", "10.0.0.2", false, t0) == admin_guard::verdict::allowed);
    CHECK(guard.check("Bearer s3cret", "10.0.0.1", false, t0 + admin_guard::window) ==
          admin_guard::verdict::allowed);
}

TEST_CASE("without a token only loopback clients pass") {
    admin_guard guard("");
    CHECK(guard.check("", "127.0.0.1", true) == admin_guard::verdict::allowed);
    CHECK(guard.check("Bearer ", "10.0.0.1", false) == admin_guard::verdict::denied);
}
