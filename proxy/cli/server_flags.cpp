// server_flags: the origin of a running strata and its admin token, from flags.
#include "proxy/cli/server_flags.hpp"

#include "proxy/config/config.hpp"

namespace strata::proxy {

void server_flags(flag_set& f, strata_server& s) {
    f.value("--server",
           [&s](const std::string& v) {
               const auto origin = parse_origin(v, "--server");
               if (origin.tls) throw usage_error("--server: strata's listener is plain HTTP; give http://HOST:PORT");
               s.host = origin.host, s.port = origin.port;
           })
        .value("--token-file", [&s](const std::string& v) { s.token = read_secret_file(v, "--token-file"); });
}

}  // namespace strata::proxy
