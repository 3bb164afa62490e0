// fuzz_www_authenticate: WWW-Authenticate challenges from upstreams (proxy/protocol/www_authenticate).
#include "proxy/protocol/www_authenticate.hpp"
#include "tests/fuzz/fuzz_check.hpp"

#include <algorithm>
#include <cctype>

using namespace strata;
using namespace strata::proxy;

namespace {

bool is_lower(const std::string& s) {
    return std::none_of(s.begin(), s.end(), [](unsigned char c) { return std::isupper(c); });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto header = fuzz::as_text(data, size);
    const auto challenges = parse_www_authenticate(header);
    for (const auto& c : challenges) {
        FUZZ_CHECK(!c.scheme.empty() && is_lower(c.scheme));
        for (const auto& [name, value] : c.params) FUZZ_CHECK(!name.empty() && is_lower(name));
    }
    if (const auto picked = pick_challenge(challenges)) {
        FUZZ_CHECK((picked->scheme == "bearer" && !picked->param("realm").empty()) || picked->scheme == "basic");
    } else {
        for (const auto& c : challenges) FUZZ_CHECK(c.scheme != "basic" && !(c.scheme == "bearer" && !c.param("realm").empty()));
    }
    return 0;
}
