// log_format: a spdlog formatter that writes each record as a JSON object.
#include "proxy/observe/log_format.hpp"

#include "storage/untrusted/text_escape.hpp"

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <utility>

namespace strata::proxy {
namespace {

class json_formatter final : public spdlog::formatter {
public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const auto level = spdlog::level::to_string_view(msg.level);
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(msg.time.time_since_epoch()).count();
        const auto line = json_log_line(utc_log_time(ns), std::string_view(level.data(), level.size()),
                                        std::string_view(msg.payload.data(), msg.payload.size()));
        dest.append(line.data(), line.data() + line.size());
        dest.push_back('\n');
    }
    std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }
};

}  // namespace

std::string utc_log_time(std::int64_t ns) {
    const std::time_t seconds = ns / 1'000'000'000;
    const auto millis = static_cast<int>(ns / 1'000'000 % 1000);
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char text[80];  // room for any int the fields could hold, so no output is ever cut
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
    return text;
}

std::string json_log_line(std::string_view time, std::string_view level, std::string_view message) {
    std::string out;
    using field = std::pair<const char*, std::string_view>;
    for (const auto& [key, value] : {field{"{\"time\":\"", time}, field{"\",\"level\":\"", level},
                                     field{"\",\"message\":\"", message}}) {
        out += key;
        storage::append_json_text(out, value);
    }
    out += "\"}";
    return out;
}

void use_log_format(std::string_view format) {
    if (format == "json") spdlog::set_formatter(std::make_unique<json_formatter>());
}

}  // namespace strata::proxy
