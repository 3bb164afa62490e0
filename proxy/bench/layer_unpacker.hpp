// layer_unpacker: a layer's bytes as a node unpacks them while they stream: gunzipped or
// un-zstd'd, and written out as files when extracting.
#pragma once

#include "proxy/bench/tar_extractor.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace strata::proxy {

enum class unpack_mode { none, decompress, extract };

// Extracted bytes per compressed byte, beyond which a layer is a decompression bomb.
constexpr std::uint64_t max_layer_expansion = 50;
// The largest zstd window a layer may ask for (RFC 8878 asks decoders for 8 MiB): a frame asking
// more would make every layer in flight hold that much.
constexpr int max_zstd_window_log = 23;

// Sans-I/O but for the extractor's files. The media type picks the codec: "...gzip" is gzip,
// "...zstd" is zstd, anything else passes through as a plain tar. With unpack_mode::extract the
// tar is written under root, at most max_layer_expansion x declared_size bytes of files.
// feed() throws std::runtime_error for bytes the codec or the tar reader refuses.
class layer_unpacker {
public:
    layer_unpacker(unpack_mode mode, const std::string& media_type, const std::filesystem::path& root,
                   std::uint64_t declared_size);
    ~layer_unpacker();
    layer_unpacker(const layer_unpacker&) = delete;
    layer_unpacker& operator=(const layer_unpacker&) = delete;

    void feed(const unsigned char* data, std::size_t n);
    // Uncompressed bytes handed on so far.
    std::uint64_t unpacked_bytes() const { return unpacked_; }

    struct codec;

private:
    void hand_on(const unsigned char* data, std::size_t n);

    unpack_mode mode_;
    std::unique_ptr<codec> codec_;
    std::optional<tar_extractor> extractor_;
    std::uint64_t unpacked_ = 0;
};

}  // namespace strata::proxy
