// prefetch: resolve images to their blobs, then a fixed number of workers fetch them.
#include "proxy/registry/prefetch.hpp"

#include "storage/untrusted/text_escape.hpp"

#include "proxy/protocol/accept.hpp"
#include "proxy/protocol/route.hpp"
#include "storage/oci/manifest.hpp"

#include <spdlog/spdlog.h>

#include <set>

namespace strata::proxy {
namespace {


struct blob_job {
    route r;
    storage::descriptor blob;
};

// What the workers share; they all run on one executor (the request's thread), so plain fields.
struct prefetch_run {
    prefetch_run(const prefetch_services& s, const prefetch_progress& p) : services(s), progress(p) {}
    const prefetch_services& services;
    const prefetch_progress& progress;
    std::vector<blob_job> jobs;
    std::size_t next = 0;
    std::size_t running = 0;
    prefetch_summary summary;
};

// "ghcr.io/org/app:v1" -> "/v2/ghcr.io/org/app/manifests/v1"; a missing tag means latest.
std::string manifest_target(std::string_view image) {
    std::string_view name = image, reference = "latest";
    if (const auto at = image.find('@'); at != std::string_view::npos) {
        name = image.substr(0, at);
        reference = image.substr(at + 1);
    } else if (const auto colon = image.rfind(':');
               colon != std::string_view::npos && image.find('/', colon) == std::string_view::npos) {
        name = image.substr(0, colon);
        reference = image.substr(colon + 1);
    }
    return "/v2/" + std::string(name) + "/manifests/" + std::string(reference);
}

accept_list every_manifest_type() {
    accept_list accept;
    for (auto type : {storage::media_type::oci_index, storage::media_type::oci_manifest,
                      storage::media_type::docker_manifest_list, storage::media_type::docker_manifest})
        accept.add_header(type);
    return accept;
}

bool platform_matches(const std::string& wanted, const std::string& platform) {
    return wanted.empty() || platform == wanted || platform.starts_with(wanted + "/");
}

// The manifest at r (fetched or cached) and what it references.
awaitable<result<storage::parsed_manifest>> resolve(const prefetch_services& services, const route& r) {
    const auto accept = every_manifest_type();  // named first: see run_blocking on GCC 12
    auto got = co_await services.manifests.get(r, accept);
    if (!got) co_return got.error();
    co_return storage::parse_manifest(got->manifest->body, got->manifest->media_type);
}

std::string error_text(errc e) { return make_error_code(e).message(); }

// "no platform matches linux/s390x; the index has linux/amd64, linux/arm64/v8".
std::string no_platform_text(const std::string& wanted, const std::vector<storage::descriptor>& children) {
    constexpr std::size_t named = 16;  // an upstream's index may list thousands: the first few say enough
    std::string has;
    for (std::size_t i = 0; i < std::min(children.size(), named); ++i) {
        const auto& p = children[i].platform;
        has += (has.empty() ? "" : ", ") + (p.empty() ? std::string("(none)") : storage::log_value(p.substr(0, 64)));
    }
    if (children.size() > named) has += " and " + std::to_string(children.size() - named) + " more";
    return "no platform matches " + storage::log_value(wanted) + "; the index has " + (has.empty() ? "none" : has);
}

// Adds the blobs of one image (every chosen platform of an index) to run.jobs. Empty, or what
// went wrong.
awaitable<std::string> plan_image(prefetch_run& run, const prefetch_options& options, const std::string& image,
                                  std::set<std::string>& planned) {
    auto r = parse_route(manifest_target(image), run.services.cfg);
    if (!r) co_return error_text(to_errc(r.error()));
    if (r->kind != endpoint::manifest) co_return error_text(errc::name_invalid);
    auto top = co_await resolve(run.services, *r);
    if (!top) co_return error_text(to_errc(top.error()));
    ++run.summary.manifests;
    std::vector<storage::descriptor> blobs = top->children;
    if (storage::is_index_media_type(top->media_type)) {
        blobs.clear();
        bool matched = false;
        for (const auto& child : top->children) {
            if (!platform_matches(options.platform, child.platform)) continue;
            matched = true;
            auto child_route = *r;
            child_route.reference = child.digest_value.str();
            auto image_manifest = co_await resolve(run.services, child_route);
            if (!image_manifest) co_return error_text(to_errc(image_manifest.error()));
            ++run.summary.manifests;
            blobs.insert(blobs.end(), image_manifest->children.begin(), image_manifest->children.end());
        }
        if (!matched) co_return no_platform_text(options.platform, top->children);
    }
    for (auto& b : blobs)
        if (planned.insert(b.digest_value.str()).second) run.jobs.push_back({*r, std::move(b)});
    co_return std::string();
}

// Waits for a download someone started (perhaps this prefetch) to commit or fail.
awaitable<blob_fetch::snapshot> wait_for_fetch(blob_fetch& fetch) {
    auto wake = fetch.subscribe(co_await asio::this_coro::executor);
    auto s = fetch.state();
    while (s.state == blob_fetch::phase::connecting || s.state == blob_fetch::phase::streaming) {
        co_await wake->async_receive(with_ec);
        s = fetch.state();
    }
    co_return s;
}

awaitable<void> fetch_blob(prefetch_run& run, const blob_job& job) {
    nlohmann::json line = {{"blob", job.blob.digest_value.str()}, {"size", job.blob.size}};
    auto acquired = run.services.fetcher.acquire(job.r, job.blob.digest_value);
    if (acquired && std::holds_alternative<storage::open_blob>(*acquired)) {
        ++run.summary.blobs_cached;
        line["status"] = "cached";
    } else if (acquired) {
        const auto done = co_await wait_for_fetch(*std::get<std::shared_ptr<blob_fetch>>(*acquired));
        if (done.state == blob_fetch::phase::committed) {
            ++run.summary.blobs_fetched;
            run.summary.bytes_fetched += done.written;
            line["status"] = "fetched";
        } else {
            ++run.summary.blobs_failed;
            line["status"] = "failed";
            line["error"] = std::string(error_code(done.error).message());
        }
    } else {
        ++run.summary.blobs_failed;
        line["status"] = "failed";
        line["error"] = acquired.error().message();
    }
    if (line["status"] == "failed")
        run.summary.errors.push_back(job.blob.digest_value.str() + ": " + line["error"].get<std::string>());
    co_await run.progress(line);
}

awaitable<void> worker(prefetch_run& run) {
    while (run.next < run.jobs.size()) {
        const auto& job = run.jobs[run.next++];
        co_await fetch_blob(run, job);
    }
}

}  // namespace

nlohmann::json prefetch_summary::to_json() const {
    return {{"images", images},
            {"images_failed", images_failed},
            {"manifests", manifests},
            {"blobs_fetched", blobs_fetched},
            {"blobs_cached", blobs_cached},
            {"blobs_failed", blobs_failed},
            {"bytes_fetched", bytes_fetched},
            {"errors", errors}};
}

awaitable<prefetch_summary> prefetch_images(const prefetch_services& services, const prefetch_options& options,
                                            const prefetch_progress& progress) {
    prefetch_run run(services, progress);
    std::set<std::string> planned;
    for (const auto& image : options.images) {
        ++run.summary.images;
        const auto problem = co_await plan_image(run, options, image, planned);
        if (problem.empty()) continue;
        ++run.summary.images_failed;
        run.summary.errors.push_back(image + ": " + problem);
        // Named first: GCC 12 mishandles braced temporaries inside co_await (see run_blocking).
        const nlohmann::json line = {{"image", image}, {"status", "failed"}, {"error", problem}};
        co_await progress(line);
    }
    const auto executor = co_await asio::this_coro::executor;
    asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
    run.running = std::min(std::max<std::size_t>(options.concurrency, 1), run.jobs.size());
    for (std::size_t i = 0; i < run.running; ++i) {
        auto finished = [&run, &all_done](std::exception_ptr e) {
            if (e) spdlog::error("prefetch worker failed");
            if (--run.running == 0) all_done.cancel();
        };
        asio::co_spawn(executor, worker(run), std::move(finished));
    }
    if (run.running > 0) co_await all_done.async_wait(with_ec);
    spdlog::info("prefetch images={} blobs_fetched={} blobs_cached={} failed={} bytes={}", run.summary.images,
                 run.summary.blobs_fetched, run.summary.blobs_cached,
                 run.summary.images_failed + run.summary.blobs_failed, run.summary.bytes_fetched);
    co_return run.summary;
}

}  // namespace strata::proxy
