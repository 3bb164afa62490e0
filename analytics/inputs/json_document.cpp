// json_document: simdjson parsers taken from a small pool (sized to the largest document they have read), with the depth limit set.
#include "analytics/inputs/json_document.hpp"

#include <mutex>
#include <vector>

namespace strata::analytics {
namespace {

// Parsers whose buffers (several times a document's size) are kept for the next document, on
// any thread: fresh buffers for every manifest cost more in page faults than the parse itself.
// A few, each for documents up to 4 MiB (the largest manifest a registry serves): a parser takes
// about ten times its capacity, so the pool holds at most some 160 MiB; parsers grown for larger
// documents are freed with them.
class parser_pool {
public:
    std::unique_ptr<simdjson::dom::parser> take() {
        std::lock_guard lock(mutex_);
        if (spare_.empty()) return std::make_unique<simdjson::dom::parser>();
        auto p = std::move(spare_.back());
        spare_.pop_back();
        return p;
    }

    void give_back(std::unique_ptr<simdjson::dom::parser> p) {
        if (!p || p->capacity() > max_kept_capacity) return;
        std::lock_guard lock(mutex_);
        if (spare_.size() < max_kept) spare_.push_back(std::move(p));
    }

private:
    static constexpr std::size_t max_kept = 4, max_kept_capacity = std::size_t{4} << 20;
    std::mutex mutex_;
    std::vector<std::unique_ptr<simdjson::dom::parser>> spare_;
};

parser_pool& pool() {
    static parser_pool p;
    return p;
}

}  // namespace

json_document::~json_document() { pool().give_back(std::move(parser_)); }

std::optional<json_document> json_document::parse_into_new(std::string_view text, bool padded) {
    json_document doc;
    doc.parser_ = pool().take();
    const auto capacity = std::max<std::size_t>({text.size(), doc.parser_->capacity(), 64});
    if (doc.parser_->allocate(capacity, max_depth) != simdjson::SUCCESS) return std::nullopt;
    if (doc.parser_->parse(text.data(), text.size(), !padded).get(doc.root_) != simdjson::SUCCESS) return std::nullopt;
    return doc;
}

std::optional<json_document> json_document::parse(std::string_view text) { return parse_into_new(text, false); }

std::optional<json_document> json_document::parse(const std::string& text) {
    return parse_into_new(text, text.capacity() >= text.size() + simdjson::SIMDJSON_PADDING);
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
