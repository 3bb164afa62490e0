// images_command: the store's tagged images, read-only, page by page.
#include "proxy/cli/images_command.hpp"

#include "analytics/report/result_table.hpp"
#include "proxy/admin/images_api.hpp"
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "proxy/cli/store_dir.hpp"
#include "storage/index/image_listing.hpp"

#include <cstdio>
#include <iostream>

namespace strata::proxy {
namespace {

constexpr const char* images_usage =
    "usage: strata images [--data-dir DIR] [--format table|json]\n"
    "  Lists the tagged images in strata's cache: whether each is complete (pulls with the\n"
    "  upstream gone), the bytes of it that are cached, its blobs (missing ones counted) and when\n"
    "  it was last pulled. Reads the index read-only: safe beside a running strata.\n"
    "  --format json writes one JSON object per image, as GET /api/v1/images lists them.\n";

void print_row(const nlohmann::json& i) {
    const auto last = i["last_pull"].is_null() ? std::string("-") : i["last_pull"].get<std::string>();
    std::printf("%-60s %-8s %10s %6zu %7zu  %s\n", i["ref"].get<std::string>().c_str(),
                i["complete"].get<bool>() ? "complete" : "partial",
                analytics::human_bytes(i["cached_bytes"].get<double>()).c_str(), i["blobs"].get<std::size_t>(),
                i["missing_blobs"].get<std::size_t>(), last.c_str());
}

int list(const std::string& data_dir, const std::string& format) {
    const storage::metadata_index index(store_index_dir(data_dir), storage::metadata_index::open_mode::read_only);
    if (format == "table") std::printf("%-60s %-8s %10s %6s %7s  %s\n", "IMAGE", "STATE", "CACHED", "BLOBS", "MISSING", "LAST PULL");
    std::string after;
    do {
        const auto page = storage::list_images(index, after, max_images_per_page);
        const auto listed = images_json(page);  // named: a temporary's member would dangle in the loop
        for (const auto& i : listed["images"]) {
            if (format == "json") std::cout << i.dump() << "\n";
            else print_row(i);
        }
        after = page.next;
    } while (!after.empty());
    return 0;
}

}  // namespace

int run_images_command(const std::vector<std::string>& args) {
    return run_command("images", images_usage, args, [&] {
        std::string data_dir = "./var/strata", format = "table";
        flag_set()
            .text("--data-dir", data_dir)
            .value("--format", [&format](const std::string& v) { format = one_of("--format", v, {"table", "json"}); })
            .parse(args);
        return list(data_dir, format);
    });
}

}  // namespace strata::proxy
