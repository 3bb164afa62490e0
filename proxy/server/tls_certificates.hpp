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
    // Reads both files and loads them again when either's content differs from the last
    // attempt's (whatever happened to their times and sizes). A pair that fails to load leaves the
    // previous one serving; error says why (the same failure is reported once).
    reload_result reload_if_changed(std::string& error);

private:
    struct pem_files {
        std::string cert, key;
        bool operator==(const pem_files&) const = default;
    };
    pem_files read() const;
    std::shared_ptr<ssl::context> load(const pem_files& files) const;

    std::filesystem::path cert_file_, key_file_;
    mutable std::mutex mutex_;
    pem_files attempted_;     // the files' content at the last load attempt
    std::string last_error_;  // the last failure reported (an unreadable file is reported once)
    std::shared_ptr<ssl::context> current_;
};

}  // namespace strata::proxy
