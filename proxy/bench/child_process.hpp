// child_process: a program the bench runs beside itself (strata serve, containerd, ctr), its
// output in a log file, stopped for sure.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace strata::proxy {

class child_process {
public:
    // Starts argv[0] (searched in PATH unless it holds a '/'), stdin from /dev/null, stdout and
    // stderr to log. Throws std::runtime_error naming the program when it cannot start.
    child_process(const std::vector<std::string>& argv, const std::filesystem::path& log);
    ~child_process();  // stop(30 s)
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;

    // The exit status once it has exited (a signal's number + 128), nullopt while it runs.
    std::optional<int> poll();
    // SIGTERM, then SIGKILL once grace has passed; the exit status.
    int stop(std::chrono::seconds grace);

private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

// Runs argv (as child_process does) to its exit and returns its exit status. One still running
// after limit is stopped (SIGTERM, then SIGKILL a second later), and stop's status is returned.
int run_to_exit(const std::vector<std::string>& argv, const std::filesystem::path& log,
                std::chrono::seconds limit = std::chrono::seconds::max());

// The last `lines` lines of a file, for an error message.
std::string last_lines_of(const std::filesystem::path& file, int lines);

}  // namespace strata::proxy
