// io_threads: one io_context per network thread, so a connection's work never hops threads or needs a strand.
#pragma once

#include "proxy/net.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace strata::proxy {

// Like nginx's workers: each thread runs an io_context of its own, and each accepted connection
// is handed to one of them in turn and stays there. The first context also carries the
// services' timers and downloads, the listeners and the signals (main()).
class io_threads {
public:
    explicit io_threads(unsigned count);
    ~io_threads();

    asio::io_context& main() noexcept { return *contexts_.front(); }
    // The executor for the next connection (round robin); safe from any thread.
    asio::any_io_executor next_connection_executor();

    // Runs every context (all but the first on threads of their own, the first on the caller's)
    // until stop(), then joins the threads.
    void run();
    // Makes run() return once the handlers running now are done. Safe from any thread.
    void stop();
    // Destroys the handlers still queued (and the coroutine frames they own: connections cut off
    // at the end of the shutdown grace, downloads still running) while the services they refer
    // to still exist.
    void destroy_pending();

private:
    class context : public asio::io_context {
    public:
        context() : asio::io_context(1) {}
        void destroy_pending() { shutdown(); }
    };
    std::vector<std::unique_ptr<context>> contexts_;
    std::vector<std::optional<asio::executor_work_guard<asio::io_context::executor_type>>> guards_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace strata::proxy
