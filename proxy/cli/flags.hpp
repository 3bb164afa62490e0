// flags: the one parser of every command's flags, and the readers of their values.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::proxy {

// A command line a command cannot act on. The message names the flag or argument at fault;
// every command prints it with its usage and exits 2.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The flags one command takes. A flag with a value is given as `--name VALUE` or `--name=VALUE`;
// a switch takes none. An undeclared flag, a missing value and a value given to a switch are
// usage errors. Arguments that do not start with "-" ("-" alone among them), and every argument
// after "--", go to the operand handler, in order; without one they are usage errors. Handlers
// may throw usage_error. Parsing is one pass: handlers run in the order the arguments come.
class flag_set {
public:
    using value_handler = std::function<void(const std::string&)>;

    flag_set& value(std::string name, value_handler apply);
    flag_set& text(std::string name, std::string& out);               // the value, as given
    flag_set& list(std::string name, std::vector<std::string>& out);  // each value appended
    flag_set& toggle(std::string name, bool& out, bool set_to = true);
    flag_set& toggle(std::string name, std::function<void()> apply);
    flag_set& operands(value_handler apply);

    void parse(const std::vector<std::string>& args) const;

private:
    struct flag {
        std::string name;
        value_handler apply;
        bool takes_value;
    };
    const flag* find(std::string_view name) const;

    std::vector<flag> flags_;
    value_handler operands_;
};

// Readers of flag values; each throws usage_error naming the flag and what it wants.
std::uint64_t whole_number(std::string_view flag, const std::string& v, std::uint64_t lo, std::uint64_t hi);
double number_in(std::string_view flag, const std::string& v, double lo, double hi);
// A byte size such as 50GB or 2TiB (analytics::parse_byte_size).
std::uint64_t size_flag(std::string_view flag, const std::string& v);
std::string one_of(std::string_view flag, const std::string& v, std::initializer_list<std::string_view> choices);
// "KEY=VALUE" split at the first '='; KEY must not be empty. form names the shape in the error.
std::pair<std::string, std::string> key_value(std::string_view flag, const std::string& v, std::string_view form);
// The non-empty items of a comma-separated list.
std::vector<std::string> comma_list(const std::string& v);

}  // namespace strata::proxy
