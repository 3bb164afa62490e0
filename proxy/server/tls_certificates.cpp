// tls_certificates: a server context (TLS 1.2 and later) from PEM files, with errors in plain words.
#include "proxy/server/tls_certificates.hpp"

#include "proxy/config/config.hpp"

#include <openssl/ssl.h>

#include <cstring>
#include <fstream>

namespace strata::proxy {
namespace {

constexpr std::size_t max_pem_bytes = 1 << 20;

// The file's content; config_error "server.tls: cannot read the WHAT FILE: reason" otherwise.
std::string read_pem(const std::filesystem::path& file, const char* what) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw config_error("server.tls: cannot read the " + std::string(what) + " " + file.string() + ": " +
                           std::strerror(errno));
    std::string text;
    char chunk[8192];
    while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
        text.append(chunk, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_pem_bytes) throw config_error("server.tls: " + file.string() + " is over 1 MiB, not a PEM file");
    }
    return text;
}

// An encrypted key would make OpenSSL ask for a passphrase on the terminal: refuse it instead.
int no_passphrase(char*, int, int, void*) { return 0; }

}  // namespace

tls_certificates::tls_certificates(std::filesystem::path cert_file, std::filesystem::path key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), attempted_(read()), current_(load(attempted_)) {}

std::shared_ptr<ssl::context> tls_certificates::current() const {
    const std::lock_guard lock(mutex_);
    return current_;
}

tls_certificates::pem_files tls_certificates::read() const {
    return {read_pem(cert_file_, "certificate chain"), read_pem(key_file_, "key")};
}

std::shared_ptr<ssl::context> tls_certificates::load(const pem_files& files) const {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    // Idle connections give their read and write buffers (about 34 KiB) back.
    SSL_CTX_set_mode(ctx->native_handle(), SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_default_passwd_cb(ctx->native_handle(), no_passphrase);
    // Swapped files are the commonest mistake: say so, before OpenSSL's words.
    const bool key_is_certificate = files.key.find("-----BEGIN CERTIFICATE-----") != std::string::npos &&
                                    files.key.find("PRIVATE KEY-----") == std::string::npos;
    if (key_is_certificate && files.cert.find("PRIVATE KEY-----") != std::string::npos)
        throw config_error("server.tls: " + key_file_.string() + " holds a certificate and " + cert_file_.string() +
                           " a private key: cert_file and key_file (--tls-cert and --tls-key) are swapped");
    if (key_is_certificate)
        throw config_error("server.tls: " + key_file_.string() + " holds a certificate, not the private key key_file "
                           "(--tls-key) needs");
    error_code ec;
    // The key first: a certificate that does not match it then fails the check below, in those words.
    ctx->use_private_key(asio::buffer(files.key), ssl::context::pem, ec);
    if (ec)
        throw config_error("server.tls: " + key_file_.string() +
                           " holds no usable PEM private key (an encrypted key is not supported; " + ec.message() + ")");
    ctx->use_certificate_chain(asio::buffer(files.cert), ec);
    if (ec)
        throw config_error("server.tls: " + cert_file_.string() + " holds no usable PEM certificate chain (" +
                           ec.message() + ")");
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        throw config_error("server.tls: the key in " + key_file_.string() + " does not belong to the certificate in " +
                           cert_file_.string());
    return ctx;
}

tls_certificates::reload_result tls_certificates::reload_if_changed(std::string& error) {
    try {
        auto files = read();
        {
            const std::lock_guard lock(mutex_);
            if (files == attempted_) return reload_result::unchanged;
            attempted_ = files;
        }
        auto fresh = load(files);
        const std::lock_guard lock(mutex_);
        current_ = std::move(fresh);
        last_error_.clear();
        return reload_result::reloaded;
    } catch (const std::exception& e) {
        const std::lock_guard lock(mutex_);
        if (e.what() == last_error_) return reload_result::unchanged;  // said once already
        last_error_ = error = e.what();
        return reload_result::failed;
    }
}

}  // namespace strata::proxy
