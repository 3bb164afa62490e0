// parse_manifest: reads the descriptors out of OCI and Docker schema 2 manifests and indexes.
#include "storage/oci/manifest.hpp"

#include "storage/untrusted/json_limits.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace strata::storage {
namespace {

using json = nlohmann::json;

// The members strata reads; every other member (annotations, history, whatever an upstream
// pads a manifest with) is checked as JSON and skipped without being copied.
enum class member : std::uint8_t { other, media_type, config, layers, manifests, digest, size, platform, os, arch, variant };

member member_named(std::string_view key) noexcept {
    static constexpr std::pair<std::string_view, member> names[] = {
        {"mediaType", member::media_type}, {"config", member::config},       {"layers", member::layers},
        {"manifests", member::manifests},  {"digest", member::digest},       {"size", member::size},
        {"platform", member::platform},    {"os", member::os},               {"architecture", member::arch},
        {"variant", member::variant}};
    for (const auto& [name, m] : names)
        if (key == name) return m;
    return member::other;
}

enum class value_kind : std::uint8_t { object, array, string, unsigned_number, other };

// A list of descriptors ("layers" or "manifests") as the body last set it: absent, a list of
// valid descriptors, or invalid (not an array, or an entry that is not a descriptor).
struct descriptor_list {
    enum class state : std::uint8_t { absent, valid, invalid } status = state::absent;
    std::vector<descriptor> entries;
};

// A SAX reader (nlohmann's interface) that keeps only what parse_manifest returns, so a
// manifest padded to its size limit costs no more than its body to read. Semantics are those of
// a DOM read: a later duplicate member replaces an earlier one; a member of the wrong type
// counts as absent (mediaType, platform) or makes the descriptor invalid (digest, size).
class manifest_reader {
public:
    bool null() { return value(value_kind::other); }
    bool boolean(bool) { return value(value_kind::other); }
    bool number_integer(json::number_integer_t) { return value(value_kind::other); }  // negative
    bool number_unsigned(json::number_unsigned_t n) { return value(value_kind::unsigned_number, {}, n); }
    bool number_float(json::number_float_t, const std::string&) { return value(value_kind::other); }
    bool string(std::string& s) { return value(value_kind::string, s); }
    bool binary(json::binary_t&) { return value(value_kind::other); }
    bool start_object(std::size_t) { return value(value_kind::object); }
    bool start_array(std::size_t) { return value(value_kind::array); }
    bool key(std::string& k) {
        if (skipped_ == 0) key_ = member_named(k);
        return true;
    }
    bool end_object() { return end(); }
    bool end_array() { return end(); }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

    result<parsed_manifest> finish(std::string_view served_type);

private:
    enum class frame : std::uint8_t { root, descriptor, list, platform };

    bool value(value_kind kind, std::string_view text = {}, std::uint64_t number = 0);
    void at_root(value_kind kind, std::string_view text);
    void in_descriptor(value_kind kind, std::string_view text, std::uint64_t number);
    void in_platform(value_kind kind, std::string_view text);
    void begin_descriptor(member target);
    void end_descriptor();
    bool end();
    descriptor_list& list_for(member m) { return m == member::layers ? layers_ : manifests_; }

