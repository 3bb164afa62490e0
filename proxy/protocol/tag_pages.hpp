// Tag-list pages, sans I/O: reading an upstream's page, following its Link, and cutting
// strata's own pages from a sorted list.
#pragma once

#include "proxy/protocol/route.hpp"
#include "storage/oci/error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// One page of a lexically sorted tag list.
struct tag_page {
    std::vector<std::string> tags;
    bool more = false;  // tags remain after this page
};

// Picks the page after `last` (exclusive) with at most n entries (all when n is unset)
// from a sorted list.
tag_page paginate_tags(const std::vector<std::string>& sorted, std::optional<std::size_t> n,
                       const std::string& last);

// The Link header value for the page after `last_tag` ("</v2/<name>/tags/list?n=..&last=..>; rel=\"next\"").
std::string next_page_link(const route& r, std::size_t n, const std::string& last_tag);

// The tags of one upstream tag-list page: the "tags" array's strings that pass the tag grammar.
// *rejected counts the entries that did not (not strings, or not tags: a CR LF, a slash, 129
// characters); they are dropped, so nothing unchecked ever reaches a Link header. Errors:
// errc::upstream_protocol for a body that is not a JSON object, nests too deep, or whose "tags"
// is neither an array nor null. Pure; never throws.
result<std::vector<std::string>> parse_tag_page(std::string_view body, std::size_t* rejected);

// The target of an upstream's `Link: <...>; rel="next"` header when it is safe to request next:
// a relative /v2/ path of visible ASCII only (it becomes the next request line). Empty otherwise.
std::string next_link_target(std::string_view link);

}  // namespace strata::proxy
