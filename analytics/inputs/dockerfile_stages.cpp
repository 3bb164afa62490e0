// dockerfile_stages: ARG substitution with bounds, FROM and COPY --from operands, stage chains.
#include "analytics/inputs/dockerfile_stages.hpp"

#include "analytics/inputs/dockerfile_instructions.hpp"
#include "analytics/inputs/dockerfile_text.hpp"
#include "analytics/inputs/json_input.hpp"
#include "storage/oci/digest.hpp"
#include "storage/oci/reference.hpp"

#include <algorithm>
#include <map>

namespace strata::analytics {
namespace {

constexpr std::size_t max_expansion = 4096;   // bytes of one expanded word or ARG value
constexpr int max_nesting = 8;                // ${a:-${b:-…}} levels
constexpr std::size_t max_arg_bytes = 65536;  // all global ARG values together
constexpr std::size_t max_kept = 1000;        // FROM/COPY --from operands, and RUN steps, per file

using arg_map = std::map<std::string, std::optional<std::string>, std::less<>>;

using namespace dockerfile_chars;

bool is_variable_start(char c) { return is_alpha(c) || c == '_'; }
bool is_variable_char(char c) { return is_alnum(c) || c == '_'; }

std::vector<std::string_view> blank_separated(std::string_view s) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && is_blank(s[i])) ++i;
        const auto start = i;
        while (i < s.size() && !is_blank(s[i])) ++i;
        if (i > start) words.push_back(s.substr(start, i - start));
    }
    return words;
}

// $NAME, ${NAME}, ${NAME:-word}, ${NAME-word}, ${NAME:+word}, ${NAME+word} as the Dockerfile
// reference describes; `\$` is a literal dollar. Anything else after a name is unsupported
// and leaves the name unresolved.
class expander {
public:
    expander(const arg_map& args, char escape) : args_(args), escape_(escape) {}

    std::vector<std::string> unresolved;
    bool overflow = false;

    void expand(std::string_view w, std::string& out, int depth = 0) {
        if (depth > max_nesting) return void(overflow = true);
        std::size_t i = 0;
        while (i < w.size() && !overflow) {
            if (w[i] == escape_ && i + 1 < w.size() && w[i + 1] == '$') {
                out.push_back('$'), i += 2;
            } else if (w[i] == '$' && i + 1 < w.size() && w[i + 1] == '{') {
                i = braced(w, i, out, depth);
            } else if (w[i] == '$' && i + 1 < w.size() && is_variable_start(w[i + 1])) {
                auto end = i + 1;
                while (end < w.size() && is_variable_char(w[end])) ++end;
                substitute(w.substr(i + 1, end - i - 1), out);
                i = end;
            } else {
                out.push_back(w[i++]);
            }
            if (out.size() > max_expansion) overflow = true;
        }
    }

private:
    // Expands the ${…} starting at w[i]; returns the index after it. An unclosed brace is text.
    std::size_t braced(std::string_view w, std::size_t i, std::string& out, int depth) {
        std::size_t j = i + 2;
        for (int open = 1; j < w.size(); ++j) {
            if (w[j] == '{') ++open;
            if (w[j] == '}' && --open == 0) break;
        }
        if (j >= w.size()) {
            out.append(w.substr(i, max_expansion + 1));
            return w.size();
        }
        const auto inner = w.substr(i + 2, j - i - 2);
        std::size_t n = 0;
        while (n < inner.size() && is_variable_char(inner[n])) ++n;
        modified(inner.substr(0, n), inner.substr(n), out, depth);
        return j + 1;
    }

    void modified(std::string_view name, std::string_view rest, std::string& out, int depth) {
        if (rest.empty() && !name.empty()) return substitute(name, out);
        const bool colon = rest.starts_with(':');
        if (colon) rest.remove_prefix(1);
        const char op = rest.empty() ? '\0' : rest.front();
        if (name.empty() || (op != '-' && op != '+')) return note_unresolved(name.empty() ? "${}" : name);
        const auto it = args_.find(name);
        const bool set = it != args_.end() && it->second && (!colon || !it->second->empty());
        if (op == '-') {
            if (set) out.append(*it->second);
            else expand(rest.substr(1), out, depth + 1);
        } else if (set) {
            expand(rest.substr(1), out, depth + 1);
        }
    }

    void substitute(std::string_view name, std::string& out) {
        const auto it = args_.find(name);
        if (it != args_.end() && it->second) out.append(*it->second);
        else note_unresolved(name);
    }

