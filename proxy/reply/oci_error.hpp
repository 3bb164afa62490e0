// OCI distribution error responses: status codes, error codes and JSON bodies.
#pragma once

#include "proxy/net.hpp"
#include "storage/oci/error.hpp"

#include <string>
#include <string_view>

namespace strata::proxy {

struct oci_error {
    http::status status;
    std::string_view code;  // "BLOB_UNKNOWN", "DENIED", ...
};

// The HTTP status and OCI code a client sees for a strata failure. Never exposes internals.
oci_error to_oci_error(errc e) noexcept;

// {"errors":[{"code":...,"message":...,"detail":...}]} with JSON escaping.
std::string oci_error_body(std::string_view code, std::string_view message, std::string_view detail);

// A complete error response for e, with detail (e.g. the repository or digest) in the body.
http::response<http::string_body> make_error_response(errc e, std::string_view detail, unsigned version,
                                                      bool keep_alive);

// An error response for an explicit status and code (405 UNSUPPORTED, 404 for unknown paths).
http::response<http::string_body> make_error_response(http::status status, std::string_view code,
                                                      std::string_view message, unsigned version,
                                                      bool keep_alive);

}  // namespace strata::proxy
