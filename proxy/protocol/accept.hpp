// Accept header merging and manifest media-type negotiation.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// The media types a client accepts, merged from every Accept header it sent.
class accept_list {
public:
    // Adds the entries of one Accept header value ("a/b, c/d;q=0.5"). Parameters are
    // dropped, types lower-cased, duplicates kept once; entries with q=0 are refused.
    void add_header(std::string_view value);

    // True when the client accepts type: it sent no Accept at all, named the type, or
    // sent */* (and did not refuse the type with q=0).
    bool accepts(std::string_view type) const;

    bool empty() const noexcept { return types_.empty() && refused_.empty(); }
    const std::vector<std::string>& types() const noexcept { return types_; }

    // The list as one header value for the upstream request.
    std::string header_value() const;

private:
    std::vector<std::string> types_;
    std::vector<std::string> refused_;
};

}  // namespace strata::proxy
