// sluiced: the Sluice gateway daemon. Its command line and signals: docs/ARCHITECTURE.md
// (Contracts).

#include <boost/program_options.hpp>

#include <iostream>

#include "control/config/load.hpp"
#include "control/daemon/daemon.hpp"

int main(int argc, char** argv) {
  namespace po = boost::program_options;
  po::options_description opts("Usage: sluiced --config FILE [--check]\nOptions");
  opts.add_options()("help,h", "show this help")(
      "config,c", po::value<std::string>()->value_name("FILE"), "YAML configuration file")(
      "check", "validate FILE and exit (0 valid; one line per problem otherwise)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, opts), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "sluiced: " << e.what() << "\n" << opts;
    return 2;
  }
  if (vm.count("help")) {
    std::cout << opts;
    return 0;
  }
  if (!vm.count("config")) {
    std::cerr << "sluiced: --config FILE is required\n" << opts;
    return 2;
  }
  const std::string path = vm["config"].as<std::string>();
  const sluice::load_result r = sluice::load_config_file(path);
  for (const sluice::config_error& e : r.errors) std::cerr << e.to_string() << "\n";
  if (!r.cfg) return 1;
  if (vm.count("check")) {
    std::cout << path << ": valid\n";
    return 0;
  }
  return sluice::run_daemon(path, *r.cfg);
}
