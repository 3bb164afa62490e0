// json_document: a parser per document, sized to it, with simdjson's depth limit set.
#include "analytics/inputs/json_document.hpp"

namespace strata::analytics {

std::optional<json_document> json_document::parse(std::string_view text) {
    json_document doc;
    doc.parser_ = std::make_unique<simdjson::dom::parser>();
    if (doc.parser_->allocate(std::max<std::size_t>(text.size(), 64), max_depth) != simdjson::SUCCESS) return std::nullopt;
    if (doc.parser_->parse(text.data(), text.size()).get(doc.root_) != simdjson::SUCCESS) return std::nullopt;
    return doc;
}

std::optional<simdjson::dom::element> member_of(simdjson::dom::element value, std::string_view key) {
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) return std::nullopt;
    std::optional<simdjson::dom::element> found;
    for (const auto field : object)
        if (field.key == key) found = field.value;
    return found;
}

std::string text_at(simdjson::dom::element value, std::initializer_list<std::string_view> path) {
    for (const auto key : path) {
        const auto next = member_of(value, key);
        if (!next) return {};
        value = *next;
    }
    std::string_view text;
    return value.get_string().get(text) == simdjson::SUCCESS ? std::string(text) : std::string();
}

}  // namespace strata::analytics
