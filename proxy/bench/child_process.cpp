// child_process: posix_spawnp, waitpid without blocking, SIGTERM then SIGKILL.
#include "proxy/bench/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace strata::proxy {

child_process::child_process(const std::vector<std::string>& argv, const std::filesystem::path& log) {
    std::vector<std::string> args = argv;
    std::vector<char*> raw;
    for (auto& a : args) raw.push_back(a.data());
    raw.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    const int rc = posix_spawnp(&pid_, raw[0], &actions, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + argv.front() + ": " + std::strerror(rc));
    }
}

child_process::~child_process() { stop(std::chrono::seconds(30)); }

std::optional<int> child_process::poll() {
    if (status_ || pid_ <= 0) return status_;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return std::nullopt;
    status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return status_;
}

int child_process::stop(std::chrono::seconds grace) {
    if (pid_ <= 0) return -1;
    if (poll()) return *status_;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (!poll()) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            int status = 0;
            waitpid(pid_, &status, 0);
            status_ = 128 + SIGKILL;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return *status_;
}

int run_to_exit(const std::vector<std::string>& argv, const std::filesystem::path& log, std::chrono::seconds limit) {
    child_process p(argv, log);
    const auto start = std::chrono::steady_clock::now();
    while (!p.poll()) {
        if (limit != std::chrono::seconds::max() && std::chrono::steady_clock::now() - start > limit)
            return p.stop(std::chrono::seconds(1));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return *p.poll();
}

std::string last_lines_of(const std::filesystem::path& file, int lines) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    const auto text = s.str();
    std::size_t pos = text.size();
    for (int i = 0; i <= lines; ++i) {
        if (pos == 0) return text;
        const auto newline = text.rfind('\n', pos - 1);
        if (newline == std::string::npos) return text;
        pos = newline;
    }
    return text.substr(pos + 1);
}

}  // namespace strata::proxy
