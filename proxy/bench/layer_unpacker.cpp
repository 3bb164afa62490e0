// layer_unpacker: zlib's inflate or zstd's streaming decoder, into its thread's output buffer.
#include "proxy/bench/layer_unpacker.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <limits>
#include <stdexcept>

namespace strata::proxy {

namespace {

// Where a decoder writes: one buffer per thread, not per layer. A feed() hands on everything it
// decodes before it returns, so no two layers use one buffer at a time, and 256 nodes x 3
// layers in flight do not hold 96 MiB of them.
std::vector<unsigned char>& out_buffer() {
    thread_local std::vector<unsigned char> buffer(128 * 1024);
    return buffer;
}

}  // namespace

struct layer_unpacker::codec {
    virtual ~codec() = default;
    // Decodes all of data into out_buffer(), handing on each piece it gives.
    virtual void decode(const unsigned char* data, std::size_t n, layer_unpacker& out) = 0;
    // True when the stream ended at a boundary (a whole gzip member, a whole zstd frame).
    virtual bool at_end() const = 0;
    // The first n bytes of out_buffer(), decoded, on to the tar reader.
    static void emit(layer_unpacker& out, std::size_t n) { out.hand_on(out_buffer().data(), n); }
};

namespace {

class gzip_codec final : public layer_unpacker::codec {
public:
    gzip_codec() {
        if (inflateInit2(&z_, 15 + 32) != Z_OK) throw std::runtime_error("zlib could not start");
    }
    ~gzip_codec() override { inflateEnd(&z_); }

    void decode(const unsigned char* data, std::size_t n, layer_unpacker& out) override {
        while (n > 0) {  // zlib counts in 32 bits
            const auto piece = std::min<std::size_t>(n, std::size_t{1} << 30);
            decode_piece(data, piece, out);
            data += piece, n -= piece;
        }
    }
    bool at_end() const override { return member_ended_; }

private:
    void decode_piece(const unsigned char* data, std::size_t n, layer_unpacker& out) {
        z_.next_in = const_cast<unsigned char*>(data);
        z_.avail_in = static_cast<uInt>(n);
        bool full = false;
        while (z_.avail_in > 0 || full) {  // a full buffer may leave output in the decoder
            if (member_ended_ && z_.avail_in > 0) {  // another member follows
                if (inflateReset(&z_) != Z_OK) throw std::runtime_error("zlib could not go on");
                member_ended_ = false;
            }
            auto& buffer = out_buffer();
            z_.next_out = buffer.data();
            z_.avail_out = static_cast<uInt>(buffer.size());
            const int rc = inflate(&z_, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) throw std::runtime_error("a layer is not valid gzip");
            full = z_.avail_out == 0;
            emit(out, buffer.size() - z_.avail_out);
            member_ended_ = rc == Z_STREAM_END;
            if (rc == Z_BUF_ERROR) break;  // no progress possible: wants more input
        }
    }
    z_stream z_{};
    bool member_ended_ = false;
};

// The zstd frame magic, and the skippable frames' (0x184D2A50 to 0x184D2A5F), little-endian.
constexpr std::uint32_t zstd_magic = 0xFD2FB528;
bool is_current_frame(std::uint32_t magic) { return magic == zstd_magic || (magic & 0xFFFFFFF0) == 0x184D2A50; }

class zstd_codec final : public layer_unpacker::codec {
public:
    zstd_codec() : z_(ZSTD_createDStream()) {
        if (!z_ || ZSTD_isError(ZSTD_DCtx_setParameter(z_, ZSTD_d_windowLogMax, max_zstd_window_log))) {
            ZSTD_freeDStream(z_);
            throw std::runtime_error("zstd could not start");
        }
    }
    ~zstd_codec() override { ZSTD_freeDStream(z_); }

