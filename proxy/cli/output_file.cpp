// output_file: a temp file beside the target, then rename(2).
#include "proxy/cli/output_file.hpp"

#include <fstream>
#include <stdexcept>

namespace strata::proxy {

void write_file_atomically(const std::filesystem::path& path, std::string_view text) {
    auto tmp = path;
    tmp += ".tmp";
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f.write(text.data(), static_cast<std::streamsize>(text.size())) || !f.flush())
            throw std::runtime_error("cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, path);
}

}  // namespace strata::proxy
