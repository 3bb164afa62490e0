// pull_event_record: the compact encoding of pull events (version 3), and a strict decoder of it
// and of the plain version 1 that stores written before it still hold.
#include "storage/events/pull_event_record.hpp"

#include "storage/events/varint.hpp"

#include <algorithm>
#include <array>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace strata::storage {
namespace {

constexpr char plain_version = 1;
constexpr char compact_version = 3;

// Flags of a compact record.
constexpr unsigned reference_is_digest = 1;  // the reference field is omitted
constexpr unsigned node_is_client = 2;       // the node field is omitted
constexpr unsigned digest_is_sha256 = 4;     // the digest is 32 raw bytes, not text
constexpr unsigned has_user_agent = 8;       // the User-Agent follows the last field
constexpr unsigned digest_is_sha512 = 16;    // the digest is 64 raw bytes, not text
constexpr unsigned has_labels = 32;          // the labels follow the User-Agent
constexpr unsigned known_flags = 63;

// Words most events carry, stored as their index + 1 (0: the text follows). Part of the stored
// format: append only, never reorder.
constexpr std::array<std::string_view, 3> kinds{"manifest", "blob", "tags"};
constexpr std::array<std::string_view, 2> methods{"GET", "HEAD"};
constexpr std::array<std::string_view, 5> cache_statuses{"hit", "miss", "coalesced", "stale", "error"};
constexpr std::array<std::string_view, 12> media_types{
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
    "application/octet-stream",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.oci.image.config.v1+json",
    "application/vnd.docker.container.image.v1+json",
};

// The digests kept as raw bytes: a prefix, the hash's length and the record flag that says so.
struct raw_form {
    std::string_view prefix;
    std::size_t bytes;
    unsigned flag;
};
constexpr raw_form raw_forms[] = {{"sha256:", 32, digest_is_sha256}, {"sha512:", 64, digest_is_sha512}};

struct raw_digest {
    const raw_form* form;
    std::array<char, 64> bytes;
};

#if defined(__SSE2__)
// 16 lowercase hex digits into 8 bytes, 16 at a time; false when any is not one.
bool hex16_to_bytes(const char* hex, char* out) {
    const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hex));
    const auto within = [&c](char lo, char hi) {  // signed: bytes of 0x80 and up are below lo
        return _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8(static_cast<char>(lo - 1))),
                             _mm_cmplt_epi8(c, _mm_set1_epi8(static_cast<char>(hi + 1))));
    };
    const __m128i letter = within('a', 'f');
    if (_mm_movemask_epi8(_mm_or_si128(within('0', '9'), letter)) != 0xFFFF) return false;
    const __m128i nibbles = _mm_add_epi8(_mm_and_si128(c, _mm_set1_epi8(0x0F)), _mm_and_si128(letter, _mm_set1_epi8(9)));
    // Each 16-bit lane holds a digit pair, the first (high nibble) in its low byte.
    const __m128i pairs =
        _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nibbles, _mm_set1_epi16(0x00FF)), 4), _mm_srli_epi16(nibbles, 8));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(pairs, pairs));
    return true;
}
#else
int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

bool hex16_to_bytes(const char* hex, char* out) {
    for (int i = 0; i < 8; ++i) {
        const int high = hex_value(hex[2 * i]), low = hex_value(hex[2 * i + 1]);
        if (high < 0 || low < 0) return false;
        out[i] = static_cast<char>(high << 4 | low);
    }
    return true;
}
#endif

// The raw bytes of "sha256:" or "sha512:" and lowercase hex digits of the right length; nullopt
// for any other text, kept as text so that decoding gives back exactly what was encoded.
std::optional<raw_digest> raw_digest_of(std::string_view d) {
    for (const auto& form : raw_forms) {
        if (d.size() != form.prefix.size() + 2 * form.bytes || !d.starts_with(form.prefix)) continue;
        raw_digest raw{&form, {}};
        const char* hex = d.data() + form.prefix.size();
        for (std::size_t i = 0; i < form.bytes; i += 8)
            if (!hex16_to_bytes(hex + 2 * i, raw.bytes.data() + i)) return std::nullopt;
        return raw;
    }
    return std::nullopt;
}

std::string digest_text(std::string_view prefix, std::string_view raw) {
    constexpr char digits[] = "0123456789abcdef";
    std::string out(prefix);
    for (const auto byte : raw) {
        out += digits[static_cast<unsigned char>(byte) >> 4];
        out += digits[static_cast<unsigned char>(byte) & 15];
    }
    return out;
}

char* write_text(char* p, std::string_view s) {
    p = write_varint(p, s.size());
    return std::copy(s.begin(), s.end(), p);
}

template <std::size_t N>
char* write_word(char* p, std::string_view s, const std::array<std::string_view, N>& words) {
    const auto known = std::find(words.begin(), words.end(), s);
    if (known != words.end()) return write_varint(p, static_cast<std::uint64_t>(known - words.begin()) + 1);
    *p++ = 0;
    return write_text(p, s);
}

template <std::size_t N>
std::string read_word(varint_reader& r, const std::array<std::string_view, N>& words) {
    const auto code = r.varint();
    if (code == 0) return std::string(r.text());
    if (code > N) {
        r.fail();  // an unknown word: the record is damaged
        return {};
    }
    return std::string(words[code - 1]);
}

