// pull_event: one manifest, blob or tag-list request as strata served it, and its encodings.
#pragma once

#include "storage/reused_text.hpp"

#include <cstdint>
#include <initializer_list>
#include <string>

namespace strata::storage {

struct pull_event {
    std::int64_t ts_ns = 0;          // request start, ns since the epoch
    std::string client;              // client IP address
    std::string node;                // X-Strata-Node, else the client IP
    std::string user_agent;          // the User-Agent, if any (first 256 bytes)
    std::string upstream;            // configured upstream name
    std::string repository;
    std::string reference;           // tag or digest as requested
    std::string digest;              // resolved digest, if any
    std::string kind;                // manifest | blob | tags
    std::string method;              // GET | HEAD
    std::string media_type;
    std::uint64_t bytes_sent = 0;    // body bytes written to the client
    std::uint64_t object_size = 0;   // full size of the manifest or blob
    std::string range;               // the Range header, if any
    std::string cache_status;        // hit | miss | coalesced | stale | error
    unsigned http_status = 0;
    std::int64_t duration_ns = 0;
    std::int64_t ttfb_ns = 0;        // request start to response headers written
    std::int64_t upstream_ns = 0;    // upstream fetch time, when this request made one
    std::uint64_t upstream_bytes = 0;
    // What a recorder adds to tell runs apart, as comma-separated key=value pairs
    // ("run=r1,strategy=proxy-cold,nodes=8"): strata bench labels its nodes' pulls; empty for
    // what strata serves.
    std::string labels;

    // Back to a default event, keeping the strings' capacity (one event serves a connection's
    // requests without allocating), except a long request's: a string over 1 KiB is released,
    // so an idle connection does not hold what its largest request needed. Lists every field: a
    // new field goes here too.
    void clear() noexcept {
        ts_ns = 0;
        for (auto* text : {&client, &node, &user_agent, &upstream, &repository, &reference, &digest, &kind, &method,
                           &media_type, &range, &cache_status, &labels})
            clear_for_reuse(*text);
        bytes_sent = object_size = upstream_bytes = 0;
        http_status = 0;
        duration_ns = ttfb_ns = upstream_ns = 0;
    }

    friend bool operator==(const pull_event&, const pull_event&) = default;
};

// One JSON object on one line (no trailing newline).
std::string to_json_line(const pull_event& e);

// CSV with a header row; text fields through csv_cell (RFC 4180 quoting, a leading = + - @
// neutralised), numbers as numbers.
std::string csv_header();
std::string to_csv_row(const pull_event& e);

}  // namespace strata::storage
