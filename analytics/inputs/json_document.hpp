// json_document: one JSON document from outside (a manifest, a config, a bundle), parsed whole
// by simdjson's DOM parser with a nesting limit; readers walk its elements.
#pragma once

#include <simdjson.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace strata::analytics {

class json_document {
public:
    // Deeper nesting than this is refused, as the nlohmann guard in json_input refuses it.
    static constexpr std::size_t max_depth = 64;

    // The document, or nullopt for text that is not one whole JSON value: malformed, invalid
    // UTF-8, nested deeper than max_depth, or holding an integer beyond 64 bits. Never throws
    // for bad input.
    static std::optional<json_document> parse(std::string_view text);
    // The same; when text has room for simdjson's padding past its end (a string grown by
    // appending usually has), it is parsed in place instead of copied first.
    static std::optional<json_document> parse(const std::string& text);
    static std::optional<json_document> parse(const char* text) { return parse(std::string_view(text)); }

    simdjson::dom::element root() const noexcept { return root_; }

    json_document(json_document&&) noexcept = default;
    json_document& operator=(json_document&&) noexcept = default;
    ~json_document();  // gives its parser back for the next document (see json_document.cpp)

private:
    json_document() = default;
    static std::optional<json_document> parse_into_new(std::string_view text, bool padded);
    std::unique_ptr<simdjson::dom::parser> parser_;  // owns the tape root_ points into
    simdjson::dom::element root_;
};

// The value of the last member named key (JSON allows repeats; the last wins, as it did with
// nlohmann), or nullopt when there is none or value is not an object.
std::optional<simdjson::dom::element> member_of(simdjson::dom::element value, std::string_view key);

// The string at a path of member names, or "" when a step is missing or not the right type.
std::string text_at(simdjson::dom::element value, std::initializer_list<std::string_view> path);

}  // namespace strata::analytics