unsigned flags_of(const pull_event& e, const std::optional<raw_digest>& raw) {
    unsigned flags = 0;
    if (e.reference == e.digest) flags |= reference_is_digest;
    if (e.node == e.client) flags |= node_is_client;
    if (raw) flags |= raw->form->flag;
    if (!e.user_agent.empty()) flags |= has_user_agent;
    if (!e.labels.empty()) flags |= has_labels;
    return flags;
}

void read_numbers_and_range(varint_reader& r, pull_event& e) {
    e.bytes_sent = r.varint();
    e.object_size = r.varint();
    e.range = r.text();
}

void read_timings(varint_reader& r, pull_event& e) {
    e.http_status = r.unsigned_as<unsigned>();
    e.duration_ns = r.signed_varint();
    e.ttfb_ns = r.signed_varint();
    e.upstream_ns = r.signed_varint();
    e.upstream_bytes = r.varint();
}

result<pull_event> parse_plain(varint_reader& r) {
    pull_event e;
    e.ts_ns = r.signed_varint();
    for (auto* t : {&e.client, &e.node, &e.upstream, &e.repository, &e.reference, &e.digest, &e.kind, &e.method,
                    &e.media_type})
        *t = r.text();
    read_numbers_and_range(r, e);
    e.cache_status = r.text();
    read_timings(r, e);
    if (!r.ok() || !r.at_end()) return errc::storage_failed;
    return e;
}

std::string read_digest(varint_reader& r, std::uint64_t flags) {
    for (const auto& form : raw_forms)
        if (flags & form.flag) return digest_text(form.prefix, r.bytes(form.bytes));
    return std::string(r.text());
}

result<pull_event> parse_compact(varint_reader& r) {
    pull_event e;
    const auto flags = r.varint();
    if (flags & ~std::uint64_t{known_flags} || (flags & digest_is_sha256 && flags & digest_is_sha512))
        return errc::storage_failed;
    e.ts_ns = r.signed_varint();
    e.client = r.text();
    e.node = flags & node_is_client ? e.client : std::string(r.text());
    e.upstream = r.text();
    e.repository = r.text();
    if (!(flags & reference_is_digest)) e.reference = r.text();
    e.digest = read_digest(r, flags);
    if (flags & reference_is_digest) e.reference = e.digest;
    e.kind = read_word(r, kinds);
    e.method = read_word(r, methods);
    e.media_type = read_word(r, media_types);
    read_numbers_and_range(r, e);
    e.cache_status = read_word(r, cache_statuses);
    read_timings(r, e);
    if (flags & has_user_agent) e.user_agent = r.text();
    if (flags & has_labels) e.labels = r.text();
    if (!r.ok() || !r.at_end()) return errc::storage_failed;
    return e;
}

}  // namespace

// Writes into room reserved once for the largest possible record: this runs on the request
// path for every served request.
void append_record(std::string& out, const pull_event& e) {
    const auto raw = raw_digest_of(e.digest);
    const auto flags = flags_of(e, raw);
    const std::string* const texts[] = {&e.client, &e.node,   &e.user_agent, &e.upstream, &e.repository, &e.reference,
                                        &e.digest, &e.kind,   &e.method,     &e.media_type, &e.range,   &e.cache_status, &e.labels};
    constexpr std::size_t varints = 22, word_codes = 4;  // 7 numbers, flags, time, 13 lengths
    std::size_t bound = 1 + varints * max_varint_bytes + word_codes;
    for (const auto* t : texts) bound += t->size();
    const auto start = out.size();
    out.resize(start + bound);
    char* p = out.data() + start;
    *p++ = compact_version;
    p = write_varint(p, flags);
    p = write_varint(p, zigzag(e.ts_ns));
    p = write_text(p, e.client);
    if (!(flags & node_is_client)) p = write_text(p, e.node);
    p = write_text(p, e.upstream);
    p = write_text(p, e.repository);
    if (!(flags & reference_is_digest)) p = write_text(p, e.reference);
    p = raw ? std::copy_n(raw->bytes.begin(), raw->form->bytes, p) : write_text(p, e.digest);
    p = write_word(p, e.kind, kinds);
    p = write_word(p, e.method, methods);
    p = write_word(p, e.media_type, media_types);
    p = write_varint(p, e.bytes_sent);
    p = write_varint(p, e.object_size);
    p = write_text(p, e.range);
    p = write_word(p, e.cache_status, cache_statuses);
    p = write_varint(p, e.http_status);
    p = write_varint(p, zigzag(e.duration_ns));
    p = write_varint(p, zigzag(e.ttfb_ns));
    p = write_varint(p, zigzag(e.upstream_ns));
    p = write_varint(p, e.upstream_bytes);
    if (flags & has_user_agent) p = write_text(p, e.user_agent);
    if (flags & has_labels) p = write_text(p, e.labels);
    out.resize(static_cast<std::size_t>(p - out.data()));
}

result<pull_event> parse_record(std::string_view bytes) {
    if (bytes.empty()) return errc::storage_failed;
    varint_reader r(bytes.substr(1));
    if (bytes.front() == compact_version) return parse_compact(r);
    if (bytes.front() == plain_version) return parse_plain(r);
    return errc::storage_failed;
}

}  // namespace strata::storage
