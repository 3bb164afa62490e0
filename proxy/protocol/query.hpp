// query: values of a request target's query string parameters, percent-decoded.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// Every value of key in "?a=1&key=x&key=y", in order; malformed escapes are skipped.
std::vector<std::string> query_values(std::string_view target, std::string_view key);
// The first value of key, or empty.
std::string query_value(std::string_view target, std::string_view key);

}  // namespace strata::proxy
