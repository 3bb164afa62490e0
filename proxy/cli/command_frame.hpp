// command_frame: what every command does around its work: --help, and errors in the user's words.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::proxy {

// True when any argument is --help or -h (`strata analyze sizes --help`, `strata events export
// -h`): the command then prints its usage and exits 0 instead of parsing the rest.
bool wants_help(const std::vector<std::string>& args);

// Runs one command's body and turns what it throws into a message and an exit status:
//   --help or -h anywhere: the usage on stdout, 0 (the body does not run);
//   usage_error: "strata <command>: <what>" and the usage on stderr, 2;
//   config_error: "strata <command>: configuration error: <what>", 2;
//   std::invalid_argument (an input the user named is not what it must be): the message, 2;
//   any other exception: the message, 1.
// Otherwise the body's own exit status.
int run_command(std::string_view command, std::string_view usage, const std::vector<std::string>& args,
                const std::function<int()>& body);

}  // namespace strata::proxy
