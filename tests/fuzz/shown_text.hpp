// shown_text: whether text is safe to show a person or a line-based reader, checked byte by byte
// apart from the escaping code it judges.
#pragma once

#include "storage/untrusted/text_escape.hpp"

#include <string_view>

namespace strata::fuzz {

// True when text is valid UTF-8 without a control character: no C0 byte (except '\n' when
// newlines are allowed), DEL, C1 control, U+2028/U+2029 or bidirectional override or isolate.
inline bool shows_safely(std::string_view text, bool newlines_allowed = false) {
    const auto at = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
    for (std::size_t i = 0; i < text.size(); ++i) {
        const unsigned c = at(i);
        if ((c < 0x20 && !(c == '\n' && newlines_allowed)) || c == 0x7f) return false;
        if (storage::utf8_length(text, i) == 0) return false;
        if (c == 0xc2 && at(i + 1) < 0xa0) return false;                                     // C1
        if (c == 0xe2 && at(i + 1) == 0x80 && at(i + 2) >= 0xa8 && at(i + 2) <= 0xae) return false;  // U+2028..U+202E
        if (c == 0xe2 && at(i + 1) == 0x81 && at(i + 2) >= 0xa6 && at(i + 2) <= 0xa9) return false;  // U+2066..U+2069
        i += storage::utf8_length(text, i) - 1;
    }
    return true;
}

}  // namespace strata::fuzz
