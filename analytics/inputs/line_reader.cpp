// line_reader: splitting decompressed chunks at '\n', a line spanning chunks copied once,
// an over-long line dropped as it streams past.
#include "analytics/inputs/line_reader.hpp"

namespace strata::analytics {

line_reader::line_reader(const std::filesystem::path& path, std::size_t max_line_bytes)
    : stream_(path), max_(max_line_bytes) {}

std::optional<input_line> line_reader::next() {
    line_.clear();
    for (;;) {
        if (chunk_.empty()) {
            chunk_ = stream_.next_chunk();
            if (chunk_.empty()) return in_line_ ? finish(line_) : std::nullopt;
        }
        const auto nl = chunk_.find('\n');
        const auto piece = chunk_.substr(0, nl);
        chunk_.remove_prefix(nl == std::string_view::npos ? chunk_.size() : nl + 1);
        in_line_ = true;
        if (!skipping_ && line_.size() + piece.size() > max_) {
            skipping_ = true;
            line_.clear();
        }
        const bool ends = nl != std::string_view::npos;
        if (ends && line_.empty()) return finish(piece);  // the whole line is in this chunk: no copy
        if (!skipping_) line_.append(piece);
        if (ends) return finish(line_);
    }
}

std::optional<input_line> line_reader::finish(std::string_view text) {
    input_line line{skipping_ ? std::string_view() : text, ++number_, skipping_};
    in_line_ = skipping_ = false;
    return line;
}

std::string line_reader::oversized_note(const input_line& line) const {
    return "file " + stream_.path().string() + " line " + std::to_string(line.number) + ": longer than " +
           std::to_string(max_) + " bytes, skipped";
}

std::string line_reader::error_note() const { return "file " + stream_.path().string() + ": " + error(); }

}  // namespace strata::analytics
