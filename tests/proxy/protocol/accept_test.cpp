// Tests of Accept merging and media-type negotiation.
#include "proxy/protocol/accept.hpp"

#include "tests/catch_result.hpp"

using strata::proxy::accept_list;

TEST_CASE("accept_list merges repeated headers like skopeo's six Accept lines") {
    accept_list a;
    for (const char* v : {"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
                          "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.oci.image.index.v1+json",
                          "application/vnd.docker.distribution.manifest.v1+prettyjws", "application/json"})
        a.add_header(v);
    CHECK(a.types().size() == 6);
    CHECK(a.accepts("application/vnd.oci.image.index.v1+json"));
    CHECK_FALSE(a.accepts("text/html"));
    CHECK(a.header_value().starts_with("application/vnd.oci.image.manifest.v1+json, application/vnd.docker"));
}

TEST_CASE("accept_list splits comma lists, drops parameters, folds case and duplicates") {
    accept_list a;
    a.add_header(" Application/VND.OCI.image.manifest.v1+json ; q=0.9 ,application/vnd.oci.image.index.v1+json,,");
    a.add_header("application/vnd.oci.image.index.v1+json");
    REQUIRE(a.types().size() == 2);
    CHECK(a.types()[0] == "application/vnd.oci.image.manifest.v1+json");
    CHECK(a.accepts("application/vnd.oci.image.manifest.v1+json"));
}

TEST_CASE("accept_list: no header accepts everything, */* accepts everything, q=0 refuses") {
    accept_list none;
    CHECK(none.empty());
    CHECK(none.accepts("application/vnd.oci.image.index.v1+json"));
    accept_list star;
    star.add_header("*/*");
    CHECK(star.accepts("application/vnd.docker.distribution.manifest.v2+json"));
    accept_list refused;
    refused.add_header("*/*, application/vnd.oci.image.index.v1+json;q=0");
    CHECK_FALSE(refused.accepts("application/vnd.oci.image.index.v1+json"));
    CHECK(refused.accepts("application/vnd.oci.image.manifest.v1+json"));
    accept_list only_refused;
    only_refused.add_header("application/vnd.oci.image.index.v1+json;q=0.0");
    CHECK_FALSE(only_refused.accepts("application/vnd.oci.image.index.v1+json"));
    CHECK_FALSE(only_refused.accepts("application/vnd.oci.image.manifest.v1+json"));
}
