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

// How many files an importer reads at once, each on its own thread: one per CPU this process
// may run on (its affinity, not the host's count), and no more than keep that many inputs of
// per_file_bytes within 256 MiB (a parsed document takes several times its text). At least 1.
std::size_t parallel_files(std::size_t per_file_bytes);

}  // namespace strata::analytics
