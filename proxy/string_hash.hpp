// string_hash: unordered containers keyed by std::string that are searched by string_view.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace strata::proxy {

// A transparent hash (C++20 heterogeneous lookup): find() takes a string_view, so a lookup on
// the request path builds no std::string key.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

template <class T>
using string_map = std::unordered_map<std::string, T, string_hash, std::equal_to<>>;

using string_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;

}  // namespace strata::proxy
