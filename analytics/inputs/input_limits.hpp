// input_limits: how much of an outside file an importer may hold in memory at once.
#pragma once

#include <cstddef>

namespace strata::analytics {

// Caps on what one input may make an importer hold; `strata analyze --max-line-bytes` and
// `--max-document-bytes` set them. Memory use follows the caps, never a file's own claims.
struct input_limits {
    // One line of a line-oriented file (an exporter's JSON event per line). A longer line is
    // skipped and reported with its file and line number.
    std::size_t max_line_bytes = std::size_t{16} << 20;
    // One whole JSON document (a kubectl EventList, a manifest bundle, a skopeo file), after
    // decompression. A larger file is refused and reported.
    std::size_t max_document_bytes = std::size_t{64} << 20;
};

}  // namespace strata::analytics
