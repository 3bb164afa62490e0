// line_reader: one line at a time from a plain or gzip file, never holding more than one
// line (up to a cap) and one decompressed chunk.
#pragma once

#include "analytics/inputs/input_stream.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

struct input_line {
    std::string_view text;    // without its '\n'; empty for an oversized line
    std::size_t number = 0;   // 1-based
    bool oversized = false;   // longer than the cap: skipped unread, text is empty
};

// Splits an input_stream at '\n'. A final line without a '\n' is a line too. A line longer
// than max_line_bytes is not buffered: its bytes are dropped as they arrive, and it is returned
// as oversized so the caller can count and report it (oversized_note). Not thread-safe.
class line_reader {
public:
    line_reader(const std::filesystem::path& path, std::size_t max_line_bytes);

    // The next line, valid until the next call; nullopt at the end of the file or where reading
    // stopped (error() says why; the lines before it were returned).
    std::optional<input_line> next();

    // As input_stream::error(): "" unless the file could not be read to its end.
    const std::string& error() const noexcept { return stream_.error(); }
    // "file PATH line N: longer than MAX bytes, skipped", for an oversized line.
    std::string oversized_note(const input_line& line) const;
    // "file PATH: " + error().
    std::string error_note() const;
    // True once any byte was read: tells a damaged file from an unreadable one.
    bool read_anything() const noexcept { return stream_.bytes_out() > 0; }

private:
    std::optional<input_line> finish(std::string_view text);

    input_stream stream_;
    std::size_t max_;
    std::string_view chunk_;  // unread rest of the current chunk
    std::string line_;        // the current line when it spans chunks
    std::size_t number_ = 0;
    bool in_line_ = false, skipping_ = false;
};

}  // namespace strata::analytics
