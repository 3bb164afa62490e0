// fsck_command: flags, a progress line on a terminal, and the summary.
#include "proxy/cli/fsck_command.hpp"

#include "proxy/cli/command_frame.hpp"
#include "proxy/cli/flags.hpp"
#include "proxy/cli/store_dir.hpp"
#include "storage/blobs/store_check.hpp"
#include "storage/blobs/store_lock.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

namespace strata::proxy {
namespace {

constexpr const char* fsck_usage =
    "usage: strata fsck [--data-dir DIR] [--repair]\n"
    "  Re-hashes every cached blob and reconciles the blob files with the index.\n"
    "  Without --repair it only reports (and may run beside a running strata);\n"
    "  with --repair it deletes corrupt and stray files and fixes the index (strata must be stopped).\n"
    "  Exit status: 0 sound or repaired, 1 damage found and left, 2 usage.\n";

void print_check_progress(std::size_t done, std::size_t total, std::uint64_t bytes) {
    if (done != total && done % 64 != 0) return;
    std::fprintf(stderr, "\rfsck: %zu/%zu blobs, %.1f MiB hashed", done, total, static_cast<double>(bytes) / (1 << 20));
    if (done == total) std::fputc('\n', stderr);
}

void print_summary(const storage::store_check_report& r, double seconds) {
    for (const auto& p : r.problems) std::cout << "  " << p << "\n";
    std::cout << "blobs checked: " << r.files << "\n"
              << "bytes hashed: " << r.bytes_hashed << " (" << static_cast<double>(r.bytes_hashed) / (1 << 20) / seconds
              << " MiB/s)\n"
              << "corrupt: " << r.corrupt << "\n"
              << "unindexed and wrong: " << r.orphan_files << "\n"
              << "stray files: " << r.stray_files << "\n"
              << "indexed but missing: " << r.missing_files << "\n"
              << "adopted into the index: " << r.adopted << "\n";
    if (!r.damaged()) std::cout << "store is sound\n";
    else std::cout << (r.repaired ? "damage repaired\n" : "damage found; run with --repair to fix it\n");
}

int check(const std::string& data_dir, bool repair) {
    const auto index_dir = store_index_dir(data_dir);
    std::optional<storage::store_lock> lock;  // repairs only with strata stopped
    if (repair) lock.emplace(data_dir);
    storage::blob_store blobs(data_dir, /*clean_temp=*/repair);
    storage::metadata_index index(index_dir, repair ? storage::metadata_index::open_mode::read_write
                                                         : storage::metadata_index::open_mode::read_only);
    storage::store_check_options options;
    options.verify_hashes = true;
    options.repair = repair;
    if (::isatty(STDERR_FILENO)) options.progress = print_check_progress;
    const auto start = std::chrono::steady_clock::now();
    const auto report = storage::check_store(blobs, index, options);
    print_summary(report, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() + 1e-9);
    return report.damaged() && !report.repaired ? 1 : 0;
}

}  // namespace

int run_fsck_command(const std::vector<std::string>& args) {
    return run_command("fsck", fsck_usage, args, [&] {
        std::string data_dir = "./var/strata";
        bool repair = false;
        flag_set().text("--data-dir", data_dir).toggle("--repair", repair).parse(args);
        return check(data_dir, repair);
    });
}

}  // namespace strata::proxy
