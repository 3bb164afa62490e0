// saved_images: a versioned varint encoding of an image, and batched writes of it.
#include "analytics/inputs/saved_images.hpp"

#include "storage/events/varint.hpp"
#include "storage/index/saved_images.hpp"

namespace strata::analytics {
namespace {

constexpr char record_version = 1;
constexpr std::size_t batch_images = 1000;

void put_optional_time(std::string& out, const std::optional<std::int64_t>& t) {
    out.push_back(t ? 1 : 0);
    if (t) storage::put_signed_varint(out, *t);
}

std::optional<std::int64_t> optional_time(storage::varint_reader& in) {
    const auto flag = in.bytes(1);
    if (!in.ok() || flag[0] == 0) return std::nullopt;
    if (flag[0] != 1) in.fail();
    return in.signed_varint();
}

// A count that cannot exceed half the bytes left (every layer, step and label takes at least
// two): a hostile count never reserves memory the record does not back.
std::size_t bounded_count(storage::varint_reader& in) {
    const auto n = in.varint();
    if (n > in.rest().size() / 2) in.fail();
    return in.ok() ? static_cast<std::size_t>(n) : 0;
}

}  // namespace

std::string encode_saved_image(const image& img) {
    std::string out(1, record_version);
    for (const auto* s : {&img.registry, &img.repository, &img.tag, &img.digest, &img.platform}) storage::put_text(out, *s);
    put_optional_time(out, img.created_s);
    put_optional_time(out, img.seen_s);
    storage::put_text(out, img.config.digest);
    storage::put_varint(out, img.config.size);
    storage::put_varint(out, img.layers.size());
    for (const auto& l : img.layers) {
        storage::put_text(out, l.digest);
        storage::put_varint(out, l.size);
    }
    storage::put_varint(out, img.history.size());
    for (const auto& h : img.history) {
        storage::put_text(out, h.created_by);
        out.push_back(h.empty_layer ? 1 : 0);
    }
    storage::put_varint(out, img.labels.size());
    for (const auto& [k, v] : img.labels) {
        storage::put_text(out, k);
        storage::put_text(out, v);
    }
    return out;
}

bool decode_saved_image_into(std::string_view record, image& img) {
    storage::varint_reader in(record);
    if (in.bytes(1) != std::string_view(&record_version, 1)) return false;
    for (auto* s : {&img.registry, &img.repository, &img.tag, &img.digest, &img.platform}) s->assign(in.text());
    img.created_s = optional_time(in);
    img.seen_s = optional_time(in);
    img.config.digest.assign(in.text());
    img.config.size = in.varint();
    img.layers.resize(bounded_count(in));
    for (auto& l : img.layers) {
        l.digest.assign(in.text());
        l.size = in.varint();
    }
    img.history.resize(bounded_count(in));
    for (auto& h : img.history) {
        h.created_by.assign(in.text());
        const auto flag = in.bytes(1);
        h.empty_layer = in.ok() && flag[0] == 1;
        if (in.ok() && flag[0] != 0 && flag[0] != 1) in.fail();
    }
    img.labels.clear();
    for (auto n = bounded_count(in); n > 0 && in.ok(); --n) {
        std::string key(in.text());
        img.labels[std::move(key)] = in.text();
    }
    return in.ok() && in.at_end();
}

std::optional<image> decode_saved_image(std::string_view record) {
    image img;
    if (!decode_saved_image_into(record, img)) return std::nullopt;
    return img;
}

std::string saved_image_key(const image& img) { return img.name() + '@' + img.digest + '|' + img.platform; }

std::size_t save_images(storage::metadata_index& index, const std::vector<image>& images, std::int64_t seen_s) {
    std::vector<std::pair<std::string, std::string>> batch;
    for (const auto& img : images) {
        auto saved = img;
        saved.seen_s = seen_s;
        batch.emplace_back(saved_image_key(saved), encode_saved_image(saved));
        if (batch.size() == batch_images) {
            storage::put_saved_images(index, batch);
            batch.clear();
        }
    }
    if (!batch.empty()) storage::put_saved_images(index, batch);
    return images.size();
}

std::size_t for_each_saved_image(const storage::metadata_index& index, const std::function<void(image&)>& visit) {
    std::size_t damaged = 0;
    image img;
    storage::for_each_saved_image(index, [&](std::string_view, std::string_view value) {
        if (decode_saved_image_into(value, img)) visit(img);
        else ++damaged;
    });
    return damaged;
}

}  // namespace strata::analytics