    void note_unresolved(std::string_view name) {
        if (std::find(unresolved.begin(), unresolved.end(), name) == unresolved.end() && unresolved.size() < 16)
            unresolved.emplace_back(name);
    }

    const arg_map& args_;
    char escape_;
};

// ARG's words: NAME or NAME=value, values possibly quoted.
std::vector<std::string> arg_words(std::string_view s, char escape) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    char quote = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (quote) {
            if (c == quote) quote = 0;
            else cur.push_back(c);
        } else if (c == '"' || c == '\'') {
            quote = c, in_word = true;
        } else if (c == escape && i + 1 < s.size() && s[i + 1] != '$') {
            cur.push_back(s[++i]), in_word = true;
        } else if (is_blank(c)) {
            if (in_word) words.push_back(std::move(cur)), cur.clear(), in_word = false;
        } else {
            cur.push_back(c), in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(cur));
    return words;
}

class stage_reader {
public:
    explicit stage_reader(char escape) : escape_(escape) {}

    void instruction(const dockerfile_instruction& ins) {
        if (ins.keyword == "ARG" && out_.stages == 0) return global_arg(ins.arguments);
        const bool full = out_.bases.size() >= max_kept;
        if (ins.keyword == "FROM" && !full) return from(ins);
        if (ins.keyword == "COPY" && !full) return copy(ins);
        if (ins.keyword == "RUN" && out_.runs.size() < max_kept) return run(ins);
        if (ins.keyword == "FROM" || ins.keyword == "COPY" || ins.keyword == "RUN") ++out_.dropped;
    }

    dockerfile_facts finish(std::size_t instructions, std::size_t unterminated) {
        out_.instructions = instructions;
        out_.unterminated_heredocs = unterminated;
        if (!roots_.empty()) out_.final_base = roots_.back();
        return std::move(out_);
    }

private:
    void global_arg(std::string_view arguments) {
        for (const auto& word : arg_words(arguments, escape_)) {
            const auto eq = word.find('=');
            const auto name = word.substr(0, eq);
            if (name.empty() || args_.size() >= 1000) continue;
            if (eq == std::string::npos) {
                args_.try_emplace(name);
                continue;
            }
            expander e(args_, escape_);
            std::string value;
            e.expand(std::string_view(word).substr(eq + 1), value);
            // A default built from variables without a value has none itself, so a FROM using it
            // names this ARG as the unresolved one.
            const bool keep = !e.overflow && e.unresolved.empty() && arg_bytes_ + value.size() <= max_arg_bytes;
            if (keep) arg_bytes_ += value.size();
            args_[name] = keep ? std::optional<std::string>(std::move(value)) : std::nullopt;
        }
    }

    // Classifies an operand: an earlier stage, scratch, an image, or why it is none of them.
    void classify(std::string_view operand, base_reference& b) {
        b.written = std::string(operand.substr(0, max_expansion));
        expander e(args_, escape_);
        std::string expanded;
        e.expand(operand, expanded);
        if (e.overflow) {
            b.kind = base_kind::invalid, b.problem = "more than 4096 bytes or 8 nested ${…} once expanded";
        } else if (!e.unresolved.empty()) {
            b.kind = base_kind::unresolved, b.variables = std::move(e.unresolved);
        } else if (const auto name = lower(expanded); aliases_.contains(name)) {
            b.kind = base_kind::stage, b.reference = name;
        } else if (name == "scratch") {
            b.kind = base_kind::scratch, b.reference = "scratch";
        } else if (auto ref = normalise_image_reference(expanded, b.problem)) {
            b.kind = base_kind::image, b.reference = std::move(*ref);
        } else {
            b.kind = base_kind::invalid;
        }
    }

    std::string root_of(const base_reference& b) const {
        switch (b.kind) {
        case base_kind::image:
        case base_kind::scratch: return b.reference;
        case base_kind::stage: return aliases_.at(b.reference);
        default: return {};
        }
    }

