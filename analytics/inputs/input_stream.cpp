// input_stream: zlib inflate over fixed-size input and output buffers, gzip members in
// sequence, and the bounded whole-file reader built on it.
#include "analytics/inputs/input_stream.hpp"

#include "analytics/inputs/input_limits.hpp"

#include <sched.h>

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace strata::analytics {

struct input_stream::inflater {
    z_stream s{};
    bool ready = false;
    inflater() { ready = inflateInit2(&s, 16 + MAX_WBITS) == Z_OK; }  // gzip wrapper only
    ~inflater() {
        if (ready) inflateEnd(&s);
    }
    inflater(const inflater&) = delete;
    inflater& operator=(const inflater&) = delete;
};

namespace {

bool starts_gzip(const char* p, std::size_t n) {
    return n >= 2 && static_cast<unsigned char>(p[0]) == 0x1f && static_cast<unsigned char>(p[1]) == 0x8b;
}

// zlib checks the trailer's CRC first, then its length: this error means the data and its CRC
// are right and only the size field (which nothing here uses) is not.
bool only_length_wrong(const z_stream& s) { return s.msg && std::strcmp(s.msg, "incorrect length check") == 0; }

}  // namespace

input_stream::input_stream(const std::filesystem::path& path)
    : path_(path), file_(std::fopen(path.c_str(), "rb")), in_(new char[chunk_bytes]),
      out_(new char[chunk_bytes]) {
    if (!file_) {
        fail(std::string("cannot open: ") + std::strerror(errno));
        return;
    }
    fill_input();
    if (!error_.empty() || !starts_gzip(in_.get(), in_end_)) return;
    z_ = std::make_unique<inflater>();
    if (!z_->ready) fail("cannot start zlib");
}

input_stream::~input_stream() = default;

void input_stream::fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    eof_ = true;
}

// Moves unread input to the front and reads more after it; false when nothing was added.
bool input_stream::fill_input() {
    if (eof_ || !file_) return false;
    if (in_begin_ > 0) {
        std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
        in_end_ -= in_begin_;
        in_begin_ = 0;
    }
    const auto want = chunk_bytes - in_end_;
    if (want == 0) return false;
    const auto n = std::fread(in_.get() + in_end_, 1, want, file_.get());
    in_end_ += n;
    if (n < want) {
        if (std::ferror(file_.get())) fail(std::string("cannot read: ") + std::strerror(errno));
        eof_ = true;
    }
    return n > 0;
}

std::string_view input_stream::next_chunk() {
    if (!error_.empty()) return {};
    if (z_) return next_gzip_chunk();
    if (in_begin_ == in_end_ && !fill_input()) return {};
    const std::string_view chunk(in_.get() + in_begin_, in_end_ - in_begin_);
    in_begin_ = in_end_;
    bytes_out_ += chunk.size();
    return chunk;
}

// After a member's trailer: the file ends, another member starts, or what follows is not gzip.
bool input_stream::start_next_member() {
    while (in_end_ - in_begin_ < 2 && fill_input()) {
    }
    const auto left = in_end_ - in_begin_;
    if (!error_.empty() || left == 0) return false;
    if (!starts_gzip(in_.get() + in_begin_, left)) {
        fail("data after the end of the gzip stream");
        return false;
    }
    inflateReset(&z_->s);
    member_done_ = false;
    return true;
}

std::string_view input_stream::next_gzip_chunk() {
    auto& s = z_->s;
    s.next_out = reinterpret_cast<Bytef*>(out_.get());
    s.avail_out = static_cast<uInt>(chunk_bytes);
    while (s.avail_out == chunk_bytes && error_.empty()) {
        if (member_done_ && !start_next_member()) break;
        if (in_begin_ == in_end_ && !fill_input()) {
            fail("truncated gzip data");
            break;
        }
        s.next_in = reinterpret_cast<Bytef*>(in_.get() + in_begin_);
        s.avail_in = static_cast<uInt>(in_end_ - in_begin_);
        const int rc = inflate(&s, Z_NO_FLUSH);
        in_begin_ = in_end_ - s.avail_in;
        if (rc == Z_STREAM_END || (rc == Z_DATA_ERROR && only_length_wrong(s))) member_done_ = true;
        else if (rc == Z_BUF_ERROR && !fill_input()) fail("truncated gzip data");
        else if (rc != Z_OK && rc != Z_BUF_ERROR) fail(std::string("corrupt gzip data (") + (s.msg ? s.msg : "zlib error") + ")");
    }
    const std::string_view chunk(out_.get(), chunk_bytes - s.avail_out);
    bytes_out_ += chunk.size();
    return chunk;
}

namespace {

// Room for n more bytes, doubling as std::string would, but never past max_bytes.
void reserve_for(std::string& text, std::size_t n, std::size_t max_bytes) {
    const auto need = text.size() + n;
    if (need > text.capacity()) text.reserve(std::min(max_bytes, std::max(text.capacity() * 2, need)));
}

}  // namespace

file_text read_input_file(const std::filesystem::path& path, std::size_t max_bytes) {
    input_stream in(path);
    std::string text;
    for (auto chunk = in.next_chunk(); !chunk.empty(); chunk = in.next_chunk()) {
        if (chunk.size() > max_bytes - text.size())
            return {std::nullopt, "larger than " + std::to_string(max_bytes) + " bytes"};
        reserve_for(text, chunk.size(), max_bytes);
        text.append(chunk);
    }
    if (!in.error().empty()) return {std::nullopt, in.error()};
    return {std::move(text), {}};
}

std::size_t parallel_files(std::size_t per_file_bytes) {
    constexpr std::size_t budget = std::size_t{256} << 20;
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    const std::size_t usable = sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? static_cast<std::size_t>(CPU_COUNT(&cpus)) : 1;
    return std::max<std::size_t>(1, std::min(usable, budget / std::max<std::size_t>(per_file_bytes, 1)));
}

}  // namespace strata::analytics
