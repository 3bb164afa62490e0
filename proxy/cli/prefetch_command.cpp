// prefetch_command: reads image references from arguments and files, posts them in batches
// and prints the server's progress lines as they arrive.
#include "proxy/cli/prefetch_command.hpp"

#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/server_flags.hpp"
#include "proxy/config/config.hpp"
#include "proxy/net.hpp"
#include "proxy/protocol/percent_encoding.hpp"

#include <nlohmann/json.hpp>

#include <fstream>
#include <iostream>

namespace strata::proxy {
namespace {

constexpr const char* prefetch_usage =
    "usage: strata prefetch [--server http://127.0.0.1:5000] [--token-file F] [--platform os/arch]\n"
    "                       [--concurrency N] [--file refs.txt] IMAGE...\n"
    "  Asks a running strata to pull whole images into its cache (all platforms of an index\n"
    "  unless --platform), printing progress. IMAGE as a client names it: ghcr.io/org/app:v1,\n"
    "  ubuntu:22.04, nvcr.io/nvidia/pytorch@sha256:... A file lists one per line (# comments).\n";
constexpr std::size_t images_per_request = 40;  // keeps the request line well under 16 KiB

struct prefetch_args {
    strata_server server;
    std::string platform, concurrency;
    std::vector<std::string> images;
};

void read_image_file(const std::string& path, std::vector<std::string>& out) {
    std::ifstream in(path);
    if (!in) throw usage_error("--file: cannot read " + path);
    for (std::string line; std::getline(in, line);) {
        const auto start = line.find_first_not_of(" \t\r");
        if (start == std::string::npos || line[start] == '#') continue;
        out.push_back(line.substr(start, line.find_last_not_of(" \t\r") - start + 1));
    }
}

prefetch_args parse_prefetch_args(const std::vector<std::string>& args) {
    prefetch_args a;
    flag_set f;
    server_flags(f, a.server);
    f.text("--platform", a.platform)
        .value("--concurrency",
               [&a](const std::string& v) { a.concurrency = std::to_string(whole_number("--concurrency", v, 1, 64)); })
        .value("--file", [&a](const std::string& v) { read_image_file(v, a.images); })
        .operands([&a](const std::string& v) { a.images.push_back(v); })
        .parse(args);
    if (a.images.empty()) throw usage_error("no images given");
    return a;
}

std::string target_for(const prefetch_args& a, std::size_t first, std::size_t last) {
    std::string target = "/api/v1/prefetch?";
    for (std::size_t i = first; i < last; ++i) target += "image=" + percent_encode(a.images[i], "/:@") + "&";
    if (!a.platform.empty()) target += "platform=" + percent_encode(a.platform, "/:@") + "&";
    if (!a.concurrency.empty()) target += "concurrency=" + percent_encode(a.concurrency, "/:@") + "&";
    target.pop_back();
    return target;
}

// Prints one progress line; returns false for a failure.
bool print_line(const nlohmann::json& j) {
    if (j.contains("summary")) {
        const auto& s = j["summary"];
        std::cout << "images " << s.value("images", 0) << " (" << s.value("images_failed", 0) << " failed), blobs fetched "
                  << s.value("blobs_fetched", 0) << " (" << s.value("bytes_fetched", 0) << " bytes), already cached "
                  << s.value("blobs_cached", 0) << ", failed " << s.value("blobs_failed", 0) << "\n";
        return s.value("images_failed", 0) + s.value("blobs_failed", 0) == 0;
    }
    const auto status = j.value("status", "");
    std::cout << status << " " << j.value("blob", j.value("image", "")) << " " << j.value("size", 0);
    if (j.contains("error")) std::cout << " " << j.value("error", "");
    std::cout << "\n" << std::flush;
    return status != "failed";
}

// One POST; prints lines as chunks arrive. Returns true when the batch fully succeeded.
bool post_batch(const prefetch_args& a, const std::string& target) {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.connect(tcp::resolver(io).resolve(a.server.host, a.server.port));
    http::request<http::empty_body> req{http::verb::post, target, 11};
    req.set(http::field::host, a.server.host);
    if (!a.server.token.empty()) req.set(http::field::authorization, "Bearer " + a.server.token);
    req.content_length(0);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(boost::none);
    std::string pending;
    bool ok = true;
    auto on_chunk = [&](std::uint64_t, std::string_view body, error_code&) {
        pending.append(body);
        for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
            const auto line = nlohmann::json::parse(pending.substr(0, nl), nullptr, false);
            pending.erase(0, nl + 1);
            ok = (line.is_object() && print_line(line)) && ok;
        }
        return body.size();
    };
    parser.on_chunk_body(on_chunk);
    http::read(stream, buffer, parser);
    if (parser.get().result() != http::status::ok) {
        std::cerr << "strata prefetch: " << parser.get().result_int() << " " << parser.get().body() << "\n";
        return false;
    }
    return ok;
}

}  // namespace

int run_prefetch_command(const std::vector<std::string>& args) {
    return run_command("prefetch", prefetch_usage, args, [&] {
        const auto a = parse_prefetch_args(args);
        bool ok = true;
        try {
            for (std::size_t first = 0; first < a.images.size(); first += images_per_request)
                ok = post_batch(a, target_for(a, first, std::min(a.images.size(), first + images_per_request))) && ok;
        } catch (const boost::system::system_error& e) {
            throw std::runtime_error("cannot reach strata at " + a.server.host + ":" + a.server.port + ": " + e.what());
        }
        return ok ? 0 : 1;
    });
}

}  // namespace strata::proxy
