// Maps strata::errc onto the OCI distribution error codes and renders error bodies.
#include "proxy/reply/oci_error.hpp"

#include "proxy/reply/reply.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {

oci_error to_oci_error(errc e) noexcept {
    using s = http::status;
    switch (e) {
    case errc::name_invalid: return {s::bad_request, "NAME_INVALID"};
    case errc::tag_invalid: return {s::bad_request, "TAG_INVALID"};
    case errc::digest_invalid: return {s::bad_request, "DIGEST_INVALID"};
    case errc::digest_unsupported: return {s::bad_request, "UNSUPPORTED"};
    case errc::range_unsatisfiable:
    case errc::ranges_refused: return {s::range_not_satisfiable, "RANGE_INVALID"};
    case errc::upstream_unknown: return {s::forbidden, "DENIED"};
    case errc::name_unknown: return {s::not_found, "NAME_UNKNOWN"};
    case errc::manifest_unknown: return {s::not_found, "MANIFEST_UNKNOWN"};
    case errc::blob_unknown: return {s::not_found, "BLOB_UNKNOWN"};
    case errc::manifest_invalid: return {s::bad_gateway, "MANIFEST_INVALID"};
    case errc::manifest_too_large: return {s::bad_gateway, "SIZE_INVALID"};
    case errc::upstream_denied: return {s::forbidden, "DENIED"};
    case errc::too_many_requests: return {s::too_many_requests, "TOOMANYREQUESTS"};
    case errc::digest_mismatch: return {s::bad_gateway, "DIGEST_INVALID"};
    case errc::blob_too_large: return {s::bad_gateway, "SIZE_INVALID"};
    // An upstream that answered what no registry should (a bad redirect, a malformed body).
    case errc::upstream_protocol: return {s::bad_gateway, "UNAVAILABLE"};
    case errc::upstream_unavailable:
    case errc::upstream_down:
    case errc::upstream_truncated:
    case errc::offline:
    case errc::storage_full: return {s::service_unavailable, "UNAVAILABLE"};  // retry: eviction makes room
    case errc::storage_failed:
    case errc::ok: break;
    }
    return {s::internal_server_error, "UNKNOWN"};
}

std::string oci_error_body(std::string_view code, std::string_view message, std::string_view detail) {
    nlohmann::json err = {{"code", code}, {"message", message}};
    err["detail"] = detail;
    return nlohmann::json{{"errors", nlohmann::json::array({err})}}.dump(
        -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

http::response<http::string_body> make_error_response(http::status status, std::string_view code,
                                                      std::string_view message, unsigned version,
                                                      bool keep_alive) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::content_type, "application/json");
    res.set("Docker-Distribution-API-Version", registry_api_version);
    res.body() = oci_error_body(code, message, "");
    res.keep_alive(keep_alive);
    res.prepare_payload();
    return res;
}

http::response<http::string_body> make_error_response(errc e, std::string_view detail, unsigned version,
                                                      bool keep_alive) {
    const auto mapped = to_oci_error(e);
    auto res = make_error_response(mapped.status, mapped.code, make_error_code(e).message(), version,
                                   keep_alive);
    res.body() = oci_error_body(mapped.code, make_error_code(e).message(), detail);
    res.prepare_payload();
    return res;
}

}  // namespace strata::proxy
