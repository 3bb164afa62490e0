// Tests of unpacking layers as they stream: gzip, zstd and plain tars in pieces of any size, and
// hostile streams (corrupt, a zstd window too large, a bomb) refused without writing outside.
#include "proxy/bench/layer_generator.hpp"
#include "proxy/bench/layer_unpacker.hpp"

#include "tests/temp_dir.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>
#include <zstd.h>

using namespace strata::proxy;

namespace {

std::string generated(layer_compression c, double compressibility = 0.5, std::uint64_t bytes = 100'000) {
    std::string out;
    generate_layer({11, bytes, compressibility, "bench/layer-1", c}, [&](std::string_view piece) { out.append(piece); });
    return out;
}

void feed_in_pieces(layer_unpacker& u, const std::string& bytes, std::size_t piece) {
    for (std::size_t at = 0; at < bytes.size(); at += piece)
        u.feed(reinterpret_cast<const unsigned char*>(bytes.data()) + at, std::min(piece, bytes.size() - at));
}

// A zstd frame whose header asks for a 2^window_log window.
std::string zstd_frame_with_window(int window_log) {
    ZSTD_CCtx* c = ZSTD_createCCtx();
    ZSTD_CCtx_setParameter(c, ZSTD_c_windowLog, window_log);
    const std::string input(1 << 20, 'x');
    std::string out(ZSTD_compressBound(input.size()), '\0');
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    ZSTD_outBuffer o{out.data(), out.size(), 0};
    ZSTD_compressStream2(c, &o, &in, ZSTD_e_continue);  // streamed: no content size, so the window stays
    ZSTD_compressStream2(c, &o, &in, ZSTD_e_end);
    ZSTD_freeCCtx(c);
    out.resize(o.pos);
    return out;
}

std::string gzip_of(const std::string& text) {
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, text.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
    z.avail_in = static_cast<uInt>(text.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    return out;
}

std::string zstd_of(const std::string& text) {
    std::string out(ZSTD_compressBound(text.size()), '\0');
    out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3));
    return out;
}

std::uint64_t unpacked(const std::string& media_type, const std::string& bytes, std::size_t piece) {
    strata::test::temp_dir root;
    layer_unpacker u(unpack_mode::decompress, media_type, root.path, bytes.size());
    feed_in_pieces(u, bytes, piece);
    u.finish();
    return u.unpacked_bytes();
}

constexpr const char* gzip_type = "application/vnd.oci.image.layer.v1.tar+gzip";
constexpr const char* zstd_type = "application/vnd.oci.image.layer.v1.tar+zstd";

}  // namespace

