// Tests of the RFC 9112 framing checks: Host, Transfer-Encoding, Content-Length.
#include "proxy/server/request_framing.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;

namespace {

http::request_header<request_fields> header(std::initializer_list<std::pair<std::string, std::string>> fields,
                              unsigned version = 11) {
    http::request_header<request_fields> h;
    h.method(http::verb::get);
    h.target("/v2/");
    h.version(version);
    for (const auto& [name, value] : fields) h.insert(name, value);
    return h;
}

http::status status_of(const http::request_header<request_fields>& h) {
    const auto bad = check_request_framing(h);
    return bad ? bad->status : http::status::ok;
}

}  // namespace

TEST_CASE("an HTTP/1.1 request needs exactly one Host") {
    CHECK(status_of(header({{"Host", "strata"}})) == http::status::ok);
    CHECK(status_of(header({})) == http::status::bad_request);
    CHECK(check_request_framing(header({}))->message == "an HTTP/1.1 request needs a Host field");
    CHECK(status_of(header({{"Host", "a"}, {"Host", "b"}})) == http::status::bad_request);
    CHECK(status_of(header({}, 10)) == http::status::ok);  // HTTP/1.0 may omit it
}

TEST_CASE("only chunked is a transfer coding strata implements") {
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "chunked"}})) == http::status::ok);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "Chunked"}})) == http::status::ok);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "chunked, identity"}})) ==
          http::status::not_implemented);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "xchunked"}})) == http::status::not_implemented);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "gzip, chunked"}})) ==
          http::status::not_implemented);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}})) ==
          http::status::bad_request);
}

TEST_CASE("a malformed Transfer-Encoding or a conflicting length is a bad request") {
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", ""}})) == http::status::bad_request);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "chunked,,"}})) == http::status::bad_request);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "chunked;q=1"}})) == http::status::bad_request);
    CHECK(status_of(header({{"Host", "h"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "5"}})) ==
          http::status::bad_request);
    CHECK(status_of(header({{"Host", "h"}, {"Content-Length", "5"}, {"Content-Length", "5"}})) ==
          http::status::bad_request);
}
