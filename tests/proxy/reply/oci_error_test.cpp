// Tests of the OCI error mapping and bodies.
#include "proxy/reply/oci_error.hpp"

#include "tests/catch_result.hpp"
#include <nlohmann/json.hpp>

using namespace strata::proxy;
using strata::errc;

TEST_CASE("to_oci_error maps domain failures to registry codes") {
    CHECK(to_oci_error(errc::blob_unknown).status == http::status::not_found);
    CHECK(to_oci_error(errc::blob_unknown).code == "BLOB_UNKNOWN");
    CHECK(to_oci_error(errc::manifest_unknown).code == "MANIFEST_UNKNOWN");
    CHECK(to_oci_error(errc::name_unknown).code == "NAME_UNKNOWN");
    CHECK(to_oci_error(errc::name_invalid).status == http::status::bad_request);
    CHECK(to_oci_error(errc::name_invalid).code == "NAME_INVALID");
    CHECK(to_oci_error(errc::upstream_unknown).status == http::status::forbidden);
    CHECK(to_oci_error(errc::upstream_unknown).code == "DENIED");
    CHECK(to_oci_error(errc::digest_unsupported).code == "UNSUPPORTED");
    CHECK(to_oci_error(errc::too_many_requests).status == http::status::too_many_requests);
    CHECK(to_oci_error(errc::too_many_requests).code == "TOOMANYREQUESTS");
    CHECK(to_oci_error(errc::range_unsatisfiable).status == http::status::range_not_satisfiable);
    CHECK(to_oci_error(errc::storage_failed).status == http::status::internal_server_error);
}

TEST_CASE("error bodies are OCI JSON with escaped details") {
    auto res = make_error_response(errc::manifest_unknown, "repo:\"tag\"\n\xff", 11, true);
    CHECK(res.result() == http::status::not_found);
    CHECK(res[http::field::content_type] == "application/json");
    const auto body = nlohmann::json::parse(res.body());
    REQUIRE(body["errors"].size() == 1);
    CHECK(body["errors"][0]["code"] == "MANIFEST_UNKNOWN");
    CHECK(body["errors"][0]["message"] == "manifest unknown");
    CHECK(body["errors"][0]["detail"].get<std::string>().starts_with("repo:\"tag\"\n"));
}
