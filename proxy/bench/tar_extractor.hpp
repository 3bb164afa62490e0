// tar_extractor: a layer's tar stream written out as files, as an unpacker would, fed in pieces.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace strata::proxy {

// Sans-I/O parsing, with file writes: regular files and directories are created under root;
// links, devices and the extended headers (pax, GNU long names) are read past. A name that is
// absolute or climbs out with ".." is refused (std::runtime_error), so is a header whose
// checksum or size field is wrong, and so is more than max_file_bytes of files. Not thread-safe.
class tar_extractor {
public:
    // Writing more than max_file_bytes of files in all is refused (a decompression bomb).
    explicit tar_extractor(std::filesystem::path root, std::uint64_t max_file_bytes = UINT64_MAX)
        : root_(std::move(root)), max_file_bytes_(max_file_bytes) {}

    void feed(std::string_view bytes);
    std::uint64_t files() const { return files_; }
    std::uint64_t file_bytes() const { return file_bytes_; }

private:
    void start_entry();
    void take_content(std::string_view& bytes);

    std::filesystem::path root_;
    std::array<char, 512> header_{};
    std::size_t header_fill_ = 0;
    std::uint64_t content_left_ = 0, padding_left_ = 0;
    std::ofstream out_;
    bool ended_ = false;
    std::uint64_t max_file_bytes_;
    std::uint64_t files_ = 0, file_bytes_ = 0;
};

}  // namespace strata::proxy
