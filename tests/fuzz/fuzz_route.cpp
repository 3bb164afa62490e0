// fuzz_route: request targets (proxy/protocol/route parse_route, proxy/protocol/percent_encoding, proxy/protocol/query) against
// the default configuration's upstreams.
#include "proxy/config/config.hpp"
#include "proxy/protocol/percent_encoding.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/protocol/route.hpp"
#include "storage/oci/reference.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const config cfg = default_config();
    const auto target = fuzz::as_text(data, size);

    if (auto decoded = percent_decode(target)) FUZZ_CHECK(decoded->size() <= target.size());
    for (const char* key : {"ns", "n", "last", "ref"})
        for (const auto& value : query_values(target, key)) FUZZ_CHECK(value.size() <= target.size());

    auto r = parse_route(target, cfg);
    // A connection's route, reused: whatever the last target left in it, the fields are as fresh.
    static route reused;
    const auto again = parse_route(target, cfg, reused);
    FUZZ_CHECK(bool(again) == bool(r));
    if (r)
        FUZZ_CHECK(reused.kind == r->kind && reused.upstream == r->upstream && reused.repository == r->repository &&
                   reused.client_name == r->client_name && reused.reference == r->reference && reused.ns == r->ns &&
                   reused.page_size == r->page_size && reused.last == r->last);
    if (!r) {
        const auto e = r.error();
        FUZZ_CHECK(e == errc::name_invalid || e == errc::upstream_unknown);
        return 0;
    }
    switch (r->kind) {
    case endpoint::manifest:
    case endpoint::blob:
    case endpoint::tags_list: {
        // Only configured upstreams, and only names that pass the grammar, leave the router.
        FUZZ_CHECK(r->upstream != nullptr);
        FUZZ_CHECK(r->upstream >= cfg.upstreams.data() && r->upstream < cfg.upstreams.data() + cfg.upstreams.size());
        FUZZ_CHECK(r->reference.find('/') == std::string::npos);
        // Docker Hub's "library/" may take a 255-character name past the length limit; the
        // grammar of each component still holds.
        std::string_view repo = r->repository;
        if (r->upstream->docker_hub && repo.starts_with("library/")) repo.remove_prefix(8);
        FUZZ_CHECK(storage::is_valid_repository(repo));
        FUZZ_CHECK(storage::is_valid_repository(r->repository) || r->repository.size() > storage::max_repository_length);
        if (!r->ns.empty()) FUZZ_CHECK(cfg.find_upstream(r->ns) == r->upstream);
        break;
    }
    case endpoint::base:
    case endpoint::blob_upload:
    case endpoint::unknown:
        break;
    }
    return 0;
}
