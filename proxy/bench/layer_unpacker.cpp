// layer_unpacker: zlib's inflate or zstd's streaming decoder, into one output buffer.
#include "proxy/bench/layer_unpacker.hpp"

#include <zlib.h>
#include <zstd.h>

#include <stdexcept>

namespace strata::proxy {

// Bytes out per call; 256 nodes x 3 layers of it stay far below the bench's memory target.
constexpr std::size_t out_bytes = 128 * 1024;

struct layer_unpacker::codec {
    virtual ~codec() = default;
    // Decodes all of data, calling out for each piece it gives.
    virtual void decode(const unsigned char* data, std::size_t n, layer_unpacker& out) = 0;
    // The first n bytes of buffer, decoded, on to the tar reader.
    void emit(layer_unpacker& out, std::size_t n) { out.hand_on(buffer.data(), n); }
    std::vector<unsigned char> buffer = std::vector<unsigned char>(out_bytes);
};

namespace {

class gzip_codec final : public layer_unpacker::codec {
public:
    gzip_codec() {
        if (inflateInit2(&z_, 15 + 32) != Z_OK) throw std::runtime_error("zlib could not start");
    }
    ~gzip_codec() override { inflateEnd(&z_); }

    void decode(const unsigned char* data, std::size_t n, layer_unpacker& out) override {
        z_.next_in = const_cast<unsigned char*>(data);
        z_.avail_in = static_cast<uInt>(n);
        while (z_.avail_in > 0 && !ended_) {
            z_.next_out = buffer.data();
            z_.avail_out = static_cast<uInt>(buffer.size());
            const int rc = inflate(&z_, Z_NO_FLUSH);
            if (rc != Z_OK && rc != Z_STREAM_END) throw std::runtime_error("a layer is not valid gzip");
            emit(out, buffer.size() - z_.avail_out);
            ended_ = rc == Z_STREAM_END;
        }
    }

private:
    z_stream z_{};
    bool ended_ = false;
};

class zstd_codec final : public layer_unpacker::codec {
public:
    zstd_codec() : z_(ZSTD_createDStream()) {
        if (!z_ || ZSTD_isError(ZSTD_DCtx_setParameter(z_, ZSTD_d_windowLogMax, max_zstd_window_log)))
            throw std::runtime_error("zstd could not start");
    }
    ~zstd_codec() override { ZSTD_freeDStream(z_); }

    void decode(const unsigned char* data, std::size_t n, layer_unpacker& out) override {
        ZSTD_inBuffer in{data, n, 0};
        while (in.pos < in.size) {
            ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
            const auto rc = ZSTD_decompressStream(z_, &o, &in);
            if (ZSTD_isError(rc))
                throw std::runtime_error(std::string("a layer is not valid zstd: ") + ZSTD_getErrorName(rc));
            emit(out, o.pos);
        }
    }

private:
    ZSTD_DStream* z_;
};

}  // namespace

layer_unpacker::layer_unpacker(unpack_mode mode, const std::string& media_type, const std::filesystem::path& root,
                               std::uint64_t declared_size)
    : mode_(mode) {
    if (mode_ == unpack_mode::none) return;
    if (media_type.ends_with("gzip")) codec_ = std::make_unique<gzip_codec>();
    if (media_type.ends_with("zstd")) codec_ = std::make_unique<zstd_codec>();
    if (mode_ == unpack_mode::extract) extractor_.emplace(root, max_layer_expansion * declared_size + (1 << 20));
}

layer_unpacker::~layer_unpacker() = default;

void layer_unpacker::feed(const unsigned char* data, std::size_t n) {
    if (mode_ == unpack_mode::none || n == 0) return;
    if (codec_) return codec_->decode(data, n, *this);
    hand_on(data, n);
}

void layer_unpacker::hand_on(const unsigned char* data, std::size_t n) {
    unpacked_ += n;
    if (extractor_) extractor_->feed(std::string_view(reinterpret_cast<const char*>(data), n));
}

}  // namespace strata::proxy
