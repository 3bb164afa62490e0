// bench_image: nlohmann's sorted keys make the documents reproducible.
#include "proxy/bench/bench_image.hpp"

#include <nlohmann/json.hpp>

namespace strata::proxy {

bench_image_documents bench_image(const std::vector<generated_layer>& layers, const std::string& shape,
                                  std::uint64_t seed) {
    using json = nlohmann::json;
    json diff_ids = json::array(), history = json::array(), descriptors = json::array();
    for (std::size_t i = 0; i < layers.size(); ++i) {
        diff_ids.push_back(layers[i].diff_id.str());
        history.push_back({{"created", "1970-01-01T00:00:00Z"},
                           {"created_by", "strata bench images: layer " + std::to_string(i + 1) + " of " +
                                              std::to_string(layers.size())}});
        descriptors.push_back(
            {{"mediaType", layer_media_type(layers[i].compression)}, {"digest", layers[i].digest.str()}, {"size", layers[i].size}});
    }
    const json config = {
        {"architecture", "amd64"},
        {"os", "linux"},
        {"created", "1970-01-01T00:00:00Z"},
        {"config", {{"Labels", {{"org.strata.bench.shape", shape}, {"org.strata.bench.seed", std::to_string(seed)}}}}},
        {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
        {"history", history},
    };
    bench_image_documents out;
    out.config = config.dump();
    const auto config_digest = storage::sha256_of(out.config);
    const json manifest = {
        {"schemaVersion", 2},
        {"mediaType", oci_manifest_type},
        {"config", {{"mediaType", oci_config_type}, {"digest", config_digest.str()}, {"size", out.config.size()}}},
        {"layers", descriptors},
    };
    out.manifest = manifest.dump();
    return out;
}

}  // namespace strata::proxy
