// flag_set: declared flags, one pass over the arguments, and value readers that name the flag.
#include "proxy/cli/flags.hpp"

#include "analytics/inputs/byte_size.hpp"
#include "storage/untrusted/text_escape.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace strata::proxy {

flag_set& flag_set::value(std::string name, value_handler apply) {
    flags_.push_back({std::move(name), std::move(apply), true});
    return *this;
}

flag_set& flag_set::text(std::string name, std::string& out) {
    return value(std::move(name), [&out](const std::string& v) { out = v; });
}

flag_set& flag_set::list(std::string name, std::vector<std::string>& out) {
    return value(std::move(name), [&out](const std::string& v) { out.push_back(v); });
}

flag_set& flag_set::toggle(std::string name, bool& out, bool set_to) {
    flags_.push_back({std::move(name), [&out, set_to](const std::string&) { out = set_to; }, false});
    return *this;
}

flag_set& flag_set::toggle(std::string name, std::function<void()> apply) {
    flags_.push_back({std::move(name), [apply = std::move(apply)](const std::string&) { apply(); }, false});
    return *this;
}

flag_set& flag_set::operands(value_handler apply) {
    operands_ = std::move(apply);
    return *this;
}

const flag_set::flag* flag_set::find(std::string_view name) const {
    for (const auto& f : flags_)
        if (f.name == name) return &f;
    return nullptr;
}

void flag_set::parse(const std::vector<std::string>& args) const {
    bool flags_over = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const auto& arg = args[i];
        if (flags_over || arg.size() < 2 || arg[0] != '-') {
            if (!operands_) throw usage_error("unexpected argument '" + storage::printable(arg) + "'");
            operands_(arg);
            continue;
        }
        if (arg == "--") {
            flags_over = true;
            continue;
        }
        const auto eq = arg.find('=');
        const std::string name = arg.substr(0, eq);
        const flag* f = find(name);
        if (!f) throw usage_error("unknown flag " + storage::printable(name));
        if (!f->takes_value) {
            if (eq != std::string::npos) throw usage_error(name + " takes no value");
            f->apply({});
        } else if (eq != std::string::npos) {
            f->apply(arg.substr(eq + 1));
        } else {
            if (i + 1 >= args.size()) throw usage_error(name + " needs a value");
            f->apply(args[++i]);
        }
    }
}

std::uint64_t whole_number(std::string_view flag, const std::string& v, std::uint64_t lo, std::uint64_t hi) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc{} || end != v.data() + v.size() || n < lo || n > hi)
        throw usage_error(std::string(flag) + " wants a whole number from " + std::to_string(lo) + " to " +
                          std::to_string(hi));
    return n;
}

double number_in(std::string_view flag, const std::string& v, double lo, double hi) {
    char* end = nullptr;
    const double d = v.empty() || std::isspace(static_cast<unsigned char>(v[0])) ? NAN : std::strtod(v.c_str(), &end);
    if (end != v.c_str() + v.size() || !(d >= lo && d <= hi)) {
        std::ostringstream what;
        what << flag << " wants a number from " << lo << " to " << hi;
        throw usage_error(what.str());
    }
    return d;
}

std::string one_of(std::string_view flag, const std::string& v, std::initializer_list<std::string_view> choices) {
    std::string names;
    for (const auto c : choices) {
        if (v == c) return v;
        names += (names.empty() ? "" : ", ") + std::string(c);
    }
    throw usage_error(std::string(flag) + " wants one of " + names + ", not '" + storage::printable(v) + "'");
}

std::pair<std::string, std::string> key_value(std::string_view flag, const std::string& v, std::string_view form) {
    const auto eq = v.find('=');
    if (eq == std::string::npos || eq == 0) throw usage_error(std::string(flag) + " wants " + std::string(form));
    return {v.substr(0, eq), v.substr(eq + 1)};
}

std::vector<std::string> comma_list(const std::string& v) {
    std::vector<std::string> out;
    std::stringstream in(v);
    for (std::string part; std::getline(in, part, ',');)
        if (!part.empty()) out.push_back(part);
    return out;
}

std::uint64_t size_flag(std::string_view flag, const std::string& v) {
    const auto s = analytics::parse_byte_size(v);
    if (!s) throw usage_error(std::string(flag) + " wants a size such as 50GB or 2TiB, not '" + storage::printable(v) + "'");
    return *s;
}

}  // namespace strata::proxy
