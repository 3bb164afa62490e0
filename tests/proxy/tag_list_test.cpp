// Tests of tag-list pagination and Link headers.
#include "proxy/tag_list.hpp"

#include "tests/catch_result.hpp"

using namespace strata::proxy;

TEST_CASE("paginate_tags pages a sorted list by n and last") {
    const std::vector<std::string> tags = {"a", "b", "c", "d", "e"};
    auto p = paginate_tags(tags, std::nullopt, "");
    CHECK(p.tags == tags);
    CHECK_FALSE(p.more);
    p = paginate_tags(tags, 2, "");
    CHECK(p.tags == std::vector<std::string>{"a", "b"});
    CHECK(p.more);
    p = paginate_tags(tags, 2, "b");
    CHECK(p.tags == std::vector<std::string>{"c", "d"});
    CHECK(p.more);
    p = paginate_tags(tags, 2, "d");
    CHECK(p.tags == std::vector<std::string>{"e"});
    CHECK_FALSE(p.more);
    p = paginate_tags(tags, 2, "bb");  // last need not be a tag
    CHECK(p.tags == std::vector<std::string>{"c", "d"});
    p = paginate_tags(tags, 0, "");
    CHECK(p.tags.empty());
    p = paginate_tags(tags, 10, "zzz");
    CHECK(p.tags.empty());
    CHECK_FALSE(p.more);
}

TEST_CASE("next_page_link keeps the client's name and ns") {
    route r;
    r.client_name = "ghcr.io/org/app";
    CHECK(next_page_link(r, 2, "v1") == "</v2/ghcr.io/org/app/tags/list?n=2&last=v1>; rel=\"next\"");
    r.client_name = "org/app";
    r.ns = "ghcr.io";
    CHECK(next_page_link(r, 5, "b") == "</v2/org/app/tags/list?n=5&last=b&ns=ghcr.io>; rel=\"next\"");
}
