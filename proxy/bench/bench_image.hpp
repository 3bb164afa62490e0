// bench_image: the config and OCI manifest of a generated image, as bytes to push.
#pragma once

#include "proxy/bench/layer_generator.hpp"

#include <string>
#include <vector>

namespace strata::proxy {

constexpr const char* oci_manifest_type = "application/vnd.oci.image.manifest.v1+json";
constexpr const char* oci_config_type = "application/vnd.oci.image.config.v1+json";

struct bench_image_documents {
    std::string config, manifest;  // exact bytes; the same layers and labels give the same bytes
};

// linux/amd64, created at the epoch, one history step per layer, and the labels
// org.strata.bench.shape and org.strata.bench.seed.
bench_image_documents bench_image(const std::vector<generated_layer>& layers, const std::string& shape,
                                  std::uint64_t seed);

}  // namespace strata::proxy
