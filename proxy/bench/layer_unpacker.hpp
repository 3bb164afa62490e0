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

// Uncompressed bytes per compressed byte, beyond which a layer is a decompression bomb.
constexpr std::uint64_t max_layer_expansion = 50;
// The largest zstd window a layer may ask for: RFC 8878 asks decoders to support 8 MiB, and each
// zstd layer in flight holds its window (nodes x concurrency of them at once).
constexpr int max_zstd_window_log = 23;

// Sans-I/O but for the extractor's files. The media type picks the codec: "...gzip" is gzip
// (members one after another, as Go reads them), "...zstd" is zstd (frames one after another,
// skippable ones included; only the current zstd format, never the legacy ones), anything else
// passes through as a plain tar. More than max_layer_expansion x declared_size + 1 MiB of
// uncompressed bytes is refused in every mode; with unpack_mode::extract the tar is written
// under root. feed() and finish() throw std::runtime_error for bytes the codec or the tar reader
// refuses, for a bomb, and (finish) for a stream cut short.
class layer_unpacker {
public:
    layer_unpacker(unpack_mode mode, const std::string& media_type, const std::filesystem::path& root,
                   std::uint64_t declared_size);
    ~layer_unpacker();
    layer_unpacker(const layer_unpacker&) = delete;
    layer_unpacker& operator=(const layer_unpacker&) = delete;

    void feed(const unsigned char* data, std::size_t n);
    // After the last byte: the compressed stream must have ended where the layer did.
    void finish();
    // Uncompressed bytes handed on so far.
    std::uint64_t unpacked_bytes() const { return unpacked_; }
    std::uint64_t max_unpacked_bytes() const { return max_unpacked_; }

    struct codec;

private:
    void hand_on(const unsigned char* data, std::size_t n);

    unpack_mode mode_;
    std::unique_ptr<codec> codec_;
    std::optional<tar_extractor> extractor_;
    std::uint64_t unpacked_ = 0, max_unpacked_;
};

}  // namespace strata::proxy
