// varint: LEB128 integers and length-prefixed strings, and a bounds-checked reader for them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace strata::storage {

constexpr std::size_t max_varint_bytes = 10;

// Writes v at p (at least max_varint_bytes of room); returns the end of what it wrote.
inline char* write_varint(char* p, std::uint64_t v) {
    while (v >= 0x80) {
        *p++ = static_cast<char>((v & 0x7f) | 0x80);
        v >>= 7;
    }
    *p++ = static_cast<char>(v);
    return p;
}

inline void put_varint(std::string& out, std::uint64_t v) {
    char buf[max_varint_bytes];
    out.append(buf, write_varint(buf, v));
}

inline std::uint64_t zigzag(std::int64_t v) {
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
}

// Zigzag, so that small negative numbers stay short.
inline void put_signed_varint(std::string& out, std::int64_t v) { put_varint(out, zigzag(v)); }

inline void put_text(std::string& out, std::string_view s) {
    put_varint(out, s.size());
    out.append(s);
}

// Reads front to back; the first malformed field makes every later read fail too, so a
// caller checks ok() once at the end. Never reads past the input.
class varint_reader {
public:
    explicit varint_reader(std::string_view bytes) : rest_(bytes) {}

    bool ok() const noexcept { return ok_; }
    bool at_end() const noexcept { return rest_.empty(); }
    // Marks the input malformed for a reason the caller found (an unknown code, say).
    void fail() noexcept { ok_ = false; }

    std::uint64_t varint() {
        std::uint64_t v = 0;
        for (int shift = 0; ok_ && shift < 64 && !rest_.empty(); shift += 7) {
            const auto byte = static_cast<unsigned char>(rest_.front());
            rest_.remove_prefix(1);
            if (shift == 63 && (byte & 0x7e)) break;  // bits beyond the 64th
            v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
            if (!(byte & 0x80)) return v;
        }
        ok_ = false;  // truncated, or longer than ten bytes
        return 0;
    }

    std::int64_t signed_varint() {
        const auto z = varint();
        return static_cast<std::int64_t>((z >> 1) ^ (~(z & 1) + 1));
    }

    // n bytes as a view into the input; empty and failed when fewer remain.
    std::string_view bytes(std::uint64_t n) {
        if (!ok_ || n > rest_.size()) {
            ok_ = false;
            return {};
        }
        const auto out = rest_.substr(0, n);
        rest_.remove_prefix(n);
        return out;
    }

    std::string_view text() { return bytes(varint()); }

    // What is left unread.
    std::string_view rest() const noexcept { return rest_; }

    template <typename T>
    T unsigned_as() {
        const auto v = varint();
        if (v > static_cast<std::uint64_t>(static_cast<T>(-1))) ok_ = false;
        return static_cast<T>(v);
    }

private:
    std::string_view rest_;
    bool ok_ = true;
};

}  // namespace strata::storage
