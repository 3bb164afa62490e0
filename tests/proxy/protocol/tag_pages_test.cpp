// Tests of tag-list pages: pagination, Link headers, upstream pages read and followed.
#include "proxy/protocol/tag_pages.hpp"

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

TEST_CASE("parse_tag_page keeps only tags that pass the grammar and counts the rest") {
    std::size_t rejected = 0;
    const auto page = parse_tag_page(
        R"({"name":"x","tags":["v1","bad\r\nSet-Cookie: a=b","v2",7,null,"a/b",")" + std::string(129, 'a') +
            R"(","_ok.-1"]})",
        &rejected);
    REQUIRE(page);
    CHECK(*page == std::vector<std::string>{"v1", "v2", "_ok.-1"});
    CHECK(rejected == 5);
}

TEST_CASE("parse_tag_page refuses what is not a tag list, and deep nesting, without throwing") {
    std::size_t rejected = 0;
    CHECK(parse_tag_page("[]", &rejected).error() == strata::errc::upstream_protocol);
    CHECK(parse_tag_page("{\"tags\":{}}", &rejected).error() == strata::errc::upstream_protocol);
    CHECK(parse_tag_page("{\"tags\":", &rejected).error() == strata::errc::upstream_protocol);
    CHECK(parse_tag_page("{\"tags\":" + std::string(10000, '[') + std::string(10000, ']') + "}", &rejected).error() ==
          strata::errc::upstream_protocol);
    const auto empty = parse_tag_page("{\"name\":\"x\",\"tags\":null}", &rejected);
    REQUIRE(empty);
    CHECK(empty->empty());
}

TEST_CASE("next_link_target follows only a relative /v2/ link of visible ASCII") {
    using strata::proxy::next_link_target;
    CHECK(next_link_target("</v2/org/app/tags/list?n=2&last=b>; rel=\"next\"") == "/v2/org/app/tags/list?n=2&last=b");
    CHECK(next_link_target("</v2/org/app/tags/list?last=b>; rel=\"prev\"").empty());
    CHECK(next_link_target("<https://evil.example/v2/x>; rel=\"next\"").empty());
    CHECK(next_link_target("<//evil.example/v2/x>; rel=\"next\"").empty());
    CHECK(next_link_target("</v2/a b>; rel=\"next\"").empty());
    CHECK(next_link_target("</v2/a\r\nX: y>; rel=\"next\"").empty());
    CHECK(next_link_target("</v2/\xc3\xa9>; rel=\"next\"").empty());
    CHECK(next_link_target(">/v2/x<; rel=\"next\"").empty());
    CHECK(next_link_target("").empty());
}
