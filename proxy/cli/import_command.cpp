// import_command: one import of files, labelled, then saved in batches under the store lock.
#include "proxy/cli/import_command.hpp"

#include "analytics/inputs/image_catalog.hpp"
#include "analytics/inputs/saved_images.hpp"
#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"

#include <chrono>
#include <iostream>

namespace strata::proxy {
namespace {

namespace fs = std::filesystem;

constexpr const char* import_usage =
    "usage: strata analyze import --data-dir DIR [--label KEY=VALUE] [--max-document-bytes SIZE] PATH...\n"
    "  Reads images as `strata analyze` does (manifests-config-layers.json bundles, OCI image\n"
    "  layouts, `skopeo inspect --raw` files, or directories of them) and saves them into DIR's\n"
    "  index: `strata analyze ANALYSIS --data-dir DIR` then reads them back one at a time, so a\n"
    "  survey of 300k images needs neither 300k files nor all of them in memory. An image saved\n"
    "  before (same name, digest and platform) is replaced. DIR may be a strata data directory, but\n"
    "  not one a strata is running on.\n";

struct import_args {
    std::string data_dir;
    std::vector<fs::path> paths;
    analytics::label_set labels;
    std::size_t max_document_bytes = analytics::input_limits{}.max_document_bytes;
};

import_args parse_import_args(const std::vector<std::string>& args) {
    import_args a;
    flag_set()
        .text("--data-dir", a.data_dir)
        .value("--label",
               [&a](const std::string& v) {
                   auto [key, value] = key_value("--label", v, "KEY=VALUE");
                   a.labels[key] = std::move(value);
               })
        .value("--max-document-bytes",
               [&a](const std::string& v) {
                   const auto bytes = size_flag("--max-document-bytes", v);
                   if (bytes == 0) throw usage_error("--max-document-bytes wants a size above 0, such as 64MiB");
                   a.max_document_bytes = static_cast<std::size_t>(bytes);
               })
        .operands([&a](const std::string& v) { a.paths.emplace_back(v); })
        .parse(args);
    if (a.data_dir.empty()) throw usage_error("--data-dir DIR is required: where the images are saved");
    if (a.paths.empty()) throw usage_error("no PATH given");
    return a;
}

int import(const import_args& a) {
    data_dir_writer writer(a.data_dir);
    analytics::image_catalog catalog;
    // Saved as each file is read: memory holds a few files' images, not the survey's.
    analytics::import_image_files(catalog, a.paths, a.max_document_bytes, [&](analytics::image_catalog& read) {
        read.label_all(a.labels);
        writer.save(read.take_images());
    });
    const auto& c = catalog.counts();
    std::cerr << "images: " << c.images << " from " << c.files << " files (" << c.unreadable_files << " unreadable, "
              << c.invalid_manifests << " invalid manifests, " << c.missing_configs << " without config, "
              << c.invalid_configs << " invalid configs, " << c.duplicates << " duplicates)\n";
    for (const auto& e : catalog.errors()) std::cerr << "  " << e << "\n";
    if (c.images == 0) {
        std::cerr << "strata analyze import: no image could be read; nothing saved\n";
        return 1;
    }
    std::cout << "saved " << c.images << " images into " << a.data_dir << "\n";
    return 0;
}

}  // namespace

data_dir_writer::data_dir_writer(const std::string& data_dir)
    : lock_(data_dir), index_(fs::path(data_dir) / "index") {}

void data_dir_writer::save(const std::vector<analytics::image>& images) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    analytics::save_images(index_, images, now.count());
}

int run_import_command(const std::vector<std::string>& args) {
    return run_command("analyze import", import_usage, args, [&] { return import(parse_import_args(args)); });
}

}  // namespace strata::proxy
