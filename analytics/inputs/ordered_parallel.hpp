// ordered_parallel: work on many inputs on several threads, results used in input order: the
// importers read files in parallel and absorb them as if read one by one.
#pragma once

#include <cstddef>
#include <functional>

namespace strata::analytics {

// Runs work(i) for every i in [0, n) on `threads` worker threads, and consume(i) on the calling
// thread in index order, each as soon as work(i) has finished. No work starts more than `ahead`
// indices past the last one consumed, so at most `ahead` results wait in memory at once. An
// exception from work or consume is rethrown on the calling thread once every worker has
// stopped (the remaining indices are skipped).
void for_each_ordered(std::size_t n, std::size_t threads, std::size_t ahead, const std::function<void(std::size_t)>& work,
                      const std::function<void(std::size_t)>& consume);

}  // namespace strata::analytics
