// store_dir: the index directory of a strata data directory that a command reads.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace strata::proxy {

// data_dir/index; std::invalid_argument "no strata store in DIR" when there is none, so a
// mistyped --data-dir is reported as such instead of as whatever RocksDB would say.
inline std::filesystem::path store_index_dir(const std::string& data_dir) {
    auto index = std::filesystem::path(data_dir) / "index";
    if (!std::filesystem::is_directory(index)) throw std::invalid_argument("no strata store in " + data_dir);
    return index;
}

}  // namespace strata::proxy
