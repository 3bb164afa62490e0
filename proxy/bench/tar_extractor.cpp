// tar_extractor: ustar headers (name and prefix), octal sizes, 512-byte blocks.
#include "proxy/bench/tar_extractor.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace strata::proxy {
namespace {

std::string field(const char* p, std::size_t n) { return std::string(p, strnlen(p, n)); }

std::uint64_t octal_field(const char* p, std::size_t n) {
    std::uint64_t v = 0;
    std::size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\0')) ++i;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; ++i) {
        if (v > (std::uint64_t{1} << 60)) throw std::runtime_error("tar: a size field is out of range");
        v = v * 8 + static_cast<unsigned>(p[i] - '0');
    }
    for (; i < n; ++i)
        if (p[i] != ' ' && p[i] != '\0') throw std::runtime_error("tar: a number field is not octal");
    return v;
}

bool checksum_ok(const std::array<char, 512>& h) {
    unsigned sum = 0;
    for (std::size_t i = 0; i < h.size(); ++i)
        sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
    return sum == octal_field(h.data() + 148, 8);
}

// The entry's path under root, or a refusal for one that would leave it.
std::filesystem::path safe_path(const std::filesystem::path& root, const std::string& name) {
    const std::filesystem::path relative(name);
    if (name.empty() || relative.is_absolute()) throw std::runtime_error("tar: entry '" + name + "' is absolute");
    for (const auto& part : relative)
        if (part == "..") throw std::runtime_error("tar: entry '" + name + "' climbs out with ..");
    return root / relative.lexically_normal();
}

}  // namespace

void tar_extractor::start_entry() {
    header_fill_ = 0;
    if (std::all_of(header_.begin(), header_.end(), [](char c) { return c == 0; })) {
        ended_ = true;  // the end-of-archive blocks
        return;
    }
    if (!checksum_ok(header_)) throw std::runtime_error("tar: a header's checksum is wrong");
    const auto size = octal_field(header_.data() + 124, 12);
    const char type = header_[156];
    auto name = field(header_.data(), 100);
    const auto prefix = field(header_.data() + 345, 155);
    if (std::memcmp(header_.data() + 257, "ustar", 5) == 0 && !prefix.empty()) name = prefix + "/" + name;
    if (size > max_file_bytes_ - std::min(file_bytes_, max_file_bytes_) && (type == '0' || type == '\0' || type == '7'))
        throw std::runtime_error("tar: the files add up to over " + std::to_string(max_file_bytes_) + " bytes");
    content_left_ = size;
    padding_left_ = (512 - size % 512) % 512;
    if (type == '5') {
        std::filesystem::create_directories(safe_path(root_, name));
    } else if (type == '0' || type == '\0' || type == '7') {
        const auto path = safe_path(root_, name);
        std::filesystem::create_directories(path.parent_path());
        out_.open(path, std::ios::binary | std::ios::trunc);
        if (!out_) throw std::runtime_error("cannot write " + path.string());
        ++files_;
        if (size == 0) out_.close();
    }
}

void tar_extractor::take_content(std::string_view& bytes) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(content_left_, bytes.size()));
    if (out_.is_open()) {
        out_.write(bytes.data(), static_cast<std::streamsize>(n));
        file_bytes_ += n;
    }
    content_left_ -= n;
    bytes.remove_prefix(n);
    if (content_left_ == 0 && out_.is_open()) {
        out_.close();
        if (!out_) throw std::runtime_error("a file could not be written (is the disk full?)");
    }
    const auto pad = static_cast<std::size_t>(std::min<std::uint64_t>(padding_left_, bytes.size()));
    if (content_left_ == 0) padding_left_ -= pad, bytes.remove_prefix(pad);
}

void tar_extractor::feed(std::string_view bytes) {
    while (!bytes.empty() && !ended_) {
        if (content_left_ > 0 || padding_left_ > 0) {
            take_content(bytes);
            continue;
        }
        const auto n = std::min(bytes.size(), header_.size() - header_fill_);
        std::memcpy(header_.data() + header_fill_, bytes.data(), n);
        header_fill_ += n;
        bytes.remove_prefix(n);
        if (header_fill_ == header_.size()) start_entry();
    }
}

}  // namespace strata::proxy
