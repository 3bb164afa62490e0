// fuzz_check: what every fuzz target shares: its input as text, and invariant checks that abort.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>

// Checks a property of the parser's output. A failure aborts, so libFuzzer keeps the input as a
// crash file and prints the stack.
#define FUZZ_CHECK(cond) ((cond) ? void(0) : ::strata::fuzz::fail(#cond, __FILE__, __LINE__))

namespace strata::fuzz {

[[noreturn]] inline void fail(const char* what, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
    std::abort();
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// Splits text at its first '\n': (before, after). Targets with two inputs use it.
inline std::pair<std::string_view, std::string_view> split_first_line(std::string_view text) {
    const auto nl = text.find('\n');
    if (nl == std::string_view::npos) return {text, {}};
    return {text.substr(0, nl), text.substr(nl + 1)};
}

}  // namespace strata::fuzz
