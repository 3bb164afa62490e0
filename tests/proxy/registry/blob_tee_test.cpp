// Tests of the blob tee: lengths, limits and digests, fed in chunks with no I/O.
#include "proxy/registry/blob_tee.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace strata;
using strata::proxy::blob_tee;

namespace {

// Feeds body in chunks of `chunk` bytes; the first refusal, else errc::ok.
errc feed_all(blob_tee& tee, const std::string& body, std::size_t chunk) {
    for (std::size_t at = 0; at < body.size(); at += chunk)
        if (const auto e = tee.feed(body.data() + at, std::min(chunk, body.size() - at)); e != errc::ok) return e;
    return errc::ok;
}

}  // namespace

TEST_CASE("a blob whose bytes hash to its digest is kept, however it was chunked") {
    const std::string body(100'000, 'x');
    const auto d = storage::sha256_of(body);
    for (const std::size_t chunk : {std::size_t{1} << 20, std::size_t{4096}, std::size_t{7}}) {
        blob_tee tee(d, body.size(), 1 << 20);
        REQUIRE(feed_all(tee, body, chunk) == errc::ok);
        CHECK(tee.taken() == body.size());
        CHECK(tee.finish() == errc::ok);
    }
    blob_tee unannounced(d, std::nullopt, body.size());  // no Content-Length: exactly the limit is fine
    REQUIRE(feed_all(unannounced, body, 4096) == errc::ok);
    CHECK(unannounced.finish() == errc::ok);
}

TEST_CASE("the empty blob is the empty digest's") {
    blob_tee tee(storage::sha256_of(""), 0, 0);
    CHECK(tee.finish() == errc::ok);
    blob_tee other(storage::sha256_of("x"), 0, 1);
    CHECK(other.finish() == errc::digest_mismatch);
}

TEST_CASE("wrong bytes of the right length are a digest mismatch") {
    std::string body(5000, 'a');
    const auto d = storage::sha256_of(body);
    body[4999] = 'b';
    blob_tee tee(d, body.size(), body.size());
    REQUIRE(feed_all(tee, body, 1000) == errc::ok);
    CHECK(tee.finish() == errc::digest_mismatch);
}

TEST_CASE("a body shorter than announced is truncated, even when its prefix hashes right") {
    const std::string body(5000, 'a');
    blob_tee tee(storage::sha256_of(body.substr(0, 4000)), body.size(), body.size());
    REQUIRE(feed_all(tee, body.substr(0, 4000), 1000) == errc::ok);
    CHECK(tee.finish() == errc::upstream_truncated);
}

TEST_CASE("a chunk that would pass the limit is refused before it is taken") {
    const std::string body(3000, 'a');
    blob_tee tee(storage::sha256_of(body), std::nullopt, 2500);
    CHECK(tee.feed(body.data(), 2000) == errc::ok);
    CHECK(tee.feed(body.data(), 1000) == errc::blob_too_large);
    CHECK(tee.taken() == 2000);
    CHECK(tee.feed(body.data(), 500) == errc::ok);
    CHECK(tee.feed(body.data(), 1) == errc::blob_too_large);
    CHECK(tee.limit() == 2500);
}
