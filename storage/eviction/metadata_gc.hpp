// metadata_gc: expires tag mappings and manifest records of long-unused images.
#pragma once

#include "storage/index/metadata_index.hpp"

#include <cstdint>

namespace strata::storage {

struct metadata_gc_report {
    std::size_t tags = 0, manifests = 0, references = 0, referrers = 0;
};

// Deletes tag mappings last fetched or revalidated before cutoff_ns; then every manifest no
// remaining tag leads to (directly or through an index) that was last stored or served before
// cutoff_ns; then reference records whose manifest is gone, and referrers indexes last fetched
// before cutoff_ns. Blobs are left to eviction. Run on
// the blocking pool: it scans the tags, manifests and refs column families.
metadata_gc_report collect_metadata_garbage(metadata_index& index, std::int64_t cutoff_ns);

}  // namespace strata::storage
