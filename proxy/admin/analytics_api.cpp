// analytics_api: query parameters to an analysis request, run off the I/O threads.
#include "proxy/admin/analytics_api.hpp"

#include "analytics/analyses/analysis_runner.hpp"
#include "analytics/report/report_html.hpp"
#include "analytics/inputs/strata_pulls.hpp"
#include "proxy/blocking.hpp"
#include "proxy/protocol/query.hpp"
#include "proxy/reply/replies.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <sstream>
#include <variant>

namespace strata::proxy {
namespace {

constexpr std::string_view prefix = "/api/v1/analytics";

struct api_query {
    analytics::analysis_request request;
    std::string format = "json";
    std::int64_t since_ns = 0;
};

std::size_t parse_top(const std::string& v) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n > 100000) throw std::invalid_argument("top: 0 to 100000");
    return n;
}

api_query parse_query(std::string_view target, std::string name) {
    api_query q;
    q.request.name = std::move(name);
    if (const auto g = query_value(target, "group_by"); !g.empty()) {
        std::stringstream in(g);
        for (std::string part; std::getline(in, part, ',');)
            if (!part.empty()) q.request.group_by.push_back(part);
    } else if (q.request.name == "sizes") {
        q.request.group_by = {"registry"};
    }
    if (const auto t = query_value(target, "top"); !t.empty()) q.request.top = parse_top(t);
    if (const auto k = query_value(target, "k"); !k.empty()) {
        q.request.k = parse_top(k);
        if (q.request.k == 0 || q.request.k > 10000) throw std::invalid_argument("k: 1 to 10000");
    }
    if (const auto b = query_value(target, "by"); !b.empty()) q.request.by = analytics::parse_similarity_basis(b);
    if (const auto c = query_value(target, "cut"); !c.empty()) {
        char* end = nullptr;
        const float cut = std::strtof(c.c_str(), &end);
        if (end != c.c_str() + c.size() || !(cut >= 0 && cut <= 1)) throw std::invalid_argument("cut: 0 to 1");
        q.request.cut = cut;
    }
    if (const auto s = query_value(target, "since"); !s.empty()) {
        std::int64_t secs = 0;
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), secs);
        if (ec != std::errc() || end != s.data() + s.size() || secs < 0 || secs > 9'000'000'000)
            throw std::invalid_argument("since: unix seconds");
        q.since_ns = secs * 1'000'000'000;
    }
    if (const auto b = query_value(target, "base_repos"); !b.empty()) {
        std::stringstream in(b);
        for (std::string part; std::getline(in, part, ',');)
            if (!part.empty()) q.request.base_repositories.push_back(part);
        analytics::check_base_repositories(q.request.base_repositories);
    }
    if (const auto f = query_value(target, "format"); !f.empty()) q.format = f;
    if (q.format != "json" && q.format != "csv" && q.format != "table") throw std::invalid_argument("format: json, csv or table");
    return q;
}

struct api_answer {
    http::status status = http::status::ok;
    std::string content_type, body;
};

api_answer run(const analytics_sources& sources, const api_query& q) {
    analytics::image_catalog images;
    analytics::import_store(images, sources.index, sources.blobs);
    const auto pulls = analytics::pulls_from_event_log(sources.events_log, q.since_ns, std::numeric_limits<std::int64_t>::max());
    if (q.request.name == "report") {
        analytics::report_inputs r;
        r.title = "strata analytics";
        r.generated_at = "strata's cache and pull log";
        r.images = &images;
        r.pulls = &pulls;
        r.prices = sources.prices ? &*sources.prices : nullptr;
        r.pull_group_by = q.request.group_by.empty() ? std::vector<std::string>{"cache"} : q.request.group_by;
        return {http::status::ok, "text/html; charset=utf-8", analytics::render_report(r)};
    }
    auto request = q.request;
    request.prices = sources.prices;
    analytics::analysis_output out;
    try {
        out = analytics::run_analysis(request, images, pulls);
    } catch (const std::invalid_argument& e) {  // the request does not fit the data (too many images)
        const nlohmann::json error = {{"errors", {{{"code", "UNSUPPORTED"}, {"message", e.what()}}}}};
        return {http::status::bad_request, "application/json", json_text(error)};
    }
    if (q.format == "csv") return {http::status::ok, "text/csv; charset=utf-8", analytics::render_csv(out.tables.front())};
    if (q.format == "table") {
        std::string text;
        for (const auto& t : out.tables) text += analytics::render_text(t) + "\n";
        return {http::status::ok, "text/plain; charset=utf-8", text};
    }
    const nlohmann::json doc = {{"analysis", q.request.name},
                                {"inputs", {{"images", analytics::render_json(analytics::image_import_table(images))[0]},
                                            {"strata_requests", pulls.size()}}},
                                {"result", out.json}};
    return {http::status::ok, "application/json", json_text(doc)};
}

bool known(const std::string& name) {
    const auto& names = analytics::analysis_names();
    return name == "report" || std::find(names.begin(), names.end(), name) != names.end();
}

// The parsed query, or what is wrong with it.
std::variant<api_query, std::string> checked_query(const analytics_sources& sources, std::string_view target,
                                                   const std::string& name) {
    try {
        auto q = parse_query(target, name);
        if (name == "cost" && !sources.prices) return std::string("cost: strata has no analytics.prices_file");
        return q;
    } catch (const std::invalid_argument& e) {
        return std::string(e.what());
    }
}

std::string listing() {
    auto names = analytics::analysis_names();
    names.push_back("report");
    return json_text(nlohmann::json{{"analyses", names}});
}

}  // namespace

awaitable<reply> handle_analytics(const analytics_sources& sources, const request& req) {
    const std::string_view target = req.target();
    const auto path = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get) {
        co_return refusal(http::status::method_not_allowed, "UNSUPPORTED", "analytics: GET only", http::field::allow,
                          "GET");
    }
    if (path == prefix || path == "/api/v1/analytics/") {
        co_return text_reply(http::status::ok, "application/json", listing());
    }
    const auto name = std::string(path.substr(prefix.size() + 1));
    if (!known(name)) {
        co_return refusal(http::status::not_found, "NOT_FOUND", "no such analysis");
    }
    auto parsed = checked_query(sources, target, name);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        co_return refusal(http::status::bad_request, "UNSUPPORTED", *problem);
    }
    const auto q = std::get<api_query>(std::move(parsed));
    auto work = [&sources, q] { return run(sources, q); };
    auto answer = co_await run_blocking(sources.blocking, std::move(work));
    co_return text_reply(answer.status, answer.content_type, std::move(answer.body));
}

}  // namespace strata::proxy
