// Tests of the client connection table: the cap, longest-idle-first closing, refusal, draining.
#include "proxy/server/client_connections.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace strata::proxy;

TEST_CASE("past the cap the longest-idle connection is closed, and busy ones never are") {
    client_connections table(2);
    std::vector<int> closed;
    auto a = table.admit([&] { closed.push_back(1); });
    auto b = table.admit([&] { closed.push_back(2); });
    REQUIRE(a);
    REQUIRE(b);
    table.set_idle(*b, false);  // b is serving a request
    auto c = table.admit([&] { closed.push_back(3); });
    REQUIRE(c);
    CHECK(closed == std::vector<int>{1});
    CHECK(table.open() == 2);
    table.set_idle(*c, false);
    CHECK_FALSE(table.admit([] {}));  // both busy: refused
    CHECK(table.refused() == 1);
    CHECK(table.closed_for_room() == 1);
    b.reset();
    CHECK(table.open() == 1);
    CHECK(table.admit([] {}));
}

TEST_CASE("the derived cap leaves a reserve of descriptors") {
    CHECK(derived_connection_cap(1024) == 768);
    CHECK(derived_connection_cap(256) == 128);
    CHECK(derived_connection_cap(100) == 16);
    CHECK(derived_connection_cap(1 << 20) == (1 << 20) - (1 << 18));
}

TEST_CASE("draining closes every idle connection at once, keeps busy ones, and refuses new ones") {
    client_connections table(8);
    std::vector<int> closed;
    auto a = table.admit([&] { closed.push_back(1); });
    auto b = table.admit([&] { closed.push_back(2); });
    auto c = table.admit([&] { closed.push_back(3); });
    table.set_idle(*b, false);  // b is sending a response
    CHECK_FALSE(table.draining());
    table.drain();
    CHECK(table.draining());
    CHECK(closed == std::vector<int>{1, 3});
    CHECK(table.open() == 1);
    CHECK_FALSE(table.admit([] {}));
    b.reset();  // its response done, the session ends
    CHECK(table.open() == 0);
}
