// push_client: the OCI distribution push API, synchronously: blob uploads (whole or in chunks),
// cross-repository mounts, manifests, and the registry's Basic or bearer-token auth with push scope.
#pragma once

#include "proxy/net.hpp"
#include "proxy/upstream/redirect_policy.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

namespace strata::proxy {

// A push the registry refused or could not take. what() names the registry, the step and, when
// the registry sent one, its OCI error code: "127.0.0.1:5000 refused the manifest of bench/1gb-4:
// HTTP 403 DENIED: requested access to the resource is denied".
struct push_error : std::runtime_error {
    push_error(const std::string& what, std::string code) : std::runtime_error(what), code(std::move(code)) {}
    std::string code;  // the OCI error code ("DENIED"), or ""
};

struct push_target {
    std::string url;                 // "https://registry.example" or "http://127.0.0.1:5000"
    std::string username, password;  // empty username: anonymous
    std::string ca_file;             // PEM bundle for https; empty: the system CAs
};

// One registry. Keeps one keep-alive connection per origin; not thread-safe.
class push_client {
public:
    // Throws std::invalid_argument for a URL that is not http(s)://host[:port].
    explicit push_client(push_target target);
    ~push_client();
    push_client(const push_client&) = delete;
    push_client& operator=(const push_client&) = delete;

    const std::string& name() const { return name_; }  // host[:port], for messages and refs

    bool has_blob(const std::string& repository, const std::string& digest);
    // Asks to mount digest from another repository; false when the registry started an upload
    // instead (it cancels that upload) or refused, and the blob must be uploaded.
    bool mount_blob(const std::string& repository, const std::string& digest, const std::string& from);
    // Uploads a file: in one PUT when chunk_bytes is 0, else PATCH by PATCH of chunk_bytes.
    void upload_file(const std::string& repository, const std::string& digest, const std::filesystem::path& file,
                     std::uint64_t chunk_bytes);
    void upload_bytes(const std::string& repository, const std::string& digest, const std::string& bytes);
    // PUT of a manifest under a tag; returns the digest the registry answers with, or "".
    std::string put_manifest(const std::string& repository, const std::string& tag, const std::string& bytes,
                             const std::string& media_type);

    struct connection;

private:
    template <class Body>
    http::response<http::string_body> send(http::request<Body>& req, const location& where,
                                           const std::string& scope);
    template <class Body>
    http::response<http::string_body> exchange(http::request<Body>& req, const location& where);
    connection& connect(const location& where);
    void open_stream(connection& c, const location& where);
    void authenticate(const http::response<http::string_body>& challenge, const std::string& scope);
    std::string fetch_token(const location& realm, const std::string& service, const std::string& scope);
    location start_upload(const std::string& repository, const std::string& what);
    location upload_location(const http::response<http::string_body>& res, const std::string& what);
    std::string repository_scope(const std::string& repository) const;

    push_target target_;
    location registry_;
    std::string name_;
    std::unique_ptr<ssl::context> tls_;
    std::map<std::string, std::unique_ptr<connection>> connections_;  // by origin
    std::string authorization_;  // what goes with every request to the registry's origin
    std::string authorized_scope_;
};

}  // namespace strata::proxy