    // Each frame's first four bytes are checked before the decoder sees them: libzstd would also
    // decode the legacy formats, whose windows ZSTD_d_windowLogMax does not bound.
    void decode(const unsigned char* data, std::size_t n, layer_unpacker& out) override {
        ZSTD_inBuffer in{data, n, 0};
        bool full = false;
        while (in.pos < in.size || full) {
            if (magic_seen_ < 4) {
                if (in.pos == in.size) break;
                take_magic(in);
                continue;
            }
            auto& buffer = out_buffer();
            ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
            const auto rc = ZSTD_decompressStream(z_, &o, &in);
            if (ZSTD_isError(rc))
                throw std::runtime_error(std::string("a layer is not valid zstd: ") + ZSTD_getErrorName(rc));
            full = o.pos == o.size;
            emit(out, o.pos);
            if (rc == 0) magic_seen_ = 0, frame_ended_ = true;  // the frame is whole; the next starts here
        }
    }
    bool at_end() const override { return frame_ended_ && magic_seen_ == 0; }

private:
    // Copies the next frame's magic bytes aside, then hands all four to the decoder at once.
    void take_magic(ZSTD_inBuffer& in) {
        frame_ended_ = false;
        while (magic_seen_ < 4 && in.pos < in.size) magic_[magic_seen_++] = static_cast<const unsigned char*>(in.src)[in.pos++];
        if (magic_seen_ < 4) return;
        const std::uint32_t magic = magic_[0] | magic_[1] << 8 | magic_[2] << 16 | std::uint32_t{magic_[3]} << 24;
        if (!is_current_frame(magic)) throw std::runtime_error("a layer is not valid zstd: not a zstd frame");
        ZSTD_inBuffer head{magic_.data(), 4, 0};
        ZSTD_outBuffer none{out_buffer().data(), 0, 0};
        const auto rc = ZSTD_decompressStream(z_, &none, &head);
        if (ZSTD_isError(rc) || head.pos != 4)
            throw std::runtime_error(std::string("a layer is not valid zstd: ") + ZSTD_getErrorName(rc));
    }
    ZSTD_DStream* z_;
    std::array<unsigned char, 4> magic_{};
    std::size_t magic_seen_ = 0;
    bool frame_ended_ = false;
};

// max_layer_expansion x declared + 1 MiB, or the largest value when that overflows.
std::uint64_t unpack_cap(std::uint64_t declared) {
    constexpr auto largest = std::numeric_limits<std::uint64_t>::max(), slack = std::uint64_t{1} << 20;
    return declared > (largest - slack) / max_layer_expansion ? largest : declared * max_layer_expansion + slack;
}

}  // namespace

layer_unpacker::layer_unpacker(unpack_mode mode, const std::string& media_type, const std::filesystem::path& root,
                               std::uint64_t declared_size)
    : mode_(mode), max_unpacked_(unpack_cap(declared_size)) {
    if (mode_ == unpack_mode::none) return;
    if (media_type.ends_with("gzip")) codec_ = std::make_unique<gzip_codec>();
    if (media_type.ends_with("zstd")) codec_ = std::make_unique<zstd_codec>();
    if (mode_ == unpack_mode::extract) extractor_.emplace(root, max_unpacked_);
}

layer_unpacker::~layer_unpacker() = default;

void layer_unpacker::feed(const unsigned char* data, std::size_t n) {
    if (mode_ == unpack_mode::none || n == 0) return;
    if (codec_) return codec_->decode(data, n, *this);
    hand_on(data, n);
}

void layer_unpacker::finish() {
    if (codec_ && !codec_->at_end()) throw std::runtime_error("a layer's compressed stream is cut short");
}

void layer_unpacker::hand_on(const unsigned char* data, std::size_t n) {
    unpacked_ += n;
    if (unpacked_ > max_unpacked_)
        throw std::runtime_error("a layer unpacks to more than " + std::to_string(max_layer_expansion) +
                                 " times its size (a decompression bomb)");
    if (extractor_) extractor_->feed(std::string_view(reinterpret_cast<const char*>(data), n));
}

}  // namespace strata::proxy
