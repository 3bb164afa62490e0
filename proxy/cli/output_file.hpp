// output_file: writing a command's output file so a reader never sees half of it.
#pragma once

#include <filesystem>
#include <string_view>

namespace strata::proxy {

// Writes text to path.tmp, then renames it over path. Throws std::runtime_error (or
// std::filesystem::filesystem_error) when it cannot.
void write_file_atomically(const std::filesystem::path& path, std::string_view text);

}  // namespace strata::proxy
