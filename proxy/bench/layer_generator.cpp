// layer_generator: xoshiro256** bytes, a ustar writer, zlib's gzip or libzstd, two running sha256s.
#include "proxy/bench/layer_generator.hpp"

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace strata::proxy {
namespace {

constexpr std::size_t block_bytes = 64 * 1024;
constexpr std::uint64_t max_file_bytes = std::uint64_t{1} << 30;
constexpr std::size_t tar_block = 512;

std::uint64_t splitmix(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// xoshiro256**, seeded by splitmix64 as its authors advise.
class random_bytes {
public:
    explicit random_bytes(std::uint64_t seed) {
        for (auto& word : s_) word = splitmix(seed);
    }
    void fill(unsigned char* out, std::size_t n) {
        for (; n >= 8; n -= 8, out += 8) {
            const auto v = next();
            std::memcpy(out, &v, 8);
        }
        if (n) {
            const auto v = next();
            std::memcpy(out, &v, n);
        }
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t next() {
        const auto result = rotl(s_[1] * 5, 7) * 9;
        const auto t = s_[1] << 17;
        s_[2] ^= s_[0], s_[3] ^= s_[1], s_[1] ^= s_[2], s_[0] ^= s_[3], s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    std::array<std::uint64_t, 4> s_{};
};

// Uncompressed bytes in, compressed out to the sink, both hashed on the way; the codec is a
// subclass's.
class layer_writer {
public:
    explicit layer_writer(const std::function<void(std::string_view)>& sink) : sink_(sink) {}
    virtual ~layer_writer() = default;
    layer_writer(const layer_writer&) = delete;
    layer_writer& operator=(const layer_writer&) = delete;

    void write(const unsigned char* data, std::size_t n) {
        uncompressed_.update(data, n);
        compress(data, n, false);
    }
    generated_layer finish() {
        compress(nullptr, 0, true);
        return {compressed_.finish(), size_, uncompressed_.finish()};
    }

protected:
    // Compresses data (all of it; with last, ends the stream), calling emit for what comes out.
    virtual void compress(const unsigned char* data, std::size_t n, bool last) = 0;
    void emit(const unsigned char* data, std::size_t n) {
        if (n == 0) return;
        compressed_.update(data, n);
        size_ += n;
        sink_(std::string_view(reinterpret_cast<const char*>(data), n));
    }
    std::array<unsigned char, block_bytes> out_{};

private:
    const std::function<void(std::string_view)>& sink_;
    storage::digest_hasher compressed_, uncompressed_;
    std::uint64_t size_ = 0;
};

class gzip_writer final : public layer_writer {
public:
    explicit gzip_writer(const std::function<void(std::string_view)>& sink) : layer_writer(sink) {
        if (deflateInit2(&z_, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::runtime_error("zlib could not start a gzip stream");
    }
    ~gzip_writer() override { deflateEnd(&z_); }

private:
    void compress(const unsigned char* data, std::size_t n, bool last) override {
        z_.next_in = const_cast<unsigned char*>(data);
        z_.avail_in = static_cast<uInt>(n);
        const int flush = last ? Z_FINISH : Z_NO_FLUSH;
        int rc = Z_OK;
        do {
            z_.next_out = out_.data();
            z_.avail_out = static_cast<uInt>(out_.size());
            rc = deflate(&z_, flush);
            if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib failed while compressing a layer");
            emit(out_.data(), out_.size() - z_.avail_out);
        } while (z_.avail_out == 0 || (last && rc != Z_STREAM_END));
    }
    z_stream z_{};
};

class zstd_writer final : public layer_writer {
public:
    explicit zstd_writer(const std::function<void(std::string_view)>& sink)
        : layer_writer(sink), z_(ZSTD_createCCtx()) {
        if (!z_ || ZSTD_isError(ZSTD_CCtx_setParameter(z_, ZSTD_c_compressionLevel, 1)) ||
            ZSTD_isError(ZSTD_CCtx_setParameter(z_, ZSTD_c_checksumFlag, 1))) {  // as the zstd tool writes
            ZSTD_freeCCtx(z_);
            throw std::runtime_error("zstd could not start");
        }
    }
    ~zstd_writer() override { ZSTD_freeCCtx(z_); }

private:
    void compress(const unsigned char* data, std::size_t n, bool last) override {
        ZSTD_inBuffer in{data, n, 0};
        for (;;) {
            ZSTD_outBuffer out{out_.data(), out_.size(), 0};
            const auto left = ZSTD_compressStream2(z_, &out, &in, last ? ZSTD_e_end : ZSTD_e_continue);
            if (ZSTD_isError(left)) throw std::runtime_error(std::string("zstd failed: ") + ZSTD_getErrorName(left));
            emit(out_.data(), out.pos);
            if (last ? left == 0 : in.pos == in.size) return;
        }
    }
    ZSTD_CCtx* z_;
};

void octal(char* field, std::size_t width, std::uint64_t value) {
    // width - 1 digits and a NUL, as ustar writes numbers.
    for (std::size_t i = width - 1; i-- > 0; value >>= 3) field[i] = static_cast<char>('0' + (value & 7));
    field[width - 1] = '\0';
}

std::array<unsigned char, tar_block> tar_header(const std::string& name, std::uint64_t size) {
    std::array<unsigned char, tar_block> h{};
    auto* c = reinterpret_cast<char*>(h.data());
    std::memcpy(c, name.data(), std::min<std::size_t>(name.size(), 99));
    octal(c + 100, 8, 0644);
    octal(c + 108, 8, 0);
    octal(c + 116, 8, 0);
    octal(c + 124, 12, size);
    octal(c + 136, 12, 0);
    c[156] = '0';
    std::memcpy(c + 257, "ustar", 6);
    std::memcpy(c + 263, "00", 2);
    std::memset(c + 148, ' ', 8);
    unsigned sum = 0;
    for (const auto byte : h) sum += byte;
    octal(c + 148, 7, sum);
    c[155] = ' ';
    return h;
}

// One file's bytes: blocks part random, part zeros; then the tar padding.
void write_file(layer_writer& out, random_bytes& rng, std::uint64_t size, double compressibility) {
    std::array<unsigned char, block_bytes> block{};
    const auto random_share = static_cast<std::size_t>(static_cast<double>(block_bytes) * (1 - compressibility));
    for (std::uint64_t left = size; left > 0;) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, block_bytes));
        const auto r = std::min(n, random_share);
        rng.fill(block.data(), r);
        std::memset(block.data() + r, 0, n - r);
        out.write(block.data(), n);
        left -= n;
    }
    const auto pad = (tar_block - size % tar_block) % tar_block;
    std::memset(block.data(), 0, tar_block);
    out.write(block.data(), pad);
}

}  // namespace

std::string_view layer_media_type(layer_compression c) noexcept {
    return c == layer_compression::zstd ? "application/vnd.oci.image.layer.v1.tar+zstd"
                                        : "application/vnd.oci.image.layer.v1.tar+gzip";
}

layer_compression parse_layer_compression(std::string_view text) {
    if (text == "gzip") return layer_compression::gzip;
    if (text == "zstd") return layer_compression::zstd;
    throw std::invalid_argument("compression '" + std::string(text.substr(0, 40)) + "' is not gzip or zstd");
}

std::uint64_t layer_seed(std::uint64_t run_seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
    std::uint64_t state = run_seed;
    std::uint64_t mixed = splitmix(state);
    for (const auto part : {a, b, c}) {
        state = mixed ^ part;
        mixed = splitmix(state);
    }
    return mixed;
}

generated_layer generate_layer(const layer_recipe& recipe, const std::function<void(std::string_view)>& sink) {
    if (!(recipe.compressibility >= 0 && recipe.compressibility <= 0.95))
        throw std::invalid_argument("compressibility must be from 0 to 0.95");
    if (recipe.compressed_bytes == 0) throw std::invalid_argument("a layer must have a size");
    const auto total = static_cast<std::uint64_t>(static_cast<double>(recipe.compressed_bytes) /
                                                  (1 - recipe.compressibility));
    random_bytes rng(recipe.seed);
    std::unique_ptr<layer_writer> writer;
    if (recipe.compression == layer_compression::zstd)
        writer = std::make_unique<zstd_writer>(sink);
    else
        writer = std::make_unique<gzip_writer>(sink);
    auto& out = *writer;
    std::uint64_t part = 0;
    for (std::uint64_t left = total; left > 0; ++part) {
        const auto size = std::min(left, max_file_bytes);
        const auto header = tar_header(recipe.directory + "/part-" + std::to_string(part) + ".bin", size);
        out.write(header.data(), header.size());
        write_file(out, rng, size, recipe.compressibility);
        left -= size;
    }
    const std::array<unsigned char, 2 * tar_block> end{};
    out.write(end.data(), end.size());
    auto layer = out.finish();
    layer.compression = recipe.compression;
    return layer;
}

}  // namespace strata::proxy
