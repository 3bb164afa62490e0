// reused_text: emptying a string that serves one request after another (a connection's route and event).
#pragma once

#include <cstddef>
#include <string>

namespace strata::storage {

// The storage a reused string keeps between requests; a longer one (a hostile path or header)
// is released rather than held for the connection's life.
inline constexpr std::size_t reused_text_capacity = 1024;

// Empties text, keeping its storage for the next request unless it grew past reused_text_capacity.
inline void clear_for_reuse(std::string& text) noexcept {
    if (text.capacity() > reused_text_capacity) std::string().swap(text);
    text.clear();
}

}  // namespace strata::storage
