// io_threads: per-thread io_contexts kept alive by work guards until stop().
#include "proxy/server/io_threads.hpp"

#include <thread>

namespace strata::proxy {

io_threads::io_threads(unsigned count) {
    for (unsigned i = 0; i < std::max(count, 1u); ++i) {
        contexts_.push_back(std::make_unique<context>());
        guards_.emplace_back(asio::make_work_guard(*contexts_.back()));
    }
}

io_threads::~io_threads() { destroy_pending(); }

asio::any_io_executor io_threads::next_connection_executor() {
    const auto i = next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size();
    return contexts_[i]->get_executor();
}

void io_threads::run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i) threads.emplace_back([c = contexts_[i].get()] { c->run(); });
    contexts_.front()->run();
    for (auto& t : threads) t.join();
}

void io_threads::stop() {
    for (auto& c : contexts_) c->stop();
}

void io_threads::destroy_pending() {
    for (auto& c : contexts_) c->destroy_pending();
}

}  // namespace strata::proxy
