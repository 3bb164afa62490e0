// Tests of the tar extractor: files written, pieces of any size, hostile names and headers refused.
#include "proxy/bench/tar_extractor.hpp"

#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <sstream>

using namespace strata::proxy;

namespace {

std::string tar_header(const std::string& name, std::size_t size, char type = '0') {
    std::string h(512, '\0');
    std::memcpy(h.data(), name.data(), std::min<std::size_t>(name.size(), 100));
    std::snprintf(h.data() + 100, 8, "%07o", 0644);
    std::snprintf(h.data() + 124, 12, "%011zo", size);
    h[156] = type;
    std::memcpy(h.data() + 257, "ustar", 6);
    std::memcpy(h.data() + 263, "00", 2);
    std::memset(h.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (const unsigned char c : h) sum += c;
    std::snprintf(h.data() + 148, 8, "%06o", sum);
    return h;
}

std::string tar_entry(const std::string& name, const std::string& content, char type = '0') {
    auto out = tar_header(name, content.size(), type) + content;
    out.append((512 - content.size() % 512) % 512, '\0');
    return out;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("a tar stream fed in pieces of any size becomes its files") {
    const auto archive = tar_entry("etc/", "", '5') + tar_entry("etc/hello.txt", "hello") + tar_entry("empty", "") +
                         tar_entry("link", "", '2') + tar_entry("big.bin", std::string(1500, 'x')) + std::string(1024, '\0');
    for (const std::size_t piece : {1u, 7u, 512u, 100000u}) {
        INFO(piece);
        strata::test::temp_dir root;
        tar_extractor x(root.path);
        for (std::size_t i = 0; i < archive.size(); i += piece) x.feed(std::string_view(archive).substr(i, piece));
        CHECK(read_file(root.path / "etc/hello.txt") == "hello");
        CHECK(read_file(root.path / "big.bin") == std::string(1500, 'x'));
        CHECK(std::filesystem::file_size(root.path / "empty") == 0);
        CHECK_FALSE(std::filesystem::exists(root.path / "link"));
        CHECK(x.files() == 3);
        CHECK(x.file_bytes() == 1505);
    }
}

TEST_CASE("hostile tar entries are refused before anything is written outside the root") {
    strata::test::temp_dir root;
    const auto refused = [&](const std::string& archive, const char* why) {
        tar_extractor x(root.path / "inside");
        try {
            x.feed(archive);
            FAIL("accepted");
        } catch (const std::runtime_error& e) {
            CHECK_THAT(e.what(), Catch::Contains(why));
        }
    };
    refused(tar_entry("../escape", "x"), "climbs out");
    refused(tar_entry("a/../../escape", "x"), "climbs out");
    refused(tar_entry("/etc/passwd", "x"), "absolute");
    auto broken = tar_entry("file", "x");
    broken[0] = 'F';  // the checksum no longer matches
    refused(broken, "checksum");
    auto not_octal = tar_header("file", 1);
    std::memcpy(not_octal.data() + 124, "9999", 4);
    // Re-sum so that only the size field is wrong.
    std::memset(not_octal.data() + 148, ' ', 8);
    unsigned sum = 0;
    for (const unsigned char c : not_octal) sum += c;
    std::snprintf(not_octal.data() + 148, 8, "%06o", sum);
    refused(not_octal, "not octal");
    CHECK_FALSE(std::filesystem::exists(root.path / "escape"));
}

TEST_CASE("files adding up to more than the extractor's cap are refused: a decompression bomb") {
    strata::test::temp_dir root;
    tar_extractor x(root.path, 1000);
    x.feed(tar_entry("a", std::string(600, 'a')));
    try {
        x.feed(tar_entry("b", std::string(600, 'b')));
        FAIL("accepted");
    } catch (const std::runtime_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("add up to over 1000 bytes"));
    }
    CHECK_FALSE(std::filesystem::exists(root.path / "b"));
}
