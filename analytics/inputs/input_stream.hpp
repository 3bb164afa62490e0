// input_stream: an input file's bytes, plain or gzip, decompressed in fixed-size chunks, and
// whole-file reading that stops at a byte limit; memory never depends on what a file claims.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

// Reads one file front to back. A file starting with the gzip magic (1f 8b) is inflated,
// member after member (concatenated members are one stream, as gzip(1) reads them); any other
// file is passed through. Sizes in the gzip trailer are never used for anything: a trailer
// whose length disagrees with the data is ignored (the CRC still has to match). Holds one
// input and one output chunk. Not thread-safe; one reader per stream.
class input_stream {
public:
    static constexpr std::size_t chunk_bytes = std::size_t{64} << 10;

    // Opens path; an unopenable file reads as empty with error() set.
    explicit input_stream(const std::filesystem::path& path);
    ~input_stream();
    input_stream(const input_stream&) = delete;
    input_stream& operator=(const input_stream&) = delete;

    // The next decompressed bytes (1 to chunk_bytes of them), valid until the next call;
    // empty at the end of the file or where reading stopped (see error()).
    std::string_view next_chunk();

    // Why reading stopped early, e.g. "truncated gzip data", "corrupt gzip data (invalid
    // block type)", "data after the end of the gzip stream"; empty if nothing went wrong.
    // Bytes returned before the error were decompressed correctly but not yet CRC-checked.
    const std::string& error() const noexcept { return error_; }
    // Decompressed bytes returned so far.
    std::uint64_t bytes_out() const noexcept { return bytes_out_; }
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    struct inflater;
    struct file_closer {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    bool fill_input();
    bool start_next_member();
    std::string_view next_gzip_chunk();
    void fail(std::string why);

    std::filesystem::path path_;
    std::unique_ptr<std::FILE, file_closer> file_;
    std::unique_ptr<inflater> z_;  // null for a plain file
    std::unique_ptr<char[]> in_, out_;
    std::size_t in_begin_ = 0, in_end_ = 0;
    bool eof_ = false, member_done_ = false;
    std::string error_;
    std::uint64_t bytes_out_ = 0;
};

// A whole file's decompressed text, or why there is none.
struct file_text {
    std::optional<std::string> text;
    std::string error;  // "larger than N bytes", "truncated gzip data", "cannot open: ..."
};

// Reads all of path (gzip or plain) as input_stream does, into memory never larger than
// max_bytes: a file that decompresses to more is refused as soon as it passes the limit
// ("larger than N bytes"), as is a damaged one. Never throws for bad input.
file_text read_input_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace strata::analytics
