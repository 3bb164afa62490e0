// strata serve: command-line flags over the config file, and the running server.
#pragma once

#include "proxy/config/config.hpp"

#include <string>
#include <vector>

namespace strata::proxy {

// The help text of `strata serve`.
std::string serve_usage();

// What `strata serve` was asked to do: serve with this configuration, or only check it.
struct serve_request {
    config cfg;
    bool check_only = false;  // --check-config
};

// Builds the configuration from `strata serve` arguments (argv after "serve"): the
// embedded defaults, then --config FILE (wherever it stands), then each other flag in order.
// Throws usage_error for a command line it cannot read and config_error for a configuration
// that is not valid, each naming the flag or field at fault.
serve_request parse_serve_args(const std::vector<std::string>& args);

// Runs the proxy until SIGINT or SIGTERM. Returns the process exit code.
int run_serve(const config& cfg);

// --check-config: also reads what the configuration names (token and price files, listen
// addresses) as serving would, touches no data directory and binds nothing, then prints a
// summary on stdout. Returns 0; throws as parse_serve_args does.
int check_serve_config(const config& cfg);

}  // namespace strata::proxy
