// fuzz_tar_stream: a layer's tar stream as a node unpacks it (proxy/bench/tar_extractor): fed in
// two pieces split where the first byte says, it either writes files under its root or refuses,
// and never writes anywhere else.
#include "proxy/bench/tar_extractor.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fs::path box = fs::temp_directory_path() / ("strata-fuzz-tar-" + std::to_string(::getpid()));
    const auto root = box / "root";
    fs::remove_all(box);
    fs::create_directories(root);
    auto text = strata::fuzz::as_text(data, size);
    const std::size_t split = text.empty() ? 0 : static_cast<unsigned char>(text.front()) * 4;
    if (!text.empty()) text.remove_prefix(1);
    try {
        strata::proxy::tar_extractor x(root);
        x.feed(text.substr(0, std::min(split, text.size())));
        x.feed(text.substr(std::min(split, text.size())));
        FUZZ_CHECK(x.file_bytes() <= text.size());
    } catch (const std::runtime_error&) {
    }
    for (const auto& entry : fs::directory_iterator(box)) FUZZ_CHECK(entry.path() == root);
    return 0;
}
