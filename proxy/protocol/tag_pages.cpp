// Tag-list pages: upstream pages read and checked, strata's pages cut and linked.
#include "proxy/protocol/tag_pages.hpp"

#include "storage/oci/reference.hpp"
#include "storage/untrusted/json_limits.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace strata::proxy {

tag_page paginate_tags(const std::vector<std::string>& sorted, std::optional<std::size_t> n,
                       const std::string& last) {
    auto begin = last.empty() ? sorted.begin() : std::upper_bound(sorted.begin(), sorted.end(), last);
    const auto remaining = static_cast<std::size_t>(sorted.end() - begin);
    const auto take = n ? std::min(*n, remaining) : remaining;
    return {std::vector<std::string>(begin, begin + static_cast<std::ptrdiff_t>(take)), take < remaining};
}

std::string next_page_link(const route& r, std::size_t n, const std::string& last_tag) {
    std::string link = "</v2/" + r.client_name + "/tags/list?n=" + std::to_string(n) + "&last=" + last_tag;
    if (!r.ns.empty()) link += "&ns=" + r.ns;
    return link + ">; rel=\"next\"";
}

result<std::vector<std::string>> parse_tag_page(std::string_view body, std::size_t* rejected) {
    if (!storage::json_nesting_within(body)) return errc::upstream_protocol;
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (!doc.is_object()) return errc::upstream_protocol;
    std::vector<std::string> tags;
    const auto list = doc.find("tags");
    if (list == doc.end() || list->is_null()) return tags;
    if (!list->is_array()) return errc::upstream_protocol;
    for (const auto& t : *list) {
        if (t.is_string() && storage::is_valid_tag(t.get_ref<const std::string&>()))
            tags.push_back(t.get<std::string>());
        else if (rejected)
            ++*rejected;
    }
    return tags;
}

std::string next_link_target(std::string_view link) {
    const auto open = link.find('<');
    const auto close = link.find('>');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
    if (link.find("rel=\"next\"") == std::string_view::npos) return {};
    auto target = link.substr(open + 1, close - open - 1);
    if (!target.starts_with("/v2/")) return {};
    for (char c : target)
        if (c <= 0x20 || c >= 0x7f) return {};
    return std::string(target);
}

}  // namespace strata::proxy
