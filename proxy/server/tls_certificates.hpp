// tls_certificates: the listener's TLS context, loaded from a certificate chain and key file and
// replaced when they change on disk.
#pragma once

#include "proxy/net.hpp"

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace strata::proxy {

// The TLS context new connections are accepted with. A connection keeps the context it started
// with; a reload only affects connections accepted after it. Thread-safe.
class tls_certificates {
public:
    // Loads the pair; throws config_error naming the file and what is wrong with it.
    tls_certificates(std::filesystem::path cert_file, std::filesystem::path key_file);

    std::shared_ptr<ssl::context> current() const;

    enum class reload_result { unchanged, reloaded, failed };
    // Loads the pair again when either file changed (modification time or size) since the last
    // attempt. A pair that fails to load leaves the previous one serving; error says why.
    reload_result reload_if_changed(std::string& error);

private:
    struct stamp {
        std::filesystem::file_time_type modified;
        std::uintmax_t size;
        bool operator==(const stamp&) const = default;
    };
    std::pair<stamp, stamp> stamps() const;
    std::shared_ptr<ssl::context> load() const;

    std::filesystem::path cert_file_, key_file_;
    mutable std::mutex mutex_;
    std::pair<stamp, stamp> attempted_;  // the files as they were before the last load attempt
    std::shared_ptr<ssl::context> current_;
};

}  // namespace strata::proxy
