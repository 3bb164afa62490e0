// temp_dir: a fresh directory for one test, removed with everything in it at the end of the scope.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace strata::test {

struct temp_dir {
    std::filesystem::path path;

    temp_dir() {
        static std::atomic<int> counter{0};
        path = std::filesystem::temp_directory_path() /
               ("strata-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
};

}  // namespace strata::test
