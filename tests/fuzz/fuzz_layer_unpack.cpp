// fuzz_layer_unpack: a layer as a node unpacks it while it streams (proxy/bench/layer_unpacker):
// the first byte picks the codec (gzip, zstd, plain tar) and whether files are written, the
// second where the stream is split in two. It either unpacks or refuses with
// std::runtime_error, never writes outside its root, and never unpacks more than 50x the layer.
#include "proxy/bench/layer_unpacker.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <unistd.h>

#include <array>
#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fs::path box = fs::temp_directory_path() / ("strata-fuzz-unpack-" + std::to_string(::getpid()));
    if (size < 2) return 0;
    constexpr std::array<const char*, 3> types{"application/vnd.oci.image.layer.v1.tar+gzip",
                                               "application/vnd.oci.image.layer.v1.tar+zstd",
                                               "application/vnd.oci.image.layer.v1.tar"};
    const auto* media_type = types[data[0] % 3];
    const auto mode = data[0] & 0x80 ? strata::proxy::unpack_mode::extract : strata::proxy::unpack_mode::decompress;
    const std::size_t split = std::min<std::size_t>(size - 2, std::size_t{data[1]} * 64);
    data += 2, size -= 2;
    const auto root = box / "root";
    fs::remove_all(box);
    fs::create_directories(root);
    strata::proxy::layer_unpacker u(mode, media_type, root, size);
    try {
        u.feed(data, split);
        u.feed(data + split, size - split);
        u.finish();
    } catch (const std::runtime_error&) {
    }
    // Refused at the first output piece past the cap: at most one piece (128 KiB) over it.
    FUZZ_CHECK(u.unpacked_bytes() <= u.max_unpacked_bytes() + (128 << 10));
    std::uintmax_t written = 0;
    for (const auto& entry : fs::recursive_directory_iterator(box)) {
        const auto inside = entry.path().lexically_relative(root);
        FUZZ_CHECK(entry.path() == root || (!inside.empty() && *inside.begin() != ".."));
        if (entry.is_regular_file()) written += entry.file_size();
    }
    FUZZ_CHECK(written <= u.max_unpacked_bytes());
    return 0;
}
