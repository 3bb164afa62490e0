// server_flags: --server and --token-file, for the commands that talk to a running strata.
#pragma once

#include "proxy/cli/flags.hpp"

#include <string>

namespace strata::proxy {

// Where a running strata listens, and the bearer token to present (empty: none).
struct strata_server {
    std::string host = "127.0.0.1", port = "5000", token;
};

// Adds --server http://HOST:PORT (plain HTTP only: strata's own listener) and --token-file FILE
// (read at once; an unreadable or empty file is a configuration error naming the flag).
void server_flags(flag_set& f, strata_server& s);

}  // namespace strata::proxy
