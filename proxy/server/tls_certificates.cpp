// tls_certificates: a server context (TLS 1.2 and later) from PEM files, with errors in plain words.
#include "proxy/server/tls_certificates.hpp"

#include "proxy/config/config.hpp"

#include <openssl/ssl.h>

#include <fstream>
#include <system_error>

namespace strata::proxy {
namespace {

// "server.tls: cannot read FILE: reason" before OpenSSL's words for a missing or unreadable file.
void require_readable(const std::filesystem::path& file, const char* what) {
    std::ifstream in(file);
    if (!in) {
        const std::error_code ec(errno, std::generic_category());
        throw config_error("server.tls: cannot read the " + std::string(what) + " " + file.string() + ": " + ec.message());
    }
}

}  // namespace

tls_certificates::tls_certificates(std::filesystem::path cert_file, std::filesystem::path key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), attempted_(stamps()), current_(load()) {}

std::shared_ptr<ssl::context> tls_certificates::current() const {
    const std::lock_guard lock(mutex_);
    return current_;
}

std::pair<tls_certificates::stamp, tls_certificates::stamp> tls_certificates::stamps() const {
    auto of = [](const std::filesystem::path& p) {
        std::error_code ec;
        stamp s;
        s.modified = std::filesystem::last_write_time(p, ec);  // follows symlinks (Kubernetes' ..data swap)
        s.size = ec ? 0 : std::filesystem::file_size(p, ec);
        return s;
    };
    return {of(cert_file_), of(key_file_)};
}

std::shared_ptr<ssl::context> tls_certificates::load() const {
    require_readable(cert_file_, "certificate chain");
    require_readable(key_file_, "key");
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    error_code ec;
    // The key first: a certificate that does not match it then fails the check below, in those words.
    ctx->use_private_key_file(key_file_.string(), ssl::context::pem, ec);
    if (ec)
        throw config_error("server.tls: " + key_file_.string() + " holds no usable PEM private key (" + ec.message() +
                           ")");
    ctx->use_certificate_chain_file(cert_file_.string(), ec);
    if (ec)
        throw config_error("server.tls: " + cert_file_.string() + " holds no usable PEM certificate chain (" +
                           ec.message() + ")");
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw config_error("server.tls: the key in " + key_file_.string() + " does not belong to the certificate in " +
                           cert_file_.string());
    return ctx;
}

tls_certificates::reload_result tls_certificates::reload_if_changed(std::string& error) {
    const auto now = stamps();
    {
        const std::lock_guard lock(mutex_);
        if (now == attempted_) return reload_result::unchanged;
        attempted_ = now;
    }
    try {
        auto fresh = load();
        const std::lock_guard lock(mutex_);
        current_ = std::move(fresh);
        return reload_result::reloaded;
    } catch (const std::exception& e) {
        error = e.what();
        return reload_result::failed;
    }
}

}  // namespace strata::proxy