TEST_CASE("nothing a decoder holds is lost, however the bytes arrive", "[bench][unpack]") {
    // Mostly zeros: one input piece decodes to many output buffers.
    for (const auto c : {layer_compression::gzip, layer_compression::zstd}) {
        const auto bytes = generated(c, 0.9, 20'000);
        const auto type = c == layer_compression::gzip ? gzip_type : zstd_type;
        CHECK(unpacked(type, bytes, bytes.size()) == unpacked(type, bytes, 1));
        CHECK(unpacked(type, bytes, bytes.size()) > 200'000);
    }
}

TEST_CASE("gzip members and zstd frames follow one another; skippable frames are read past", "[bench][unpack]") {
    const std::string a(300'000, 'a'), b(200'000, 'b');
    CHECK(unpacked(gzip_type, gzip_of(a) + gzip_of(b), 4096) == 500'000);
    std::string skippable = "\x50\x2a\x4d\x18";  // magic 0x184D2A50, then 4 bytes of length, then those bytes
    skippable += std::string("\x03\x00\x00\x00", 4) + "xyz";
    CHECK(unpacked(zstd_type, zstd_of(a) + skippable + zstd_of(b), 4096) == 500'000);
    CHECK(unpacked(zstd_type, zstd_of(a) + skippable + zstd_of(b), 1) == 500'000);
}

TEST_CASE("a stream cut short, a legacy zstd frame and a bomb in decompress mode are refused", "[bench][unpack]") {
    const std::string a(300'000, 'a');
    for (const auto& [type, whole] : {std::pair{gzip_type, gzip_of(a)}, std::pair{zstd_type, zstd_of(a)}}) {
        INFO(type);
        CHECK_THROWS_WITH(unpacked(type, whole.substr(0, whole.size() - 3), 100), "a layer's compressed stream is cut short");
        CHECK_THROWS_WITH(unpacked(type, whole + std::string(8, 'x'), 100), Catch::Contains("is not valid"));
    }
    auto legacy = zstd_of(a);
    legacy[0] = '\x27';  // v0.7's magic: libzstd would decode it, windows unbounded
    CHECK_THROWS_WITH(unpacked(zstd_type, legacy, 100), "a layer is not valid zstd: not a zstd frame");
    const std::string zeros(10'000'000, '\0');
    for (const auto& [type, bomb] : {std::pair{gzip_type, gzip_of(zeros)}, std::pair{zstd_type, zstd_of(zeros)}}) {
        INFO(type);
        strata::test::temp_dir root;
        layer_unpacker u(unpack_mode::decompress, type, root.path, bomb.size());
        CHECK_THROWS_WITH(feed_in_pieces(u, bomb, 65536), Catch::Contains("a decompression bomb"));
        CHECK(u.unpacked_bytes() <= u.max_unpacked_bytes() + 128 * 1024);
    }
}

TEST_CASE("gzip, zstd and plain layers unpack to the same files, in pieces of any size", "[bench][unpack]") {
    const auto gz = generated(layer_compression::gzip), zs = generated(layer_compression::zstd);
    for (const std::size_t piece : {std::size_t{1}, std::size_t{777}, std::size_t{1} << 20}) {
        INFO(piece);
        strata::test::temp_dir a, b;
        layer_unpacker ua(unpack_mode::extract, "application/vnd.oci.image.layer.v1.tar+gzip", a.path, gz.size());
        layer_unpacker ub(unpack_mode::extract, "application/vnd.oci.image.layer.v1.tar+zstd", b.path, zs.size());
        feed_in_pieces(ua, gz, piece);
        feed_in_pieces(ub, zs, piece);
        CHECK(ua.unpacked_bytes() == ub.unpacked_bytes());
        CHECK(std::filesystem::file_size(a.path / "bench/layer-1/part-0.bin") == 200'000);
        CHECK(std::filesystem::file_size(b.path / "bench/layer-1/part-0.bin") == 200'000);
    }
    strata::test::temp_dir c;
    layer_unpacker decompress(unpack_mode::decompress, "application/vnd.oci.image.layer.v1.tar+zstd", c.path, zs.size());
    feed_in_pieces(decompress, zs, 4096);
    CHECK(decompress.unpacked_bytes() > 200'000);
    CHECK(std::filesystem::is_empty(c.path));  // decompress writes nothing
}

TEST_CASE("corrupt and hostile compressed layers are refused", "[bench][unpack]") {
    strata::test::temp_dir root;
    auto zs = generated(layer_compression::zstd);
    zs[zs.size() / 2] ^= 0x5a;  // in a block stored raw: only the frame's checksum tells
    layer_unpacker corrupt(unpack_mode::decompress, "application/vnd.oci.image.layer.v1.tar+zstd", root.path, zs.size());
    CHECK_THROWS_WITH(feed_in_pieces(corrupt, zs, 4096), Catch::Contains("a layer is not valid zstd"));

    const auto wide = zstd_frame_with_window(max_zstd_window_log + 2);
    layer_unpacker too_wide(unpack_mode::decompress, "application/vnd.oci.image.layer.v1.tar+zstd", root.path, wide.size());
    CHECK_THROWS_WITH(feed_in_pieces(too_wide, wide, wide.size()), Catch::Contains("a layer is not valid zstd"));
    const auto narrow = zstd_frame_with_window(max_zstd_window_log);
    layer_unpacker fine(unpack_mode::decompress, "application/vnd.oci.image.layer.v1.tar+zstd", root.path, narrow.size());
    CHECK_NOTHROW(feed_in_pieces(fine, narrow, narrow.size()));

    const std::string not_gzip(1000, 'A');
    layer_unpacker bad_gzip(unpack_mode::decompress, "application/vnd.oci.image.layer.v1.tar+gzip", root.path, 1000);
    CHECK_THROWS_WITH(feed_in_pieces(bad_gzip, not_gzip, 100), "a layer is not valid gzip");

    // 20 MB of zeros in a few KB: more files than 50x the layer's size is a bomb.
    const auto bomb = generated(layer_compression::zstd, 0.95, 1'000'000);
    layer_unpacker boom(unpack_mode::extract, "application/vnd.oci.image.layer.v1.tar+zstd", root.path, bomb.size() / 100);
    CHECK_THROWS(feed_in_pieces(boom, bomb, 65536));
}

TEST_CASE("unpack none reads nothing; an unknown media type passes through as a tar", "[bench][unpack]") {
    strata::test::temp_dir root;
    const std::string junk(5000, '\xff');
    layer_unpacker none(unpack_mode::none, "application/vnd.oci.image.layer.v1.tar+zstd", root.path, junk.size());
    feed_in_pieces(none, junk, 1000);
    CHECK(none.unpacked_bytes() == 0);
    layer_unpacker plain(unpack_mode::decompress, "application/vnd.oci.image.layer.v1.tar", root.path, junk.size());
    feed_in_pieces(plain, junk, 1000);
    CHECK(plain.unpacked_bytes() == 5000);
}
