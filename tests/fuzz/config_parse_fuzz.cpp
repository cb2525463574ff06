// libFuzzer target for the YAML config loader (control/config/load.hpp).
//
// Input: the text of a config file. Whatever it holds, parse_config must not crash or throw,
// and must keep its contract: either a config and no errors, or no config and errors that each
// name the file and say something.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/config/load.hpp"
#include "tests/fuzz/fuzz_require.hpp"

using sluice::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string file = "fuzz.yaml";
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const sluice::load_result r = sluice::parse_config(text, file);

  require(r.cfg.has_value() != !r.errors.empty(),
          "exactly one of: a config with no errors, or errors with no config");
  for (const sluice::config_error& e : r.errors) {
    require(!e.to_string().empty(), "every error renders as text");
    require(e.file == file, "every error names the file");
    require(e.line >= 0, "an error's line is 1-based, or 0 when unknown");
    require(!e.message.empty(), "every error says what is wrong");
  }
  return 0;
}
