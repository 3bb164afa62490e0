// Tests of input_stream and read_input_file: plain and gzip files, concatenated members,
// truncation, data after the stream, forged trailers, bad CRCs, byte limits and a gzip bomb.
#include "analytics/inputs/input_stream.hpp"

#include "hostile_files.hpp"

#include <catch2/catch.hpp>

using namespace strata::analytics;
using strata::test::gzip_bomb;
using strata::test::gzip_bytes;
using strata::test::temp_dir;
using strata::test::with_claimed_size;
using strata::test::write_bytes;

namespace {

// Several chunks of text that does not repeat quickly.
std::string sample_text(std::size_t size) {
    std::string s;
    for (std::size_t i = 0; s.size() < size; ++i) s += "line " + std::to_string(i * 7919 % 100003) + "\n";
    s.resize(size);
    return s;
}

// Everything the stream returns, and its error.
std::pair<std::string, std::string> drain(const std::filesystem::path& path) {
    input_stream in(path);
    std::string out;
    for (auto chunk = in.next_chunk(); !chunk.empty(); chunk = in.next_chunk()) {
        CHECK(chunk.size() <= input_stream::chunk_bytes);
        out.append(chunk);
    }
    CHECK(in.bytes_out() == out.size());
    return {out, in.error()};
}

}  // namespace

TEST_CASE("plain and gzip files read back exactly, gzip members in sequence") {
    temp_dir t;
    const auto text = sample_text(300'000);
    write_bytes(t.path / "plain", text);
    write_bytes(t.path / "one.gz", gzip_bytes(text));
    write_bytes(t.path / "two.gz", gzip_bytes(text.substr(0, 123'457)) + gzip_bytes(text.substr(123'457)));
    write_bytes(t.path / "empty", "");
    write_bytes(t.path / "empty.gz", gzip_bytes(""));
    for (const char* name : {"plain", "one.gz", "two.gz"}) {
        INFO(name);
        CHECK(drain(t.path / name) == std::pair<std::string, std::string>{text, ""});
    }
    CHECK(drain(t.path / "empty") == std::pair<std::string, std::string>{"", ""});
    CHECK(drain(t.path / "empty.gz") == std::pair<std::string, std::string>{"", ""});
}

TEST_CASE("a trailer that claims 4 GiB is ignored; a wrong CRC is not") {
    temp_dir t;
    const auto text = sample_text(5'000);
    write_bytes(t.path / "claims-4g.gz", with_claimed_size(gzip_bytes(text), 0xffffffff));
    CHECK(drain(t.path / "claims-4g.gz") == std::pair<std::string, std::string>{text, ""});
    auto gz = gzip_bytes(text);
    gz[gz.size() - 8] ^= 1;  // the CRC-32
    write_bytes(t.path / "bad-crc.gz", gz);
    CHECK(drain(t.path / "bad-crc.gz").second == "corrupt gzip data (incorrect data check)");
    // A forged size does not hide what follows the member either.
    write_bytes(t.path / "claims-then-more.gz", with_claimed_size(gzip_bytes("a\n"), 7) + gzip_bytes("b\n"));
    CHECK(drain(t.path / "claims-then-more.gz") == std::pair<std::string, std::string>{"a\nb\n", ""});
}

TEST_CASE("damaged gzip: what came before the damage, and why it stopped") {
    temp_dir t;
    const auto text = sample_text(200'000);
    const auto gz = gzip_bytes(text);
    write_bytes(t.path / "truncated.gz", gz.substr(0, gz.size() / 2));
    auto [prefix, error] = drain(t.path / "truncated.gz");
    CHECK(error == "truncated gzip data");
    CHECK(!prefix.empty());
    CHECK(prefix.size() < text.size());
    CHECK(text.starts_with(prefix));

    write_bytes(t.path / "no-trailer.gz", gz.substr(0, gz.size() - 3));
    CHECK(drain(t.path / "no-trailer.gz") == std::pair<std::string, std::string>{text, "truncated gzip data"});

    write_bytes(t.path / "garbage-after.gz", gz + "garbage");
    CHECK(drain(t.path / "garbage-after.gz") ==
          std::pair<std::string, std::string>{text, "data after the end of the gzip stream"});
    write_bytes(t.path / "one-byte-after.gz", gz + std::string(1, '\x1f'));
    CHECK(drain(t.path / "one-byte-after.gz").second == "data after the end of the gzip stream");

    write_bytes(t.path / "bad-header.gz", std::string("\x1f\x8b\x08garbage", 10));
    CHECK(drain(t.path / "bad-header.gz") ==
          std::pair<std::string, std::string>{"", "corrupt gzip data (unknown header flags set)"});
    CHECK(drain(t.path / "missing.gz").second == "cannot open: No such file or directory");
}

TEST_CASE("read_input_file stops at its limit while inflating") {
    temp_dir t;
    const auto text = sample_text(100'000);
    write_bytes(t.path / "doc.gz", gzip_bytes(text));
    const auto whole = read_input_file(t.path / "doc.gz", text.size());
    REQUIRE(whole.text);
    CHECK(*whole.text == text);
    CHECK(whole.error.empty());
    const auto over = read_input_file(t.path / "doc.gz", text.size() - 1);
    CHECK_FALSE(over.text);
    CHECK(over.error == "larger than 99999 bytes");
    write_bytes(t.path / "doc", text);
    CHECK(read_input_file(t.path / "doc", 1000).error == "larger than 1000 bytes");
    write_bytes(t.path / "truncated.gz", gzip_bytes(text).substr(0, 500));
    const auto truncated = read_input_file(t.path / "truncated.gz", text.size());
    CHECK_FALSE(truncated.text);
    CHECK(truncated.error == "truncated gzip data");
}

TEST_CASE("a gzip bomb costs read_input_file its limit, not its decompressed size") {
    temp_dir t;
    const std::size_t bomb_bytes = std::size_t{100} << 20;
    const auto gz = gzip_bomb("", '\n', bomb_bytes);
    REQUIRE(gz.size() < (std::size_t{1} << 20));
    write_bytes(t.path / "bomb.gz", with_claimed_size(gz, 0xffffffff));
    file_text result;
    const auto growth = strata::test::peak_rss_growth([&] { result = read_input_file(t.path / "bomb.gz", 4 << 20); });
    CHECK_FALSE(result.text);
    CHECK(result.error == "larger than 4194304 bytes");
    CHECK(growth < strata::test::rss_growth_limit);
}
