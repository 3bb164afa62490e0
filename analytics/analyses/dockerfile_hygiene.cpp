// dockerfile_hygiene: text matching on created_by lines, one image at a time.
#include "analytics/analyses/dockerfile_hygiene.hpp"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <unordered_set>

namespace strata::analytics {
namespace {

bool contains(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Whitespace-separated words of a command, in order.
class word_scanner {
public:
    explicit word_scanner(std::string_view text) : text_(text) {}
    bool next(std::string_view& word) {
        while (pos_ < text_.size() && is_space(text_[pos_])) ++pos_;
        const auto start = pos_;
        while (pos_ < text_.size() && !is_space(text_[pos_])) ++pos_;
        word = text_.substr(start, pos_ - start);
        return !word.empty();
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

// word ends with one of tools, at a word boundary ("apt-get", "/usr/bin/apt-get", "&&apk").
bool ends_with_tool(std::string_view word, std::initializer_list<std::string_view> tools) {
    return std::any_of(tools.begin(), tools.end(), [word](std::string_view t) {
        return word.ends_with(t) && (word.size() == t.size() || !is_word_char(word[word.size() - t.size() - 1]));
    });
}

bool starts_with_word(std::string_view word, std::string_view verb) {
    return word.starts_with(verb) && (word.size() == verb.size() || !is_word_char(word[verb.size()]));
}

// A tool, then any option words (-y, --no-cache), then the verb: a linear scan. (std::regex
// recursed once per character here and overflowed the stack on a long command.)
bool runs(std::string_view command, std::initializer_list<std::string_view> tools, std::string_view verb) {
    word_scanner words(command);
    std::string_view w;
    bool after_tool = false;
    while (words.next(w)) {
        if (after_tool && w.size() > 1 && w.front() == '-') continue;
        if (after_tool && starts_with_word(w, verb)) return true;
        after_tool = ends_with_tool(w, tools);
    }
    return false;
}

void keep_biggest(std::vector<layer_with_step>& list, std::size_t n) {
    std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return a.size != b.size ? a.size > b.size : a.digest < b.digest;
    });
    if (list.size() > n) list.resize(n);
}

}  // namespace

package_manager installs_packages(std::string_view created_by) {
    if (runs(created_by, {"apt", "apt-get"}, "install")) return package_manager::apt;
    if (runs(created_by, {"yum", "dnf", "microdnf"}, "install")) return package_manager::yum;
    if (runs(created_by, {"apk"}, "add")) return package_manager::apk;
    return package_manager::none;
}

bool cleans_package_cache(std::string_view s, package_manager manager) {
    switch (manager) {
    case package_manager::apt:
        return contains(s, "/var/lib/apt/lists") || contains(s, "apt-get clean") || contains(s, "apt clean");
    case package_manager::yum:
        return contains(s, "clean all") || contains(s, "/var/cache/yum") || contains(s, "/var/cache/dnf");
    case package_manager::apk:
        return contains(s, "--no-cache") || contains(s, "/var/cache/apk");
    case package_manager::none:
        return true;
    }
    return true;
}

void hygiene_builder::add(const image& img) {
    ++h_.images;
    layer_counts_.push_back(static_cast<double>(img.layers.size()));
    if (img.history.empty()) return;
    ++h_.images_with_history;
    const auto steps = img.layer_steps();
    const bool aligned = steps.size() == img.layers.size();
    for (std::size_t i = 0; i < steps.size(); ++i) {
        ++h_.layer_steps;
        const auto& cmd = steps[i]->created_by;
        const auto manager = installs_packages(cmd);
        const bool uncleaned = manager != package_manager::none && !cleans_package_cache(cmd, manager);
        if (manager != package_manager::none) ++h_.install_steps;
        if (uncleaned) ++h_.uncleaned_install_steps;
        if (!aligned) continue;
        // A base layer shared by many images is one layer: each digest once.
        if (!listed_.insert(img.layers[i].digest).second) continue;
        layer_with_step l{img.name(), img.layers[i].digest, cmd, img.layers[i].size};
        if (uncleaned) h_.uncleaned.push_back(l);
        h_.biggest.push_back(std::move(l));
    }
    // Each digest comes once, so the top n of everything is the top n of the top n so far and the rest.
    if (h_.biggest.size() > 4 * top_n_ + 1024) keep_biggest(h_.biggest, top_n_);
    if (h_.uncleaned.size() > 4 * top_n_ + 1024) keep_biggest(h_.uncleaned, top_n_);
}

hygiene_summary hygiene_builder::finish() && {
    auto h = std::move(h_);
    keep_biggest(h.biggest, top_n_);
    keep_biggest(h.uncleaned, top_n_);
    h.uncleaned_share = h.install_steps ? static_cast<double>(h.uncleaned_install_steps) / h.install_steps : 0;
    h.layers_per_image = describe(std::move(layer_counts_));
    return h;
}

hygiene_summary dockerfile_hygiene(const std::vector<image>& images, std::size_t top_n) {
    hygiene_builder builder(top_n);
    for (const auto& img : images) builder.add(img);
    return std::move(builder).finish();
}

}  // namespace strata::analytics
