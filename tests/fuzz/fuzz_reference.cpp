// fuzz_reference: repository names, tags, digests and manifest references (storage/oci/reference, storage/oci/digest).
#include "storage/oci/digest.hpp"
#include "storage/oci/reference.hpp"
#include "tests/fuzz/fuzz_check.hpp"

using namespace strata;
using namespace strata::storage;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = fuzz::as_text(data, size);

    if (auto d = digest::parse(text)) {
        // A digest is kept exactly as written: it re-serialises to the input and parses again.
        FUZZ_CHECK(d->str() == text);
        FUZZ_CHECK(d->hex().size() == 2 * hash_bytes(d->algorithm()));
        FUZZ_CHECK(text.starts_with(algorithm_name(d->algorithm())));
        auto again = digest::parse(d->str());
        FUZZ_CHECK(again && *again == *d);
    } else {
        FUZZ_CHECK(d.error() == errc::digest_invalid || d.error() == errc::digest_unsupported);
    }

    if (is_valid_tag(text)) {
        FUZZ_CHECK(!text.empty() && text.size() <= 128);
        FUZZ_CHECK(text.find_first_of(":/@") == std::string_view::npos);
    }

    if (is_valid_repository(text)) {
        FUZZ_CHECK(!text.empty() && text.size() <= max_repository_length);
        // Every component is itself a one-component name, and no component is empty.
        FUZZ_CHECK(text.find("//") == std::string_view::npos && text.front() != '/' && text.back() != '/');
        for (std::size_t start = 0;;) {
            const auto slash = text.find('/', start);
            FUZZ_CHECK(is_valid_repository(text.substr(start, slash - start)));
            if (slash == std::string_view::npos) break;
            start = slash + 1;
        }
    }

    if (auto ref = manifest_reference::parse(text)) {
        FUZZ_CHECK(ref->str() == text);
        if (ref->is_digest())
            FUZZ_CHECK(digest::parse(text).has_value());
        else
            FUZZ_CHECK(is_valid_tag(ref->tag()));
        auto again = manifest_reference::parse(ref->str());
        FUZZ_CHECK(again && again->str() == ref->str() && again->is_digest() == ref->is_digest());
    } else {
        const auto e = ref.error();
        FUZZ_CHECK(e == errc::tag_invalid || e == errc::digest_invalid || e == errc::digest_unsupported);
    }
    return 0;
}