    std::vector<frame> frames_;
    std::size_t skipped_ = 0;        // depth inside containers strata does not read
    member key_ = member::other;     // the member whose value comes next
    bool root_is_object_ = false;
    std::optional<std::string> media_type_;
    std::optional<descriptor> config_;  // set when "config" was last a valid descriptor
    descriptor_list layers_, manifests_;
    member list_ = member::other;    // the list being read
    member target_ = member::other;  // where the descriptor being read goes
    std::string media_type_of_current_, platform_;  // of the descriptor being read
    std::optional<digest> digest_;
    std::optional<std::uint64_t> size_;
    std::string os_, arch_, variant_;
};

bool manifest_reader::value(value_kind kind, std::string_view text, std::uint64_t number) {
    const bool container = kind == value_kind::object || kind == value_kind::array;
    if (skipped_ > 0 || frames_.empty()) {
        if (frames_.empty() && skipped_ == 0 && kind == value_kind::object) {
            root_is_object_ = true;
            frames_.push_back(frame::root);
            return true;
        }
        if (container) ++skipped_;
        return true;
    }
    const auto depth = frames_.size();
    switch (frames_.back()) {
    case frame::root: at_root(kind, text); break;
    case frame::descriptor: in_descriptor(kind, text, number); break;
    case frame::platform: in_platform(kind, text); break;
    case frame::list:
        if (kind == value_kind::object) begin_descriptor(list_);
        else list_for(list_).status = descriptor_list::state::invalid;
        break;
    }
    if (container && frames_.size() == depth) ++skipped_;  // a container this reader does not read
    return true;
}

void manifest_reader::at_root(value_kind kind, std::string_view text) {
    switch (key_) {
    case member::media_type:
        media_type_ = kind == value_kind::string ? std::optional<std::string>(text) : std::nullopt;
        break;
    case member::config:
        config_.reset();
        if (kind == value_kind::object) begin_descriptor(member::config);
        break;
    case member::layers:
    case member::manifests: {
        auto& list = list_for(key_);
        list.entries.clear();
        list.status = kind == value_kind::array ? descriptor_list::state::valid : descriptor_list::state::invalid;
        if (kind == value_kind::array) {
            list_ = key_;
            frames_.push_back(frame::list);
        }
        break;
    }
    default: break;
    }
}

void manifest_reader::in_descriptor(value_kind kind, std::string_view text, std::uint64_t number) {
    switch (key_) {
    case member::media_type: media_type_of_current_ = kind == value_kind::string ? std::string(text) : std::string(); break;
    case member::digest: {
        auto parsed = kind == value_kind::string ? digest::parse(text) : result<digest>(errc::manifest_invalid);
        digest_ = parsed ? std::optional<digest>(*parsed) : std::nullopt;
        break;
    }
    case member::size: size_ = kind == value_kind::unsigned_number ? std::optional(number) : std::nullopt; break;
    case member::platform:
        platform_.clear();
        if (kind == value_kind::object) {
            os_.clear(), arch_.clear(), variant_.clear();
            frames_.push_back(frame::platform);
        }
        break;
    default: break;
    }
}

void manifest_reader::in_platform(value_kind kind, std::string_view text) {
    std::string* field = key_ == member::os ? &os_ : key_ == member::arch ? &arch_ : key_ == member::variant ? &variant_ : nullptr;
    if (field) *field = kind == value_kind::string ? std::string(text) : std::string();
}

void manifest_reader::begin_descriptor(member target) {
    target_ = target;
    media_type_of_current_.clear();
    platform_.clear();
    digest_.reset();
    size_.reset();
    frames_.push_back(frame::descriptor);
}

void manifest_reader::end_descriptor() {
    std::optional<descriptor> read;
    if (digest_ && size_) read = descriptor{std::move(media_type_of_current_), *digest_, *size_, std::move(platform_)};
    if (target_ == member::config) {
        config_ = std::move(read);
    } else if (read) {
        list_for(target_).entries.push_back(std::move(*read));
    } else {
        list_for(target_).status = descriptor_list::state::invalid;
    }
}

bool manifest_reader::end() {
    if (skipped_ > 0) {
        --skipped_;
        return true;
    }
    const auto closed = frames_.back();
    frames_.pop_back();
    if (closed == frame::descriptor) end_descriptor();
    if (closed == frame::platform) platform_ = os_ + "/" + arch_ + (variant_.empty() ? "" : "/" + variant_);
    return true;
}

result<parsed_manifest> manifest_reader::finish(std::string_view served_type) {
    if (!root_is_object_) return errc::manifest_invalid;
    parsed_manifest out;
    out.media_type = media_type_ ? *media_type_ : std::string(served_type);
    if (!is_manifest_media_type(out.media_type)) return errc::manifest_invalid;
    if (is_index_media_type(out.media_type)) {
        if (manifests_.status != descriptor_list::state::valid) return errc::manifest_invalid;
        out.children = std::move(manifests_.entries);
        return out;
    }
    if (!config_ || layers_.status == descriptor_list::state::invalid) return errc::manifest_invalid;
    out.children.reserve(1 + layers_.entries.size());
    out.children.push_back(std::move(*config_));
    for (auto& layer : layers_.entries) out.children.push_back(std::move(layer));
    return out;
}

}  // namespace

bool is_manifest_media_type(std::string_view type) noexcept {
    return type == media_type::oci_manifest || type == media_type::oci_index ||
           type == media_type::docker_manifest || type == media_type::docker_manifest_list;
}

bool is_index_media_type(std::string_view type) noexcept {
    return type == media_type::oci_index || type == media_type::docker_manifest_list;
}

result<parsed_manifest> parse_manifest(std::string_view body, std::string_view served_type) {
    if (!json_nesting_within(body)) return errc::manifest_invalid;
    manifest_reader reader;
    try {
        if (!json::sax_parse(body.begin(), body.end(), &reader)) return errc::manifest_invalid;
    } catch (const std::exception&) {  // nlohmann reports errors through parse_error; this is belt and braces
        return errc::manifest_invalid;
    }
    return reader.finish(served_type);
}

}  // namespace strata::storage
