// request_parser: how a client request's header is read: the parser, its limit and its arena.
#pragma once

#include "proxy/net.hpp"

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <tuple>

namespace strata::proxy {

// The most a request's header may take (the request line and the fields each): room for the
// Range header of a zstd:chunked pull, up to max_ranges ranges of 10-digit offsets.
inline constexpr std::uint32_t max_request_header_bytes = 32 * 1024;

using request_parser = http::request_parser<http::empty_body, request_fields::allocator_type>;

// A connection's current request: its parser, and the buffer its fields live in, which holds a
// usual request's header (a larger one spills to the heap) and is reused by the next request.
class request_slot {
public:
    request_slot() = default;
    request_slot(const request_slot&) = delete;
    request_slot& operator=(const request_slot&) = delete;

    // Ends the last request (its fields are freed) and starts a parser for the next one.
    request_parser& next() {
        parser_.reset();
        arena_.release();
        parser_.emplace(std::piecewise_construct, std::tuple<>(), std::make_tuple(&arena_));
        parser_->header_limit(max_request_header_bytes);
        // The parser reads no body: the session refuses one after the header, but for the events
        // import, whose limit is request_body's (413 rather than the parser's bare 400).
        parser_->body_limit(boost::none);
        return *parser_;
    }

private:
    alignas(std::max_align_t) std::byte buffer_[2048];
    std::pmr::monotonic_buffer_resource arena_{buffer_, sizeof buffer_};
    std::optional<request_parser> parser_;  // after arena_: destroyed first
};

}  // namespace strata::proxy
