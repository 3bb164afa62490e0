// fuzz_config: strata.json (proxy/config/config parse_config). config_error is how it refuses a file;
// anything else escaping it is a bug.
#include "proxy/config/config.hpp"
#include "proxy/protocol/route.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::proxy;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    config c;
    try {
        c = parse_config(std::string(fuzz::as_text(data, size)));
    } catch (const config_error&) {
        return 0;
    }
    // A parsed config is a valid one, and the router can use it.
    validate(c);
    if (!c.default_upstream.empty()) FUZZ_CHECK(c.find_upstream(c.default_upstream) != nullptr);
    for (const auto& u : c.upstreams) FUZZ_CHECK(!u.name.empty() && !u.origin.host.empty() && !u.origin.port.empty());
    (void)parse_route("/v2/library/alpine/manifests/latest", c);
    return 0;
}
