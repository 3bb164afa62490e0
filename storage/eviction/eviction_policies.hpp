// eviction_policies: the constructors behind make_eviction_policy, one file each (storage/ only).
#pragma once

#include "storage/eviction/eviction_policy.hpp"

namespace strata::storage {

std::unique_ptr<eviction_policy> make_lru_policy();
std::unique_ptr<eviction_policy> make_fifo_policy();
std::unique_ptr<eviction_policy> make_lfu_policy();
std::unique_ptr<eviction_policy> make_sieve_policy();
std::unique_ptr<eviction_policy> make_s3fifo_policy();
std::unique_ptr<eviction_policy> make_gdsf_policy();

}  // namespace strata::storage
