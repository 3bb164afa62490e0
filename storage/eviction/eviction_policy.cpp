// eviction_policy: policy names and the factory.
#include "storage/eviction/eviction_policy.hpp"

#include "storage/eviction/eviction_policies.hpp"

#include <utility>

namespace strata::storage {
namespace {

constexpr std::pair<eviction_kind, std::string_view> names[] = {
    {eviction_kind::lru, "lru"},     {eviction_kind::lfu, "lfu"},     {eviction_kind::fifo, "fifo"},
    {eviction_kind::s3fifo, "s3fifo"}, {eviction_kind::sieve, "sieve"}, {eviction_kind::gdsf, "gdsf"},
};

}  // namespace

std::optional<eviction_kind> parse_eviction_kind(std::string_view name) {
    for (const auto& [kind, n] : names)
        if (n == name) return kind;
    return std::nullopt;
}

std::string_view eviction_kind_name(eviction_kind kind) {
    for (const auto& [k, n] : names)
        if (k == kind) return n;
    return "?";
}

const std::vector<eviction_kind>& all_eviction_kinds() {
    static const std::vector<eviction_kind> kinds = [] {
        std::vector<eviction_kind> v;
        for (const auto& [kind, n] : names) v.push_back(kind);
        return v;
    }();
    return kinds;
}

std::unique_ptr<eviction_policy> make_eviction_policy(eviction_kind kind) {
    switch (kind) {
    case eviction_kind::lru: return make_lru_policy();
    case eviction_kind::lfu: return make_lfu_policy();
    case eviction_kind::fifo: return make_fifo_policy();
    case eviction_kind::s3fifo: return make_s3fifo_policy();
    case eviction_kind::sieve: return make_sieve_policy();
    case eviction_kind::gdsf: return make_gdsf_policy();
    }
    return make_lru_policy();
}

}  // namespace strata::storage
