#pragma once
// The `kubernetes:` and `address_pools:` keys of the config file (config/README.md), read with
// the loader's error-collecting reader so problems name file, line and field like the rest.

#include "control/config/model.hpp"
#include "control/config/yaml_reader.hpp"

namespace sluice {

void parse_kubernetes(yaml_reader& r, const YAML::Node& n, kubernetes_config& k);
void parse_address_pools(yaml_reader& r, const YAML::Node& n,
                         std::vector<address_pool_config>& pools);

// "a.b.c.d/len" or "a.b.c.d-e.f.g.h" as an inclusive range in host byte order; nullopt when
// the text is neither (or the range runs backwards).
std::optional<address_range> parse_address_range(std::string_view text);

} // namespace sluice
