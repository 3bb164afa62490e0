// repository_access: whether cached content may be served under the repository a client names.
#pragma once

#include "proxy/config/config.hpp"
#include "proxy/net.hpp"
#include "proxy/protocol/route.hpp"
#include "proxy/upstream/upstream_set.hpp"
#include "proxy/protocol/upstream_status.hpp"
#include "proxy/string_hash.hpp"
#include "storage/oci/digest.hpp"
#include "storage/index/metadata_index.hpp"

#include <shared_mutex>
#include <string>
#include <string_view>

namespace strata::proxy {

// Cached content is addressed by digest, so without this check a client could read a private
// repository's layers by naming their digest under any repository. A digest may be served under
// (upstream, repository) when:
//  - that repository is known to hold it (a manifest fetched for it, a blob downloaded through
//    it, an earlier confirmation), or
//  - the upstream's access is "public" and some public upstream's repository holds it, or
//  - the upstream, asked once with a HEAD (with its credentials), says the repository has it.
// Answers learned from the upstream are recorded in the index; positive ones are also kept in a
// memo bounded by bytes. Offline, only what is known is served. Thread-safe.
class repository_access {
public:
    repository_access(const config& cfg, upstream_set& upstreams, storage::metadata_index& index,
                      asio::thread_pool& blocking, std::size_t memo_budget = 8 << 20);

    // ok, or errc::blob_unknown / manifest_unknown (the repository does not hold it), or the
    // upstream's error when it could not be asked.
    awaitable<errc> check(const route& r, const storage::digest& d, object_kind kind);

    // True when the memo already says r's repository holds digest: check() would answer ok at
    // once. Allocates nothing once warm; false says only "ask check()".
    bool known_to_hold(const route& r, std::string_view digest) const;

    std::size_t memo_bytes() const;
    std::size_t memo_budget() const noexcept { return memo_budget_; }

private:
    enum class known { holds, lacks, unknown };
    known look_up(const route& r, const storage::digest& d) const;  // blocking pool
    awaitable<errc> ask_upstream(const route& r, const storage::digest& d, object_kind kind);
    bool memo_has(std::string_view key) const;
    void memo_add(std::string_view key);

    const config& cfg_;
    upstream_set& upstreams_;
    storage::metadata_index& index_;
    asio::thread_pool& blocking_;
    std::size_t memo_budget_;
    mutable std::shared_mutex mutex_;
    string_set memo_;  // "digest|upstream/repository" known to hold
    std::size_t memo_bytes_ = 0;
};

}  // namespace strata::proxy
