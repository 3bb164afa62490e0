// hostile_files: test helpers that make gzip files (good, forged, bombs) with zlib and
// measure how much resident memory a piece of code adds at its peak.
#pragma once

#include "tests/temp_dir.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unistd.h>

namespace strata::test {

inline void write_bytes(const std::filesystem::path& path, std::string_view bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

// Streams `total` bytes, produced `piece` at a time by next(piece), through one gzip member.
inline std::string gzip_stream(std::size_t total, const std::function<std::string(std::size_t)>& next) {
    z_stream z{};
    if (deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("deflateInit2");
    std::string out;
    char buf[1 << 16];
    for (std::size_t done = 0;;) {
        const auto piece = next(total - done);
        done += piece.size();
        z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
        z.avail_in = static_cast<uInt>(piece.size());
        const int flush = done >= total ? Z_FINISH : Z_NO_FLUSH;
        int rc = Z_OK;
        do {
            z.next_out = reinterpret_cast<Bytef*>(buf);
            z.avail_out = sizeof buf;
            rc = deflate(&z, flush);
            out.append(buf, sizeof buf - z.avail_out);
        } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
        if (flush == Z_FINISH) break;
    }
    deflateEnd(&z);
    return out;
}

// One gzip member holding data.
inline std::string gzip_bytes(std::string_view data) {
    bool given = false;
    return gzip_stream(data.size(), [&](std::size_t) {
        const auto piece = given ? std::string() : std::string(data);
        given = true;
        return piece;
    });
}

// A gzip member of `total` bytes: prefix, then `fill` repeated; it compresses about 1000:1.
inline std::string gzip_bomb(std::string_view prefix, char fill, std::size_t total) {
    const std::string block(std::size_t{1} << 20, fill);
    bool first = true;
    return gzip_stream(total, [&](std::size_t left) {
        std::string piece = first ? std::string(prefix) : std::string();
        first = false;
        piece.append(block, 0, std::min(block.size(), left - std::min(left, piece.size())));
        return piece;
    });
}

// The gzip trailer's ISIZE (the last four bytes, little-endian) replaced by size.
inline std::string with_claimed_size(std::string gz, std::uint32_t size) {
    for (int i = 0; i < 4; ++i) gz[gz.size() - 4 + i] = static_cast<char>((size >> (8 * i)) & 0xff);
    return gz;
}

// A field of /proc/self/status in bytes ("VmRSS", "VmHWM"); 0 if it cannot be read.
inline std::size_t proc_status_bytes(std::string_view field) {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':')
            return std::stoull(line.substr(field.size() + 1)) * 1024;
    return 0;
}

// The most a bounded reader's peak RSS may grow while it reads a bomb: 64 MiB; under
// AddressSanitizer plus its allocator's quarantine of freed memory (256 MiB by default), which
// still tells a bounded reader from the 1.5 GiB an unbounded one took.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr std::size_t rss_growth_limit = std::size_t{(64 + 256)} << 20;
#else
inline constexpr std::size_t rss_growth_limit = std::size_t{64} << 20;
#endif

// How far resident memory rose above its level before fn, at fn's peak. Resets the peak
// (VmHWM) first by writing 5 to /proc/self/clear_refs; throws if the kernel refuses, since
// the process's old peak would make any figure meaningless.
inline std::size_t peak_rss_growth(const std::function<void()>& fn) {
    const auto before = proc_status_bytes("VmRSS");
    {
        std::ofstream reset("/proc/self/clear_refs");
        reset << "5";
        reset.flush();
        if (!reset) throw std::runtime_error("cannot reset VmHWM through /proc/self/clear_refs");
    }
    fn();
    const auto peak = proc_status_bytes("VmHWM");
    return peak > before ? peak - before : 0;
}

}  // namespace strata::test