    void from(const dockerfile_instruction& ins) {
        base_reference b;
        b.line = ins.line;
        std::vector<std::string_view> operands;
        for (const auto w : blank_separated(ins.arguments)) {
            if (w.starts_with("--platform=")) b.platform = std::string(w.substr(11, 256));
            else if (!w.starts_with("--")) operands.push_back(w);
        }
        if (operands.empty()) {
            b.kind = base_kind::invalid, b.problem = "FROM names no image";
        } else {
            classify(operands[0], b);
        }
        if (operands.size() >= 3 && lower(operands[1]) == "as") b.alias = lower(operands[2].substr(0, 128));
        roots_.push_back(root_of(b));
        if (!b.alias.empty()) aliases_[b.alias] = roots_.back();
        ++out_.stages;
        out_.bases.push_back(std::move(b));
    }

    void copy(const dockerfile_instruction& ins) {
        for (const auto w : blank_separated(ins.arguments)) {
            if (!w.starts_with("--")) return;  // flags come first
            if (!w.starts_with("--from=")) continue;
            const auto from = w.substr(7);
            const bool index = !from.empty() && std::all_of(from.begin(), from.end(), is_digit);
            if (index) return;
            base_reference b;
            b.line = ins.line, b.copy_from = true;
            classify(from, b);
            if (b.kind != base_kind::stage) out_.bases.push_back(std::move(b));
            return;
        }
    }

    void run(const dockerfile_instruction& ins) {
        run_command r{ins.line, exec_form_words(ins.arguments)};
        for (const auto& body : ins.heredocs) r.command.append("\n").append(body);
        out_.runs.push_back(std::move(r));
    }

    // Exec form (a JSON array of strings) as its words joined by spaces; shell form unchanged.
    static std::string exec_form_words(const std::string& arguments) {
        if (!arguments.starts_with('[')) return arguments;
        const auto doc = parse_json_guarded(arguments);
        if (!doc.is_array()) return arguments;
        std::string out;
        for (const auto& w : doc)
            if (w.is_string()) out.append(out.empty() ? "" : " ").append(w.get<std::string>());
        return out;
    }

    char escape_;
    arg_map args_;
    std::size_t arg_bytes_ = 0;
    std::map<std::string, std::string, std::less<>> aliases_;  // alias -> its root
    std::vector<std::string> roots_;                            // per stage
    dockerfile_facts out_;
};

bool is_domain(std::string_view first) {
    if (first == "localhost") return true;
    if (first.find_first_of(".:") != std::string_view::npos) return true;
    return lower(first) != first;
}

}  // namespace

std::optional<std::string> normalise_image_reference(std::string_view text, std::string& problem) {
    std::string_view name = text, digest, tag;
    const bool has_digest = name.find('@') != std::string_view::npos;
    if (has_digest) digest = name.substr(name.find('@') + 1), name = name.substr(0, name.find('@'));
    const auto colon = name.rfind(':'), last_slash = name.rfind('/');
    const bool has_tag = colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash);
    if (has_tag) tag = name.substr(colon + 1), name = name.substr(0, colon);
    const auto slash = name.find('/');
    std::string domain = "docker.io", repository(name);
    if (slash != std::string_view::npos && is_domain(name.substr(0, slash)))
        domain = std::string(name.substr(0, slash)), repository = std::string(name.substr(slash + 1));
    if (domain == "index.docker.io") domain = "docker.io";
    if (domain == "docker.io" && repository.find('/') == std::string::npos) repository = "library/" + repository;
    if (!storage::is_valid_registry_host(domain)) problem = "not a registry host: " + domain.substr(0, 64);
    else if (!storage::is_valid_repository(repository)) problem = "not a repository name (lower case letters, digits, . _ - /)";
    else if (!tag.empty() && !storage::is_valid_tag(tag)) problem = "not a tag: " + std::string(tag.substr(0, 64));
    else if (!digest.empty() && !storage::digest::parse(digest)) problem = "not a digest: " + std::string(digest.substr(0, 80));
    else if (has_tag && tag.empty()) problem = "empty tag";
    else if (has_digest && digest.empty()) problem = "empty digest";
    if (!problem.empty()) return std::nullopt;
    auto out = domain + '/' + repository;
    if (!tag.empty() || digest.empty()) out += ':' + std::string(tag.empty() ? "latest" : tag);
    if (!digest.empty()) out += '@' + std::string(digest);
    return out;
}

dockerfile_facts read_dockerfile(std::string_view text) {
    const auto parsed = read_dockerfile_instructions(text);
    stage_reader reader(parsed.escape);
    for (const auto& ins : parsed.instructions) reader.instruction(ins);
    return reader.finish(parsed.instructions.size(), parsed.unterminated_heredocs);
}

}  // namespace strata::analytics
