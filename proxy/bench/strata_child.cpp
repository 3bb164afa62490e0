// strata_child: posix_spawn of /proc/self/exe, a log polled for "strata listening address=".
#include "proxy/bench/strata_child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace strata::proxy {
namespace {

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string last_lines(const std::string& text, int lines) {
    std::size_t pos = text.size();
    for (int i = 0; i <= lines; ++i) {
        if (pos == 0) return text;
        const auto newline = text.rfind('\n', pos - 1);
        if (newline == std::string::npos) return text;
        pos = newline;
    }
    return text.substr(pos + 1);
}

// The port in "strata listening address=127.0.0.1:PORT", or 0.
unsigned listening_port(const std::string& log) {
    const std::string mark = "strata listening address=127.0.0.1:";
    const auto at = log.find(mark);
    if (at == std::string::npos) return 0;
    const auto port = std::strtoul(log.c_str() + at + mark.size(), nullptr, 10);
    return port <= 65535 ? static_cast<unsigned>(port) : 0;
}

}  // namespace

strata_child::strata_child(const std::filesystem::path& dir, const std::string& upstream_name,
                           const std::string& upstream_url, const std::vector<std::string>& extra_flags,
                           std::chrono::seconds wait) {
    std::filesystem::create_directories(dir);
    const auto log = dir / "strata.log";
    std::vector<std::string> args = {"strata", "serve", "--listen", "127.0.0.1:0", "--data-dir", (dir / "data").string(),
                                     "--upstream", upstream_name + "=" + upstream_url,
                                     "--default-upstream", upstream_name};
    args.insert(args.end(), extra_flags.begin(), extra_flags.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    const int rc = posix_spawn(&pid_, "/proc/self/exe", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start strata serve: " + std::string(strerror(rc)));
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        const auto text = read_file(log);
        if ((port_ = listening_port(text)) != 0) return;
        int status = 0;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("the bench's strata exited before it listened:\n" + last_lines(text, 5));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            pid_ = -1;
            throw std::runtime_error("the bench's strata did not listen within " + std::to_string(wait.count()) +
                                     " s; its log:\n" + last_lines(text, 5));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// SIGTERM, then SIGKILL if it has not exited within 30 s (a shutdown held by a stalled upstream).
strata_child::~strata_child() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace strata::proxy
