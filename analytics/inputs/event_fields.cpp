// event_fields: a SAX handler that tracks the key path two levels deep and keeps known strings.
#include "analytics/inputs/event_fields.hpp"

#include "analytics/inputs/json_input.hpp"

#include <array>

namespace strata::analytics {
namespace {

using json = nlohmann::json;

class field_picker : public nlohmann::json_sax<json> {
public:
    explicit field_picker(event_fields& out) : out_(out) {}

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return open(false); }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override { return open(true); }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

    bool key(string_t& k) override {
        if (depth_ <= 2) path_[depth_] = k;
        return true;
    }

    bool string(string_t& v) override {
        if (depth_ == 1) pick_top(v);
        else if (depth_ == 2) pick_nested(v);
        return true;
    }

    bool top_is_object() const noexcept { return top_is_object_; }

private:
    bool open(bool array) {
        if (depth_ == 0) top_is_object_ = !array;
        ++depth_;
        if (depth_ <= 2) path_[depth_] = array ? "[" : "";  // array elements have no key
        return true;
    }

    bool close() {
        --depth_;
        return true;
    }

    void pick_top(string_t& v) {
        const auto& k = path_[1];
        if (k == "reason") out_.reason = std::move(v);
        else if (k == "message") out_.message = std::move(v);
        else if (k == "reportingInstance") out_.reporting_instance = std::move(v);
        else if (k == "lastTimestamp") out_.last_timestamp = std::move(v);
        else if (k == "eventTime") out_.event_time = std::move(v);
        else if (k == "firstTimestamp") out_.first_timestamp = std::move(v);
    }

    void pick_nested(string_t& v) {
        const auto& outer = path_[1];
        const auto& k = path_[2];
        if (outer == "metadata" && k == "uid") out_.uid = std::move(v);
        else if (outer == "involvedObject" && k == "namespace") out_.object_namespace = std::move(v);
        else if (outer == "involvedObject" && k == "name") out_.object_name = std::move(v);
        else if (outer == "involvedObject" && k == "fieldPath") out_.field_path = std::move(v);
        else if (outer == "source" && k == "host") out_.source_host = std::move(v);
    }

    event_fields& out_;
    std::array<std::string, 3> path_;
    int depth_ = 0;
    bool top_is_object_ = false;
};

}  // namespace

std::optional<event_fields> read_event_fields(std::string_view text) {
    event_fields fields;
    field_picker picker(fields);
    if (!json::sax_parse(text.begin(), text.end(), &picker) || !picker.top_is_object()) return std::nullopt;
    return fields;
}

event_fields event_fields_of(const json& e) {
    return {text_at(e, {"reason"}),
            text_at(e, {"message"}),
            text_at(e, {"metadata", "uid"}),
            text_at(e, {"involvedObject", "namespace"}),
            text_at(e, {"involvedObject", "name"}),
            text_at(e, {"involvedObject", "fieldPath"}),
            text_at(e, {"source", "host"}),
            text_at(e, {"reportingInstance"}),
            text_at(e, {"lastTimestamp"}),
            text_at(e, {"eventTime"}),
            text_at(e, {"firstTimestamp"})};
}

}  // namespace strata::analytics
