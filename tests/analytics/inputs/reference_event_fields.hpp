// reference_event_fields: the SAX field picker (nlohmann) that read Kubernetes events before
// simdjson did, kept as the independent reference the simdjson reader is checked against.
#pragma once

#include "analytics/inputs/event_fields.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace strata::test {

using analytics::event_fields;
using reference_json = nlohmann::json;

class field_picker : public nlohmann::json_sax<reference_json> {
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


// nullopt when text is not one JSON object; no depth limit (the SAX parser is iterative).
inline std::optional<event_fields> reference_event_fields(std::string_view text) {
    event_fields fields;
    field_picker picker(fields);
    if (!reference_json::sax_parse(text.begin(), text.end(), &picker) || !picker.top_is_object()) return std::nullopt;
    return fields;
}

}  // namespace strata::test
